"""Merging two themes or two organisations into one.

Everything that pointed at the source moves to the target in one
transaction, without duplicates:

- practices: the theme many-to-many, or the PracticeOrganisation rows (a
  practice that lists both keeps one row, with the stronger role:
  initiatiefnemer beats partner);
- community questions' themes and members' theme follows (a member who
  followed both keeps one follow);
- any other relation another app adds later: a foreign key is moved, a
  many-to-many is moved without duplicates (a unique constraint the generic
  move cannot satisfy rolls the whole merge back);
- ids stored where no foreign key points (members' submission drafts): the
  `values_merged` signal (editorial.signals) lets their app rewrite them;
- page revisions: every stored PracticePage revision (drafts waiting for
  review, drafts an editor saved, and the history used by "revert") is
  rewritten to name the target, so publishing or reverting to an older
  revision never brings back the deleted id (which would fail on the
  foreign key). The JSON content is edited in place; the revision keeps its
  date and author. This is a deliberate edit of history: the revision
  comparison afterwards shows the target's name in old revisions.

Then the source is deleted, its slug recorded as a SlugRedirect (and older
redirects to the source re-pointed), the affected practices and questions
reindexed after commit, and the cached pages that showed either value are
rebuilt (the vocabulary's labels and lists, the practices' pages).
"""

import logging
from dataclasses import dataclass, field

from wagtail.models import Revision

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q

from core.cache import bump_on_commit, model_name, page_name
from practices.models import Organisation, PracticeOrganisation, PracticePage, Theme
from search.service import schedule_update

from .models import SlugRedirect
from .signals import values_merged

logger = logging.getLogger("vindplaats.editorial")

FACET_OF = {
    Theme: SlugRedirect.Facet.THEME,
    Organisation: SlugRedirect.Facet.ORGANISATION,
}
ROLE_STRENGTH = {
    PracticeOrganisation.Role.INITIATOR: 2,
    PracticeOrganisation.Role.PARTNER: 1,
}


class MergeError(Exception):
    pass


@dataclass
class MergeResult:
    practice_ids: set = field(default_factory=set)
    question_ids: set = field(default_factory=set)
    duplicates: int = 0
    follows_moved: int = 0
    follows_merged: int = 0
    revisions: int = 0
    other: dict = field(default_factory=dict)


def merge(source, target):
    """Merge `source` into `target` (two Themes or two Organisations)."""
    model = type(source)
    if model not in FACET_OF or type(target) is not model:
        raise MergeError("Only themes or organisations of the same kind merge.")
    if source.pk == target.pk:
        raise MergeError("A value cannot be merged into itself.")
    result = MergeResult()
    with transaction.atomic():
        # Lock both rows: a second merge of the same values waits, then fails.
        locked = {
            v.pk: v
            for v in model.objects.select_for_update().filter(
                pk__in=[source.pk, target.pk]
            )
        }
        if len(locked) != 2:
            raise MergeError("One of the values no longer exists.")
        source, target = locked[source.pk], locked[target.pk]
        for relation in model._meta.related_objects:
            _move_relation(relation, source, target, result)
        result.revisions = _rewrite_revisions(model, source.pk, target.pk)
        values_merged.send(sender=model, source_id=source.pk, target_id=target.pk)
        old_slug = source.slug
        source.delete()
        _record_redirect(FACET_OF[model], old_slug, target.slug)
        schedule_update("practice", sorted(result.practice_ids))
        schedule_update("question", sorted(result.question_ids))
        # The merged vocabulary's labels and lists, and the pages of the
        # practices that showed the source (their reindex names them too).
        bump_on_commit(
            model_name(model),
            model_name(PracticePage),
            *(page_name(pk) for pk in result.practice_ids),
        )
    logger.info(
        "Merged %s %r into %r: %d practices, %d duplicates, %d revisions",
        model._meta.model_name,
        old_slug,
        target.slug,
        len(result.practice_ids),
        result.duplicates,
        result.revisions,
    )
    return result


def _move_relation(relation, source, target, result):
    related_model = relation.related_model
    if relation.many_to_many:
        _move_many_to_many(relation, source, target, result)
    elif related_model is PracticeOrganisation:
        _move_practice_organisations(source, target, result)
    elif related_model._meta.label == "notifications.Follow":
        _move_follows(relation, source, target, result)
    elif relation.one_to_many or relation.one_to_one:
        name = relation.field.name
        moved = related_model._default_manager.filter(**{name: source}).update(
            **{name: target}
        )
        if moved:
            result.other[related_model._meta.label] = moved


