"""Whatever anyone sends, the site answers without a server error.

Property-based tests (hypothesis) throw generated text at every view that
reads query parameters and at every form: NUL bytes and other control
characters (PostgreSQL refuses NUL in a query), digits that are no ASCII
digits ('²'.isdigit() is True, int('²') raises; int('٣') is 3), numbers too
large for a database integer, numbers too long for int(), very long text.
Then the requests no browser sends: invalid UTF-8 in the query string and
the body, malformed multipart bodies, bodies over
DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields or files, a 10,000-character
query string, odd bytes in the path. Each must get an answer below 500, and
where the request itself is refused, a Dutch page saying so.

Run on SQLite and on PostgreSQL (DATABASE_URL): only PostgreSQL refuses NUL
bytes, so only there does a NUL that reaches a query become a 500. The
property-based runs are marked slow: `make test-fast` leaves them out.
"""

import secrets
import urllib.parse

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from accounts.forms import ProfileForm
from community.models import Answer, Question
from practices.facets import FACETS
from practices.models import CareOfficeRegion, PracticeContact, PracticePage

from .factories import EditorFactory
from .factories_community import AnswerFactory, MemberFactory, QuestionFactory

pytestmark = pytest.mark.django_db

EXAMPLES = 25
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

TRICKY = [
    "",
    " ",
    "\x00",
    "1\x00",
    "a\x00b",
    "\x01\x08\x0b\x1b\x7f",
    "\r\n",
    "²",
    "٣",
    "१२",
    "１２",
    "⁹",
    "Ⅻ",
    "𝟗",
    "½",
    "-1",
    "0",
    "+3",
    "1.5",
    "1e5",
    "1_000",
    " 7 ",
    "9" * 25,
    "1" * 5000,
    "NaN",
    "\u202e\u200b\ufeff",
    "%00",
    "%ff",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "İﬁß",
    "😀",
    "x" * 20_000,
]
TEXT = st.one_of(
    st.sampled_from(TRICKY),
    st.text(max_size=30),  # any code point but lone surrogates (no request has them)
    st.text(
        alphabet=st.characters(
            codec="utf-8", categories=["Cc", "Cf", "Nd", "Nl", "No", "Zs"]
        ),
        max_size=12,
    ),
    st.integers(-(10**20), 10**20).map(str),
)


# Always tried, in every parameter at once, besides what hypothesis draws.
ALWAYS = ["\x00", "a\x00b", "²", "٣", "9" * 25, "1" * 5000, "\x1b[0m\x7f"]


def always(names):
    """Decorator (above @given): the ALWAYS values as examples."""

    def decorate(test):
        for value in ALWAYS:
            test = example(pairs=[(name, value) for name in [*names, "x"]])(test)
        return test

    return decorate


def params(names):
    """A query string or form: some known names (each maybe repeated), and
    one unknown."""
    return st.lists(st.tuples(st.sampled_from([*names, "x"]), TEXT), max_size=7)


def encoded(pairs):
    return urllib.parse.urlencode(pairs)


def assert_answers(response, what):
    assert response.status_code < 500, (what, response.status_code)


@pytest.fixture
def site():
    """The places to send things to, and who sends them."""
    member = MemberFactory()
    editor = EditorFactory()
    question = QuestionFactory(author=member)
    answer = AnswerFactory(question=question)
    other_answer = AnswerFactory(question=QuestionFactory())
    contact = PracticeContact.objects.filter(
        page__in=PracticePage.objects.live()
    ).first()
    practice = PracticePage.objects.live().first()
    region = CareOfficeRegion.objects.filter(practices__live=True).first()
    return {
        "member": member,
        "editor": editor,
        "question": question,
        "answer": answer,
        "other_answer": other_answer,
        "contact": contact,
        "practice": practice,
        "region": region,
    }


def client_for(site, role):
    client = Client()
    if role != "anonymous":
        client.force_login(site[role])
    return client


SEARCH_PARAMS = ["q", "page", "page_size", "sort", *(facet.key for facet in FACETS)]
LISTING_PARAMS = ["pagina", "q", "thema", "onbeantwoord", "mijn", "praktijk", "next"]

