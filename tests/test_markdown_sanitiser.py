"""tal.core.markdown.render against known XSS payloads: no active content may
survive, and ordinary Markdown must still render."""

from __future__ import annotations

import html
import random
import re
from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from tal.core.markdown import render

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "pre", "blockquote", "h3", "h4", "h5",
                "h6", "table", "thead", "tbody", "tr", "th", "td", "hr"}
FORBIDDEN_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "style", "link", "meta",
                  "base", "svg", "math", "form", "input", "button", "select", "textarea", "img", "video", "audio",
                  "source", "details", "template", "noscript", "xml", "h1", "h2"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "background", "poster", "srcset",
                  "codebase", "cite", "longdesc", "dynsrc", "lowsrc"}
SAFE_SCHEMES = {"http", "https", "mailto"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "rel"}}
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
# Browsers ignore ASCII whitespace and control characters inside a URL's scheme.
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f-\x9f]")


def url_scheme(value: str, *, unescape: bool = True) -> str | None:
    """The scheme a browser would see in an attribute value as written in the HTML
    source (``unescape=False`` for a value a parser has already decoded), or None
    for a relative URL. Browsers decode character references once, not twice:
    ``href="&amp;#106;avascript:…"`` is the relative URL ``&#106;avascript:…``."""
    if unescape:
        value = html.unescape(value)
    value = _IGNORED_IN_URLS.sub("", value).lower()
    match = _SCHEME.match(value)
    return match.group(1) if match else None


class _Inspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.tags: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"forbidden tag <{tag}>")
        elif tag not in ALLOWED_TAGS:
            self.problems.append(f"unexpected tag <{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"event handler {name}={value!r} on <{tag}>")
            if name == "style" or "expression(" in value.replace(" ", "").lower():
                self.problems.append(f"style on <{tag}>: {value!r}")
            if name not in ALLOWED_ATTRIBUTES.get(tag, set()):
                self.problems.append(f"unexpected attribute {name} on <{tag}>")
            if name in URL_ATTRIBUTES:
                self.urls.append(value)
                # HTMLParser has already decoded the character references.
                scheme = url_scheme(value, unescape=False)
                if scheme is not None and scheme not in SAFE_SCHEMES:
                    self.problems.append(f"{name}={value!r} on <{tag}> has scheme {scheme}")

    handle_startendtag = handle_starttag

    def handle_comment(self, data):
        self.problems.append(f"comment <!--{data}-->")

    def handle_decl(self, decl):
        self.problems.append(f"declaration <!{decl}>")

    def unknown_decl(self, data):
        self.problems.append(f"CDATA or unknown declaration <![{data}]>")

    def handle_pi(self, data):
        self.problems.append(f"processing instruction <?{data}>")


def assert_safe(rendered: str) -> _Inspector:
    """Fail if the HTML holds active content; return the inspector (tags, URLs)."""
    inspector = _Inspector()
    inspector.feed(rendered)
    inspector.close()
    assert not inspector.problems, f"{inspector.problems} in {rendered!r}"
    lowered = rendered.lower()
    for needle in ("<script", "<iframe", "<object", "<embed", "<style", "<svg", "<math", "<form", "<input",
                   "<!--", "<![cdata["):
        assert needle not in lowered, f"{needle} in {rendered!r}"
    return inspector


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javascript:alert(document.cookie) \"titre\")",
    "[x](  javascript:alert(1)  )",
    "[x](java\tscript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](<java script:alert(1)>)",
    "[x](\x01javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:image/png;base64,iVBORw0KGgo=)",
    "[x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x](vbscript:msgbox(1))",
    "[x](file:///etc/passwd)",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&#x3A;alert(1))",
    "[x](&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](%6Aavascript:alert(1))",
    "![x](javascript:alert(1))",
    "![x](https://evil.example/x.png\" onerror=\"alert(1))",
    "![x](data:image/svg+xml,<svg onload=alert(1)>)",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "[x][ref]\n\n[ref]: <javascript:alert(1)> \"titre\"",
    "[x][ref]\n\n[REF]: JaVaScRiPt:alert(1)",
    "[x][ref]\n\n[ref]: https://ok.example \"t\\\" onmouseover=\\\"alert(1)\"",
    "[x](https://ok.example \"a\\\" onmouseover=\\\"alert(1)\")",
    "[x](https://ok.example/\"onmouseover=\"alert(1))",
    "[x](https://ok.example/?q=<script>alert(1)</script>)",
    "[<img src=x onerror=alert(1)>](https://ok.example)",
    "<details open ontoggle=alert(1)>",
    "<!-- <script>alert(1)</script> -->",
    "<!--><script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<?xml version=\"1.0\"?><script>alert(1)</script>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<style>*{background:url(javascript:alert(1))}</style>",
    "<div style=\"width: expression(alert(1))\">x</div>",
    "<a href=\"javascript&colon;alert(1)\">x</a>",
    "<a href=\"jav&#x0A;ascript:alert(1)\">x</a>",
    "<a href='javascript:alert(1)'>x</a>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<form action=\"javascript:alert(1)\"><input type=submit></form>",
    "<button formaction=\"javascript:alert(1)\">x</button>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<link rel=stylesheet href=\"javascript:alert(1)\">",
    "<table background=\"javascript:alert(1)\"><tr><td>x</td></tr></table>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<template><script>alert(1)</script></template>",
    "| a |\n|---|\n| <script>alert(1)</script> |",
    "| a |\n|---|\n| [x](javascript:alert(1)) |",
    "- [x](javascript:alert(1))\n- <img src=x onerror=alert(1)>",
    "> [x](javascript:alert(1))\n> <svg onload=alert(1)>",
    "# <script>alert(1)</script>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "    <script>alert(1)</script>",
    "<a href=\"https://ok.example\" onclick=\"alert(1)\">x</a>",
    "[x](https://ok.example){onclick=alert(1)}",
    "**<script>alert(1)</script>**",
    "<h1 onmouseover=alert(1)>titre</h1>",
    "[x](mailto:javascript:alert(1))",
    "<mailto:a@b.fr?body=<script>alert(1)</script>>",
]


