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
import os
import secrets

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, WorkflowState

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import formats, timezone
from django.utils.crypto import salted_hmac
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.signals import delete_file_on_commit
from editorial.models import SlugRedirect
from kb.images import upload_allowed
from kb.text import printable
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
from .forms import ROW_KEYS, STORY_FIELD_NAMES, find_organisation
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
    (kb.images.upload_allowed, when there is a request); a file identical to
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
    from wagtail.models import CollectionViewRestriction

    from django.contrib.auth.models import Group

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


def _organisations(rows, member):
    links = []
    for row in rows:
        organisation = find_organisation(row["name"])
        if organisation is None:
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
                or SlugRedirect.objects.filter(
                    facet="organisatie", old_slug=slug
                ).exists()
            ):
                slug = f"{base}-{number}"
                number += 1
            organisation.slug = slug
            organisation.save()
        links.append(PracticeOrganisation(organisation=organisation, role=row["role"]))
    return links


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


def _snapshot(page):
    """A practice version as comparable values, one per part the member edits."""
    snapshot = {
        "title": page.title,
        "summary": page.summary,
        "phase": page.phase,
        "start_year": page.start_year,
        "organisations": [
            (link.organisation_id, link.role)
            for link in page.practice_organisations.all()
        ],
        "contacts": [
            (c.name.strip(), c.role.strip(), c.organisation.strip(), c.email.lower())
            for c in page.contacts.all()
        ],
        "links": [(link.title.strip(), link.url) for link in page.links.all()],
        "gallery": [
            (item.image_id, item.caption) for item in page.gallery_images.all()
        ],
        "documents": [(item.document_id, item.title) for item in page.documents.all()],
    }
    for name in STORY_FIELD_NAMES:
        snapshot[name] = _markdown_key(richtext_to_markdown(getattr(page, name)))
    for name in FACET_FIELDS:
        snapshot[name] = sorted(item.pk for item in getattr(page, name).all())
    return snapshot


FACET_FIELDS = (
    "provinces",
    "care_office_regions",
    "themes",
    "movements",
    "target_groups",
)


