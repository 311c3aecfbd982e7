"""Hostile content never comes back as executable markup.

The vectors of tests/xss_vectors.py go through every place members write,
through the real views as logged-in members: questions and answers, the
profile, "Deel jouw initiatief" (and the practice page once an editor has
approved it), the contact form, the search box and uploaded file names.
Every page, email and API response that shows them again is parsed and
checked by `assert_no_executable_markup`.

Text fields that take Markdown or long text get every vector (one family per
question and answer, or packed to the field's maximum length); short
plain-text fields such as titles and names get `sample()`: a few of every
family and every attribute breakout, which is what tells whether a template
escapes a field. tests/test_browser_xss.py loads the stored vectors in
Chromium.
"""

import csv
import io
import json
import re
import secrets
import unicodedata
import xml.etree.ElementTree as ET
from html import escape
from html.parser import HTMLParser

import markdown
import pytest
from PIL import Image

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import Profile
from community.models import Answer, Question
from core.sanitize import render_markdown, sanitize_html
from notifications.models import Follow
from practices.models import Movement, PracticePage, Province, Theme
from submissions.models import Submission
from submissions.richtext import markdown_to_richtext

from . import xss_vectors
from .factories import EditorFactory, PracticeContactFactory, PracticePageFactory
from .factories_community import MemberFactory, ModeratorFactory, QuestionFactory
from .xss_vectors import NUL_VECTORS, STORABLE, pack, storable_families

pytestmark = pytest.mark.django_db

# The checker -----------------------------------------------------------------

# Attributes whose value a browser loads or navigates to.
URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "action",
        "formaction",
        "xlink:href",
        "data",
        "background",
        "poster",
        "lowsrc",
        "dynsrc",
        "codebase",
        "code",
        "archive",
        "classid",
        "cite",
        "longdesc",
        "icon",
        "manifest",
        "ping",
        "srcset",
        "imagesrcset",
        "to",
        "from",
        "values",
        "by",
    }
)
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "livescript:", "data:")
# data: images are harmless in <img src> (and allowed by the site's CSP).
SAFE_DATA_IMAGE = re.compile(r"data:image/(png|jpeg|jpg|gif|webp)[;,]")
# Elements that frame, embed, redirect or script on their own.
FORBIDDEN_ELEMENTS = frozenset(
    {
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "base",
        "portal",
        "fencedframe",
        "isindex",
        "foreignobject",
        "animate",
        "set",
        "animatemotion",
        "animatetransform",
        "handler",
        "listener",
    }
)
# Names that scripts on the page (the site's, htmx, the marker) look up on
# window or document: an element with such an id or name shadows them.
CLOBBERED_NAMES = frozenset(
    {
        "htmx",
        "xss",
        "__xss",
        "alert",
        "getelementbyid",
        "getelementsbytagname",
        "queryselector",
        "queryselectorall",
        "createelement",
        "addeventlistener",
        "cookie",
        "location",
        "domain",
        "body",
        "head",
        "documentelement",
        "defaultview",
        "forms",
        "write",
        "writeln",
    }
)
# Elements whose name attribute becomes a property of document.
NAMED_ELEMENTS = frozenset({"img", "form", "embed", "object", "iframe"})
DANGEROUS_CSS = ("expression(", "javascript:", "vbscript:", "behavior:", "-moz-binding")
# <script type> values browsers run as code ("module" and none run too).
JS_TYPES = r"javascript|ecmascript|jscript|livescript"
# Raw text in browsers; their content is also checked as markup (a
# sanitizer or a foreign-content parent may see it that way).
RAW_TEXT_ELEMENTS = (
    "script",
    "style",
    "noscript",
    "noembed",
    "noframes",
    "xmp",
    "iframe",
    "textarea",
    "title",
    "plaintext",
)


def _squeeze(value):
    """A URL or CSS value as a lenient browser would read it: lower case, no
    whitespace, control or invisible characters (browsers drop some of them,
    a stricter reading drops them all)."""
    return "".join(
        char
        for char in value
        if not (
            char.isspace()
            or ord(char) < 0x21
            or 0x7F <= ord(char) <= 0x9F
            or unicodedata.category(char) == "Cf"
        )
    ).lower()


def _dangerous_url(tag, name, value):
    candidates = [value]
    if name in ("srcset", "imagesrcset"):
        candidates = value.split(",")
    elif name == "values":
        candidates = value.split(";")
    for candidate in candidates:
        url = _squeeze(candidate)
        if not url.startswith(DANGEROUS_SCHEMES):
            continue
        if tag == "img" and name in ("src", "srcset") and SAFE_DATA_IMAGE.match(url):
            continue
        return True
    return False