def _move_many_to_many(relation, source, target, result):
    """Rows of the through table: moved, or dropped when the other side
    already has the target."""
    m2m_field = relation.field  # e.g. PracticePage.themes
    through = m2m_field.remote_field.through
    # The through model's foreign keys: to this vocabulary and to the owner.
    to_value = m2m_field.m2m_reverse_field_name()
    to_owner = m2m_field.m2m_field_name()
    rows = through._default_manager
    owner_ids = set(
        rows.filter(**{to_value: source.pk}).values_list(f"{to_owner}_id", flat=True)
    )
    if not owner_ids:
        return
    have_target = set(
        rows.filter(
            **{to_value: target.pk, f"{to_owner}_id__in": owner_ids}
        ).values_list(f"{to_owner}_id", flat=True)
    )
    rows.filter(**{to_value: source.pk, f"{to_owner}_id__in": have_target}).delete()
    rows.filter(**{to_value: source.pk}).update(**{to_value: target.pk})
    owner_model = m2m_field.model
    if issubclass(owner_model, PracticePage):
        result.practice_ids |= owner_ids
        result.duplicates += len(have_target)
    elif owner_model._meta.label == "community.Question":
        result.question_ids |= owner_ids
    else:
        result.other[owner_model._meta.label] = len(owner_ids)


def _move_practice_organisations(source, target, result):
    links = PracticeOrganisation.objects
    source_links = list(links.filter(organisation=source))
    if not source_links:
        return
    page_ids = {link.page_id for link in source_links}
    target_links = {
        link.page_id: link
        for link in links.filter(organisation=target, page_id__in=page_ids)
    }
    duplicates = []
    for link in source_links:
        kept = target_links.get(link.page_id)
        if kept is None:
            continue
        duplicates.append(link.pk)
        if ROLE_STRENGTH.get(link.role, 0) > ROLE_STRENGTH.get(kept.role, 0):
            kept.role = link.role
            kept.save(update_fields=["role"])
    links.filter(pk__in=duplicates).delete()
    links.filter(organisation=source).update(organisation=target)
    result.practice_ids |= page_ids
    result.duplicates += len(duplicates)


def _move_follows(relation, source, target, result):
    follows = relation.related_model._default_manager
    name = relation.field.name
    already = follows.filter(**{name: target}).values("user_id")
    merged, _ = follows.filter(**{name: source}, user_id__in=already).delete()
    result.follows_merged += merged
    result.follows_moved += follows.filter(**{name: source}).update(**{name: target})


def _revision_keys(model):
    """How PracticePage revision content names values of `model`:
    (many-to-many field names, [(child relation, foreign key name)])."""
    m2m, children = [], []
    for page_field in PracticePage._meta.get_fields():
        if page_field.many_to_many and page_field.related_model is model:
            m2m.append(page_field.name)
    if model is Organisation:
        children.append(("practice_organisations", "organisation"))
    return m2m, children


def _rewrite_revisions(model, source_id, target_id):
    m2m, children = _revision_keys(model)
    content_type = ContentType.objects.get_for_model(PracticePage)
    changed = []
    revisions = Revision.objects.filter(
        Q(content_type=content_type) | Q(base_content_type=content_type)
    ).only("pk", "content")
    for revision in revisions.iterator(chunk_size=500):
        content = revision.content
        if not isinstance(content, dict):
            continue
        dirty = False
        for name in m2m:
            values = content.get(name)
            if isinstance(values, list) and source_id in values:
                content[name] = list(
                    dict.fromkeys(target_id if v == source_id else v for v in values)
                )
                dirty = True
        for name, key in children:
            rows = content.get(name)
            if not isinstance(rows, list) or not any(
                isinstance(row, dict) and row.get(key) == source_id for row in rows
            ):
                continue
            content[name] = _merge_child_rows(rows, key, source_id, target_id)
            dirty = True
        if dirty:
            changed.append(revision)
    if changed:
        Revision.objects.bulk_update(changed, ["content"], batch_size=500)
    return len(changed)


def _merge_child_rows(rows, key, source_id, target_id):
    kept = {}
    merged = []
    for row in rows:
        if not isinstance(row, dict):
            merged.append(row)
            continue
        if row.get(key) == source_id:
            row = {**row, key: target_id}
        if row.get(key) != target_id:
            merged.append(row)
            continue
        if target_id in kept:
            first = kept[target_id]
            if ROLE_STRENGTH.get(row.get("role"), 0) > ROLE_STRENGTH.get(
                first.get("role"), 0
            ):
                first["role"] = row.get("role")
            continue
        kept[target_id] = row
        merged.append(row)
    return merged


def _record_redirect(facet, old_slug, new_slug):
    redirects = SlugRedirect.objects.filter(facet=facet)
    # Links to values merged into the source earlier now go to the target.
    redirects.filter(new_slug=old_slug).update(new_slug=new_slug)
    # The target's own slug is a live value again: no redirect away from it.
    redirects.filter(old_slug=new_slug).delete()
    redirects.update_or_create(
        facet=facet, old_slug=old_slug, defaults={"new_slug": new_slug}
    )


def candidates(model):
    """Values to choose from in the merge form, with how many practices use them."""
    if model is Organisation:
        return model.objects.annotate(
            practice_count=models.Count("practice_links__page", distinct=True)
        ).order_by("name")
    return model.objects.annotate(
        practice_count=models.Count("practices", distinct=True)
    ).order_by("name")
