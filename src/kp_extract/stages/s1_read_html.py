"""Read stage, HTML pages: `*.html`/`*.htm` files -> the page's main text, in the shape of a text dump.

trafilatura (the optional `html` extra) finds the main content: navigation, footers, cookie
banners and other boilerplate go; headings, paragraphs, lists and tables stay. Its XML output is
rendered into the lines our text dumps have (see `render`): a heading is a line, paragraphs are
separated by a blank line, a `<br>` is a line break, a list item is a `  • ` bullet line, a
definition list's terms and values (and a table's cells) are lines one under the other, as the
label/value footers of the programme pages are. The page's title, URL (`<link rel=canonical>`, else
`og:url`) and date (trafilatura's metadata, ISO `YYYY-MM-DD`) go to `Page.title`, `Page.url` and
`Page.date`. Every offset of the pipeline indexes the extracted text (`Page.text`), exactly as for a
text page.

Decoding: a byte-order mark decides; otherwise the charset the page declares in its first bytes
(`<meta charset>`, `<meta http-equiv="Content-Type">`, `<?xml encoding?>`) when the bytes decode
with it; otherwise what `s1_read.decode_bytes` reads (UTF-16 without BOM, UTF-8, cp1252). Binary
content is refused as for a text page.

Deterministic: the same bytes give the same text and metadata (trafilatura's date is asked with a
fixed latest date, not today's). The knobs (suffixes, URL and prune XPaths, charset aliases, date
parameters, bullet marks) are in `data/html_read.json`.
"""
from __future__ import annotations

import codecs
import json
import re
from functools import lru_cache
from importlib import resources
from urllib.parse import urljoin

__all__ = [
    "HTML_SUFFIXES",
    "MISSING_EXTRA",
    "is_html_name",
    "decode_html",
    "extract_html",
    "render",
]

MISSING_EXTRA = "HTML input needs the 'html' extra: pip install 'kp_extract[html]'"


@lru_cache(maxsize=1)
def _config() -> dict:
    return json.loads(resources.files("kp_extract").joinpath("data/html_read.json").read_text("utf-8"))


HTML_SUFFIXES: tuple[str, ...] = tuple(s.lower() for s in _config()["suffixes"])


def is_html_name(name: str) -> bool:
    """Whether a file of this name is read as HTML (by its suffix, case-insensitive)."""
    return name.lower().endswith(HTML_SUFFIXES)


# ---------------------------------------------------------------- decoding