def _css_unescape(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(
        r"\\([0-9a-fA-F]{1,6})\s?", lambda m: chr(int(m[1], 16) or 0xFFFD), text
    )
    return text.replace("\\", "")


def _dangerous_css(text):
    css = _squeeze(_css_unescape(text))
    return [pattern for pattern in DANGEROUS_CSS if pattern in css] + (
        ["url(data:"] if "url(data:" in css or "url('data:" in css else []
    )


class _Audit(HTMLParser):
    CDATA_CONTENT_ELEMENTS = RAW_TEXT_ELEMENTS

    def __init__(self, depth=0):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.depth = depth
        self.raw = None  # (tag, attrs, [parts]) while inside a raw text element

    def problem(self, message):
        self.problems.append(message)

    def nested(self, text):
        if self.depth < 5 and "<" in text:
            inner = _Audit(self.depth + 1)
            inner.feed(text)
            inner.close()
            self.problems += [
                f"{problem} (inside raw text)" for problem in inner.problems
            ]

    def handle_starttag(self, tag, attrs):
        self.element(tag, attrs)
        if tag in RAW_TEXT_ELEMENTS:
            self.raw = (tag, dict(attrs), [])

    def handle_startendtag(self, tag, attrs):
        self.element(tag, attrs)
        if tag == "script":
            self.script(dict(attrs), "")

    def handle_endtag(self, tag):
        if self.raw and tag == self.raw[0]:
            self.end_raw()

    def end_raw(self):
        tag, attrs, parts = self.raw
        self.raw = None
        text = "".join(parts)
        if tag == "script":
            self.script(attrs, text)
            return
        if tag == "style":
            for pattern in _dangerous_css(text):
                self.problem(f"<style> with {pattern!r}: {text[:80]!r}")
        self.nested(text)

    def script(self, attrs, text):
        kind = (attrs.get("type") or "").split(";")[0].strip().lower()
        if kind and kind != "module" and not re.search(JS_TYPES, kind):
            if kind in ("importmap", "speculationrules"):
                self.problem(f"<script type={kind!r}> {text[:80]!r}")
            return  # a data block (JSON and the like): never run
        src = (attrs.get("src") or "").strip()
        if not src.startswith("/static/") or text.strip():
            self.problem(f"<script src={src!r}> {text[:80]!r}")

    def handle_data(self, data):
        if self.raw:
            self.raw[2].append(data)

    def handle_comment(self, data):
        self.nested(data)

    def unknown_decl(self, data):
        self.nested(data)

    def handle_pi(self, data):
        self.nested(data)

    def close(self):
        super().close()
        if self.raw:  # never closed: the parser kept the rest back
            self.raw[2].append(self.rawdata)
            self.rawdata = ""
            self.end_raw()

    def element(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        found = []
        if tag in FORBIDDEN_ELEMENTS:
            found.append("forbidden element")
        if tag == "meta":
            equiv = values.get("http-equiv", "").lower()
            content = _squeeze(values.get("content", ""))
            if equiv in ("refresh", "set-cookie", "content-security-policy"):
                found.append("meta http-equiv")
            if values.get("name") == "htmx-config" and (
                '"alloweval":true' in content or '"allowscripttags":true' in content
            ):
                found.append("htmx config that allows scripts")
        if tag == "link" and "import" in values.get("rel", "").lower():
            found.append("HTML import")
        if tag == "use" and not values.get("href", "#").startswith("#"):
            found.append("external <use>")
        for name, value in values.items():
            found += _attribute_problems(tag, name, value)
        if found:
            shown = " ".join(f"{name}={value!r}" for name, value in values.items())
            for problem in found:
                self.problem(f"{problem} in <{tag} {shown}>"[:240])


# Values that can only be a site path or an http(s) or mailto address.
SAFE_URL_START = re.compile(r"(?:[/#?]|https?://|mailto:)[^\x00-\x20]*$")
SITE_ATTRIBUTE = re.compile(r"[a-z][a-z0-9-]*$")
FRAMEWORK_ATTRIBUTE = re.compile(
    r"(?:data-)?hx-on|x-on|x-init|x-html|@|v-on|v-html|ng-|:on"
)


def _attribute_problems(tag, name, value):
    if name.startswith("on"):
        return [f"event handler {name}"]
    if name == "srcdoc":
        return ["srcdoc"]
    if FRAMEWORK_ATTRIBUTE.match(name):
        return [f"script attribute {name}"]
    if name in URL_ATTRIBUTES:
        if SAFE_URL_START.match(value) or not _dangerous_url(tag, name, value):
            return []
        return [f"dangerous URL in {name}"]
    if name == "style":
        return [f"style with {pattern!r}" for pattern in _dangerous_css(value)]
    if name in ("id", "name"):
        if value.lower() in CLOBBERED_NAMES and (name == "id" or tag in NAMED_ELEMENTS):
            return [f"DOM clobbering {name}={value!r}"]
        return []
    if SITE_ATTRIBUTE.match(name) and not name.startswith(("hx-", "data-hx-")):
        return []
    if re.match(r"(data-)?hx-(vals|vars|headers)$", name) and _squeeze(
        value
    ).startswith(("js:", "javascript:")):
        return [f"htmx script value {name}"]
    if re.match(r"(data-)?hx-(post|put|patch|delete)$", name) or (
        re.match(r"(data-)?hx-trigger$", name)
        and re.search(r"load|revealed|intersect|every", value)
    ):
        return [f"htmx request without a click {name}"]
    return []


def executable_markup(html):
    """The problems `assert_no_executable_markup` would report, as a list."""
    if isinstance(html, bytes):
        html = html.decode("utf-8")
    audit = _Audit()
    audit.feed(str(html))
    audit.close()
    return audit.problems


def assert_no_executable_markup(html, allowed=()):
    """Fail when `html` (a page, a fragment or an email) contains markup that
    runs script or loads something it should not.

    Parsed with html.parser (every start tag is seen, wherever it is; the
    content of raw text elements, comments and CDATA is checked as markup
    too): no <script> other than the site's own (a src under /static/ and
    no inline code); no on* attribute or htmx handler; no href, src, action,
    formaction, xlink:href, data (or other loading attribute) whose value,
    HTML-unescaped and with whitespace, control and invisible characters
    removed, starts with javascript:, vbscript:, livescript: or data: (data:
    images in <img src> excepted); no frames, plugins, <base>, meta refresh,
    SVG animation or foreignObject; no style attribute or <style> with
    expression(), javascript:, behaviours or bindings. `allowed` lists
    problems a page has without any member content (the Wagtail admin's own
    inline scripts), which are not reported.
    """
    problems = [p for p in executable_markup(html) if p not in set(allowed)]
    assert not problems, "executable markup:\n" + "\n".join(problems[:20])


# What the checker must see: each executable vector, shown raw in a page ----


def _naive_markdown(text):
    """Markdown links and images the way a renderer that forgot to escape
    would write them."""

    def replace(match):
        bang, label, url, title = match.groups(default="")
        if bang:
            return f'<img src="{url}" alt="{label}" title="{title}">'
        return f'<a href="{url}" title="{title}">{label}</a>'

    return re.sub(r'(!?)\[([^\]]*)\]\(([^ )]*)(?: "(.*)")?\)', replace, text)


def _contexts(vector):
    """The vector where an unescaped page could put it."""
    return [
        vector,
        markdown.markdown(vector),
        _naive_markdown(vector),
        f'<input value="{vector}">',
        f"<input value='{vector}'>",
        f"<input value={vector}>",
        f'<a href="{vector.strip("<>")}">x</a>',
        f"<textarea>{vector}</textarea>",
    ]


def test_the_checker_sees_every_executable_vector_when_unescaped():
    unseen = [
        vector
        for vector in xss_vectors.executable_vectors()
        if not any(executable_markup(html) for html in _contexts(vector))
    ]
    assert not unseen, unseen


def test_the_checker_accepts_the_sites_own_pages(client):
    for url in ["/", "/zoeken/?q=zorg", "/praktijkvoorbeelden/", "/community/"]:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert_no_executable_markup(response.content)


# The sanitizers, one vector at a time ---------------------------------------


def test_every_vector_is_defused_by_the_sanitizers():
    failures = []
    for vector in xss_vectors.VECTORS:
        for function in (render_markdown, sanitize_html, markdown_to_richtext):
            problems = executable_markup(function(vector))
            if problems:
                failures.append((function.__name__, vector, problems))
    assert not failures, failures


# Helpers for the views ------------------------------------------------------


@pytest.fixture(autouse=True)
def _room_to_post(settings):
    """Flood control stays on, but with room for a few hundred posts."""
    settings.COMMUNITY_FLOOD = {
        **settings.COMMUNITY_FLOOD,
        "MIN_INTERVAL_SECONDS": 0,
        "NEW_ACCOUNT_MIN_INTERVAL_SECONDS": 0,
        "POSTS_PER_DAY": 10_000,
        "NEW_ACCOUNT_POSTS_PER_DAY": 10_000,
        "REPORTS_PER_DAY": 10_000,
        "CONTACT_MESSAGES_PER_DAY": 10_000,
        "TOGGLES_PER_MINUTE": 10_000,
        "EDITS_PER_POST_PER_DAY": 10_000,
        "PROFILE_SAVES_PER_HOUR": 10_000,
    }
    settings.SUBMISSIONS_SEND_IN_PER_DAY = 10_000
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "image_upload": "10000/h/user",
    }


def sample(limit):
    """What a short plain-text field (a title, a name) gets: the first few
    vectors of every family, and every attribute breakout and template
    look-alike, that fit in `limit` characters. Long fields get them all."""
    picked = []
    for name, vectors in storable_families().items():
        fitting = [vector for vector in vectors if len(vector) <= limit]
        picked += fitting if name in ("breakout", "template") else fitting[:3]
    return picked


class Stream:
    """Hands out vectors in order, packed to a field's length, round after
    round, and remembers which ones it handed out."""

    def __init__(self, vectors=STORABLE):
        self.vectors, self.position, self.used = list(vectors), 0, set()

    def take(self, limit, separator=" ", minimum=0):
        chunk, tried = "", 0
        while tried < len(self.vectors):
            vector = self.vectors[self.position % len(self.vectors)]
            candidate = f"{chunk}{separator}{vector}" if chunk else vector
            if len(candidate) > limit:
                if chunk:
                    break
            else:
                chunk = candidate
                self.used.add(vector)
            self.position += 1
            tried += 1
        if len(chunk) < minimum:
            chunk = f"{chunk} (nummer {self.position})"
        return chunk

    def remaining(self, limit):
        return [v for v in self.vectors if len(v) <= limit and v not in self.used]


def page(client, url, status=200, **params):
    """GET a page, check it and return its HTML."""
    response = client.get(url, params)
    assert response.status_code == status, (url, response.status_code)
    html = response.content.decode()
    assert_no_executable_markup(html)
    return html


def check_emails(messages):
    """Plain-text parts stay text/plain; every HTML part passes the checker."""
    assert messages
    for message in messages:
        assert "\n" not in message.subject and "\r" not in message.subject
        assert message.content_subtype == "plain"
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                assert_no_executable_markup(content)


def family_bodies(limit=10_000):
    """One Markdown text per family, each vector its own paragraph."""
    bodies = []
    for name, vectors in storable_families().items():
        body = f"Familie {name}:\n\n" + "\n\n".join(vectors)
        assert len(body) <= limit, name
        bodies.append(body)
    return bodies


class _Texts(HTMLParser):
    """The text of every element with a given tag (outermost ones)."""

    def __init__(self, tag):
        super().__init__(convert_charrefs=True)
        self.tag, self.depth, self.texts = tag, 0, []

    def handle_starttag(self, tag, attrs):
        if tag == self.tag:
            if not self.depth:
                self.texts.append("")
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == self.tag and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.texts[-1] += data


def texts_of(html, tag):
    """Texts of the `tag` elements, whitespace collapsed."""
    parser = _Texts(tag)
    parser.feed(html)
    parser.close()
    return [" ".join(text.split()) for text in parser.texts]


def shown_as_typed(typed, html, tag):
    """Is `typed` the whole text of one of the `tag` elements?"""
    return " ".join(typed.split()) in texts_of(html, tag)


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.values.setdefault(attrs["name"], attrs.get("value") or "")


def input_value(html, name):
    """The value of the first <input> called `name`, as the browser reads it."""
    parser = _Inputs()
    parser.feed(html)
    return parser.values.get(name)


def set_profile(client, **fields):
    data = {
        "display_name": "Lid",
        "organisation": "",
        "role": "",
        "province": "",
        "bio": "",
        "show_organisation": "on",
        "show_role": "on",
        "show_province": "on",
        "show_bio": "on",
        "show_avatar": "on",
        "email_frequency": "immediate",
        **fields,
    }
    response = client.post(reverse("accounts:edit"), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def png_bytes(color="teal"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, format="PNG")
    return buffer.getvalue()


# Questions and answers ------------------------------------------------------


def test_questions_and_answers(client, django_capture_on_commit_callbacks):
    theme = Theme.objects.order_by("pk").first()
    practice = PracticePageFactory(themes=[theme.slug])
    PracticeContactFactory(page=practice, email="contactpersoon@example.org")
    follower = MemberFactory()
    Follow.objects.create(user=follower, theme=theme)
    asker, answerer, reader = MemberFactory(), MemberFactory(), MemberFactory()
    bodies = family_bodies()
    titles = Stream(sample(160))

    # Every family in a question's body, the short vectors in the titles.
    client.force_login(asker)
    questions = []
    with django_capture_on_commit_callbacks(execute=True):
        while len(questions) < len(bodies) or titles.remaining(160):
            number = len(questions)
            body = bodies[number] if number < len(bodies) else f"Toelichting {number}."
            response = client.post(
                reverse("community:ask"),
                {
                    "title": titles.take(160, minimum=10),
                    "body": body + "\n\nMeer uitleg volgt.",
                    "themes": [theme.pk],
                    "practices": [practice.pk] if number < 3 else [],
                },
            )
            assert response.status_code == 302, response.content.decode()[:3000]
            pk = response["Location"].split("/")[3]
            questions.append(Question.objects.get(pk=pk))

    # Every family in an answer, each by a member with a hostile name.
    first = questions[0]
    names = Stream(sample(80))
    client.force_login(answerer)
    with django_capture_on_commit_callbacks(execute=True):
        for body in bodies:
            set_profile(client, display_name=names.take(80))
            response = client.post(first.get_absolute_url(), {"body": body})
            assert response.status_code == 302, response.content.decode()[:3000]
    assert Answer.objects.filter(question=first).count() == len(bodies)

    # The question pages show each title as typed, and nothing that runs.
    for question in questions:
        html = page(client, question.get_absolute_url())
        assert shown_as_typed(question.title, html, "h1")
    shown = []
    for number in range(1, len(questions) // 20 + 2):
        shown += texts_of(page(client, reverse("community:index"), pagina=number), "h3")
    assert {" ".join(q.title.split()) for q in questions} <= set(shown)
    page(client, reverse("community:index"), q="script img onerror")
    for member in (asker, answerer):
        page(client, member.profile.get_absolute_url())
    page(client, practice.url)
    answer = Answer.objects.filter(question=first).first()
    client.force_login(reader)
    page(client, reverse("community:report_question", args=[first.pk]))
    page(client, reverse("community:report_answer", args=[answer.pk]))
    client.force_login(answerer)
    page(client, reverse("community:edit_answer", args=[answer.pk]))
    for member in (asker, follower):
        client.force_login(member)
        page(client, reverse("notifications:list"))
    client.force_login(asker)
    page(client, reverse("community:edit_question", args=[first.pk]))
    # A form shown again with what was typed (no theme chosen).
    for body in bodies[:4]:
        response = client.post(
            reverse("community:ask"), {"title": questions[1].title, "body": body}
        )
        assert response.status_code == 400
        assert_no_executable_markup(response.content)

    # Theme followers, the practice's contact and the asker got emails.
    recipients = {address for message in mail.outbox for address in message.to}
    assert {follower.email, asker.email, "contactpersoon@example.org"} <= recipients
    check_emails(mail.outbox)


# The profile ------------------------------------------------------------------


def test_profile(client):
    member = MemberFactory()
    question = QuestionFactory(author=member)
    client.force_login(member)
    short = Stream(sample(80))
    profile_url = member.profile.get_absolute_url()
    for number, bio in enumerate(pack(STORABLE, 600, separator="\n")):
        set_profile(
            client,
            display_name=short.take(80),
            organisation=short.take(120),
            role=short.take(120),
            bio=bio,
        )
        html = page(client, profile_url)
        assert shown_as_typed(Profile.objects.get(user=member).display_name, html, "h1")
        if number % 4 == 0:
            # The form shows the values again, the question page the name.
            page(client, reverse("accounts:edit"))
            page(client, question.get_absolute_url())
    assert not short.remaining(80)
    client.logout()
    page(client, profile_url)

    # A photo with a hostile file name is stored under a random name; a
    # refused one is named in the message.
    client.force_login(member)
    name = escape("<img src=x onerror=xss()>.png")
    response = client.post(
        reverse("accounts:edit"),
        {
            "display_name": "Lid met foto",
            "email_frequency": "immediate",
            "show_avatar": "on",
            "avatar": SimpleUploadedFile(name, png_bytes(), content_type="image/png"),
        },
    )
    assert response.status_code == 302
    avatar = Profile.objects.get(user=member).avatar.name
    assert re.fullmatch(r"avatars/[0-9a-f]{32}\.jpg", avatar), avatar
    page(client, profile_url)
    response = client.post(
        reverse("accounts:edit"),
        {
            "display_name": "Lid",
            "email_frequency": "immediate",
            "avatar": SimpleUploadedFile(name, b"<svg onload=xss()>"),
        },
    )
    assert response.status_code == 200
    assert_no_executable_markup(response.content)


# "Deel jouw initiatief", the published practice and every search surface ------


def management(prefix, total):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "10",
    }


def url_vectors(limit=150):
    """Vectors that fit in a web address after https://example.org/."""
    return [v for v in STORABLE if not re.search(r"\s", v) and len(v) <= limit]


class HostileSubmission:
    """Streams for a "Deel jouw initiatief" post: short fields, long fields,
    the story sections and the web addresses of the links."""

    def __init__(self, vectors=STORABLE):
        self.short = Stream(sample(120) if vectors is STORABLE else vectors)
        self.long = Stream(vectors)
        self.urls = Stream(url_vectors() if vectors is STORABLE else ["x"])
        self.stories = pack(vectors, 10_000, separator="\n\n")

    def remaining(self):
        return (
            self.short.remaining(120)
            or self.long.remaining(2000)
            or self.urls.remaining(150)
        )

    def post(self, theme):
        """A complete, valid post full of vectors."""
        short, long = self.short, self.long
        data = {
            "title": short.take(120),
            "summary": long.take(300),
            "phase": "pilot",
            "start_year": "2022",
            "provinces": [str(Province.objects.get(slug="zeeland").pk)],
            "themes": [str(theme.pk)],
            "movements": [str(Movement.objects.get(slug="verplaatsen").pk)],
            "send": "1",
            # The form's one-time token: a new form is sent in once.
            "form_token": secrets.token_urlsafe(24),
            **management("org", 3),
            **management("contact", 5),
            **management("link", 10),
        }
        # Every vector in the story, and more of them in the other sections.
        for number, name in enumerate(("problem", "goal")):
            data[name] = self.stories[number % len(self.stories)]
        for name in ("approach", "results", "lessons", "next_steps", "funding"):
            data[name] = long.take(2000, separator="\n\n")
        for number in range(3):
            # Numbered: the same organisation twice is refused.
            data[f"org-{number}-name"] = f"{short.take(195)} ({number})"
            data[f"org-{number}-role"] = "partner" if number else "initiatiefnemer"
            data[f"org-{number}-organisation_type"] = "welzijn"
        for number in range(5):
            data[f"contact-{number}-name"] = short.take(120)
            data[f"contact-{number}-role"] = short.take(120)
            data[f"contact-{number}-organisation"] = short.take(200)
            data[f"contact-{number}-email"] = f"contact{number}@example.org"
            data[f"contact-{number}-consent"] = "on"
        for number in range(10):
            data[f"link-{number}-title"] = short.take(200)
            data[f"link-{number}-url"] = "https://example.org/" + self.urls.take(
                150, separator=""
            )
        return data


def approve(page):
    editor = EditorFactory()
    task_state = page.current_workflow_task_state
    task_state.task.specific.on_action(task_state, editor, "approve")
    page.refresh_from_db()
    assert page.live


def check_json_api(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    data = json.loads(response.content)
    for record in data.get("results", []):
        assert_no_executable_markup(record["highlight"])  # HTML with <mark>
        assert record["url"].startswith("http://testserver/")
    for suggestion in data.get("suggestions", []):
        assert suggestion["url"].startswith("/")  # search.js goes there
    return data


def check_feed(response, html_summaries=True):
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    root = ET.fromstring(response.content)
    for element in root.iter():
        if element.tag.endswith("}link"):
            assert element.get("href", "").startswith(("http://", "https://"))
        if html_summaries and element.get("type") == "html":
            # Feed readers show this as HTML.
            assert_no_executable_markup(element.text or "")
    return root


def search_surfaces(client, text, full=True):
    """The search box's text on the page, the suggestions and the API; with
    `full` also the community listing, the CSV export and the Atom feed."""
    html = page(client, reverse("search"), q=text)
    check_json_api(client.get(reverse("search_suggestions"), {"q": text}))
    check_json_api(client.get(reverse("api_practices"), {"q": text, "page_size": 10}))
    if full:
        page(client, reverse("community:index"), q=text)
        response = client.get(reverse("api_practices_csv"), {"q": text})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        list(csv.reader(io.StringIO(response.content.decode())))
        check_feed(
            client.get(reverse("feed_practices"), {"q": text}), html_summaries=False
        )
    return html


def publish_hostile_practices(client, member, theme):
    streams = HostileSubmission()
    pages = []
    while streams.remaining() and len(pages) < 5:
        response = client.post(reverse("submissions:new"), streams.post(theme))
        assert response.status_code == 302, response.content.decode()[:3000]
        practice = PracticePage.objects.filter(owner=member).latest("pk")
        page(client, reverse("submissions:mine"))
        approve(practice)
        pages.append(practice)
    assert not streams.remaining()
    return pages


def as_searched(text):
    """The search text as the site reads it: control characters dropped
    (tab and newline stay), whitespace collapsed, at most 200 characters."""
    text = "".join(
        char
        for char in text
        if unicodedata.category(char) not in ("Cc", "Cs") or char in "\t\n"
    )
    return " ".join(text.split())[:200]


def test_submission_published_practice_and_search(
    client, django_capture_on_commit_callbacks
):
    theme = Theme.objects.order_by("pk").first()
    follower = MemberFactory()
    Follow.objects.create(user=follower, theme=theme)
    member = MemberFactory()
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        pages = publish_hostile_practices(client, member, theme)
        # Questions in the index too, for the search page's community block.
        for body in family_bodies()[:4]:
            response = client.post(
                reverse("community:ask"),
                {
                    "title": "Wie weet raad met script?",
                    "body": body,
                    "themes": [theme.pk],
                },
            )
            assert response.status_code == 302

    # The practice pages as visitors see them, and the emails about them.
    client.logout()
    for practice in pages:
        html = page(client, practice.url)
        assert shown_as_typed(practice.title, html, "h1")
    check_emails([m for m in mail.outbox if follower.email in m.to])

    # A draft keeps web addresses with other schemes; sending in refuses them.
    client.force_login(member)
    data = HostileSubmission().post(theme)
    addresses = [
        "javascript:xss()",
        "JaVaScRiPt:xss()",
        " javascript:xss()",
        "java\tscript:xss()",
        "javascript://example.org/%0Axss()",
        "vbscript:msgbox(1)",
        "data:text/html;base64," + xss_vectors.SCRIPT_B64,
        '//evil.example/"><script>xss()</script>',
        'https://example.org/"><script>xss()</script>',
        "&#106;avascript:xss()",
    ]
    for number, address in enumerate(addresses):
        data[f"link-{number}-url"] = address
    data.pop("send")
    response = client.post(reverse("submissions:new"), {**data, "save": "1"})
    assert response.status_code == 302
    draft = Submission.objects.filter(owner=member).latest("pk")
    page(client, draft.get_absolute_url())
    response = client.post(draft.get_absolute_url(), {**data, "send": "1"})
    assert response.status_code == 400
    assert_no_executable_markup(response.content)

    # The search surfaces with highlights of hostile text.
    client.logout()
    for words in ("script xss onerror", "img src", "javascript", "svg onload"):
        assert "<mark>" in search_surfaces(client, words)


def check_search_box(client, vectors):
    """The vectors typed into the search box, on the page (shown again as
    typed), the suggestions and the API; every fourth query also on the
    community listing, the CSV export and the feed."""
    for number, text in enumerate(pack(vectors, 200)):
        html = search_surfaces(client, text, full=number % 4 == 0)
        assert input_value(html, "q") == as_searched(text)


def test_search_box(client):
    """A few vectors of every family, every attribute breakout and template
    look-alike (what tells whether a template escapes the box)."""
    check_search_box(client, sample(200))


@pytest.mark.slow
def test_search_box_every_vector(client):
    """All the vectors: some 260 requests, left out of `make test-fast`."""
    check_search_box(client, STORABLE)


def test_atom_feed_summaries_are_escaped_html(client):
    practice = PracticePageFactory(
        title="Feed met vreemde samenvatting",
        summary="Samenvatting <img src=x onerror=xss()> <script>xss()</script>",
    )
    practice.save_revision().publish()
    from search.service import update_index

    update_index("practice", [practice.pk])
    check_feed(client.get(reverse("feed_practices"), {"q": "vreemde samenvatting"}))


# File names -------------------------------------------------------------------


NEW_SUBMISSION = "/deel-jouw-initiatief/"


def file_names(limit=120):
    """Vectors a file name can hold (no path separators), packed so that
    they stay under 255 characters when escaped for the upload."""
    names = pack([v for v in sample(limit) if "/" not in v and "\\" not in v], limit)
    assert all(len(escape(name)) <= 250 for name in names)
    return names


def upload(name, content, content_type="text/plain"):
    # The multipart parser unescapes HTML entities in file names: escaping
    # lets quotes and brackets through the Content-Disposition header.
    return SimpleUploadedFile(escape(name), content, content_type=content_type)


def as_received(name):
    return "".join(char for char in name if char.isprintable())


def test_hostile_file_names(client, django_capture_on_commit_callbacks):
    member = MemberFactory()
    client.force_login(member)
    names = file_names()
    submission = None
    for start in range(0, len(names), 6):
        batch = names[start : start + 6]
        data = {"title": "Bestanden met vreemde namen", "save": "1"}
        if submission:
            for attached in submission.files.all():
                data[f"file-{attached.pk}-remove"] = "1"
        expected = []
        for number, name in enumerate(batch[:3]):
            data[f"new_document_{number}"] = upload(f"{name}.txt", b"Tekst.\n")
            data[f"new_document_{number}_text"] = name
            expected.append(as_received(f"{name}.txt"))
        for number, name in enumerate(batch[3:]):
            data[f"new_image_{number}"] = upload(
                f"{name}.png", png_bytes(), "image/png"
            )
            data[f"new_image_{number}_text"] = name
            data[f"new_image_{number}_caption"] = name
            expected.append(as_received(f"{name}.png"))
        url = (
            submission.get_absolute_url() if submission else reverse("submissions:new")
        )
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:3000]
        submission = Submission.objects.get(owner=member)
        stored = list(submission.files.all())
        assert sorted(f.original_name for f in stored) == sorted(expected)
        page(client, submission.get_absolute_url())
        for attached in stored:
            response = client.get(
                reverse("submissions:file", args=[submission.pk, attached.pk])
            )
            assert response.status_code == 200
            assert not re.search(r"[\r\n]", response["Content-Disposition"])
            assert "sandbox" in response["Content-Security-Policy"]
            # Read to the end: the test client then closes it without
            # closing the database connection.
            assert b"".join(response.streaming_content)

    # Refused uploads name the file in their message.
    data = {"title": "Bestanden met vreemde namen", "save": "1"}
    for number, name in enumerate(names[:3]):
        data[f"new_image_{number}"] = upload(f"{name}.png", b"<svg onload=xss()>")
    data["new_document_0"] = upload(f"{names[0]}.html", b"<script>xss()</script>")
    response = client.post(submission.get_absolute_url(), data)
    assert response.status_code == 400
    assert_no_executable_markup(response.content)

    # Sent in and published: the document is listed under its file name, the
    # image described and captioned with hostile text.
    theme = Theme.objects.order_by("pk").first()
    data = HostileSubmission(["<b>x</b>"]).post(theme)
    data["new_document_0"] = upload(f"{names[0]}.txt", b"<script>xss()</script>\n")
    data["new_image_0"] = upload(f"{names[1]}.png", png_bytes(), "image/png")
    data["new_image_0_text"] = names[2]
    data["new_image_0_caption"] = names[-1]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("submissions:new"), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        practice = PracticePage.objects.filter(owner=member).latest("pk")
        approve(practice)
    client.logout()
    html = page(client, practice.url)
    document = practice.documents.get().document
    assert document.title == as_received(names[0])
    assert " ".join(document.title.split()) in texts_of(html, "a")
    response = client.get(document.url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"<script>" in b"".join(response.streaming_content)  # as text


# The contact form ---------------------------------------------------------------


def test_contact_form_emails(client, django_capture_on_commit_callbacks):
    contact = PracticeContactFactory(email="contactpersoon@example.org")
    sender = MemberFactory()
    client.force_login(sender)
    url = reverse("community:contact", args=[contact.pk])
    subjects, names = Stream(sample(150)), Stream(sample(80))
    # Room for the number that keeps each message distinct.
    messages = pack(STORABLE, 4990, separator="\n\n")
    sent = []
    with django_capture_on_commit_callbacks(execute=True):
        while subjects.remaining(150) or len(sent) < len(messages):
            if len(sent) % 4 == 0:  # the sender's name is in the email too
                set_profile(client, display_name=names.take(80))
            subject = subjects.take(150)
            # Numbered: the same message to the same person twice is refused.
            message = f"{messages[len(sent) % len(messages)]}\n\n({len(sent)})"
            response = client.post(
                url, {"subject": subject, "message": message, "consent": "on"}
            )
            assert response.status_code == 302, response.content.decode()[:3000]
            sent.append(subject)
    emails = [m for m in mail.outbox if m.to == [contact.email]]
    assert len(emails) == len(sent)
    check_emails(emails)
    for email, subject in zip(emails, sent, strict=True):
        assert " ".join(subject.split()) in email.subject  # as typed
    # The form shown again with what was typed; the page after sending.
    response = client.post(url, {"subject": sent[0], "message": messages[0]})
    assert response.status_code == 400
    assert_no_executable_markup(response.content)
    page(client, contact.page.url)


def test_visitor_contact_pages_and_emails(
    client, settings, django_capture_on_commit_callbacks
):
    """A visitor's name and message through every page of the flow and into
    the confirmation and relayed emails, and the reports of abuse."""
    settings.COMMUNITY_FLOOD = {
        **settings.COMMUNITY_FLOOD,
        "CONTACT_VISITOR_PER_IP_PER_HOUR": 1000,
        "CONTACT_VISITOR_PER_CONTACT_PER_DAY": 1000,
    }
    ModeratorFactory(email="moderator@example.org")
    contact = PracticeContactFactory(email="contactpersoon@example.org")
    url = reverse("community:contact", args=[contact.pk])
    names = Stream(sample(100))
    messages = pack(STORABLE, 5000, separator="\n\n")
    link = re.compile(
        r"https?://[^/\s]+(/community/contact/(?:bevestigen|melden)/\S+/)"
    )
    for number, text in enumerate(messages):
        visitor = Client()
        address = f"bezoeker{number}@example.org"
        with django_capture_on_commit_callbacks(execute=True):
            response = visitor.post(
                url, {"name": names.take(100), "email": address, "message": text}
            )
        assert response.status_code == 302, response.content.decode()[:3000]
        page(visitor, reverse("community:contact_check"))
        confirm = link.search(mail.outbox[-1].body)[1]
        page(visitor, confirm)
        with django_capture_on_commit_callbacks(execute=True):
            response = visitor.post(confirm)
        assert response.status_code == 200
        assert_no_executable_markup(response.content.decode())
        report = link.search(mail.outbox[-1].body)[1]
        page(Client(), report)
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(report, {"note": names.take(2000)})
        assert_no_executable_markup(response.content.decode())
    check_emails(mail.outbox)
    assert len([m for m in mail.outbox if m.to == [contact.email]]) == len(messages)
    # The form shown again with what was typed.
    response = Client().post(
        url, {"name": names.take(100), "email": "geen-adres", "message": messages[0]}
    )
    assert response.status_code == 400
    assert_no_executable_markup(response.content.decode())


# The editors' moderation pages ------------------------------------------------


def test_moderation_pages_in_the_admin(client):
    harmless = QuestionFactory(body="Een gewone vraag over de wijk.")
    bodies = family_bodies()
    names = Stream(sample(80))
    reporter = MemberFactory()
    client.force_login(reporter)
    hostile = []
    for body in bodies:
        question = QuestionFactory(body=body)
        profile = question.author.profile
        profile.display_name = names.take(80)
        profile.save()
        response = client.post(
            reverse("community:report_question", args=[question.pk]),
            {"reason": "other", "explanation": body[:1000]},
        )
        assert response.status_code == 302
        hostile.append(question)
    client.force_login(ModeratorFactory())

    def wagtails_own(url):
        # The admin's own inline scripts: what the page has without members.
        response = client.get(url)
        assert response.status_code == 200, url
        return executable_markup(response.content)

    url = reverse("community_moderation:post", args=["vraag", harmless.pk])
    own = wagtails_own(url)
    for question in hostile:
        url = reverse("community_moderation:post", args=["vraag", question.pk])
        assert_no_executable_markup(client.get(url).content, allowed=own)
    url = reverse("community_moderation:reports")
    response = client.get(url)
    assert response.status_code == 200
    own = [p for p in executable_markup(response.content) if "<script" in p]
    assert_no_executable_markup(response.content, allowed=own)


# NUL bytes ------------------------------------------------------------------------


def test_nul_bytes_are_refused_without_an_error(client):
    """PostgreSQL cannot store NUL: every surface refuses or drops it, none
    answers 500 (the test client raises on a server error)."""
    theme = Theme.objects.order_by("pk").first()
    contact = PracticeContactFactory()
    question = QuestionFactory()
    member = MemberFactory()
    client.force_login(member)
    text = " ".join(NUL_VECTORS)
    questions = Question.objects.count()
    response = client.post(
        reverse("community:ask"),
        {"title": text[:160], "body": text, "themes": [theme.pk]},
    )
    assert response.status_code == 400
    assert_no_executable_markup(response.content)
    response = client.post(question.get_absolute_url(), {"body": text})
    assert response.status_code == 400
    assert_no_executable_markup(response.content)
    assert Question.objects.count() == questions
    response = client.post(
        reverse("accounts:edit"),
        {"display_name": text[:80], "bio": text, "email_frequency": "immediate"},
    )
    assert response.status_code == 200
    assert_no_executable_markup(response.content)
    assert "\x00" not in Profile.objects.get(user=member).display_name
    response = client.post(
        reverse("community:contact", args=[contact.pk]),
        {"subject": text[:150], "message": text, "consent": "on"},
    )
    assert response.status_code == 400
    assert_no_executable_markup(response.content)
    data = HostileSubmission(NUL_VECTORS).post(theme)
    data["new_document_0"] = upload(f"a\x00{NUL_VECTORS[0]}.txt", b"tekst")
    response = client.post(reverse("submissions:new"), data)
    assert response.status_code == 400
    assert_no_executable_markup(response.content)
    draft = Submission.objects.get(owner=member)
    assert "\x00" not in json.dumps(draft.data)
    assert all("\x00" not in f.original_name for f in draft.files.all())
    page(client, draft.get_absolute_url())
    for vector in NUL_VECTORS:
        search_surfaces(client, vector)