# The views that read query parameters (the others ignore them; their
# canonical link's ?pagina= is read by every page, the home page stands in).
PUBLIC_GETS = [
    lambda s: "/",
    lambda s: reverse("search"),
    lambda s: reverse("search_suggestions"),
    lambda s: reverse("api_practices"),
    lambda s: reverse("api_practices_csv"),
    lambda s: reverse("feed_practices"),
    lambda s: reverse("community:index"),
    lambda s: reverse("region", args=[s["region"].slug]),
    lambda s: s["practice"].get_parent().url,
    lambda s: reverse("account_login"),
]
MEMBER_GETS = [
    lambda s: reverse("community:ask"),
    lambda s: reverse("community:index"),
    lambda s: reverse("notifications:list"),
]
EDITOR_GETS = [
    lambda s: reverse("community_moderation:reports"),
    lambda s: reverse("editorial_admin:stale"),
    lambda s: reverse("editorial_admin:merge", args=["thema"]),
    lambda s: reverse("question:index"),
]


@pytest.mark.slow
@FUZZ
@always(SEARCH_PARAMS + LISTING_PARAMS)
@given(pairs=params(SEARCH_PARAMS + LISTING_PARAMS))
def test_public_pages_answer_any_query(site, pairs):
    client = Client()
    for url in PUBLIC_GETS:
        assert_answers(client.get(url(site), pairs), (url(site), pairs))


@pytest.mark.slow
@FUZZ
@always(LISTING_PARAMS + ["page", "status"])
@given(pairs=params(LISTING_PARAMS + ["page", "status"]))
def test_members_pages_answer_any_query(site, pairs):
    client = client_for(site, "member")
    for url in MEMBER_GETS:
        assert_answers(client.get(url(site), pairs), (url(site), pairs))


EDITOR_PARAMS = ["status", "p", "q", "phase", "source", "target", "ordering", "export"]


@pytest.mark.slow
@FUZZ
@always(EDITOR_PARAMS)
@given(pairs=params(EDITOR_PARAMS))
def test_editors_screens_answer_any_query(site, pairs):
    client = client_for(site, "editor")
    for url in EDITOR_GETS:
        assert_answers(client.get(url(site), pairs), (url(site), pairs))


SUBMISSION_FIELDS = [
    "title",
    "summary",
    "problem",
    "goal",
    "approach",
    "phase",
    "start_year",
    "provinces",
    "care_office_regions",
    "themes",
    "movements",
    "target_groups",
    "org-TOTAL_FORMS",
    "org-INITIAL_FORMS",
    "org-0-name",
    "org-0-role",
    "org-0-organisation_type",
    "contact-TOTAL_FORMS",
    "contact-0-name",
    "contact-0-email",
    "contact-0-consent",
    "link-TOTAL_FORMS",
    "link-0-url",
    "new_image_0_text",
    "new_document_0_caption",
]
# (name, who posts, where, the form's fields, fields always sent)
# Stands for a new form's one-time token, fresh for every example.
FRESH_TOKEN = object()

