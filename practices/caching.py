"""What makes cached pages stale when pages and vocabularies change.

Every bump happens after the commit (core.cache.bump_on_commit), and names
only what the change shows on (core.cache explains the names):

- a page published, unpublished, moved or deleted, or its view restriction
  changed: its own version; for a practice also the lists of practices
  (`model_name(PracticePage)`: search, home, regions, the practice index, the
  API, CSV and feed, suggestions, collections). A page directly below a
  site's root shows in the menus, the breadcrumbs and every address below it:
  its change is a change of the site's structure (core.cache.SITE), and so is
  anything but publishing a site's root itself. A deeper page with pages
  below it (a section) makes theirs stale too. Other practices' pages stay.
- a Site saved or deleted: the site's structure.
- a vocabulary value saved or deleted: that vocabulary's labels and lists
  (`model_name` of the vocabulary) and, when practices use the value, their
  pages and the lists of practices (their cards show it). Named in the same
  transaction, so what is drawn inside it before the commit (and may be
  rolled back) is not kept (core.cache.changing); the reindex of those
  practices names them again once the index has them.
- a page saved, published, unpublished, moved or deleted, or a view
  restriction changed: which pages are hidden (`PAGE_TREE`, read by
  PracticePage.objects.reachable; no cached page depends on it).
- the search index changed for some practices (`practices_reindexed`, the
  practice document type's `pages_changed`): their pages and the lists.
"""

from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from django.db.models.signals import post_delete, post_save, pre_delete

from core.cache import SITE, bump, bump_on_commit, model_name, page_name

from .models import PAGE_TREE, VOCABULARY_MODELS, Organisation, PracticePage

# Wagtail's root is depth 1, a site's root page (the home page) depth 2, and
# the pages in its menus depth 3.
SITE_ROOT_DEPTH = 2
MENU_DEPTH = SITE_ROOT_DEPTH + 1

PRACTICE_LISTS = model_name(PracticePage)


def practices_reindexed(ids):
    """The index changed for these practices (after the commit): their
    pages, and every list of practices, are rebuilt from the new index."""
    bump(PRACTICE_LISTS, *(page_name(pk) for pk in ids))


def page_changes(page, depths=None, published=False):
    """The names a change to `page` makes stale. `depths`: where it stood
    before and after (a move); `published`: only a new revision went live."""
    depths = depths or (page.depth,)
    names = [page_name(page.pk), PAGE_TREE]
    if issubclass(page.specific_class or Page, PracticePage):
        names.append(PRACTICE_LISTS)
        # The practice it grew from lists it under "Hierop gebaseerd".
        if based_on := getattr(page, "based_on_id", None):
            names.append(page_name(based_on))
    if MENU_DEPTH in depths or (min(depths) < MENU_DEPTH and not published):
        names.append(SITE)
    elif page.numchild and min(depths) > MENU_DEPTH:
        below = Page.objects.descendant_of(page).values_list("pk", flat=True)
        names += [page_name(pk) for pk in below]
    return names


def _published(sender, instance, **kwargs):
    bump_on_commit(*page_changes(instance, published=True))


def _unpublished_or_deleted(sender, instance, **kwargs):
    bump_on_commit(*page_changes(instance))


def _moved(sender, instance, parent_page_before, parent_page_after, **kwargs):
    depths = (parent_page_before.depth + 1, parent_page_after.depth + 1)
    bump_on_commit(*page_changes(instance, depths=depths))


def _restriction_changed(sender, instance, **kwargs):
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:  # else the page itself was deleted
        bump_on_commit(*page_changes(page))


def _page_saved(sender, instance, **kwargs):
    """Any page saved (made live or not, added below a section): which pages
    are hidden (PracticePage.objects.reachable) is worked out again."""
    if isinstance(instance, Page):
        bump_on_commit(PAGE_TREE)


def _site_changed(sender, instance, **kwargs):
    bump_on_commit(SITE)


def _showing(value):
    """The names of the practices' pages that show this vocabulary value."""
    if isinstance(value, Organisation):
        ids = value.practice_links.values_list("page_id", flat=True)
    else:
        ids = value.practices.values_list("pk", flat=True)
    ids = list(ids)
    return [PRACTICE_LISTS, *(page_name(pk) for pk in ids)] if ids else []


def _vocabulary_saved(sender, instance, created, **kwargs):
    shown = [] if created else _showing(instance)
    bump_on_commit(model_name(sender), *shown)


def _vocabulary_deleting(sender, instance, **kwargs):
    """Before the value and its links go: what showed it."""
    bump_on_commit(model_name(sender), *_showing(instance))


def connect_invalidation():
    page_published.connect(_published, dispatch_uid="page-cache-published")
    page_unpublished.connect(
        _unpublished_or_deleted, dispatch_uid="page-cache-unpublished"
    )
    post_page_move.connect(_moved, dispatch_uid="page-cache-moved")
    post_save.connect(_page_saved, dispatch_uid="page-cache-page-saved")
    post_delete.connect(
        _unpublished_or_deleted, sender=Page, dispatch_uid="page-cache-deleted"
    )
    for action, signal in (("saved", post_save), ("deleted", post_delete)):
        signal.connect(
            _restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"page-cache-restriction-{action}",
        )
        signal.connect(
            _site_changed, sender=Site, dispatch_uid=f"page-cache-site-{action}"
        )
    for model in VOCABULARY_MODELS:
        post_save.connect(
            _vocabulary_saved, sender=model, dispatch_uid=f"page-cache-{model}-saved"
        )
        pre_delete.connect(
            _vocabulary_deleting,
            sender=model,
            dispatch_uid=f"page-cache-{model}-deleting",
        )
