"""The redactie: review workflow messages, merges, freshness, dashboard, collections."""

import datetime

import pytest
from wagtail.models import Revision

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from editorial.admin_views import dashboard_counts
from editorial.freshness import confirm_token, stale_practices
from editorial.models import (
    Collection,
    CollectionPractice,
    ReviewReminder,
    SlugRedirect,
)
from editorial.reminders import send_reminders
from editorial.workflow import (
    EVENT_CHANGES_REQUESTED,
    EVENT_PRACTICE_APPROVED,
    EVENT_REVIEW_REQUESTED,
)
from notifications.mail import absolute_url
from notifications.models import Follow, Notification
from practices.models import Organisation, PracticeOrganisation, PracticePage, Theme
from tests.factories import (
    EditorFactory,
    OrganisationFactory,
    PracticeOrganisationFactory,
    PracticePageFactory,
    ThemeFactory,
)
from tests.factories_community import MemberFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def member_draft(member, **kwargs):
    """A draft practice owned by a member, as the submission form makes it."""
    page = PracticePageFactory(
        live=False, owner=member, first_published_at=None, **kwargs
    )
    page.save_revision(user=member)
    return page


def submit(page, member):
    page.get_workflow().start(page, member)
    page.refresh_from_db()
    return page.current_workflow_state.current_task_state.specific


def emails_to(address):
    return [message for message in mail.outbox if address in message.to]


# Review workflow -----------------------------------------------------------


def test_editors_are_emailed_and_notified_when_a_member_submits(commit):
    editor = EditorFactory()
    member = MemberFactory()
    page = member_draft(member)

    commit(submit, page, member)

    to_editor = emails_to(editor.email)
    assert len(to_editor) == 1
    assert page.title in to_editor[0].subject
    assert f"/admin/pages/{page.pk}/edit/" in to_editor[0].body
    assert emails_to(member.email) == []
    notification = Notification.objects.get(user=editor)
    assert notification.event == EVENT_REVIEW_REQUESTED
    assert notification.url == reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert not Notification.objects.filter(user=member).exists()


def test_approval_publishes_and_tells_the_owner(commit):
    editor = EditorFactory()
    member = MemberFactory()
    page = member_draft(member)
    task_state = commit(submit, page, member)
    mail.outbox.clear()

    commit(task_state.approve, user=editor, comment="")

    page.refresh_from_db()
    assert page.live
    to_member = emails_to(member.email)
    assert len(to_member) == 1, "only the site's own email, not Wagtail's admin one"
    assert absolute_url(page.url) in to_member[0].body
    assert "/admin/" not in to_member[0].body
    notification = Notification.objects.get(user=member)
    assert notification.event == EVENT_PRACTICE_APPROVED
    assert notification.url == page.url


def test_an_approved_practice_counts_as_reviewed_today(commit):
    editor = EditorFactory()
    member = MemberFactory()
    page = member_draft(member)
    task_state = commit(submit, page, member)

    commit(task_state.approve, user=editor, comment="")

    page.refresh_from_db()
    assert page.last_reviewed_at == timezone.localdate()
    assert not page.is_stale
    assert page not in stale_practices()
    assert page.get_latest_revision_as_object().last_reviewed_at == (
        timezone.localdate()
    )


def test_changes_requested_sends_the_comment_and_does_not_publish(commit):
    editor = EditorFactory()
    member = MemberFactory()
    page = member_draft(member)
    task_state = commit(submit, page, member)
    mail.outbox.clear()
    comment = "Beschrijf de resultaten met cijfers, graag."

    commit(task_state.reject, user=editor, comment=comment)

    page.refresh_from_db()
    assert not page.live
    (message,) = emails_to(member.email)
    assert comment in message.body
    assert comment in message.alternatives[0][0]
    notification = Notification.objects.get(user=member)
    assert notification.event == EVENT_CHANGES_REQUESTED
    assert comment in notification.message


def test_the_editor_who_owns_a_practice_gets_no_owner_message(commit):
    editor = EditorFactory()
    page = member_draft(editor)
    task_state = commit(submit, page, editor)
    mail.outbox.clear()

    commit(task_state.approve, user=editor)

    assert emails_to(editor.email) == []
    assert not Notification.objects.filter(
        user=editor, event=EVENT_PRACTICE_APPROVED
    ).exists()


