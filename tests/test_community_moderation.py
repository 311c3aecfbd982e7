"""Who may do what in the community, hidden and closed posts, reports and
the moderation screens in the Wagtail admin, and flood control."""

import datetime

import pytest

from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from community import services
from community.models import Answer, HelpfulVote, Question, Report
from practices.models import Theme
from tests.factories import PracticePageFactory
from tests.factories_community import (
    AnswerFactory,
    MemberFactory,
    ModeratorFactory,
    QuestionFactory,
)

pytestmark = pytest.mark.django_db

FLOOD = {
    **django_settings.COMMUNITY_FLOOD,
    "MIN_INTERVAL_SECONDS": 0,
    "POSTS_PER_DAY": 50,
    "NEW_ACCOUNT_DAYS": 7,
    "NEW_ACCOUNT_POSTS_PER_DAY": 5,
    "NEW_ACCOUNT_MIN_INTERVAL_SECONDS": 0,
    "DUPLICATE_WINDOW_HOURS": 24,
    "REPORTS_PER_DAY": 20,
    "CONTACT_MESSAGES_PER_DAY": 10,
}


def suspend(user, days=3, reason="Herhaald reclame plaatsen"):
    services.suspend_member(user, days=days, reason=reason, moderator=None)
    return user


@pytest.fixture
def world():
    theme = Theme.objects.get(slug="ggz")
    asker, answerer = MemberFactory(), MemberFactory()
    question = QuestionFactory(author=asker, themes=[theme])
    answer = AnswerFactory(question=question, author=answerer)
    return {
        "theme": theme,
        "asker": asker,
        "answerer": answerer,
        "question": question,
        "answer": answer,
        "member": MemberFactory(),
        "moderator": ModeratorFactory(),
        "suspended": suspend(MemberFactory()),
    }


def do(client, w, action):
    q, a, theme = w["question"], w["answer"], w["theme"]
    requests = {
        "ask": (
            reverse("community:ask"),
            {
                "title": "Een nieuwe vraag over ggz?",
                "body": "Met een uitleg die lang genoeg is.",
                "themes": [theme.pk],
            },
        ),
        "answer": (q.get_absolute_url(), {"body": "Een antwoord op de vraag."}),
        "edit_question": (
            reverse("community:edit_question", args=[q.pk]),
            {
                "title": "Een aangepaste vraag over ggz?",
                "body": "Met een aangepaste uitleg, lang genoeg.",
                "themes": [theme.pk],
            },
        ),
        "edit_answer": (
            reverse("community:edit_answer", args=[a.pk]),
            {"body": "Een aangepast antwoord."},
        ),
        "accept": (reverse("community:accept", args=[a.pk]), {}),
        "helpful": (reverse("community:helpful", args=[a.pk]), {}),
        "report_question": (
            reverse("community:report_question", args=[q.pk]),
            {"reason": "spam"},
        ),
        "report_answer": (
            reverse("community:report_answer", args=[a.pk]),
            {"reason": "offensive"},
        ),
    }
    url, data = requests[action]
    return client.post(url, data)


# Who owns the target of each action ("author" in the table below).
OWNER = {
    "ask": "member",
    "answer": "asker",
    "edit_question": "asker",
    "edit_answer": "answerer",
    "accept": "asker",
    "helpful": "answerer",
    "report_question": "asker",
    "report_answer": "answerer",
}
LOGIN = "login"
# action: anonymous, other member, author, moderator, suspended member
MATRIX = {
    "ask": (LOGIN, 302, 302, 302, 403),
    "answer": (LOGIN, 302, 302, 302, 403),
    "edit_question": (LOGIN, 403, 302, 403, 403),
    "edit_answer": (LOGIN, 403, 302, 403, 403),
    "accept": (LOGIN, 403, 302, 403, 403),
    "helpful": (LOGIN, 302, 403, 302, 403),
    "report_question": (LOGIN, 302, 302, 302, 403),
    "report_answer": (LOGIN, 302, 302, 302, 403),
}
ACTORS = ("anonymous", "member", "author", "moderator", "suspended")


@pytest.mark.parametrize(
    "action,actor,expected",
    [
        (action, actor, expected)
        for action, row in MATRIX.items()
        for actor, expected in zip(ACTORS, row, strict=True)
    ],
)
def test_permission_matrix(client, world, action, actor, expected):
    before = (
        Question.objects.count(),
        Answer.objects.count(),
        Report.objects.count(),
        HelpfulVote.objects.count(),
    )
    question = world["question"]
    if actor != "anonymous":
        user = world[OWNER[action]] if actor == "author" else world[actor]
        client.force_login(user)
    response = do(client, world, action)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login") + "?next=")
    else:
        assert response.status_code == expected, response.content.decode()[:500]
    after = (
        Question.objects.count(),
        Answer.objects.count(),
        Report.objects.count(),
        HelpfulVote.objects.count(),
    )
    question.refresh_from_db()
    world["answer"].refresh_from_db()
    changed = (
        after != before
        or question.accepted_answer_id
        or question.edited_at
        or world["answer"].edited_at
    )
    assert bool(changed) == (expected == 302)


