"""Stored hostile content in a real Chromium: no script of it ever runs.

The vectors of tests/xss_vectors.py are stored in the browser tests' demo
site (a question, its answers, the author's profile and a notification),
then the pages that show them are loaded with a marker: every vector that
runs calls `xss()` (counted), sets `window.__xss` or opens a dialog. The
pages are loaded with the Content-Security-Policy bypassed, so what is
tested is the escaping and sanitizing, not the policy; a second pass with
the policy on asserts it never had to block anything. After loading, the
live DOM (as Chromium parsed it, mutations included) is audited too.
"""

import json
import re
import subprocess
from urllib.parse import urlencode

import pytest

from .demo_site_data import create_member, demo_var, log_in, manage_shell
from .test_security_xss import (
    Stream,
    assert_no_executable_markup,
    family_bodies,
    sample,
)
from .xss_vectors import STORABLE, pack

pytestmark = pytest.mark.browser

__all__ = ["demo_var"]  # the fixture, for pytest

MARKER = """
window.__xss_hits = 0;
window.xss = function () { window.__xss_hits += 1; };
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (event) {
    window.__csp.push(event.violatedDirective + " " + event.blockedURI + " " +
        (event.sample || ""));
});
"""

# Everything in the live DOM that could run script or load a document.
AUDIT = r"""
() => {
    const problems = [];
    const urlNames = new Set(["href", "src", "action", "formaction", "data",
        "xlink:href", "srcdoc", "poster", "background", "code", "codebase"]);
    const dangerous = /^(javascript|vbscript|livescript|data):/;
    const image = /^data:image\/(png|jpeg|gif|webp)/;
    const css = /expression\(|javascript:|behavior:|-moz-binding/;
    const framing = new Set(["IFRAME", "FRAME", "FRAMESET", "OBJECT", "EMBED",
        "APPLET", "BASE", "PORTAL"]);
    for (const element of document.querySelectorAll("*")) {
        const tag = element.tagName.toUpperCase();
        if (framing.has(tag)) problems.push("element " + tag);
        if (tag === "SCRIPT") {
            const type = (element.getAttribute("type") || "").toLowerCase();
            const runs = !type || type === "module" || /javascript/.test(type);
            const own = element.src &&
                new URL(element.src).pathname.startsWith("/static/") &&
                !element.textContent.trim();
            if (runs && !own) {
                problems.push("script " + element.outerHTML.slice(0, 120));
            }
        }
        for (const attribute of element.attributes) {
            const name = attribute.name.toLowerCase();
            const value = attribute.value.replace(/[\u0000-\u0020\u007f]/g, "")
                .toLowerCase();
            if (name.startsWith("on") || /^(data-)?hx-on/.test(name) ||
                    name === "srcdoc") {
                problems.push(tag + " " + name + "=" + attribute.value.slice(0, 60));
            } else if (urlNames.has(name) && dangerous.test(value) &&
                    !(tag === "IMG" && image.test(value))) {
                problems.push(tag + " " + name + "=" + attribute.value.slice(0, 60));
            } else if (name === "style" && css.test(value)) {
                problems.push(tag + " style=" + attribute.value.slice(0, 60));
            }
        }
    }
    return problems;
}
"""

