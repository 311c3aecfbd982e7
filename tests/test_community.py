"""Questions and answers: asking, answering, accepting, voting, editing, the
listing, the question page, badges, search and the practice page."""

import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from allauth.account.models import EmailAddress

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from community import signals
from community.models import Answer, HelpfulVote, Question
from notifications.models import Follow
from practices.models import PracticeContact, Theme
from search.query import SearchQuery
from search.service import search
from tests.factories import PracticeContactFactory, PracticePageFactory
from tests.factories_community import AnswerFactory, MemberFactory, QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def theme():
    return Theme.objects.get(slug="ggz")


@pytest.fixture
def received():
    """The community signals sent, as (name, object) pairs."""
    log = []

    def receiver(name):
        def receive(sender, **kwargs):
            log.append((name, kwargs.get("question") or kwargs.get("answer")))

        return receive

    receivers = {
        "question_asked": receiver("question_asked"),
        "answer_posted": receiver("answer_posted"),
        "answer_accepted": receiver("answer_accepted"),
    }
    for name, function in receivers.items():
        getattr(signals, name).connect(function)
    yield log
    for name, function in receivers.items():
        getattr(signals, name).disconnect(function)


def ask(client, theme, **data):
    return client.post(
        reverse("community:ask"),
        {
            "title": "Hoe regelen jullie de nachtzorg in de wijk?",
            "body": "Wij zoeken ervaringen met nachtzorg door wijkteams.",
            "themes": [theme.pk],
            **data,
        },
    )


def test_ask_answer_accept_flow(
    client, theme, received, django_capture_on_commit_callbacks
):
    asker, helper = MemberFactory(), MemberFactory()
    practice = PracticePageFactory()
    client.force_login(asker)
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, theme, practices=[practice.pk])
    question = Question.objects.get(title="Hoe regelen jullie de nachtzorg in de wijk?")
    assert response.status_code == 302
    assert response["Location"] == question.get_absolute_url()
    assert list(question.themes.all()) == [theme]
    assert list(question.practices.all()) == [practice.page_ptr.specific]
    assert question.body_html.startswith("<p>")
    assert received == [("question_asked", question)]

    client.force_login(helper)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            question.get_absolute_url(),
            {"body": "Wij werken met een **vast** nachtteam."},
        )
    answer = Answer.objects.get(question=question)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#antwoord-{answer.pk}")
    question.refresh_from_db()
    assert question.answer_count == 1
    assert question.last_activity_at == answer.created_at
    assert received[-1] == ("answer_posted", answer)
    page = client.get(question.get_absolute_url()).content.decode()
    assert f'id="antwoord-{answer.pk}"' in page
    assert "<strong>vast</strong>" in page

    # Only the asker accepts; accepting again takes it back.
    assert client.post(reverse("community:accept", args=[answer.pk])).status_code == 403
    client.force_login(asker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("community:accept", args=[answer.pk]))
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.accepted_answer == answer
    assert received[-1] == ("answer_accepted", answer)
    assert "post--accepted" in client.get(question.get_absolute_url()).content.decode()
    client.post(reverse("community:accept", args=[answer.pk]))
    question.refresh_from_db()
    assert question.accepted_answer is None
    assert [name for name, _obj in received].count("answer_accepted") == 1


def test_accept_can_move_to_another_answer():
    question = QuestionFactory()
    first, second = AnswerFactory(question=question), AnswerFactory(question=question)
    from community import services

    services.accept_answer(first, question.author)
    services.accept_answer(second, question.author)
    question.refresh_from_db()
    assert question.accepted_answer == second


def test_ask_preselects_practice_and_its_themes(client):
    practice = PracticePageFactory(themes=["ggz", "jeugd"])
    client.force_login(MemberFactory())
    response = client.get(reverse("community:ask") + f"?praktijk={practice.pk}")
    form = response.context["form"]
    assert form.initial["practices"] == [practice.pk]
    assert set(form.initial["themes"]) == set(
        practice.themes.values_list("pk", flat=True)
    )
    assert f'<option value="{practice.pk}" selected>' in response.content.decode()