def test_get_on_state_changing_urls_is_refused(client, world):
    client.force_login(world["asker"])
    for name in ("accept", "helpful"):
        assert (
            client.get(
                reverse(f"community:{name}", args=[world["answer"].pk])
            ).status_code
            == 405
        )


def test_suspended_member_sees_the_end_date(client, world):
    client.force_login(world["suspended"])
    response = client.get(reverse("community:ask"))
    assert response.status_code == 403
    until = world["suspended"].profile.suspended_until
    assert str(timezone.localtime(until).year) in response.content.decode()
    assert "Herhaald reclame plaatsen" in response.content.decode()
    # The question page keeps the answer form away and says why.
    html = client.get(world["question"].get_absolute_url()).content.decode()
    assert "Herhaald reclame plaatsen" in html
    services.lift_suspension(world["suspended"], None)
    assert client.get(reverse("community:ask")).status_code == 200


def test_suspended_author_cannot_edit(client, world):
    suspend(world["asker"])
    client.force_login(world["asker"])
    assert do(client, world, "edit_question").status_code == 403
    world["question"].refresh_from_db()
    assert world["question"].edited_at is None


def test_hidden_posts_only_for_author_and_moderators(client, world):
    question, answer = world["question"], world["answer"]
    services.hide_post(answer, world["moderator"])
    other_question = QuestionFactory(title="Een verborgen vraag over ggz?")
    services.hide_post(other_question, world["moderator"])
    practice = PracticePageFactory()
    other_question.practices.add(practice)

    def sees(user, url, text):
        client.logout()
        if user:
            client.force_login(user)
        response = client.get(url)
        return response.status_code == 200 and text in response.content.decode()

    for user in (None, world["member"]):
        assert not sees(user, question.get_absolute_url(), f'id="antwoord-{answer.pk}"')
        assert client.get(other_question.get_absolute_url()).status_code == 404
        assert not sees(user, reverse("community:index"), other_question.title)
        assert not sees(user, practice.url, other_question.title)
    assert sees(
        world["answerer"], question.get_absolute_url(), f'id="antwoord-{answer.pk}"'
    )
    assert sees(
        world["moderator"], question.get_absolute_url(), f'id="antwoord-{answer.pk}"'
    )
    assert sees(
        other_question.author, other_question.get_absolute_url(), other_question.title
    )
    assert sees(other_question.author, reverse("community:index"), other_question.title)
    assert sees(
        world["moderator"], other_question.get_absolute_url(), other_question.title
    )
    assert sees(world["moderator"], practice.url, other_question.title)
    question.refresh_from_db()
    assert question.answer_count == 0  # the hidden answer no longer counts

    # hidden answers cannot be voted on or accepted by others
    client.force_login(world["member"])
    assert (
        client.post(reverse("community:helpful", args=[answer.pk])).status_code == 404
    )
    client.force_login(world["asker"])
    assert client.post(reverse("community:accept", args=[answer.pk])).status_code == 404


def test_locked_question_takes_no_answers(client, world):
    question = world["question"]
    services.set_locked(question, True, world["moderator"])
    client.force_login(world["member"])
    page = client.get(question.get_absolute_url()).content.decode()
    assert 'name="body"' not in page
    response = client.post(question.get_absolute_url(), {"body": "Toch een antwoord."})
    assert response.status_code == 403
    assert "Toch een antwoord." in response.content.decode()  # what was typed stays
    assert question.answers.count() == 1
    services.set_locked(question, False, world["moderator"])
    assert (
        client.post(
            question.get_absolute_url(), {"body": "Nu wel een antwoord."}
        ).status_code
        == 302
    )


def test_report_once_per_member_and_rate_limited(client, world):
    client.force_login(world["member"])
    url = reverse("community:report_answer", args=[world["answer"].pk])
    assert client.get(url).status_code == 200
    assert (
        client.post(url, {"reason": "spam", "explanation": "Reclame"}).status_code
        == 302
    )
    response = client.post(url, {"reason": "spam", "explanation": "Nog eens"})
    assert response.status_code == 400
    assert Report.objects.filter(answer=world["answer"]).count() == 1
    assert client.post(url, {"explanation": "zonder reden"}).status_code == 400
    with override_settings(COMMUNITY_FLOOD={**FLOOD, "REPORTS_PER_DAY": 1}):
        response = client.post(
            reverse("community:report_question", args=[world["question"].pk]),
            {"reason": "spam"},
        )
    assert response.status_code == 429
    assert Report.objects.filter(question=world["question"]).count() == 0