def test_enough_payloads():
    assert len(XSS_PAYLOADS) >= 25


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_no_active_content_survives(payload):
    assert_safe(str(render(payload)))


@pytest.mark.parametrize(
    "payload",
    [p for p in XSS_PAYLOADS if re.search(r"(?i)java|vbscript|data:|file:", p)],
)
def test_dangerous_urls_never_become_links(payload):
    for url in assert_safe(str(render(payload))).urls:
        assert url_scheme(url, unescape=False) in SAFE_SCHEMES | {None}, url
        if url_scheme(url, unescape=False) != "mailto":
            assert "javascript" not in _IGNORED_IN_URLS.sub("", url).lower(), url


def test_random_mixtures_of_payloads_and_markdown_stay_safe():
    fragments = XSS_PAYLOADS + ["**gras**", "- point", "1. un", "> citation", "| a | b |\n|---|---|\n| 1 | 2 |",
                                "[lien](https://exemple.fr)", "`code`", "# Titre", "***", "\n\n", "\n", " ", "<", ">",
                                "\"", "'", "&", "](", "[", ")"]
    rng = random.Random(20240304)
    for _ in range(300):
        document = "".join(rng.choice(fragments) for _ in range(rng.randint(1, 12)))
        assert_safe(str(render(document)))


def test_the_inspector_catches_active_content():
    # The checks above are only as good as the inspector: it must see these.
    for dangerous in ('<a href="javascript:alert(1)">x</a>', '<a href=" JaVa&#x0A;Script:alert(1)">x</a>',
                      '<a href="data:text/html,x">x</a>', '<p onclick="x()">x</p>', "<script>x</script>",
                      '<img src="x">', "<!-- x -->", '<p style="color:red">x</p>', "<h1>x</h1>"):
        with pytest.raises(AssertionError):
            assert_safe(dangerous)
    assert url_scheme("  JAVA\tSCRIPT&#58;x") == "javascript"
    assert url_scheme("/journal/1") is None
    assert url_scheme("https://exemple.fr") == "https"


# --- Ordinary Markdown still renders ------------------------------------------------


def test_returns_markup():
    assert isinstance(render("texte"), Markup)
    assert str(render("")) == ""
    assert str(render(None)) == ""  # type: ignore[arg-type]


def test_bold_and_italic():
    assert str(render("Un **point fort** et un *détail*.")) == (
        "<p>Un <strong>point fort</strong> et un <em>détail</em>.</p>\n"
    )


def test_lists():
    rendered = str(render("- un\n- deux\n\n1. premier\n2. second"))
    assert "<ul>\n<li>un</li>\n<li>deux</li>\n</ul>" in rendered
    assert "<ol>\n<li>premier</li>\n<li>second</li>\n</ol>" in rendered
    assert_safe(rendered)


def test_https_and_mailto_links_keep_their_href_with_a_safe_rel():
    rendered = str(render("Voir [le guide](https://exemple.fr/guide?a=1&b=2 \"Guide\") ou [écrire](mailto:a@b.fr)."))
    assert '<a href="https://exemple.fr/guide?a=1&amp;b=2" title="Guide" rel="noopener noreferrer nofollow">' \
           "le guide</a>" in rendered
    assert '<a href="mailto:a@b.fr" rel="noopener noreferrer nofollow">écrire</a>' in rendered
    assert_safe(rendered)


def test_autolinks_with_https():
    rendered = str(render("<https://exemple.fr/page>"))
    link = '<a href="https://exemple.fr/page" rel="noopener noreferrer nofollow">https://exemple.fr/page</a>'
    assert link in rendered


def test_headings_are_demoted_below_the_page_headings():
    rendered = str(render("# Un\n\n## Deux\n\n### Trois\n\n#### Quatre"))
    assert rendered == "<h3>Un</h3>\n<h3>Deux</h3>\n<h3>Trois</h3>\n<h4>Quatre</h4>\n"
    assert_safe(rendered)


def test_code_quotes_tables_and_rules():
    rendered = str(render("`a < b`\n\n```\nx = 1 & 2\n```\n\n> cité\n\n---\n\n| a | b |\n|---|--:|\n| 1 | 2 |"))
    assert "<code>a &lt; b</code>" in rendered
    assert "<pre><code>x = 1 &amp; 2\n</code></pre>" in rendered
    assert "<blockquote>\n<p>cité</p>\n</blockquote>" in rendered
    assert "<hr>" in rendered
    assert "<th>a</th>" in rendered and "<td>2</td>" in rendered  # alignment styles are dropped
    assert_safe(rendered)


def test_raw_html_is_shown_as_text():
    assert str(render("a <b>gras</b> & c")) == "<p>a &lt;b&gt;gras&lt;/b&gt; &amp; c</p>\n"