STORE = """
import json
from django.contrib.auth import get_user_model
from community.models import Answer, Question
from notifications.models import Notification
from practices.models import Movement, PracticeIndexPage, PracticePage, Province, Theme
from search.service import update_index
from submissions.richtext import markdown_to_richtext
data = json.loads({data!r})
User = get_user_model()
author = User.objects.get(username=data["author"])
profile = author.profile
for name, value in data["profile"].items():
    setattr(profile, name, value)
profile.save()
question = Question.objects.create(
    author=author, title=data["title"], body=data["bodies"][0]
)
question.themes.set([Theme.objects.order_by("pk").first()])
for body in data["bodies"][1:]:
    Answer.objects.create(question=question, author=author, body=body)
question.refresh_counts()
update_index("question", [question.pk])
index = PracticeIndexPage.objects.get()
practice = PracticePage(
    title=data["practice"]["title"],
    slug="xss-praktijk",
    summary=data["practice"]["summary"],
    problem=markdown_to_richtext(data["bodies"][0]),
    approach=markdown_to_richtext(data["bodies"][1]),
    phase=PracticePage.Phase.RUNNING,
)
index.add_child(instance=practice)
practice.provinces.set([Province.objects.order_by("pk").first()])
practice.themes.set([Theme.objects.order_by("pk").first()])
practice.movements.set([Movement.objects.order_by("pk").first()])
practice.save()
practice.save_revision().publish()
update_index("practice", [practice.pk])
Notification.objects.create(
    user=User.objects.get(username=data["reader"]),
    event=Notification.Event.NEW_ANSWER,
    message=data["title"],
    url=question.get_absolute_url(),
)
print(json.dumps({{
    "question": question.get_absolute_url(),
    "profile": profile.get_absolute_url(),
    "practice": practice.url,
}}))
"""


CLEAN_UP = """
import json
from django.contrib.auth import get_user_model
from community.models import Question
from practices.models import PracticePage
from search.service import update_index
users = get_user_model().objects.filter(username__in=["xss-auteur", "xss-lezer"])
questions = list(Question.objects.filter(author__in=users).values_list("pk", flat=True))
practices = list(PracticePage.objects.filter(slug="xss-praktijk"))
practice_ids = [practice.pk for practice in practices]
Question.objects.filter(pk__in=questions).delete()  # and their answers
for practice in practices:
    practice.delete()
users.delete()  # and their notifications
update_index("question", questions)
update_index("practice", practice_ids)
print(json.dumps({"questions": questions, "practices": practice_ids}))
"""


@pytest.fixture(scope="module")
def stored(demo_site, demo_var):
    """A question, answers, a profile and a notification full of vectors."""
    author = create_member(demo_var, "xss-auteur", "Auteur")
    reader = create_member(demo_var, "xss-lezer", "Lezer")
    short = Stream(sample(80))
    data = {
        "author": author["username"],
        "reader": reader["username"],
        "title": Stream(sample(160)).take(160),
        "bodies": family_bodies(),
        "practice": {
            "title": "Praktijk xss " + Stream(sample(200)).take(200),
            "summary": pack(STORABLE, 300)[1],
        },
        "profile": {
            "display_name": short.take(80),
            "organisation": short.take(120),
            "role": short.take(120),
            "bio": pack(STORABLE, 600, separator="\n")[0],
            # Shown only when ticked: the vectors must be on the page.
            "show_organisation": True,
            "show_role": True,
            "show_bio": True,
        },
    }
    try:
        urls = manage_shell(demo_var, STORE.format(data=json.dumps(data)))
    except subprocess.CalledProcessError as error:
        pytest.fail(f"storing the vectors failed:\n{error.stderr[-3000:]}")
    yield {**urls, "reader": reader, "title": data["title"]}
    # The other browser tests share the demo site: leave it as it was.
    manage_shell(demo_var, CLEAN_UP)


# Pointer and focus events on everything members wrote, for handlers that
# wait for them.
NUDGE = """
() => {
    const written = ".post__body *, .member-profile *, .hit *, .notification *";
    for (const element of document.querySelectorAll(written)) {
        for (const type of ["mouseover", "mouseenter", "pointerenter", "focusin"]) {
            element.dispatchEvent(new MouseEvent(type, {bubbles: true}));
        }
    }
}
"""


def new_page(context):
    page = context.new_page()
    page.dialogs = []
    page.on(
        "dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss())
    )
    return page


def visit(page, url, check=True):
    """Load a page, let its vectors fire, and report what ran or survived."""
    page.goto(url)
    page.wait_for_load_state("load")
    page.evaluate(NUDGE)
    page.wait_for_timeout(300)  # autofocus, animations, image errors
    if check:
        assert_no_executable_markup(page.content())
    return {
        "hits": page.evaluate("window.__xss_hits"),
        "flag": page.evaluate("window.__xss === undefined ? null : window.__xss"),
        "dialogs": page.dialogs,
        "dom": page.evaluate(AUDIT),
        "csp": page.evaluate("window.__csp"),
    }