FORMS = [
    (
        "ask",
        "member",
        lambda s: reverse("community:ask"),
        ["title", "body", "themes", "practices"],
        {},
    ),
    ("answer", "member", lambda s: s["question"].get_absolute_url(), ["body"], {}),
    (
        "edit question",
        "member",
        lambda s: reverse("community:edit_question", args=[s["question"].pk]),
        ["title", "body", "themes", "practices"],
        {},
    ),
    (
        "report",
        "member",
        lambda s: reverse("community:report_answer", args=[s["other_answer"].pk]),
        ["reason", "explanation"],
        {},
    ),
    (
        "contact",
        "member",
        lambda s: reverse("community:contact", args=[s["contact"].pk]),
        ["subject", "message", "consent"],
        {},
    ),
    (
        "contact, as a visitor",
        "anonymous",
        lambda s: reverse("community:contact", args=[s["contact"].pk]),
        ["name", "email", "message", "website"],
        {},
    ),
    (
        "profile",
        "member",
        lambda s: reverse("accounts:edit"),
        list(ProfileForm.base_fields),  # a new field is fuzzed too
        {},
    ),
    (
        "signup",
        "anonymous",
        lambda s: reverse("account_signup"),
        ["display_name", "email", "password1", "password2"],
        {},
    ),
    (
        "login",
        "anonymous",
        lambda s: reverse("account_login"),
        ["login", "password", "remember", "next"],
        {},
    ),
    (
        "password reset",
        "anonymous",
        lambda s: reverse("account_reset_password"),
        ["email"],
        {},
    ),
    (
        "submission, saved as draft",
        "member",
        lambda s: reverse("submissions:new"),
        SUBMISSION_FIELDS,
        {"save": "1"},
    ),
    (
        "submission, sent in",
        "member",
        lambda s: reverse("submissions:new"),
        SUBMISSION_FIELDS,
        {"send": "1", "form_token": FRESH_TOKEN},
    ),
    (
        "follow",
        "member",
        lambda s: reverse("notifications:follow"),
        ["target", "id", "action", "next"],
        {},
    ),
    (
        "delete account",
        "member",
        lambda s: reverse("accounts:delete"),
        ["password"],
        {},
    ),
    (
        "suspend (admin)",
        "editor",
        lambda s: reverse("community_moderation:suspend", args=[s["member"].pk]),
        ["days", "reason", "next"],
        {},
    ),
    (
        "merge (admin)",
        "editor",
        lambda s: reverse("editorial_admin:merge", args=["thema"]),
        ["source", "target", "confirm"],
        {},
    ),
    (
        "mark reviewed (admin)",
        "editor",
        lambda s: reverse("editorial_admin:mark_reviewed"),
        ["page"],
        {},
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("role", "url", "fixed", "fields"),
    [
        pytest.param(role, url, fixed, fields, id=name)
        for name, role, url, fields, fixed in FORMS
    ],
)
def test_forms_answer_any_input(site, role, url, fixed, fields):
    client = client_for(site, role)

    @FUZZ
    @always(fields)
    @given(pairs=params(fields))
    def post(pairs):
        data = {}
        for name, value in pairs:
            data.setdefault(name, []).append(value)
        data.update(fixed)
        if data.get("form_token") == FRESH_TOKEN:  # a new form, sent in once
            data["form_token"] = secrets.token_urlsafe(24)
        assert_answers(client.post(url(site), data), (url(site), pairs))

    post()


@pytest.mark.slow
@FUZZ
@example(segment="\x00")
@example(segment="a\x00b")
@example(segment="²")
@example(segment="9" * 25)
@example(segment="\ufeff")
@given(
    segment=st.one_of(
        st.sampled_from(TRICKY[:30]), st.text(min_size=1, max_size=20)
    ).filter(lambda s: "/" not in s and s not in (".", "..")),
)
def test_any_path_is_answered(site, segment):
    """Odd path segments where pages, slugs and tokens are looked up
    (Wagtail's page tree, its redirects, the signed links)."""
    client = Client()
    quoted = urllib.parse.quote(segment, safe="")
    for prefix in (
        "/",
        site["practice"].get_parent().url,
        "/regio/",
        "/collecties/",
        f"/community/vragen/{site['question'].pk}/",
        "/meldingen/afmelden/",
        "/meldingen/afmelden-contactpersoon/",
        "/initiatief-actueel/",
        "/community/contact/bevestigen/",
        "/community/contact/melden/",
        "/documenten/1/",
    ):
        response = client.get(f"{prefix}{quoted}/")
        assert_answers(response, (prefix, segment))
        if prefix.startswith(
            ("/meldingen/", "/initiatief-actueel/", "/community/contact/")
        ):
            assert_answers(client.post(f"{prefix}{quoted}/"), (prefix, segment))


# Non-ASCII digits, found by the tests above ---------------------------------


@pytest.mark.parametrize("value", ["²", "٣", "9" * 25, "1" * 5000, "1\x00"])
def test_page_numbers_that_are_no_numbers(site, value):
    """`?pagina=` feeds the canonical link of every listing."""
    client = Client()
    for url in ("/", reverse("community:index"), site["practice"].get_parent().url):
        response = client.get(url, {"pagina": value})
        assert response.status_code == 200, (url, value)
        html = response.content.decode()
        assert f'<link rel="canonical" href="http://testserver{url}">' in html


@pytest.mark.parametrize("value", ["²", "٣", "9" * 25, "1" * 5000])
def test_ask_about_a_practice_with_an_odd_id(site, value):
    client = client_for(site, "member")
    response = client.get(reverse("community:ask"), {"praktijk": value})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["²", "٣", "9" * 25, "1" * 5000])
def test_mark_reviewed_with_an_odd_id(site, value):
    client = client_for(site, "editor")
    response = client.post(reverse("editorial_admin:mark_reviewed"), {"page": value})
    assert response.status_code < 500


