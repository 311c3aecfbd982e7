"""What happens to a submission: attaching files, sending it in, proposing
an update, and the status a member sees.

Sending in creates (or revises) a PracticePage that is never published by the
member: the page is added unpublished, the member's version is saved as a
revision, and the "Redactiecontrole" workflow takes it to the editors. When
they approve, Wagtail publishes that revision (and notifications follow from
`page_published`). A published page stays as it is until then.
"""

import datetime
import logging
import math
import os
import secrets

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction, WorkflowState

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.crypto import salted_hmac
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.files import delete_file_on_commit
from core.images import upload_allowed
from core.text import printable
from editorial.models import SlugRedirect
from practices.models import (
    Organisation,
    PracticeContact,
    PracticeDocument,
    PracticeGalleryImage,
    PracticeIndexPage,
    PracticeLink,
    PracticeOrganisation,
    PracticePage,
)

from .files import check_document, process_image
from .forms import EVIDENCE_FIELD_NAMES, ROW_KEYS, STORY_FIELD_NAMES, find_organisation
from .models import Submission, SubmissionFile
from .richtext import markdown_to_richtext, richtext_to_markdown

logger = logging.getLogger("vindplaats.submissions")

COLLECTION_NAME = "Inzendingen"
UPLOAD_SLOTS = 3


def suspension_message(user):
    """Why a suspended member cannot submit now, or None."""
    profile = getattr(user, "profile", None)
    if profile is None or not profile.is_suspended:
        return None
    until = formats.date_format(
        timezone.localtime(profile.suspended_until), "j F Y H:i"
    )
    return _(
        "Your account is suspended until %(date)s. Until then you cannot send "
        "in or change an initiative."
    ) % {"date": until}


# Files -------------------------------------------------------------------


def upload_slots(submission, kind):
    """How many new files of this kind the form offers now."""
    maximum = (
        settings.SUBMISSIONS_MAX_IMAGES
        if kind == SubmissionFile.Kind.IMAGE
        else settings.SUBMISSIONS_MAX_DOCUMENTS
    )
    attached = submission.files.filter(kind=kind).count() if submission.pk else 0
    return max(0, min(UPLOAD_SLOTS, maximum - attached))


def _one_line(value):
    """A file's description or caption as stored: one line, at most 250 characters."""
    return " ".join(printable(value).split())[:250]


def apply_files(submission, post, files, request=None):
    """Store what the member did with the files; returns {input name: [errors]}.

    Removals and the texts of attached files come first, then new uploads
    (each checked before it is stored). A refused upload is reported and
    nothing else is lost. Images count against the member's upload rate
    (core.images.upload_allowed, when there is a request); a file identical to
    one already attached (the same form posted twice) is not added again.
    """
    errors = {}
    for attached in list(submission.files.all()):
        prefix = f"file-{attached.pk}"
        if post.get(f"{prefix}-remove"):
            attached.delete()
            continue
        changed = []
        for name in ("text", "caption"):
            key = f"{prefix}-{name}"
            if key in post:
                value = _one_line(post.get(key, ""))
                if value != getattr(attached, name):
                    setattr(attached, name, value)
                    changed.append(name)
        if changed:
            attached.save(update_fields=changed)

    for kind, field in (
        (SubmissionFile.Kind.IMAGE, "new_image"),
        (SubmissionFile.Kind.DOCUMENT, "new_document"),
    ):
        maximum = (
            settings.SUBMISSIONS_MAX_IMAGES
            if kind == SubmissionFile.Kind.IMAGE
            else settings.SUBMISSIONS_MAX_DOCUMENTS
        )
        count = submission.files.filter(kind=kind).count()
        for index in range(UPLOAD_SLOTS):
            name = f"{field}_{index}"
            upload = files.get(name)
            if not upload:
                continue
            if count >= maximum:
                errors[name] = [
                    _("You can attach at most %(max)s files of this kind.")
                    % {"max": maximum}
                ]
                continue
            if (
                kind == SubmissionFile.Kind.IMAGE
                and request is not None
                and not upload_allowed(request)
            ):
                errors[name] = [
                    _(
                        "You have added many images in a short time. Wait an "
                        "hour and add “%(name)s” again; everything else is saved."
                    )
                    % {"name": printable(os.path.basename(upload.name))[:255]}
                ]
                continue
            try:
                if kind == SubmissionFile.Kind.IMAGE:
                    content = process_image(upload)
                else:
                    content = check_document(upload)
            except ValidationError as error:
                errors[name] = error.messages
                continue
            original_name = printable(os.path.basename(upload.name))[:255]
            if submission.files.filter(
                kind=kind,
                original_name=original_name,
                size=content.size,
                image__isnull=True,
                document__isnull=True,
            ).exists():
                continue
            text = _one_line(post.get(f"{name}_text", ""))
            caption = _one_line(post.get(f"{name}_caption", ""))
            row = SubmissionFile(
                submission=submission,
                kind=kind,
                original_name=original_name,
                size=content.size,
                text=text,
                caption=caption,
                sort_order=count,
            )
            row.file.save(content.name, content, save=False)
            row.save()
            count += 1
    return errors