# The admin --------------------------------------------------------------------


def admin_url(name, *args):
    return reverse(f"community_moderation:{name}", args=args)


def test_moderators_reach_the_moderation_page_from_the_question(client, world):
    question, answer = world["question"], world["answer"]
    moderate_question = reverse(
        "community_moderation:post", args=["vraag", question.pk]
    )
    moderate_answer = reverse("community_moderation:post", args=["antwoord", answer.pk])
    for user in (world["member"], world["asker"]):
        client.force_login(user)
        html = client.get(question.get_absolute_url()).content.decode()
        assert moderate_question not in html and moderate_answer not in html
    client.force_login(world["moderator"])
    html = client.get(question.get_absolute_url()).content.decode()
    assert moderate_question in html and moderate_answer in html
    assert client.get(moderate_answer).status_code == 200


def test_moderation_permission_granted_to_editors_and_moderators():
    for name in ("Editors", "Moderators"):
        assert (
            Group.objects.get(name=name)
            .permissions.filter(
                codename="moderate_posts", content_type__app_label="community"
            )
            .exists()
        )


def test_admin_report_queue_hide_restore_dismiss(client, world):
    answer, moderator = world["answer"], world["moderator"]
    services.report_post(answer, world["member"], reason="spam")
    services.report_post(answer, world["asker"], reason="offensive")
    services.report_post(world["question"], world["member"], reason="wrong")

    client.force_login(world["member"])
    assert client.get(admin_url("reports")).status_code != 200
    assert (
        client.post(admin_url("hide", "antwoord", answer.pk)).status_code != 302
        or not Answer.objects.get(pk=answer.pk).is_hidden
    )

    client.force_login(moderator)
    html = client.get(admin_url("reports")).content.decode()
    assert admin_url("post", "antwoord", answer.pk) in html
    assert "vast team" in html  # the excerpt
    assert client.get(admin_url("post", "antwoord", answer.pk)).status_code == 200
    menu = client.get("/admin/").content.decode()
    assert admin_url("reports") in menu

    response = client.post(admin_url("hide", "antwoord", answer.pk))
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.is_hidden and answer.hidden_by == moderator
    assert set(
        Report.objects.filter(answer=answer).values_list("status", flat=True)
    ) == {"hidden"}
    client.force_login(world["member"])
    assert (
        f'id="antwoord-{answer.pk}"'
        not in client.get(world["question"].get_absolute_url()).content.decode()
    )

    client.force_login(moderator)
    client.post(admin_url("restore", "antwoord", answer.pk))
    answer.refresh_from_db()
    assert not answer.is_hidden

    client.post(admin_url("dismiss", "vraag", world["question"].pk))
    report = Report.objects.get(question=world["question"])
    assert report.status == "dismissed" and report.handled_by == moderator
    assert (
        client.get(admin_url("hide", "vraag", world["question"].pk)).status_code == 405
    )


def test_admin_lock_suspend_and_lift(client, world):
    moderator, asker = world["moderator"], world["asker"]
    client.force_login(moderator)
    client.post(admin_url("lock", world["question"].pk))
    world["question"].refresh_from_db()
    assert world["question"].is_locked
    client.post(admin_url("unlock", world["question"].pk))
    world["question"].refresh_from_db()
    assert not world["question"].is_locked

    assert client.get(admin_url("suspend", asker.pk)).status_code == 200
    response = client.post(admin_url("suspend", asker.pk), {"days": "", "reason": ""})
    assert (
        response.status_code == 200
        and not Question.objects.get(
            pk=world["question"].pk
        ).author.profile.is_suspended
    )
    response = client.post(
        admin_url("suspend", asker.pk), {"days": 5, "reason": "Scheldwoorden"}
    )
    assert response.status_code == 302
    asker.profile.refresh_from_db()
    assert asker.profile.is_suspended
    assert asker.profile.suspension_reason == "Scheldwoorden"
    assert (
        asker.profile.suspended_until.date()
        == (timezone.now() + datetime.timedelta(days=5)).date()
    )

    client.force_login(asker)
    assert (
        client.post(
            world["question"].get_absolute_url(), {"body": "Mag ik nog antwoorden?"}
        ).status_code
        == 403
    )

    client.force_login(moderator)
    client.post(admin_url("lift", asker.pk))
    asker.profile.refresh_from_db()
    assert not asker.profile.is_suspended