def test_a_member_cannot_publish_through_the_admin(client, commit):
    member = MemberFactory()
    page = member_draft(member)
    client.force_login(member)

    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        {"title": page.title, "slug": page.slug, "action-publish": "publish"},
    )

    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert reverse("wagtailadmin_login") in response["Location"]
    page.refresh_from_db()
    assert not page.live
    assert client.get(reverse("wagtailadmin_home")).status_code == 302


# Merging --------------------------------------------------------------------


def test_merging_organisations_keeps_every_practice_and_the_stronger_role(client):
    source = OrganisationFactory(slug="oude-organisatie")
    target = OrganisationFactory(slug="nieuwe-organisatie")
    only_source = PracticeOrganisationFactory(organisation=source).page
    both = PracticeOrganisationFactory(
        organisation=source, role=PracticeOrganisation.Role.INITIATOR
    ).page
    PracticeOrganisationFactory(
        page=both, organisation=target, role=PracticeOrganisation.Role.PARTNER
    )
    only_target = PracticeOrganisationFactory(organisation=target).page
    # An editor's draft (a revision) that still names the source.
    only_source.save_revision()
    before = {only_source.pk, both.pk, only_target.pk}
    editor = EditorFactory()
    client.force_login(editor)

    response = client.post(
        reverse("editorial_admin:merge", args=["organisatie"]),
        {"source": source.pk, "target": target.pk, "confirm": "1"},
    )

    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=source.pk).exists()
    links = PracticeOrganisation.objects.filter(organisation=target)
    assert set(links.values_list("page_id", flat=True)) == before
    assert links.count() == len(before), "one row per practice"
    assert links.get(page=both).role == PracticeOrganisation.Role.INITIATOR
    revision = Revision.objects.get(pk=only_source.latest_revision_id)
    organisations = [
        row["organisation"] for row in revision.content["practice_organisations"]
    ]
    assert organisations == [target.pk]
    assert SlugRedirect.objects.filter(
        facet="organisatie", old_slug="oude-organisatie", new_slug="nieuwe-organisatie"
    ).exists()

    response = client.get("/zoeken/?organisatie=oude-organisatie&q=zorg")
    assert response.status_code == 301
    assert response["Location"] == "/zoeken/?organisatie=nieuwe-organisatie&q=zorg"
    response = client.get("/api/v1/practices/?organisatie=oude-organisatie")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/practices/?organisatie=nieuwe-organisatie"
    assert client.get("/zoeken/?organisatie=nieuwe-organisatie").status_code == 200


def test_merging_themes_moves_practices_questions_and_follows(client):
    from editorial.merge import merge

    source = ThemeFactory(slug="oud-thema")
    target = ThemeFactory(slug="nieuw-thema")
    first = PracticePageFactory(themes=["oud-thema"])
    both = PracticePageFactory(themes=["oud-thema", "nieuw-thema"])
    question = QuestionFactory(themes=[source])
    follows_source = MemberFactory()
    follows_both = MemberFactory()
    Follow.objects.create(user=follows_source, theme=source)
    Follow.objects.create(user=follows_both, theme=source)
    Follow.objects.create(user=follows_both, theme=target)
    count_before = (
        PracticePage.objects.filter(themes__in=[source, target]).distinct().count()
    )

    result = merge(source, target)

    assert not Theme.objects.filter(pk=source.pk).exists()
    assert set(target.practices.values_list("pk", flat=True)) == {first.pk, both.pk}
    assert target.practices.count() == count_before
    assert result.duplicates == 1
    assert list(question.themes.all()) == [target]
    assert Follow.objects.filter(user=follows_source, theme=target).exists()
    assert Follow.objects.filter(user=follows_both).count() == 1
    response = client.get("/zoeken/?thema=oud-thema")
    assert response.status_code == 301
    assert response["Location"] == "/zoeken/?thema=nieuw-thema"


def test_merge_needs_permission_and_two_different_values(client):
    one, two = ThemeFactory(), ThemeFactory()
    client.force_login(MemberFactory())
    url = reverse("editorial_admin:merge", args=["thema"])
    response = client.post(url, {"source": one.pk, "target": two.pk, "confirm": "1"})
    assert response.status_code in (302, 403)
    assert Theme.objects.filter(pk=one.pk).exists()

    client.force_login(EditorFactory())
    response = client.post(url, {"source": one.pk, "target": one.pk, "confirm": "1"})
    assert response.status_code == 200
    assert Theme.objects.filter(pk=one.pk).exists()
    preview = client.post(url, {"source": one.pk, "target": two.pk})
    assert preview.status_code == 200
    assert 'id="merge-confirm"' in preview.content.decode()
    assert Theme.objects.filter(pk=one.pk).exists()