def _proposal(data, formsets, submission, page, base, member):
    """{part: (comparable value, apply(page))} for what the member sent.

    The comparable values match `_snapshot`; applying a part sets it on the
    page (new organisations, uploads and images are made only then).
    """
    proposal = {}

    def setter(name, value):
        return lambda target: setattr(target, name, value)

    for name in ("title", "summary", "phase"):
        proposal[name] = (data[name], setter(name, data[name]))
    year = data.get("start_year")
    proposal["start_year"] = (year, setter("start_year", year))
    for name in STORY_FIELD_NAMES:
        text = data.get(name) or ""
        proposal[name] = (
            _markdown_key(text),
            setter(name, markdown_to_richtext(text)),
        )
    for name in FACET_FIELDS:
        values = list(data[name])
        proposal[name] = (sorted(v.pk for v in values), setter(name, values))

    org_rows = formsets["org"].filled_rows()
    found = [find_organisation(row["name"]) for row in org_rows]
    proposal["organisations"] = (
        [
            (o.pk if o else None, row["role"])
            for o, row in zip(found, org_rows, strict=True)
        ],
        lambda target: setattr(
            target, "practice_organisations", _organisations(org_rows, member)
        ),
    )

    hidden = _hidden_emails(page, base)
    contact_rows = []
    for row in formsets["contact"].filled_rows():
        email = row["email"] or hidden.get(row.get("keep") or "")
        if email:  # a kept address the editors removed meanwhile goes too
            contact_rows.append({**row, "email": email})

    def apply_contacts(target):
        old_photos = {c.email.lower(): c.photo for c in target.contacts.all()}
        target.contacts = [
            PracticeContact(
                name=row["name"].strip(),
                role=row["role"].strip(),
                organisation=row["organisation"].strip(),
                email=row["email"],
                photo=old_photos.get(row["email"].lower()),
            )
            for row in contact_rows
        ]

    proposal["contacts"] = (
        [
            (
                row["name"].strip(),
                row["role"].strip(),
                row["organisation"].strip(),
                row["email"].lower(),
            )
            for row in contact_rows
        ],
        apply_contacts,
    )
    link_rows = formsets["link"].filled_rows()
    proposal["links"] = (
        [(row["title"].strip(), row["url"]) for row in link_rows],
        lambda target: setattr(
            target,
            "links",
            [PracticeLink(title=r["title"].strip(), url=r["url"]) for r in link_rows],
        ),
    )

    attached = list(submission.files.select_related("image", "document"))
    images = [f for f in attached if f.is_image]
    documents = [f for f in attached if not f.is_image]

    def apply_gallery(target):
        collection = _collection()
        target.gallery_images = [
            PracticeGalleryImage(
                image=_to_wagtail(f, member, collection), caption=f.caption
            )
            for f in images
        ]
        gallery = target.gallery_images.all()
        if target.hero_image_id is None and gallery:
            target.hero_image = gallery[0].image

    def apply_documents(target):
        collection = _collection()
        target.documents = [
            PracticeDocument(document=_to_wagtail(f, member, collection), title=f.text)
            for f in documents
        ]

    proposal["gallery"] = (
        [(f.image_id if f.is_existing else f"new-{f.pk}", f.caption) for f in images],
        apply_gallery,
    )
    proposal["documents"] = (
        [
            (f.document_id if f.is_existing else f"new-{f.pk}", f.text)
            for f in documents
        ],
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


def _hidden_emails(page, base=None):
    """{keep reference: address} for the contact persons of these versions."""
    refs = {}
    for version in (base, page):
        if version is None or version.pk is None:
            continue
        for contact in version.contacts.all():
            if contact.email:
                refs[contact_keep_ref(version.pk, contact.email)] = contact.email
    return refs


def email_authors(page):
    """{address (lower case): id of who first saved it on this practice},
    from the practice's revisions, oldest first."""
    first = {}
    revisions = page.revisions.order_by("created_at", "pk").only("content", "user_id")
    for revision in revisions:
        for contact in revision.content.get("contacts") or []:
            email = (contact.get("email") or "").lower()
            if email and email not in first:
                first[email] = revision.user_id
    return first


def member_may_see(email, authors, member):
    """Did `member` enter this address (or is it not on the practice yet, so
    they typed it into their draft)?"""
    author = authors.get((email or "").lower(), member.pk)
    return author == member.pk


def data_for_member(submission):
    """A submission's stored form data as its owner may see it (the data
    export): contact persons' addresses others entered are left out."""
    data = submission.data or {}
    if not submission.page_id:
        return data
    authors = email_authors(submission.page)
    contacts = [
        {**row, "email": ""}
        if row.get("email")
        and not member_may_see(row["email"], authors, submission.owner)
        else row
        for row in data.get(ROW_KEYS["contact"]) or []
    ]
    return {**data, ROW_KEYS["contact"]: contacts}


def send_in_refusal(member, now=None):
    """Flood control: why `member` cannot send in (again) now, or None.

    Every send-in emails every editor and adds to the review queue, so a
    member may send in at most SUBMISSIONS_SEND_IN_PER_DAY initiatives and
    updates in any 24 hours.
    """
    now = now or timezone.now()
    per_day = settings.SUBMISSIONS_SEND_IN_PER_DAY
    sent = list(
        Submission.objects.filter(
            owner=member, submitted_at__gte=now - datetime.timedelta(days=1)
        ).values_list("submitted_at", flat=True)
    )
    if len(sent) < per_day:
        return None
    again = min(sent) + datetime.timedelta(days=1)
    return _(
        "You have sent in %(count)d initiatives or changes in the last 24 hours, "
        "the most we accept in a day. Your draft is saved with everything you "
        "typed: you can send it in from %(time)s."
    ) % {
        "count": per_day,
        "time": formats.date_format(timezone.localtime(again), "j F Y H:i"),
    }


@transaction.atomic
def send_in(submission, practice_form, formsets, member):
    """Create or revise the practice page and start the editors' workflow;
    returns the page, or None when this submission was sent in already.

    One transaction: the row locks need one (PostgreSQL refuses
    `select_for_update` outside it), and a failure halfway must not leave a
    page without its submission, which a retry would duplicate. The
    submission's row is locked first and must still be a draft: of two
    requests sending in the same draft at once (a double click), the second
    waits for the first and then finds it sent (on SQLite the IMMEDIATE
    transaction serialises them the same way).
    """
    locked = (
        Submission.objects.select_for_update()
        .filter(pk=submission.pk, status=Submission.Status.DRAFT)
        .first()
    )
    if locked is None:
        return None
    submission = locked
    data = practice_form.cleaned_data
    base = None
    if submission.page_id:
        live_page = PracticePage.objects.select_for_update().get(pk=submission.page_id)
        page = live_page.get_latest_revision_as_object()
        if changed_by_others(submission):
            base = submission.base_revision.as_object()
    else:
        page = PracticePage(owner=member, live=False)

    proposal = _proposal(data, formsets, submission, page, base, member)
    if base is None:
        changed = set(proposal)
    else:
        # Someone (an editor) saved the practice after this update began: the
        # member's proposal goes on top of the newest version, part by part.
        # What the member changed is theirs; what they left as it was keeps
        # the newest version's value, so the editors' work is not undone.
        # The editors compare the result with the version before it
        # (editorial.workflow links the review to that comparison).
        before = _snapshot(base)
        changed = {
            key for key, (value, _apply) in proposal.items() if value != before[key]
        }
    for key, (_value, apply) in proposal.items():
        if key in changed:
            apply(page)

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
    authors = email_authors(page)
    contacts = []
    for contact in latest.contacts.all():
        visible = member_may_see(contact.email, authors, member)
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
    links = [{"title": link.title, "url": link.url} for link in latest.links.all()]
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