@pytest.mark.parametrize("value", ["9" * 25, str(2**63), "-" + "9" * 25, "1" * 4000])
def test_choices_with_an_id_no_database_holds(site, value):
    """SQLite raised OverflowError in the `pk__in` lookup of the choice fields."""
    client = client_for(site, "member")
    for url, data in (
        (
            reverse("community:ask"),
            {
                "title": "Een vraag met een vreemd thema?",
                "body": "Een uitleg die lang genoeg is.",
                "themes": [value],
                "practices": [value],
            },
        ),
        (
            reverse("submissions:new"),
            {
                "title": "Concept",
                "send": "1",
                "themes": value,
                "form_token": "invoer-token-0123456789abcdef",
            },
        ),
    ):
        response = client.post(url, data)
        assert response.status_code == 400, url


PROJECT_NAMESPACES = {
    "accounts",
    "community",
    "notifications",
    "submissions",
    "editorial",
    "practices",
    "community_moderation",
    "editorial_admin",
    "question",
    "answer",
    "contactmessage",
    "outbox",
}


def urls_with_ids():
    """Every project URL with an <int:> part, that part a number too large
    for any database column."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                converters = pattern.pattern.converters
                if any(type(c).__name__ == "IntConverter" for c in converters.values()):
                    yield namespace, pattern.name, converters

    for namespace, name, converters in walk(get_resolver().url_patterns, None):
        if namespace not in PROJECT_NAMESPACES and name != "outbox_retry":
            continue
        kwargs = {
            key: "9" * 25 if type(c).__name__ == "IntConverter" else "vraag"
            for key, c in converters.items()
        }
        yield reverse(f"{namespace}:{name}" if namespace else name, kwargs=kwargs)


def test_ids_too_large_for_the_database_in_every_address(site):
    """On SQLite a lookup by a page's pk (a parent link, which Django's
    range check skips) overflowed."""
    urls = list(urls_with_ids())
    assert len(urls) >= 20
    for role in ("anonymous", "member", "editor"):
        client = client_for(site, role)
        for url in urls:
            assert client.get(url).status_code < 500, (role, url)
            assert client.post(url).status_code < 500, (role, url)


@pytest.mark.parametrize("value", ["²", "٣", "9" * 25, "1" * 5000, "-1"])
def test_follow_with_an_odd_id(site, value):
    for target in ("practice", "question", "theme", "province"):
        response = client_for(site, "member").post(
            reverse("notifications:follow"), {"target": target, "id": value}
        )
        assert response.status_code in (302, 404), (target, value)


@pytest.mark.parametrize("next_url", ["٣", "meldingen", "reports"])
def test_a_next_address_without_a_slash(site, next_url):
    """redirect() takes such a "next" for a view name: NoReverseMatch."""
    member = client_for(site, "member")
    response = member.post(
        reverse("notifications:follow"),
        {"target": "practice", "id": site["practice"].pk, "next": next_url},
    )
    assert response.status_code == 302
    editor = client_for(site, "editor")
    for url, data in (
        (
            reverse("community_moderation:suspend", args=[site["member"].pk]),
            {"days": "3", "reason": "Reclame"},
        ),
        (reverse("community_moderation:lift", args=[site["member"].pk]), {}),
        (
            reverse("community_moderation:hide", args=["vraag", site["question"].pk]),
            {},
        ),
    ):
        response = editor.post(url, {**data, "next": next_url})
        assert response.status_code == 302, url


# Requests no browser sends ----------------------------------------------------


def dutch_refusal(response, status=400):
    """A refused request gets the site's own page, in Dutch."""
    assert response.status_code == status
    html = response.content.decode()
    assert '<html lang="nl"' in html
    assert "Bad Request" not in html
    return html


@pytest.mark.parametrize(
    "query",
    [
        "q=%ff%fe%fd",
        "q=%C3%28&provincie=%E2%82",
        "q=caf%E9",
        "%ff=%ff",
        "pagina=%B2",
        "q=" + "a" * 10_000,
        "q=" + "%C3%A9" * 3_000,
        "&".join(f"thema=t{i}" for i in range(2_000)),
    ],
    ids=[
        "invalid-utf8",
        "truncated-utf8",
        "latin1",
        "invalid-name",
        "latin1-digit",
        "10000-chars",
        "long-accents",
        "2000-values",
    ],
)
def test_odd_query_strings(site, query):
    client = Client()
    for url in (
        "/",
        reverse("search"),
        reverse("api_practices"),
        reverse("api_practices_csv"),
        reverse("feed_practices"),
        reverse("search_suggestions"),
        reverse("community:index"),
        reverse("region", args=[site["region"].slug]),
    ):
        response = client.generic("GET", f"{url}?{query}")
        assert response.status_code in (200, 400), (url, query)