def test_confirming_proposed_organisations(client):
    proposed = OrganisationFactory(is_confirmed=False, proposed_by=MemberFactory())
    client.force_login(EditorFactory())
    listing = reverse("wagtailsnippets_practices_organisation:list")
    response = client.get(listing + "?is_confirmed=false")
    assert response.status_code == 200
    assert proposed.name in response.content.decode()

    url = reverse("wagtail_bulk_action", args=["practices", "organisation", "confirm"])
    response = client.post(f"{url}?id={proposed.pk}", {"next": listing})

    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.is_confirmed


# Freshness ----------------------------------------------------------------


def test_stale_report_lists_old_reviews_only(client):
    today = timezone.localdate()
    # Older than every demo practice, so on the report's first page.
    old = PracticePageFactory(last_reviewed_at=today - datetime.timedelta(days=3650))
    old.save_revision().publish()
    recent = PracticePageFactory(last_reviewed_at=today - datetime.timedelta(days=30))
    client.force_login(EditorFactory())

    response = client.get(reverse("editorial_admin:stale"))

    assert response.status_code == 200
    content = response.content.decode()
    assert reverse("wagtailadmin_pages:edit", args=[old.pk]) in content
    assert reverse("wagtailadmin_pages:edit", args=[recent.pk]) not in content

    response = client.post(reverse("editorial_admin:mark_reviewed"), {"page": [old.pk]})
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.last_reviewed_at == today
    assert not stale_practices().filter(pk=old.pk).exists()
    live = Revision.objects.get(pk=old.live_revision_id)
    assert live.content["last_reviewed_at"] == today.isoformat()
    live.publish()  # publishing the stored content again keeps the new date
    old.refresh_from_db()
    assert old.last_reviewed_at == today


def test_stale_report_is_for_editors_only(client):
    client.force_login(MemberFactory())
    response = client.get(reverse("editorial_admin:stale"))
    assert response.status_code in (302, 403)


def test_reminder_is_sent_once_a_year(commit):
    member = MemberFactory()
    page = PracticePageFactory(
        owner=member,
        last_reviewed_at=timezone.localdate() - datetime.timedelta(days=400),
    )
    editor = EditorFactory()
    editors_page = PracticePageFactory(
        owner=editor,
        last_reviewed_at=timezone.localdate() - datetime.timedelta(days=400),
    )

    commit(send_reminders)

    (message,) = emails_to(member.email)
    assert page.title in message.subject
    assert "/initiatief-actueel/" in message.body
    assert emails_to(editor.email) == []
    assert ReviewReminder.objects.filter(page=page).count() == 1
    assert not ReviewReminder.objects.filter(page=editors_page).exists()

    mail.outbox.clear()
    commit(send_reminders)
    commit(send_reminders, now=timezone.now() + datetime.timedelta(days=200))
    assert emails_to(member.email) == []
    assert ReviewReminder.objects.filter(page=page).count() == 1

    commit(send_reminders, now=timezone.now() + datetime.timedelta(days=366))
    assert len(emails_to(member.email)) == 1


def test_confirm_link_sets_last_reviewed_and_a_tampered_token_fails(client):
    member = MemberFactory()
    old_date = timezone.localdate() - datetime.timedelta(days=400)
    page = PracticePageFactory(owner=member, last_reviewed_at=old_date)
    url = reverse("editorial:confirm_current", args=[confirm_token(page)])

    assert client.get(url).status_code == 200
    page.refresh_from_db()
    assert page.last_reviewed_at == old_date, "a GET (a mail scanner) changes nothing"

    tampered = reverse(
        "editorial:confirm_current", args=[confirm_token(page)[:-2] + "xx"]
    )
    assert client.post(tampered).status_code == 400
    page.refresh_from_db()
    assert page.last_reviewed_at == old_date

    response = client.post(url)
    assert response.status_code == 200
    assert 'id="bevestigd"' in response.content.decode()
    page.refresh_from_db()
    assert page.last_reviewed_at == timezone.localdate()


