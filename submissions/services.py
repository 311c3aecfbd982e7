"""What happens to a submission: attaching files, sending it in, proposing
an update, and the status a member sees.

Sending in creates (or revises) a PracticePage that is never published by the
member: the page is added unpublished, the member's version is saved as a
revision, and the "Redactiecontrole" workflow takes it to the editors. When
they approve, Wagtail publishes that revision (and notifications follow from
`page_published`). A published page stays as it is until then.
"""

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
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.signals import delete_file_on_commit
from editorial.models import SlugRedirect
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


def apply_files(submission, post, files):
    """Store what the member did with the files; returns {input name: [errors]}.

    Removals and the texts of attached files come first, then new uploads
    (each checked before it is stored). A refused upload is reported and
    nothing else is lost.
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
            try:
                if kind == SubmissionFile.Kind.IMAGE:
                    content = process_image(upload)
                else:
                    content = check_document(upload)
            except ValidationError as error:
                errors[name] = error.messages
                continue
            text = _one_line(post.get(f"{name}_text", ""))
            caption = _one_line(post.get(f"{name}_caption", ""))
            row = SubmissionFile(
                submission=submission,
                kind=kind,
                original_name=printable(os.path.basename(upload.name))[:255],
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


@transaction.atomic
def send_in(submission, practice_form, formsets, member):
    """Create or revise the practice page and start the editors' workflow.

    One transaction: the row lock on the live page needs one (PostgreSQL
    refuses `select_for_update` outside it), and a failure halfway must not
    leave a page without its submission, which a retry would duplicate.
    """
    data = practice_form.cleaned_data
    if submission.page_id:
        live_page = PracticePage.objects.select_for_update().get(pk=submission.page_id)
        page = live_page.get_latest_revision_as_object()
    else:
        page = PracticePage(owner=member, live=False)

    page.title = data["title"]
    page.summary = data["summary"]
    for name in STORY_FIELD_NAMES:
        setattr(page, name, markdown_to_richtext(data.get(name)))
    page.phase = data["phase"]
    page.start_year = data.get("start_year")
    page.provinces = list(data["provinces"])
    page.care_office_regions = list(data["care_office_regions"])
    page.themes = list(data["themes"])
    page.movements = list(data["movements"])
    page.target_groups = list(data["target_groups"])

    page.practice_organisations = _organisations(formsets["org"].filled_rows(), member)
    old_photos = {
        contact.email.lower(): contact.photo for contact in page.contacts.all()
    }
    page.contacts = [
        PracticeContact(
            name=row["name"].strip(),
            role=row["role"].strip(),
            organisation=row["organisation"].strip(),
            email=row["email"],
            photo=old_photos.get(row["email"].lower()),
        )
        for row in formsets["contact"].filled_rows()
    ]
    page.links = [
        PracticeLink(title=row["title"].strip(), url=row["url"])
        for row in formsets["link"].filled_rows()
    ]

    collection = _collection()
    gallery, documents = [], []
    for attached in submission.files.select_related("image", "document"):
        item = _to_wagtail(attached, member, collection)
        if attached.is_image:
            gallery.append(PracticeGalleryImage(image=item, caption=attached.caption))
        else:
            documents.append(PracticeDocument(document=item, title=attached.text))
    page.gallery_images = gallery
    page.documents = documents
    if page.hero_image_id is None and gallery:
        page.hero_image = gallery[0].image

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
    contacts = [
        {
            "name": contact.name,
            "role": contact.role,
            "organisation": contact.organisation,
            "email": contact.email,
            # Given when the practice was sent in or added by the editors.
            "consent": True,
        }
        for contact in latest.contacts.all()
    ]
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
