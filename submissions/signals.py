"""An uploaded file goes when its row does (once the transaction commits);
a published practice's files are opened to visitors, an unpublished or
deleted one's closed again; a theme merged away is renamed in drafts."""

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from django.db.models.signals import post_delete
from django.dispatch import receiver

from core.files import delete_file_on_commit
from practices.models import Organisation, PracticePage, Theme

from .models import Submission, SubmissionFile
from .services import COLLECTION_NAME, _collection


def publish_files(sender, instance, **kwargs):
    """A published practice's files leave the restricted "Inzendingen"
    collection, so visitors can open its documents; organisations proposed
    with it were reviewed along with it and count as confirmed."""
    page = instance.specific
    if not isinstance(page, PracticePage):
        return
    Organisation.objects.filter(is_confirmed=False, practice_links__page=page).update(
        is_confirmed=True
    )
    pending = Collection.objects.filter(name=COLLECTION_NAME).first()
    if pending is None:
        return
    root = Collection.get_first_root_node()
    image_ids = [item.image_id for item in page.gallery_images.all()]
    if page.hero_image_id:
        image_ids.append(page.hero_image_id)
    get_image_model().objects.filter(pk__in=image_ids, collection=pending).update(
        collection=root
    )
    get_document_model().objects.filter(
        pk__in=[item.document_id for item in page.documents.all()],
        collection=pending,
    ).update(collection=root)
    # Documents the member sent in that the published version dropped.
    restrict_documents(page, keep=[item.document_id for item in page.documents.all()])


def restrict_documents(page, keep=()):
    """Move the documents members sent in for `page` back into the restricted
    "Inzendingen" collection (the editors only), except those in `keep` and
    those another live, public practice shows. Only documents that are public
    now (in the root collection, where publishing put them) move: one an
    editor keeps in a collection of its own keeps that collection and its
    restrictions, and so never becomes public when the practice is
    published again."""
    ids = set(
        SubmissionFile.objects.filter(submission__page=page, document__isnull=False)
        .values_list("document_id", flat=True)
        .distinct()
    )
    ids.update(item.document_id for item in page.documents.all())
    ids -= set(keep)
    if not ids:
        return
    shown = set(
        PracticePage.objects.reachable()
        .exclude(pk=page.pk)
        .filter(documents__document__in=ids)
        .values_list("documents__document", flat=True)
    )
    ids -= shown
    if ids:
        get_document_model().objects.filter(
            pk__in=ids, collection=Collection.get_first_root_node()
        ).update(collection=_collection())


def unpublish_files(sender, instance, **kwargs):
    """An unpublished practice's documents go back to the editors only."""
    page = instance.specific
    if isinstance(page, PracticePage):
        restrict_documents(page)


def delete_files(sender, instance, **kwargs):
    """A deleted practice's documents go back to the editors only (before
    its rows go, which tell which documents were its)."""
    restrict_documents(instance)


@receiver(post_delete, sender=SubmissionFile, dispatch_uid="delete-submission-file")
def delete_uploaded_file(sender, instance, **kwargs):
    if instance.file:
        delete_file_on_commit(instance.file.storage, instance.file.name)


def rewrite_merged_theme(sender, source_id, target_id, **kwargs):
    """Members' drafts store chosen theme ids: after a merge of two themes
    (editorial.signals.values_merged) they name the target. Organisations
    are stored by name; a merged name finds its target through the
    SlugRedirect."""
    if sender is not Theme:
        return
    source, target = str(source_id), str(target_id)
    for submission in Submission.objects.select_for_update().only("pk", "data"):
        themes = submission.data.get("fields", {}).get("themes")
        if not isinstance(themes, list) or source not in themes:
            continue
        merged = [target if value == source else value for value in themes]
        submission.data["fields"]["themes"] = list(dict.fromkeys(merged))
        submission.save(update_fields=["data"])
