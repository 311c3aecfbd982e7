"""Story text: what a member types, and the rich text a practice page stores.

Members type plain text with paragraphs, optionally with a little Markdown
(**bold**, *italic*, lists, [links](https://…)). Raw HTML is never accepted:
`<`, `>` and `&` are escaped before Markdown sees the text, so a typed tag
shows as the text that was typed. Markdown is limited to what the page's
rich text fields support (STORY_FEATURES: bold, italic, lists, links); the
result goes through `core.sanitize` and then a stricter allowlist, and bold and
italic are stored the way Wagtail's editor stores them (<b>, <i>).

To prefill an update form, stored rich text goes the other way
(`richtext_to_markdown`): internal links become their page's address.
"""

import html
import re
from html.parser import HTMLParser

import bleach
import markdown
from wagtail.rich_text import expand_db_html

from core.sanitize import sanitize_html

STORY_TAGS = frozenset({"p", "br", "b", "i", "strong", "em", "ul", "ol", "li", "a"})
STORY_ATTRIBUTES = {"a": ["href"]}
STORY_PROTOCOLS = frozenset({"http", "https", "mailto"})
# Markdown constructs the story fields have no place for: typed as text, they stay text.
DISABLED_BLOCKS = ("hashheader", "setextheader", "quote", "hr", "code", "html")
DISABLED_INLINE = (
    "backtick",
    "image_link",
    "image_reference",
    "short_image_ref",
    "html",
)


def _markdown():
    md = markdown.Markdown(extensions=["sane_lists", "nl2br"], output_format="html")
    for name in DISABLED_BLOCKS:
        if name in md.parser.blockprocessors:
            md.parser.blockprocessors.deregister(name)
    for name in DISABLED_INLINE:
        if name in md.inlinePatterns:
            md.inlinePatterns.deregister(name)
    return md


_story_cleaner = bleach.Cleaner(
    tags=STORY_TAGS,
    attributes=STORY_ATTRIBUTES,
    protocols=STORY_PROTOCOLS,
    strip=True,
    strip_comments=True,
)


def markdown_to_richtext(text):
    """Plain text or Markdown typed by a member, as rich text for a page field."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        return ""
    escaped = html.escape(text, quote=False)
    rendered = _markdown().convert(escaped)
    # core.sanitize makes bare addresses links and checks every link's scheme;
    # its nofollow attribute is dropped again by the stricter story allowlist.
    cleaned = _story_cleaner.clean(sanitize_html(rendered))
    for tag, replacement in (("strong", "b"), ("em", "i")):
        cleaned = cleaned.replace(f"<{tag}>", f"<{replacement}>").replace(
            f"</{tag}>", f"</{replacement}>"
        )
    return cleaned.strip()


MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]])")


def _escape(text):
    return MARKDOWN_SPECIALS.sub(r"\\\1", text)


class _ToMarkdown(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = []
        self.current = []
        self.lists = []  # a stack of [kind, counter, list number]
        self.list_count = 0
        self.links = []

    def _flush(self):
        text = re.sub(r"\n +", "\n", "".join(self.current)).strip()
        if text:
            in_list = self.lists[-1][2] if self.lists else None
            self.blocks.append((text, in_list))
        self.current = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("p", "h2", "h3", "h4", "h5", "h6", "blockquote"):
            self._flush()
            if tag.startswith("h"):
                self.current.append("**")
        elif tag in ("ul", "ol"):
            self._flush()
            self.list_count += 1
            self.lists.append([tag, 0, self.list_count])
        elif tag == "li":
            self._flush()
            if self.lists:
                kind = self.lists[-1]
                kind[1] += 1
                marker = f"{kind[1]}." if kind[0] == "ol" else "-"
            else:
                marker = "-"
            self.current.append(f"{marker} ")
        elif tag == "br":
            self.current.append("\n")
        elif tag in ("b", "strong"):
            self.current.append("**")
        elif tag in ("i", "em"):
            self.current.append("*")
        elif tag == "a":
            href = attrs.get("href") or ""
            self.links.append(href)
            if href:
                self.current.append("[")

    def handle_endtag(self, tag):
        if tag in ("h2", "h3", "h4", "h5", "h6"):
            self.current.append("**")
            self._flush()
        elif tag in ("p", "li", "blockquote"):
            self._flush()
        elif tag in ("ul", "ol"):
            self._flush()
            if self.lists:
                self.lists.pop()
        elif tag in ("b", "strong"):
            self.current.append("**")
        elif tag in ("i", "em"):
            self.current.append("*")
        elif tag == "a":
            href = self.links.pop() if self.links else ""
            if href:
                self.current.append(f"]({href})")

    def handle_data(self, data):
        self.current.append(_escape(re.sub(r"\s+", " ", data)))

    def result(self):
        self._flush()
        text = ""
        previous_list = None
        for block, in_list in self.blocks:
            if text:
                same_list = in_list is not None and in_list == previous_list
                text += "\n" if same_list else "\n\n"
            text += block
            previous_list = in_list
        return text


def richtext_to_markdown(value):
    """Stored rich text as the Markdown a member would type to get it back."""
    if not value:
        return ""
    parser = _ToMarkdown()
    parser.feed(expand_db_html(str(value)))
    parser.close()
    return parser.result()