def test_invalid_question_keeps_everything_typed(client, theme):
    client.force_login(MemberFactory())
    response = ask(
        client, theme, title="Kort?", body="Mijn lange uitleg met <tekst> & meer."
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "error-summary" in html
    assert 'href="#id_title"' in html
    assert "Mijn lange uitleg met &lt;tekst&gt; &amp; meer." in html
    response = ask(client, theme, themes=[])
    assert 'href="#id_themes_0"' in response.content.decode()
    assert not Question.objects.filter(title="Kort?").exists()


def test_helpful_vote_once_and_toggle(client):
    answer = AnswerFactory()
    voter = MemberFactory()
    client.force_login(voter)
    url = reverse("community:helpful", args=[answer.pk])
    assert client.post(url).status_code == 302
    answer.refresh_from_db()
    assert answer.helpful_count == 1
    assert HelpfulVote.objects.filter(answer=answer, user=voter).count() == 1
    client.post(url)  # again: takes the vote back
    answer.refresh_from_db()
    assert answer.helpful_count == 0
    client.post(url)
    other = MemberFactory()
    client.force_login(other)
    client.post(url)
    answer.refresh_from_db()
    assert answer.helpful_count == 2
    client.force_login(answer.author)
    assert client.post(url).status_code == 403
    answer.refresh_from_db()
    assert answer.helpful_count == 2


def test_edit_own_question_and_answer_records_edited_at(client, theme):
    answer = AnswerFactory()
    question = answer.question
    client.force_login(question.author)
    response = client.post(
        reverse("community:edit_question", args=[question.pk]),
        {
            "title": "Een nieuwe titel voor de vraag?",
            "body": "Nieuwe uitleg van de vraag, lang genoeg.",
            "themes": [theme.pk],
        },
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.title == "Een nieuwe titel voor de vraag?"
    assert question.edited_at is not None
    assert response["Location"] == question.get_absolute_url()

    client.force_login(answer.author)
    response = client.post(
        reverse("community:edit_answer", args=[answer.pk]),
        {"body": "Aangepast antwoord."},
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.body == "Aangepast antwoord."
    assert answer.edited_at is not None


def test_wrong_slug_redirects_permanently(client):
    question = QuestionFactory(title="Hoe werkt een transferpunt?")
    response = client.get(
        reverse("community:question", args=[question.pk, "iets-anders"])
    )
    assert response.status_code == 301
    assert response["Location"] == question.get_absolute_url()
    assert question.get_absolute_url().endswith("/hoe-werkt-een-transferpunt/")
    response = client.get(f"/community/vragen/{question.pk}/")
    assert response.status_code == 301


def test_question_page_queries_do_not_grow_with_answers(
    client, django_assert_max_num_queries
):
    def count(question):
        client.get(question.get_absolute_url())
        with CaptureQueriesContext(connection) as captured:
            assert client.get(question.get_absolute_url()).status_code == 200
        return len(captured)

    viewer = MemberFactory()
    client.force_login(viewer)
    one, ten = QuestionFactory(), QuestionFactory()
    AnswerFactory(question=one)
    one.practices.add(PracticePageFactory())
    for _ in range(10):
        answer = AnswerFactory(question=ten)
        HelpfulVote.objects.create(answer=answer, user=viewer)
    ten.practices.add(*PracticePageFactory.create_batch(3))
    assert count(one) == count(ten)
    with django_assert_max_num_queries(20):
        client.get(ten.get_absolute_url())


def test_a_theme_can_be_followed_from_its_question_listing(client):
    theme = Theme.objects.get(slug="ggz")
    url = reverse("community:index") + "?thema=ggz"
    assert gettext("Log in to follow") in client.get(url).content.decode()
    assert (
        'name="target" value="theme"'
        not in client.get(reverse("community:index")).content.decode()
    )

    member = MemberFactory()
    client.force_login(member)
    html = client.get(url).content.decode()
    assert 'name="target" value="theme"' in html
    assert f'name="id" value="{theme.pk}"' in html
    response = client.post(
        reverse("notifications:follow"),
        {"target": "theme", "id": theme.pk, "action": "follow", "next": url},
    )
    assert response.status_code == 302
    assert Follow.objects.filter(user=member, theme=theme).exists()
    assert 'aria-pressed="true"' in client.get(url).content.decode()


def test_listing_filters_and_queries(client, django_assert_max_num_queries):
    member = MemberFactory()
    ggz = Theme.objects.get(slug="ggz")
    jeugd = Theme.objects.get(slug="jeugd")
    mine = QuestionFactory(
        author=member, title="Mijn vraag over jeugdzorg?", themes=[jeugd]
    )
    answered = QuestionFactory(title="Beantwoorde vraag over ggz?", themes=[ggz])
    AnswerFactory(question=answered)
    answered.refresh_counts()
    url = reverse("community:index")

    html = client.get(url + "?thema=jeugd").content.decode()
    assert mine.title in html and answered.title not in html
    html = client.get(url + "?onbeantwoord=1").content.decode()
    assert mine.title in html and answered.title not in html
    client.force_login(member)
    response = client.get(url + "?mijn=1")
    assert [q.pk for q in response.context["page_obj"]] == [mine.pk]
    response = client.get(url + "?thema=bestaat-niet")
    assert response.status_code == 200 and response.context["unknown_theme"]

    # newest activity first: a new answer moves a question up
    AnswerFactory(question=mine)
    from community import services

    services.post_answer(mine, MemberFactory(), "Nog een antwoord erbij.")
    first = client.get(url).context["page_obj"].object_list[0]
    assert first.pk == mine.pk

    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(15):
        QuestionFactory(themes=[ggz, jeugd])
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few) == len(many)
    with django_assert_max_num_queries(15):
        client.get(url + "?thema=ggz&onbeantwoord=1")


def test_listing_paginates(client):
    for _ in range(21):
        QuestionFactory()
    response = client.get(reverse("community:index"))
    assert response.context["page_obj"].has_next()
    assert "pagina=2" in response.content.decode()
    assert client.get(reverse("community:index") + "?pagina=2").status_code == 200


def test_listing_text_search(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        from community import services

        member = MemberFactory()
        wanted = services.ask_question(
            member,
            title="Wie heeft ervaring met beeldbellen in de nacht?",
            body="Wij willen de nachtelijke zorg op afstand organiseren.",
            themes=[Theme.objects.get(slug="digitale-zorg-en-e-health")],
        )
        other = QuestionFactory(title="Iets heel anders over budgetten?")
    response = client.get(reverse("community:index") + "?q=beeldbellen")
    ids = [q.pk for q in response.context["page_obj"]]
    assert wanted.pk in ids and other.pk not in ids


def test_search_contract_finds_questions_and_forgets_hidden_ones(
    django_capture_on_commit_callbacks,
):
    from community import services

    with django_capture_on_commit_callbacks(execute=True):
        question = services.ask_question(
            MemberFactory(),
            title="Hoe werkt een zorgcoördinator voor dementie?",
            body="Wij zoeken een voorbeeld van casemanagement.",
            themes=[Theme.objects.get(slug="ouderen-thuis")],
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.post_answer(
            question, MemberFactory(), "Kijk eens naar de alzheimercafés."
        )

    def found(text):
        results = search(SearchQuery(text=text, kinds=("question",)))
        return [hit.id for hit in results.hits]

    assert question.pk in found("zorgcoördinator")
    assert question.pk in found("alzheimercafés")  # text of the answer
    hit = search(SearchQuery(text="zorgcoördinator", kinds=("question",))).hits[0]
    assert hit.kind == "question" and hit.url == question.get_absolute_url()
    results = search(
        SearchQuery(
            text="zorgcoördinator",
            kinds=("question",),
            filters={"thema": ["ouderen-thuis"]},
        )
    )
    assert results.total == 1
    # practices stay practices-only
    assert question.pk not in [
        h.id
        for h in search(SearchQuery(text="zorgcoördinator")).hits
        if h.kind == "question"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        services.hide_post(question, MemberFactory())
    assert question.pk not in found("zorgcoördinator")
    with django_capture_on_commit_callbacks(execute=True):
        services.restore_post(question, MemberFactory())
    assert question.pk in found("zorgcoördinator")
    with django_capture_on_commit_callbacks(execute=True):
        question.delete()
    # (Demo questions about zorg and a coördinator still match: a compound
    # is asked for as its parts.)
    assert question.pk not in found("zorgcoördinator")


def test_search_page_questions_follow_a_new_synonym(
    client, django_capture_on_commit_callbacks
):
    """The question block is cached per text; a synonym the redactie adds
    changes what that text asks for, so the block follows at once."""
    from community import services
    from search.models import Synonym

    with django_capture_on_commit_callbacks(execute=True):
        question = services.ask_question(
            MemberFactory(),
            title="Wie kent een kraanvogelconsult?",
            body="Wij zoeken ervaringen met een kraanvogelconsult.",
            themes=[Theme.objects.get(slug="preventie-en-leefstijl")],
        )
    assert (
        question.get_absolute_url()
        not in client.get("/zoeken/?q=reigerbellen").content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        Synonym.objects.create(terms="reigerbellen, kraanvogelconsult")
    html = client.get("/zoeken/?q=reigerbellen").content.decode()
    assert question.get_absolute_url() in html


def test_search_page_shows_matching_questions(
    client, django_capture_on_commit_callbacks
):
    from community import services

    with django_capture_on_commit_callbacks(execute=True):
        question = services.ask_question(
            MemberFactory(),
            title="Ervaringen met valpreventie thuis?",
            body="Welke valpreventie werkt voor thuiswonende ouderen?",
            themes=[Theme.objects.get(slug="preventie-en-leefstijl")],
        )
    html = client.get("/zoeken/?q=valpreventie").content.decode()
    assert 'id="search-questions-heading"' in html
    assert question.get_absolute_url() in html
    assert reverse("community:index") + "?q=valpreventie" in html
    assert (
        'id="search-questions-heading"' not in client.get("/zoeken/").content.decode()
    )
    api = client.get("/api/v1/practices/?q=valpreventie").json()
    assert all("/community/" not in item.get("url", "") for item in api["results"])


def test_rebuild_index_includes_questions():
    from search.documents import get_type

    question = QuestionFactory()
    ids = {doc.id for doc in get_type("question").documents()}
    assert question.pk in ids
    question.is_hidden = True
    question.save()
    assert question.pk not in {doc.id for doc in get_type("question").documents()}


def test_badges_and_profile_links(client):
    experienced = MemberFactory(display_name="Ingrid Ervaring")
    experienced.profile.lived_experience = True
    experienced.profile.show_lived_experience = True
    experienced.profile.save()
    practice = PracticePageFactory()
    contact = PracticeContactFactory(page=practice, email="Initiatief@Example.org")
    initiator = MemberFactory(
        email="initiatief@example.org", display_name="Ina Initiatief"
    )
    owner = MemberFactory(display_name="Otto Eigenaar")
    practice.owner = owner
    practice.save()
    unverified = MemberFactory(display_name="Ursula Onbevestigd")
    EmailAddress.objects.create(
        user=unverified, email=contact.email.lower() + ".x", verified=False
    )
    plain = MemberFactory(display_name="Piet Gewoon")

    question = QuestionFactory(author=plain)
    for author in (experienced, initiator, owner, unverified):
        AnswerFactory(question=question, author=author)
    response = client.get(question.get_absolute_url())
    answers = {a.author.pk: a for a in response.context["answers"]}
    assert answers[initiator.pk].author_is_initiator
    assert answers[owner.pk].author_is_initiator
    assert not answers[experienced.pk].author_is_initiator
    assert not answers[unverified.pk].author_is_initiator
    assert not response.context["question"].author_is_initiator
    html = response.content.decode()
    assert html.count("badge--initiator") == 2
    assert html.count("badge--lived-experience") == 1
    assert f'href="{plain.profile.get_absolute_url()}"' in html
    assert "initiatief@example.org" not in html.lower()


def test_deleted_author_shows_as_deleted_member(client):
    answer = AnswerFactory()
    question = answer.question
    question.author.delete()
    answer.author.delete()
    html = client.get(question.get_absolute_url()).content.decode()
    assert html.count(gettext("deleted member")) == 2
    assert "post-author__name--deleted" in html
    html = client.get(reverse("community:index")).content.decode()
    assert gettext("deleted member") in html


def test_practice_page_lists_its_questions_with_a_button(
    client, django_assert_max_num_queries
):
    practice = PracticePageFactory()
    question = QuestionFactory(title="Vraag over dit initiatief?")
    question.practices.add(practice)
    hidden = QuestionFactory(
        title="Verborgen vraag over dit initiatief?", is_hidden=True
    )
    hidden.practices.add(practice)
    html = client.get(practice.url).content.decode()
    assert 'id="vragen"' in html
    assert question.get_absolute_url() in html
    assert hidden.title not in html
    ask = reverse("community:ask") + f"?praktijk={practice.pk}"
    login = reverse("account_login") + "?" + urlencode({"next": ask})
    assert login.replace("&", "&amp;") in html or login in html
    client.force_login(MemberFactory())
    assert f'href="{ask}"' in client.get(practice.url).content.decode()


MALICIOUS = [
    "<script>alert('x')</script>",
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik](java&#x09;script:alert(1))",
    "[klik](&#106;avascript:alert(1))",
    "[klik](%6A%61vascript:alert(1))",
    '<a href="javascript:alert(1)">klik</a>',
    '![x](x "onerror=alert(1)")',
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><script>alert(1)</script></svg>",
    '<iframe src="https://evil.example"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
]


class TagCollector(HTMLParser):
    """Every element and attribute a browser would build from the page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def dangerous(html):
    collector = TagCollector()
    collector.feed(html)
    found = []
    for tag, attrs in collector.tags:
        if tag == "script" and (attrs.get("src") or "").startswith("/static/"):
            continue  # the site's own scripts, never member input
        if tag in ("script", "svg", "iframe", "object", "embed", "img", "style"):
            found.append(tag)
        for name, value in attrs.items():
            if name.startswith("on") or name == "style":
                found.append(f"{tag} {name}")
            if name in ("href", "src", "action"):
                # What a browser takes as the scheme (percent-encoding is not
                # decoded there, whitespace and control characters are dropped).
                cleaned = "".join(c for c in value or "" if c > " ").lower()
                scheme = re.match(r"([a-z][a-z0-9+.\-]*):", cleaned)
                if scheme and scheme.group(1) not in ("http", "https", "mailto"):
                    found.append(f"{tag} {name}={value}")
    return found


@pytest.mark.parametrize("payload", MALICIOUS)
def test_malicious_markdown_is_never_rendered_live(client, payload):
    practice = PracticePageFactory()
    question = QuestionFactory(title=f"Vraag {payload}", body=f"Tekst {payload}")
    question.practices.add(practice)
    AnswerFactory(question=question, body=f"Antwoord {payload}")
    baseline = {
        url: dangerous(client.get(url).content.decode())
        for url in (reverse("community:index"),)
    }
    for url in (question.get_absolute_url(), reverse("community:index"), practice.url):
        response = client.get(url)
        assert response.status_code == 200
        assert dangerous(response.content.decode()) == baseline.get(url, [])
        assert "<script>alert" not in response.content.decode().lower()


def test_demo_questions_are_loaded_once():
    from community.demo import QUESTIONS, load_demo_questions

    assert Question.objects.filter(
        title__in=[q["title"] for q in QUESTIONS]
    ).count() == len(QUESTIONS)
    assert load_demo_questions() == 0
    demo = Question.objects.get(title=QUESTIONS[0]["title"])
    assert demo.answer_count == len(QUESTIONS[0]["answers"])
    assert demo.author.email.endswith("@example.org")
    assert not demo.author.has_usable_password()
    assert EmailAddress.objects.filter(user=demo.author, verified=True).exists()
    assert PracticeContact.objects.exists()