def test_a_query_string_over_10000_characters(site):
    query = "q=" + "zorg " * 2_500
    assert len(query) > 10_000
    response = Client().get(f"{reverse('search')}?{query}")
    assert response.status_code == 200
    api = Client().get(f"{reverse('api_practices')}?{query}")
    assert api.status_code == 400
    assert "q" in {error["param"] for error in api.json()["errors"]}


def test_too_many_query_parameters_are_refused_in_dutch(site):
    limit = django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    query = "&".join(f"x{i}=1" for i in range(limit + 1))
    html = dutch_refusal(Client().generic("GET", f"{reverse('search')}?{query}"))
    assert "Er ging iets mis" not in html


@pytest.mark.parametrize(
    "body",
    [b"body=%ff%fe", b"body=\xff\xfe\xfd", b"\xff=\xff", b"body=" + b"\xc3" * 1000],
)
def test_invalid_utf8_in_a_posted_form(site, body):
    client = client_for(site, "member")
    for url in (
        site["question"].get_absolute_url(),
        reverse("community:ask"),
        reverse("submissions:new"),
        reverse("accounts:edit"),
    ):
        response = client.generic(
            "POST", url, body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code < 500, url


MALFORMED_MULTIPART = {
    "no boundary": ("multipart/form-data", b"--x\r\n\r\n"),
    "wrong boundary": (
        "multipart/form-data; boundary=aaaa",
        b'--bbbb\r\nContent-Disposition: form-data; name="title"\r\n\r\nX\r\n--bbbb--',
    ),
    "non-ascii boundary": ("multipart/form-data; boundary=\u00e9\u00e9", b"--x"),
    "truncated": (
        "multipart/form-data; boundary=aaaa",
        b'--aaaa\r\nContent-Disposition: form-data; name="new_image_0"; '
        b'filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG',
    ),
    "no headers": ("multipart/form-data; boundary=aaaa", b"--aaaa\r\n\r\n--aaaa--"),
    "invalid utf-8 name": (
        "multipart/form-data; boundary=aaaa",
        b'--aaaa\r\nContent-Disposition: form-data; name="\xff\xfe"\r\n\r\n'
        b"\xff\r\n--aaaa--\r\n",
    ),
    "nul in file name": (
        "multipart/form-data; boundary=aaaa",
        b'--aaaa\r\nContent-Disposition: form-data; name="title"\r\n\r\nT\r\n'
        b'--aaaa\r\nContent-Disposition: form-data; name="new_document_0"; '
        b'filename="a\x00b.txt"\r\nContent-Type: text/plain\r\n\r\nhallo\r\n'
        b'--aaaa\r\nContent-Disposition: form-data; name="save"\r\n\r\n1\r\n'
        b"--aaaa--\r\n",
    ),
}


@pytest.mark.parametrize("kind", MALFORMED_MULTIPART)
def test_malformed_multipart_to_the_upload_forms(site, kind):
    content_type, body = MALFORMED_MULTIPART[kind]
    client = client_for(site, "member")
    for url in (reverse("submissions:new"), reverse("accounts:edit")):
        response = client.generic("POST", url, body, content_type=content_type)
        assert response.status_code < 500, (url, kind)
        if response.status_code == 400 and kind == "no boundary":
            dutch_refusal(response)


def test_a_body_over_the_memory_limit_is_refused_in_dutch(site):
    client = client_for(site, "member")
    size = django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    for url in (site["question"].get_absolute_url(), reverse("submissions:new")):
        response = client.post(url, {"body": "x" * size, "title": "x" * size})
        html = dutch_refusal(response)
        assert "te groot" in html
    assert not Answer.objects.filter(body__startswith="xxxx").exists()
    assert not Question.objects.filter(title__startswith="xxxx").exists()


def test_too_many_fields_or_files_are_refused_in_dutch(site):
    client = client_for(site, "member")
    fields = {
        f"x{i}": "1" for i in range(django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)
    }
    dutch_refusal(client.post(reverse("accounts:edit"), fields))
    boundary = "grens"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="f{i}"; '
        f'filename="f{i}.txt"\r\nContent-Type: text/plain\r\n\r\nx\r\n'
        for i in range(django_settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
    ]
    body = ("".join(parts) + f"--{boundary}--\r\n").encode()
    response = client.generic(
        "POST",
        reverse("submissions:new"),
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    dutch_refusal(response)
