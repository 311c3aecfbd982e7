"""The one place where text members typed becomes HTML.

Members write Markdown. It is rendered with Python-Markdown and then cleaned
by bleach against an allowlist: only the tags below survive (anything else is
escaped, so it shows as the text that was typed), links may only use http,
https and mailto and get `rel="nofollow ugc"`, and bare addresses become
links the same way. Templates mark the result safe only through this module.
"""

from functools import partial

import bleach
import markdown
from bleach.linkifier import LinkifyFilter

ALLOWED_TAGS = frozenset(
    {
        "a",
        "p",
        "br",
        "strong",
        "em",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "h3",
        "h4",
        "hr",
    }
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
MARKDOWN_EXTENSIONS = ["fenced_code", "sane_lists", "nl2br"]


def _nofollow(attrs, new=False):
    attrs[(None, "rel")] = "nofollow ugc"
    attrs.pop((None, "target"), None)
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=False,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_nofollow], skip_tags={"pre", "code"})],
)


def sanitize_html(html):
    """Clean HTML from any source down to the allowlist; links get nofollow."""
    return _cleaner.clean(html or "")


def render_markdown(text):
    """Markdown typed by a member, as HTML that is safe to put in a page.

    Headings are shifted down to h3/h4 so a post never competes with the
    page's own headings.
    """
    html = markdown.markdown(
        text or "", extensions=MARKDOWN_EXTENSIONS, output_format="html"
    )
    for level, replacement in (("1", "3"), ("2", "3"), ("5", "4"), ("6", "4")):
        html = html.replace(f"<h{level}>", f"<h{replacement}>").replace(
            f"</h{level}>", f"</h{replacement}>"
        )
    return sanitize_html(html)