def test_confirm_link_of_another_owner_is_refused(client):
    page = PracticePageFactory(owner=MemberFactory())
    token = confirm_token(page)
    page.owner = MemberFactory()
    page.save(update_fields=["owner"])
    assert (
        client.post(reverse("editorial:confirm_current", args=[token])).status_code
        == 404
    )


def test_stopped_practice_shows_a_notice(client):
    page = PracticePageFactory(phase=PracticePage.Phase.STOPPED)
    content = client.get(page.url).content.decode()
    assert 'id="practice-stopped"' in content


# Dashboard ----------------------------------------------------------------


def test_dashboard_panel_shows_the_counts(client, commit, django_assert_num_queries):
    member = MemberFactory()
    commit(submit, member_draft(member), member)
    PracticePageFactory(
        last_reviewed_at=timezone.localdate() - datetime.timedelta(days=400)
    )
    editor = EditorFactory()
    client.force_login(editor)

    response = client.get(reverse("wagtailadmin_home"))

    assert response.status_code == 200
    content = response.content.decode()
    for item in (
        "dashboard-pending-reviews",
        "dashboard-stale-practices",
        "dashboard-open-reports",
        "dashboard-new-members",
        "dashboard-proposed-organisations",
        "dashboard-pending-adoptions",
    ):
        assert f'id="{item}"' in content
    assert reverse("editorial_admin:stale") in content
    counts = dashboard_counts()
    assert counts["pending_reviews"] >= 1
    for key, item in (
        ("pending_reviews", "dashboard-pending-reviews"),
        ("stale_practices", "dashboard-stale-practices"),
    ):
        shown = content.split(f'id="{item}"')[1].split("</li>")[0]
        assert f'<span class="w-summary__count">{counts[key]}</span>' in shown
    with django_assert_num_queries(6):
        dashboard_counts()


def test_dashboard_panel_is_not_for_members(client):
    client.force_login(MemberFactory())
    response = client.get(reverse("wagtailadmin_home"))
    assert 'id="dashboard-stale-practices"' not in response.content.decode()


# Collections --------------------------------------------------------------


def test_demo_collection_exists():
    collection = Collection.objects.get(slug="acute-zorg-voor-ouderen")
    assert 4 <= len(collection.live_practices()) <= 6


def _collection_queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_collection_lists_only_live_practices_in_constant_queries(client):
    collection = Collection.objects.create(title="Testcollectie")
    live = [PracticePageFactory() for _ in range(2)]
    draft = PracticePageFactory(live=False)
    for order, practice in enumerate([*live, draft]):
        CollectionPractice.objects.create(
            collection=collection, practice=practice, sort_order=order
        )
    url = collection.get_absolute_url()

    small, content = _collection_queries(client, url)
    assert all(practice.title in content for practice in live)
    assert draft.title not in content

    for order in range(3, 8):
        CollectionPractice.objects.create(
            collection=collection, practice=PracticePageFactory(), sort_order=order
        )
    large, content = _collection_queries(client, url)
    assert content.count('class="card"') == 7
    assert small == large

    index = client.get(reverse("editorial:collections")).content.decode()
    assert url in index
    assert gettext("Collections") in index


def test_home_page_links_the_collections(client):
    content = client.get("/").content.decode()
    assert 'id="collections-heading"' in content
    assert reverse("editorial:collection", args=["acute-zorg-voor-ouderen"]) in content


def test_editor_manages_collections_and_opens_the_redactie_screens(client):
    client.force_login(EditorFactory())
    for url in (
        reverse("wagtailsnippets_editorial_collection:list"),
        reverse("wagtailsnippets_editorial_collection:add"),
        reverse("editorial_admin:merge", args=["thema"]),
        reverse("editorial_admin:merge", args=["organisatie"]),
    ):
        assert client.get(url).status_code == 200, url
    content = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("editorial_admin:merge", args=["thema"]) in content


def test_merging_themes_repoints_members_drafts():
    from editorial.merge import merge
    from submissions.models import Submission

    source = ThemeFactory(name="Samen te voegen thema")
    target = ThemeFactory(name="Blijvend thema")
    draft = Submission.objects.create(
        owner=MemberFactory(),
        data={"fields": {"themes": [str(source.pk), str(target.pk)]}},
    )
    merge(source, target)
    draft.refresh_from_db()
    assert draft.data["fields"]["themes"] == [str(target.pk)]