_META_CHARSET = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9_.:+-]+)""", re.I)
_XML_CHARSET = re.compile(rb"""^\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9_.:+-]+)["']""", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml\b[^>]*\?>", re.I)


def declared_charset(raw: bytes) -> str | None:
    """The Python codec of the charset the page declares near its start (aliases applied as
    browsers apply them), or None when it declares none or one Python does not know."""
    head = raw[: _config()["charset_prescan_bytes"]]
    match = _XML_CHARSET.match(head) or _META_CHARSET.search(head)
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None
    return _config()["charset_aliases"].get(name, name)


def decode_html(raw: bytes) -> tuple[str, str]:
    """(text, encoding) of an HTML file's bytes; ReadError for binary content. A BOM wins, then a
    declared charset that fits the bytes, then s1_read's detection (UTF-16, UTF-8, cp1252)."""
    from kp_extract.stages.s1_read import (  # noqa: PLC0415 - s1_read imports this module
        _BOMS, _MAX_CONTROL_SHARE_UTF, ReadError, _control_share, _magic_kind, decode_bytes)

    if raw and not any(raw.startswith(bom) for bom, _, _ in _BOMS) and not _magic_kind(raw):
        codec = declared_charset(raw)
        if codec is not None:
            errors = "kp_extract_cp1252" if codec == "cp1252" else "strict"
            try:
                text = raw.decode(codec, errors=errors)
            except UnicodeDecodeError:
                pass  # the declaration is wrong (a common crawl fault): detect as for a text page
            else:
                if _control_share(text) > _MAX_CONTROL_SHARE_UTF:
                    raise ReadError(f"binary content (too many control characters for {codec} text)")
                return text, codec
    return decode_bytes(raw)


# ---------------------------------------------------------------- rendering trafilatura's XML

_INLINE_BREAK = "lb"
# trafilatura's block elements: each starts a block of lines of its own (the rest is inline text)
_BLOCKS = frozenset({"head", "p", "quote", "code", "list", "table", "div", "section", "ab"})
# elements whose text, flattened onto one line, is kept apart from its neighbours' by a space
_SEPARATE = _BLOCKS | {"item", "row", "cell"}


# A no-break space is text in HTML (a browser keeps it, a text dump has it), but trafilatura turns it
# into a plain space, and a space beside it then collapses. It goes through trafilatura as this mark
# (U+2423 OPEN BOX: trafilatura drops private-use and non-characters, keeps symbols; any in the input
# itself are dropped) and comes back as U+00A0.
_NBSP = "\u00a0"
_NBSP_MARK = "\u2423"
_NBSP_IN_HTML = re.compile(r"\u00a0|&nbsp;|&#0*160;|&#[xX]0*[aA]0;")


def _clean(line: str) -> str:
    """A line with its whitespace runs collapsed to one space and its no-break spaces back; "" for a
    line of no-break spaces only."""
    line = " ".join(line.split()).replace(_NBSP_MARK, _NBSP)
    return line if line.strip() else ""


def _inline(el, out: list[str], brk: str) -> None:
    """el's text (its own, its children's, not its tail) onto out, with brk for each <lb/>."""
    out.append(el.text or "")
    for ch in el:
        if ch.tag == _INLINE_BREAK:
            out.append(brk)
        elif ch.tag in _SEPARATE:
            out.append(" ")
            _inline(ch, out, brk)
            out.append(" ")
        else:
            _inline(ch, out, brk)
        out.append(ch.tail or "")


def _flat(el) -> str:
    """All text of el on one line (line breaks and nested blocks become spaces)."""
    out: list[str] = []
    _inline(el, out, " ")
    return _clean("".join(out))


def _list_lines(el, depth: int, out: list[str]) -> None:
    marks = _config()["blocks"]
    rend = (el.get("rend") or "").lower()
    indent = marks["nested_indent"] * depth
    n = 0
    for item in el:
        if item.tag != "item":
            continue
        n += 1
        nested = [ch for ch in item if ch.tag == "list"]
        for ch in nested:  # taken out for lines of their own, under the item's
            tail = ch.tail
            ch.tail = None
            prev = ch.getprevious()
            item.remove(ch)
            if tail:  # text after a nested list stays with the item
                if prev is not None:
                    prev.tail = (prev.tail or "") + " " + tail
                else:
                    item.text = (item.text or "") + " " + tail
        text = _flat(item)
        if text:
            if rend == "dl":  # a definition list: terms and values one under the other, no marks
                out.append(indent + text)
            elif rend == "ol":
                out.append(indent + marks["numbered"].format(n=n) + text)
            else:
                out.append(indent + marks["bullet"] + text)
        for ch in nested:
            _list_lines(ch, depth + 1, out)


def _table_lines(table, out: list[str]) -> None:
    """A table's cells, one line each, row by row (a label/value table reads as a footer does)."""
    for row in table:
        if row.tag != "row":
            continue
        for cell in row:
            inner = cell.find(".//table")
            if inner is not None:
                _table_lines(inner, out)
                continue
            text = _flat(cell)
            if text:
                out.append(text)


def _emit(el, blocks: list[list[str]]) -> None:
    """Append el's blocks (each a list of lines) to blocks: inline content (text, <hi>, <ref>, with
    <lb/> as line breaks) makes paragraphs; nested block elements make blocks of their own."""
    if el.tag == "list":
        lines: list[str] = []
        _list_lines(el, 0, lines)
        blocks.append(lines)
        return
    if el.tag == "table":
        lines = []
        _table_lines(el, lines)
        blocks.append(lines)
        return
    if el.tag == "head":
        blocks.append([_flat(el)])
        return
    buf: list[str] = [el.text or ""]

    def flush() -> None:
        lines: list[str] = []
        blank = False
        for line in "".join(buf).split("\n"):
            line = _clean(line)
            if line:
                if blank and lines:
                    lines.append("")  # <br><br>: a blank line, as a text dump shows it
                lines.append(line)
                blank = False
            else:
                blank = True
        blocks.append(lines)
        buf.clear()

    for ch in el:
        if ch.tag == _INLINE_BREAK:
            buf.append("\n")
        elif ch.tag in _BLOCKS:
            flush()
            _emit(ch, blocks)
        else:
            _inline(ch, buf, "\n")
        buf.append(ch.tail or "")
    flush()


def render(main) -> str:
    """trafilatura's <main> element (XML output) as text-dump lines: blocks separated by a blank line."""
    blocks: list[list[str]] = []
    for el in main:
        _emit(el, blocks)
    return "\n\n".join("\n".join(lines) for lines in blocks if any(lines))


# ---------------------------------------------------------------- extraction

def _page_url(tree) -> str | None:
    """The page's URL: the first URL XPath that gives one (canonical link, then og:url); a relative
    canonical link is resolved against og:url when that is absolute."""
    found = []
    for xpath in _config()["url_xpaths"]:
        values = [v.strip() for v in tree.xpath(xpath) if isinstance(v, str) and v.strip()]
        found.append(values[0] if values else None)
    url = next((u for u in found if u), None)
    if url and not re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I):
        base = next((u for u in found[1:] if u and re.match(r"^https?://", u, re.I)), None)
        if base:
            url = urljoin(base, url)
    return url


def extract_html(text: str) -> tuple[str, dict[str, str | None]]:
    """(main text rendered as text-dump lines, {"title", "url", "date"}) of a decoded HTML page.
    The text is "" when trafilatura finds no main content. Raises ImportError without trafilatura."""
    import trafilatura  # noqa: PLC0415 - the optional 'html' extra
    from lxml import etree, html  # noqa: PLC0415 - installed with trafilatura

    text = _XML_DECLARATION.sub("", text, count=1)  # lxml refuses a str with an encoding declaration
    text = _NBSP_IN_HTML.sub(_NBSP_MARK, text.replace(_NBSP_MARK, ""))
    meta: dict[str, str | None] = {"title": None, "url": None, "date": None}
    if not text.strip():
        return "", meta
    parser = html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False)
    try:
        tree = html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        return "", meta
    meta["url"] = _page_url(tree)
    cfg = _config()
    xml = trafilatura.extract(
        tree,
        output_format="xml",
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        include_formatting=False,
        deduplicate=False,
        prune_xpath=cfg["prune_xpaths"],
        date_extraction_params=dict(cfg["date_params"]),
    )
    if not xml:
        return "", meta
    doc = etree.fromstring(xml.encode("utf-8"))
    meta["title"] = " ".join(_clean(doc.get("title") or "").split()) or None
    meta["date"] = doc.get("date") or None
    main = doc.find("main")
    return (render(main) if main is not None else ""), meta