def urls_to_visit(stored, demo_site):
    queries = [
        "script xss onerror",
        "praktijk xss",
        *pack(sample(200), 200)[:6],
    ]
    return [
        demo_site + stored["question"],
        demo_site + stored["profile"],
        demo_site + stored["practice"],
        demo_site + "/community/",
        demo_site + "/community/?" + urlencode({"q": "script img onerror"}),
        *(demo_site + "/zoeken/?" + urlencode({"q": query}) for query in queries),
    ]


def test_the_marker_sees_vectors_that_run(browser):
    """The same page with the vectors not escaped: every kind is counted."""
    context = browser.new_context(locale="nl-NL")
    context.add_init_script(MARKER)
    page = new_page(context)
    unescaped = (
        "<script>xss()</script><img src=x onerror=xss()><svg onload=xss()>"
        "<img src=x onerror=alert(1)><script>window.__xss=1</script>"
        '<iframe srcdoc="<script>parent.xss()</script>"></iframe>'
    )
    page.route(
        "http://xss.test/",
        lambda route: route.fulfill(body=unescaped, content_type="text/html"),
    )
    page.route("http://xss.test/x", lambda route: route.fulfill(status=404))
    result = visit(page, "http://xss.test/", check=False)
    assert result["hits"] >= 4, result
    assert result["flag"] == 1 and result["dialogs"] == ["1"]
    assert result["dom"]
    context.close()


@pytest.mark.parametrize("bypass_csp", [True, False], ids=["csp-bypassed", "csp-on"])
def test_stored_vectors_never_run(demo_site, stored, browser, bypass_csp):
    visitor = browser.new_context(locale="nl-NL", bypass_csp=bypass_csp)
    visitor.add_init_script(MARKER)
    member = browser.new_context(locale="nl-NL", bypass_csp=bypass_csp)
    member.add_init_script(MARKER)
    member_page = new_page(member)
    log_in(member_page, demo_site, stored["reader"])
    pages = [(new_page(visitor), url) for url in urls_to_visit(stored, demo_site)]
    pages += [
        (member_page, demo_site + stored["question"]),
        (member_page, demo_site + "/meldingen/"),
    ]
    for page, url in pages:
        result = visit(page, url)
        assert result == {
            "hits": 0,
            "flag": None,
            "dialogs": [],
            "dom": [],
            "csp": [],
        }, url
    visitor.close()
    member.close()


def test_suggestions_of_hostile_titles_stay_text(demo_site, stored, browser):
    context = browser.new_context(locale="nl-NL", bypass_csp=True)
    context.add_init_script(MARKER)
    page = new_page(context)
    page.goto(demo_site + "/")
    page.locator("#home-search").press_sequentially("praktijk xss", delay=20)
    options = page.locator("[role=option]")
    options.first.wait_for()
    labels = options.all_inner_texts()
    assert any(label.startswith("Praktijk xss <") for label in labels), labels
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss_hits") == 0
    assert page.evaluate(AUDIT) == []
    assert page.dialogs == []
    context.close()


def test_htmx_swaps_keep_hostile_search_text_inert(demo_site, stored, browser):
    context = browser.new_context(locale="nl-NL", bypass_csp=True)
    context.add_init_script(MARKER)
    page = new_page(context)
    query = '"><img src=x onerror=xss()> <div hx-on:load="xss()">x</div>'
    page.goto(demo_site + "/zoeken/?" + urlencode({"q": query}))
    if page.evaluate("window.htmx === undefined"):
        context.close()
        pytest.skip("htmx is not installed (`make htmx`)")
    page.locator("#facet-provincie > summary").click()  # filters start closed
    checkbox = page.locator("input[name=provincie]").first
    value = checkbox.get_attribute("value")
    checkbox.check()
    page.wait_for_url(re.compile(f"provincie={value}"))
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss_hits") == 0
    assert page.evaluate(AUDIT) == []
    context.close()