def file_errors_for_submit(submission):
    """Per attached file, what is missing before it can be sent in."""
    errors = {}
    for attached in submission.files.all():
        if attached.is_image and not attached.is_existing and not attached.text:
            errors[f"file-{attached.pk}-text"] = [
                _("Describe what the image shows, for people who cannot see it.")
            ]
    return errors


def _collection():
    """The collection of files sent in but not yet published.

    Only the editors may open its documents (a view restriction, which
    Wagtail's document serving honours); when the practice is published its
    files move to the public root collection (submissions.signals).
    """
    collection = Collection.objects.filter(name=COLLECTION_NAME).first()
    if collection is None:
        collection = Collection.get_first_root_node().add_child(name=COLLECTION_NAME)
    restriction, created = CollectionViewRestriction.objects.get_or_create(
        collection=collection,
        defaults={"restriction_type": CollectionViewRestriction.GROUPS},
    )
    if created:
        restriction.groups.set(Group.objects.filter(name__in=["Editors", "Moderators"]))
    return collection


def _to_wagtail(attached, member, collection):
    """Turn a stored upload into a Wagtail image or document (once)."""
    if attached.is_existing:
        return attached.image if attached.is_image else attached.document
    stored_name = attached.file.name
    base = os.path.splitext(attached.original_name)[0] or "bestand"
    extension = os.path.splitext(stored_name)[1]
    # A random name: media files are not access-checked, and a file waiting
    # for review must not be found by guessing its original name.
    stored_as = f"{secrets.token_hex(16)}{extension}"
    with attached.file.open("rb") as handle:
        if attached.is_image:
            item = get_image_model()(
                title=(attached.text or base)[:255],
                description=attached.text[:255],
                collection=collection,
                uploaded_by_user=member,
            )
            item.file.save(stored_as, File(handle), save=False)
            item._set_image_file_metadata()
        else:
            item = get_document_model()(
                title=(attached.text or base)[:255],
                collection=collection,
                uploaded_by_user=member,
            )
            item.file.save(stored_as, File(handle), save=False)
            item._set_document_file_metadata()
    item.save()
    if attached.is_image:
        attached.image = item
    else:
        attached.document = item
    attached.file = ""
    attached.save(update_fields=["image", "document", "file"])
    delete_file_on_commit(attached.file.storage, stored_name)
    return item


# Sending in --------------------------------------------------------------