def test_admin_read_only_listings(client, world):
    from community.models import ContactMessage

    ContactMessage.objects.create(
        contact_name="Mariam",
        sender=world["member"],
        subject="Vraag over jullie aanpak",
        message="Hallo",
    )
    client.force_login(world["moderator"])
    for prefix in (
        "community/vragen",
        "community/antwoorden",
        "community/contactberichten",
    ):
        response = client.get(f"/admin/{prefix}/")
        assert response.status_code == 200, prefix
    assert (
        "Vraag over jullie aanpak"
        in client.get("/admin/community/contactberichten/").content.decode()
    )
    assert (
        client.get(
            f"/admin/community/vragen/inspect/{world['question'].pk}/"
        ).status_code
        == 200
    )
    assert (
        client.get(f"/admin/community/vragen/edit/{world['question'].pk}/").status_code
        != 200
    )
    assert client.get("/admin/community/vragen/add/").status_code != 200
    client.force_login(world["member"])
    assert client.get("/admin/community/vragen/").status_code != 200


# Flood control ----------------------------------------------------------------


def old_member():
    member = MemberFactory()
    member.date_joined = timezone.now() - datetime.timedelta(days=30)
    member.save()
    return member


def post_answer(client, question, body):
    return client.post(question.get_absolute_url(), {"body": body})


@override_settings(COMMUNITY_FLOOD={**FLOOD, "MIN_INTERVAL_SECONDS": 60})
def test_flood_minimum_interval(client, world):
    member = old_member()
    client.force_login(member)
    assert (
        post_answer(client, world["question"], "Eerste antwoord van mij.").status_code
        == 302
    )
    response = post_answer(client, world["question"], "Tweede antwoord, te snel.")
    assert response.status_code == 429
    assert "Tweede antwoord, te snel." in response.content.decode()


@override_settings(COMMUNITY_FLOOD={**FLOOD, "POSTS_PER_DAY": 3})
def test_flood_daily_limit(client, world):
    member = old_member()
    client.force_login(member)
    for number in range(3):
        assert (
            post_answer(
                client, world["question"], f"Antwoord nummer {number}."
            ).status_code
            == 302
        )
    assert (
        post_answer(client, world["question"], "Antwoord nummer 4.").status_code == 429
    )
    # a day later it is possible again
    Answer.objects.filter(author=member).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    assert (
        post_answer(client, world["question"], "Antwoord nummer 5.").status_code == 302
    )


@override_settings(COMMUNITY_FLOOD=FLOOD)
def test_flood_duplicate_text(client, world):
    member = old_member()
    client.force_login(member)
    assert (
        post_answer(client, world["question"], "Precies  dezelfde tekst.").status_code
        == 302
    )
    response = post_answer(client, world["question"], "precies dezelfde   TEKST.")
    assert response.status_code == 400
    assert Answer.objects.filter(author=member).count() == 1


@override_settings(
    COMMUNITY_FLOOD={
        **FLOOD,
        "NEW_ACCOUNT_POSTS_PER_DAY": 2,
        "NEW_ACCOUNT_MIN_INTERVAL_SECONDS": 0,
    }
)
def test_flood_new_accounts_get_tighter_limits(client, world):
    new, old = MemberFactory(), old_member()
    for member in (new, old):
        client.force_login(member)
        for number in range(2):
            assert (
                post_answer(
                    client, world["question"], f"Antwoord {number} van {member.pk}."
                ).status_code
                == 302
            )
    client.force_login(new)
    assert (
        post_answer(client, world["question"], "Derde van een nieuw lid.").status_code
        == 429
    )
    client.force_login(old)
    assert (
        post_answer(client, world["question"], "Derde van een bekend lid.").status_code
        == 302
    )


@override_settings(COMMUNITY_FLOOD={**FLOOD, "NEW_ACCOUNT_MIN_INTERVAL_SECONDS": 300})
def test_flood_new_account_interval_applies_to_questions(client, world):
    client.force_login(MemberFactory())
    data = {
        "title": "Eerste vraag van een nieuw lid?",
        "body": "Een uitleg die lang genoeg is.",
        "themes": [world["theme"].pk],
    }
    assert client.post(reverse("community:ask"), data).status_code == 302
    data = {
        **data,
        "title": "Tweede vraag, veel te snel?",
        "body": "Nog een uitleg die lang genoeg is.",
    }
    response = client.post(reverse("community:ask"), data)
    assert response.status_code == 429
    assert "Tweede vraag, veel te snel?" in response.content.decode()