def _proposed_organisation(row, member):
    """The organisation a member named: an existing one (whatever its
    capitals), or a new, unconfirmed one.

    Two members proposing the same new organisation at the same moment both
    find none; the second insert then trips over the unique name (in a
    savepoint, so the send-in goes on) and uses the one just made."""
    for _attempt in range(5):
        organisation = find_organisation(row["name"])
        if organisation is not None:
            return organisation
        organisation = Organisation(
            name=row["name"],
            organisation_type=row["organisation_type"],
            is_confirmed=False,
            proposed_by=member,
        )
        slug = base = slugify(row["name"])[:190] or "organisatie"
        number = 2
        while (
            Organisation.objects.filter(slug=slug).exists()
            or SlugRedirect.objects.filter(facet="organisatie", old_slug=slug).exists()
        ):
            slug = f"{base}-{number}"
            number += 1
        organisation.slug = slug
        try:
            with transaction.atomic():
                organisation.save()
            return organisation
        except (IntegrityError, ValidationError):
            continue  # made meanwhile by someone else: look again
    raise IntegrityError(f"Could not add the organisation {row['name']!r}.")


def _organisations(rows, member):
    return [
        PracticeOrganisation(
            organisation=_proposed_organisation(row, member), role=row["role"]
        )
        for row in rows
    ]


def _free_slug(parent, title):
    base = slugify(title)[:200] or "initiatief"
    slug, number = base, 2
    siblings = parent.get_children()
    while siblings.filter(slug=slug).exists():
        slug = f"{base}-{number}"
        number += 1
    return slug


def changed_by_others(submission):
    """Has someone else saved the practice since this update draft began?

    The member's own revisions (an earlier send-in of the same update) don't
    count; an editor's do: sending in would silently undo them.
    """
    base = submission.base_revision
    if not submission.page_id or base is None:
        return False
    return (
        submission.page.revisions.filter(created_at__gt=base.created_at)
        .exclude(user=submission.owner)
        .exists()
    )


def _markdown_key(text):
    """Story text as compared for changes: line ends and outer space ignored."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def _contact_fields(contact):
    return {
        "name": contact.name.strip(),
        "role": contact.role.strip(),
        "organisation": contact.organisation.strip(),
        "email": contact.email,
        "email_entered_by_owner": contact.email_entered_by_owner,
    }


def _snapshot(page):
    """A practice version as comparable values, one per part the member edits.

    Lists are [(key, {field: value})] so versions can be merged row by row
    (`_merge_rows`): facet values and organisations by id, contact persons
    by address, links by URL, images and documents by their id.
    """
    snapshot = {
        "title": page.title,
        "summary": page.summary,
        "phase": page.phase,
        "start_year": page.start_year,
        "organisations": [
            (link.organisation_id, {"role": link.role})
            for link in page.practice_organisations.all()
        ],
        "contacts": [
            (c.email.lower(), _contact_fields(c)) for c in page.contacts.all()
        ],
        "links": [
            (link.url, {"title": link.title.strip(), "is_evidence": link.is_evidence})
            for link in page.links.all()
        ],
        "gallery": [
            (item.image_id, {"caption": item.caption})
            for item in page.gallery_images.all()
        ],
        "documents": [
            (item.document_id, {"title": item.title}) for item in page.documents.all()
        ],
    }
    for name in STORY_FIELD_NAMES:
        snapshot[name] = _markdown_key(richtext_to_markdown(getattr(page, name)))
    for name in EVIDENCE_FIELD_NAMES:
        snapshot[name] = getattr(page, name)
    for name in FACET_FIELDS:
        snapshot[name] = [(item.pk, {}) for item in getattr(page, name).all()]
    return snapshot


FACET_FIELDS = (
    "provinces",
    "care_office_regions",
    "themes",
    "movements",
    "target_groups",
)
LIST_PARTS = frozenset(
    {"organisations", "contacts", "links", "gallery", "documents", *FACET_FIELDS}
)


def _merge_rows(newest, base, mine):
    """Three-way merge of one list part, row by row.

    `base` is the version the member's draft started from, `newest` the
    practice as it is now (with the editors' changes), `mine` what the member
    sends. The result is the newest list, minus the rows the member removed,
    with the fields the member changed in the rows they kept, plus the rows
    the member added (at the end). A row the editors removed stays removed;
    what the editors added or changed stays unless the member changed the
    same field.
    """
    base_rows = dict(base)
    mine_rows = dict(mine)
    merged, seen = [], set()
    for key, fields in newest:
        if key in seen:
            continue
        seen.add(key)
        if key in base_rows:
            if key not in mine_rows:
                continue  # the member removed it
            before, after = base_rows[key], mine_rows[key]
            fields = {
                **fields,
                **{
                    name: after[name]
                    for name in before
                    if name in after and after[name] != before[name]
                },
            }
        merged.append((key, fields))
    for key, fields in mine:
        if key not in base_rows and key not in seen:
            seen.add(key)
            merged.append((key, fields))
    return merged


def _proposal(data, formsets, submission, member):
    """{part: (value, apply(page, value))} for what the member sent.

    The values match `_snapshot` (lists as keyed rows); applying a part sets
    it on the page (new organisations, uploads and images are made only
    then).
    """
    proposal = {}

    def setter(name, value):
        return lambda target, _value: setattr(target, name, value)

    for name in ("title", "summary", "phase"):
        proposal[name] = (data[name], setter(name, data[name]))
    year = data.get("start_year")
    proposal["start_year"] = (year, setter("start_year", year))
    for name in EVIDENCE_FIELD_NAMES:
        value = data.get(name) or ""
        proposal[name] = (value, setter(name, value))
    for name in STORY_FIELD_NAMES:
        text = data.get(name) or ""
        proposal[name] = (
            _markdown_key(text),
            setter(name, markdown_to_richtext(text)),
        )

    def facet_setter(name):
        model = PracticePage._meta.get_field(name).related_model

        def apply(target, rows):
            found = model.objects.in_bulk([key for key, _fields in rows])
            setattr(target, name, [found[key] for key, _f in rows if key in found])

        return apply

    for name in FACET_FIELDS:
        proposal[name] = (
            [(value.pk, {}) for value in data[name]],
            facet_setter(name),
        )

    org_rows = []
    for row in formsets["org"].filled_rows():
        found = find_organisation(row["name"])
        key = found.pk if found else f"new:{slugify(row['name'])}"
        org_rows.append(
            (
                key,
                {
                    "role": row["role"],
                    "name": row["name"],
                    "organisation_type": row.get("organisation_type") or "",
                },
            )
        )

    def apply_organisations(target, rows):
        existing = Organisation.objects.in_bulk(
            [key for key, _fields in rows if isinstance(key, int)]
        )
        links = []
        for key, fields in rows:
            if isinstance(key, int):
                if key in existing:
                    links.append(
                        PracticeOrganisation(
                            organisation=existing[key], role=fields["role"]
                        )
                    )
            else:
                links.extend(_organisations([fields], member))
        target.practice_organisations = links

    proposal["organisations"] = (org_rows, apply_organisations)

    kept = kept_addresses(submission)
    contact_rows = []
    for row in formsets["contact"].filled_rows():
        typed = row["email"]
        email = typed or kept.get(row.get("keep") or "")
        if not email:  # the form refuses an unknown reference (ContactRowForm)
            continue
        contact_rows.append(
            (
                email.lower(),
                {
                    "name": row["name"].strip(),
                    "role": row["role"].strip(),
                    "organisation": row["organisation"].strip(),
                    "email": email,
                    # Typed by the member (the practice's owner): theirs to
                    # see again; a kept reference stays hidden from them.
                    "email_entered_by_owner": typed,
                },
            )
        )

    def apply_contacts(target, rows):
        photos = {c.email.lower(): c.photo for c in target.contacts.all()}
        target.contacts = [
            PracticeContact(**fields, photo=photos.get(key)) for key, fields in rows
        ]

    proposal["contacts"] = (contact_rows, apply_contacts)

    def apply_links(target, rows):
        target.links = [
            PracticeLink(
                title=fields["title"],
                url=key,
                is_evidence=fields.get("is_evidence", False),
            )
            for key, fields in rows
        ]

    proposal["links"] = (
        [
            (
                row["url"],
                {
                    "title": row["title"].strip(),
                    "is_evidence": bool(row.get("is_evidence")),
                },
            )
            for row in formsets["link"].filled_rows()
        ],
        apply_links,
    )

    attached = list(submission.files.select_related("image", "document"))
    uploads = {f"new-{f.pk}": f for f in attached if not f.is_existing}

    def _key(f):
        if not f.is_existing:
            return f"new-{f.pk}"
        return f.image_id if f.is_image else f.document_id

    def resolved(rows, model):
        """(Wagtail image or document, row fields) for each row: a new
        upload is made into one, an existing one is looked up."""
        collection = _collection()
        existing = model.objects.in_bulk(
            [key for key, _f in rows if isinstance(key, int)]
        )
        for key, fields in rows:
            if key in uploads:
                yield _to_wagtail(uploads[key], member, collection), fields
            elif key in existing:
                yield existing[key], fields

    def apply_gallery(target, rows):
        target.gallery_images = [
            PracticeGalleryImage(image=image, caption=fields["caption"])
            for image, fields in resolved(rows, get_image_model())
        ]
        gallery = target.gallery_images.all()
        if target.hero_image_id is None and gallery:
            target.hero_image = gallery[0].image

    def apply_documents(target, rows):
        target.documents = [
            PracticeDocument(document=document, title=fields["title"])
            for document, fields in resolved(rows, get_document_model())
        ]

    proposal["gallery"] = (
        [(_key(f), {"caption": f.caption}) for f in attached if f.is_image],
        apply_gallery,
    )
    proposal["documents"] = (
        [(_key(f), {"title": f.text}) for f in attached if not f.is_image],
        apply_documents,
    )
    return proposal


# Contact persons' addresses: a member sees only those they entered ---------


def contact_keep_ref(page_id, email):
    """An opaque reference to a contact person's address the member may not
    see: the draft carries it instead of the address, and sending in puts
    the stored address back. Keyed with SECRET_KEY and scoped to the page."""
    return salted_hmac(
        "submissions.contact-keep", f"{page_id}:{email.lower()}"
    ).hexdigest()[:32]


def kept_addresses(submission):
    """{keep reference: address} for the contact persons an update draft may
    keep without seeing them: those of the version it started from and of the
    practice's newest version. Empty for a new practice, so any reference
    sent with one is unknown (and refused by the form)."""
    if not submission.page_id:
        return {}
    versions = [submission.page.get_latest_revision_as_object()]
    if submission.base_revision_id:
        versions.append(submission.base_revision.as_object())
    refs = {}
    for version in versions:
        for contact in version.contacts.all():
            if contact.email:
                refs[contact_keep_ref(submission.page_id, contact.email)] = (
                    contact.email
                )
    return refs


def member_may_see(contact, page, member):
    """May `member` see this contact person's address? Only the practice's
    owner, and only the very address they entered, as recorded on the
    contact row (PracticeContact.email_entered_by_owner; an editor who
    changes the address makes it theirs). Anything unrecorded stays hidden."""
    email = (contact.email or "").lower()
    return bool(
        email
        and (contact.email_entered_by_owner or "").lower() == email
        and page.owner_id == member.pk
    )


def data_for_member(submission):
    """A submission's stored form data as its owner may see it (the data
    export): an address the practice holds as someone else's (not entered by
    the owner) is left out, also when an old draft still carries it."""
    data = submission.data or {}
    if not submission.page_id:
        return data
    page = submission.page
    others = set()
    versions = [page.get_latest_revision_as_object()]
    if page.live:
        versions.append(page)
    for version in versions:
        for contact in version.contacts.all():
            if not member_may_see(contact, page, submission.owner):
                others.add(contact.email.lower())
    contacts = [
        {**row, "email": ""} if (row.get("email") or "").lower() in others else row
        for row in data.get(ROW_KEYS["contact"]) or []
    ]
    return {**data, ROW_KEYS["contact"]: contacts}


class SendInRefused(Exception):
    """Flood control refused a send-in: `message` for the member, and the
    number of seconds until they can send in again (`retry_after`)."""

    def __init__(self, message, retry_after):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def send_in_refusal(member, now=None):
    """Flood control: a SendInRefused saying why `member` cannot send in
    (again) now, or None.

    Every send-in emails every editor and adds to the review queue, so a
    member may send in at most SUBMISSIONS_SEND_IN_PER_DAY initiatives and
    updates in any 24 hours. They may again once enough of those are more
    than 24 hours old to leave room for one more: the per_day-th newest.
    """
    now = now or timezone.now()
    per_day = settings.SUBMISSIONS_SEND_IN_PER_DAY
    sent = sorted(
        Submission.objects.filter(
            owner=member, submitted_at__gte=now - datetime.timedelta(days=1)
        ).values_list("submitted_at", flat=True)
    )
    if len(sent) < per_day:
        return None
    again = sent[-per_day] + datetime.timedelta(days=1)
    message = _(
        "You have sent in %(count)d initiatives or changes in the last 24 hours, "
        "the most we accept in a day. Your draft is saved with everything you "
        "typed: you can send it in from %(time)s."
    ) % {
        "count": per_day,
        "time": formats.date_format(timezone.localtime(again), "j F Y H:i"),
    }
    return SendInRefused(message, max(1, math.ceil((again - now).total_seconds())))


@transaction.atomic
def send_in(submission, practice_form, formsets, member):
    """Create or revise the practice page and start the editors' workflow;
    returns the page, or None when this submission was sent in already.
    Raises SendInRefused when the member sent in too many today.

    One transaction: the row locks need one (PostgreSQL refuses
    `select_for_update` outside it), and a failure halfway must not leave a
    page without its submission, which a retry would duplicate. The
    submission's row is locked first and must still be a draft: of two
    requests sending in the same draft at once (a double click), the second
    waits for the first and then finds it sent (on SQLite the IMMEDIATE
    transaction serialises them the same way). Then the member's own row is
    locked and their send-ins of the last day counted under that lock, so
    parallel send-ins of different drafts cannot pass the daily limit
    together.
    """
    locked = (
        Submission.objects.select_for_update()
        .filter(pk=submission.pk, status=Submission.Status.DRAFT)
        .first()
    )
    if locked is None:
        return None
    submission = locked
    get_user_model().objects.select_for_update().filter(pk=member.pk).first()
    refusal = send_in_refusal(member)
    if refusal is not None:
        raise refusal
    data = practice_form.cleaned_data
    base = None
    if submission.page_id:
        live_page = PracticePage.objects.select_for_update().get(pk=submission.page_id)
        page = live_page.get_latest_revision_as_object()
        if changed_by_others(submission):
            base = submission.base_revision.as_object()
    else:
        page = PracticePage(owner=member, live=False)

    proposal = _proposal(data, formsets, submission, member)
    if base is None:
        for value, apply in proposal.values():
            apply(page, value)
    else:
        # Someone (an editor) saved the practice after this update began: the
        # member's proposal goes on top of the newest version. A single value
        # the member changed is theirs; one they left as it was keeps the
        # newest version's value. Lists (facets, organisations, contact
        # persons, links, images, documents) are merged row by row
        # (`_merge_rows`), so what the editors added meanwhile stays. The
        # editors compare the result with the version before it
        # (editorial.workflow links the review to that comparison).
        before = _snapshot(base)
        newest = _snapshot(page)
        for key, (value, apply) in proposal.items():
            if key in LIST_PARTS:
                apply(page, _merge_rows(newest[key], before[key], value))
            elif value != before[key]:
                apply(page, value)

    if submission.page_id is None:
        index = PracticeIndexPage.objects.get()
        page.slug = _free_slug(index, page.title)
        index.add_child(instance=page)
    elif not page.live:
        # Like Wagtail's editor: an unpublished page keeps its row in step.
        page.save()
    page.save_revision(user=member, log_action=True)
    _start_or_resume_workflow(page, member)

    submission.page = page
    submission.status = Submission.Status.SUBMITTED
    submission.submitted_at = timezone.now()
    submission.data = {**submission.data, "sent_in": True}
    submission.save()
    return page


def _start_or_resume_workflow(page, member):
    """The Wagtail way, as in the page editor: a page waiting for changes
    resumes its workflow; one already in review is restarted with the new
    version (the editors review the newest); otherwise a workflow starts."""
    state = page.current_workflow_state
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        state.resume(member)
        return
    if state is not None:
        state.cancel(user=member)
    workflow = page.get_workflow()
    if workflow is None:
        logger.warning("No workflow for practice %s; it waits as a draft.", page.pk)
        return
    workflow.start(page, member)


# Proposing an update ----------------------------------------------------


def draft_from_page(page, member):
    """A new draft submission holding the practice as it stands now (its
    newest version, which may not be published yet)."""
    latest = page.get_latest_revision_as_object()
    fields = {
        "title": latest.title,
        "summary": latest.summary,
        "phase": latest.phase,
        "start_year": str(latest.start_year or ""),
    }
    for name in STORY_FIELD_NAMES:
        fields[name] = richtext_to_markdown(getattr(latest, name))
    for name in EVIDENCE_FIELD_NAMES:
        fields[name] = getattr(latest, name)
    for name in (
        "provinces",
        "care_office_regions",
        "themes",
        "movements",
        "target_groups",
    ):
        fields[name] = [str(item.pk) for item in getattr(latest, name).all()]
    organisations = [
        {
            "name": link.organisation.name,
            "role": link.role,
            "organisation_type": link.organisation.organisation_type,
        }
        for link in latest.practice_organisations.all()
        if link.organisation_id
    ]
    # The member sees only the addresses they entered themselves; for the
    # others the draft holds a reference (see contact_keep_ref).
    contacts = []
    for contact in latest.contacts.all():
        visible = member_may_see(contact, page, member)
        contacts.append(
            {
                "name": contact.name,
                "role": contact.role,
                "organisation": contact.organisation,
                "email": contact.email if visible else "",
                "keep": "" if visible else contact_keep_ref(page.pk, contact.email),
                # Given when the practice was sent in or added by the editors.
                "consent": True,
            }
        )
    links = [
        {"title": link.title, "url": link.url, "is_evidence": link.is_evidence}
        for link in latest.links.all()
    ]
    data = {
        "fields": fields,
        ROW_KEYS["org"]: organisations,
        ROW_KEYS["contact"]: contacts,
        ROW_KEYS["link"]: links,
    }
    with transaction.atomic():
        submission = Submission.objects.create(
            owner=member,
            page=page,
            base_revision=page.latest_revision,
            data=data,
        )
        order = 0
        for item in latest.gallery_images.all():
            image = item.image
            SubmissionFile.objects.create(
                submission=submission,
                kind=SubmissionFile.Kind.IMAGE,
                original_name=os.path.basename(image.file.name)[:255],
                size=image.file_size or 0,
                text=(image.description or image.title)[:250],
                caption=item.caption,
                image=image,
                sort_order=order,
            )
            order += 1
        for item in latest.documents.all():
            document = item.document
            SubmissionFile.objects.create(
                submission=submission,
                kind=SubmissionFile.Kind.DOCUMENT,
                original_name=os.path.basename(document.file.name)[:255],
                size=document.file_size or 0,
                text=item.title,
                document=document,
                sort_order=order,
            )
            order += 1
    return submission


# Status ------------------------------------------------------------------

STATUS_LABELS = {
    "draft": gettext_lazy("Draft"),
    "submitted": gettext_lazy("Submitted – waiting for the editors"),
    "changes_requested": gettext_lazy("Changes requested"),
    "published": gettext_lazy("Published"),
    "update_pending": gettext_lazy("Update waiting for the editors"),
    "not_published": gettext_lazy("Not published"),
}


def page_status(page):
    """(status key, label, editors' comment) for one of the member's pages.

    Uses the workflow states prefetched by `prefetch_workflow_states()`.
    """
    state = page.current_workflow_state
    comment = ""
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        key = "changes_requested"
        if state.current_task_state_id and state.current_task_state:
            comment = state.current_task_state.comment
    elif state is not None:
        key = "update_pending" if page.live else "submitted"
    elif page.live:
        key = "published"
    else:
        key = "not_published"
    return key, STATUS_LABELS[key], comment
