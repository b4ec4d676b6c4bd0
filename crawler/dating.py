"""Choosing an article's publication date: every candidate on a page, a verdict on each, one winner.

``page_date_candidates`` reads a parsed page (read-only: the tree may be shared with the
extractor) and returns every date it states with where it stands: structured metadata (JSON-LD,
``<meta>``, microdata, ``<time>``), the visible dateline near the article's heading, and the URL.
``hint_candidates`` turns what listings, feeds and sitemaps said about the URL into candidates.
``choose_publication_date`` picks one by a fixed order of trust and records why every other
candidate lost, for the ``date_evidence`` table.

Order of trust: structured metadata, the dateline near the title, the URL, the feed/sitemap
entry, the listing date. A date that is not the publication date is rejected with a reason a
researcher can read: the page-header widget printing today's date, print stamps, related-news
and document lists, event dates inside the body, dates later than the fetch.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from unicodedata import normalize as _normalize
from urllib.parse import urlsplit

import lxml.etree
import lxml.html

from crawler.text import nfc
from crawler.timezone import VN_TZ
from crawler.vndates import ParsedDate, fold_same_length, parse_dates

__all__ = [
    "DateCandidate",
    "DateChoice",
    "choose_publication_date",
    "hint_candidates",
    "page_date_candidates",
]

#: Signals in order of trust, best first.
TRUST_ORDER = ("jsonld", "meta", "time", "dateline", "url", "feed", "sitemap", "listing")
_STRUCTURED = ("jsonld", "meta", "time")
_HINT_SOURCES = ("feed", "sitemap", "listing")

#: Dates before this year are history in the text, not when a web page was published.
MIN_WEB_YEAR = 1990
#: Metadata this close before the fetch time was printed by the server as it answered.
RENDER_STAMP_WINDOW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class DateCandidate:
    """One date the page (or a listing, feed or sitemap) states, with our verdict on it."""

    #: where it came from: jsonld, meta, time, dateline, url, feed, sitemap, listing
    signal: str
    #: the raw text or attribute value the date was read from
    raw: str
    #: ISO 8601: "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS+07:00"; None when nothing could be read
    value: str | None
    #: "minute", "day" or None
    precision: str | None
    #: True when labelled as an update ("Cập nhật", dateModified, updated_time)
    is_update: bool
    #: None when usable; else why not ("header widget: crawl date", "in related list", ...)
    rejected: str | None
    #: preference among usable candidates of the same signal, 0 best (dateline position)
    rank: int = 0


@dataclass(frozen=True, slots=True)
class DateChoice:
    """The publication date chosen for a page, and the evidence for it."""

    #: ISO 8601 "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS+07:00"; None when nothing trustworthy
    published: str | None
    #: "minute", "day" or None
    precision: str | None
    #: the signal that won (jsonld, meta, time, dateline, url, feed, sitemap, listing) or None
    source: str | None
    #: the raw text the date was read from
    raw: str | None
    #: ISO 8601 of the last update the page states, if any
    updated: str | None
    #: one row per candidate: {"signal", "raw", "parsed", "accepted": 0/1, "reason"}
    evidence: tuple[dict[str, object], ...] = field(default_factory=tuple)


# ---------------------------------------------------------------- structured metadata

# <meta name|property|itemprop> keys, lower-case. Published first, then modified.
_META_PUBLISHED = frozenset(
    {
        "article:published_time",
        "og:article:published_time",
        "og:published_time",
        "article:published",
        "article.published",
        "article_date_original",
        "datepublished",
        "datecreated",
        "date",
        "pubdate",
        "publishdate",
        "publish_date",
        "publish-date",
        "published_time",
        "published-date",
        "published_date",
        "publication_date",
        "date_published",
        "creation_date",
        "created",
        "post_date",
        "sailthru.date",
        "parsely-pub-date",
        "originalpublicationdate",
        "dc.date",
        "dc.date.issued",
        "dc.date.created",
        "dcterms.date",
        "dcterms.issued",
        "dcterms.created",
        "citation_publication_date",
        "citation_date",
    }
)
_META_MODIFIED = frozenset(
    {
        "article:modified_time",
        "og:article:modified_time",
        "og:updated_time",
        "article.updated",
        "datemodified",
        "dateupdated",
        "modified",
        "updated_time",
        "last-modified",
        "lastmod",
        "dc.date.modified",
        "dcterms.modified",
    }
)
_JSONLD_PUBLISHED = ("datePublished", "dateCreated", "uploadDate")
_JSONLD_MODIFIED = ("dateModified",)
_ARTICLE_TYPES = re.compile(r"article|posting|report|news", re.IGNORECASE)

# ---------------------------------------------------------------- page layout

_SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "title",
        "select",
        "option",
        "textarea",
        "iframe",
        "svg",
        "object",
        "button",
        "input",
    }
)
_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_TITLE_CLASS = re.compile(r"title|tieu-?de|headline|heading", re.IGNORECASE)
_WS = re.compile(r"\s+")
_FIRST_WORD = re.compile(r"\s*(\S+)")

#: A line with at least this many letters, not a dateline, is running text (lead or body).
PROSE_LETTERS = 80
#: The bar for pages that have no such line (short notices).
SHORT_PROSE_LETTERS = 30
#: A dateline line holds little besides its date: label, weekday, view counter, category.
DATELINE_RESIDUE = 60
DATELINE_RESIDUE_LABELLED = 120
#: Letters allowed between a dateline above the heading and the heading itself.
ABOVE_TITLE_LETTERS = 80
#: The same when no heading was found and the first line of running text is the anchor.
ABOVE_TEXT_LETTERS = 200
#: Running text allowed between the heading and a dateline below it (a lead paragraph).
BELOW_TITLE_PROSE = 600
# Ranks of usable visible dates (lower is better): below the heading, then above it, then
# labelled dates below the article text; within each, the nearer to the heading the better.
RANK_BELOW = 0
RANK_ABOVE = 100_000
RANK_FAR = 200_000
RANK_REJECTED = 1_000_000
#: Items of a list of dated links or teasers are short; body paragraphs are not.
LIST_ITEM_LETTERS = 200
#: A dated line this short is a list item even without a link ("Kế hoạch số … ngày …").
SHORT_ITEM_LETTERS = 60
#: Evidence shows a date's whole line up to this length, else a window around the date.
EVIDENCE_LINE = 120
#: A link with a text this long is an article title: the line lists another article.
LINK_TITLE_LETTERS = 20
# Links of page tools, which sit beside datelines: print, e-mail, share.
_TOOL_HREF = re.compile(r"print|email|mail|share|facebook|zalo|twitter|sharer|viewmode")

# Class/id words of blocks that list other articles or documents (folded, lower-case).
_RELATED_CLASS = re.compile(
    r"related|relate|lien-?quan|lienquan|tin-?khac|othernews|other-news|other_news|newsdifferent"
    r"|cung-?chuyen-?muc|xem-?them|tin-?cu|tin-?moi|more-?news|van-?ban|block-docs|docs"
    r"|comment|binh-?luan|y-?kien"
)
# Class/id words and tags of page chrome beside or around the article.
_CHROME_CLASS = re.compile(
    r"sidebar|side-bar|(?:^|[\s_-])(?:nav|navbar|menu|banner|col-?left|col-?right|cot-?trai|cot-?phai)"
    r"(?:$|[\s_-])"
)
_CHROME_TAGS = frozenset({"aside", "nav"})
_FOOTER_CLASS = re.compile(r"footer|copyright|ban-?quyen")
# A cited document's number just before its date: "Nghị quyết số 35-NQ/TW ngày 22/10/2018".
# Also "12/2019/QĐ-UBND", "1234/QĐ-UBND", "08-QĐi/TW".
_DOC_NUMBER = re.compile(r"(?<!\d)\d{1,5}(?:/\d{4})?[-/][A-ZĐ][A-ZĐa-zđ]{0,5}[-/][A-ZĐ]")
#: How far before a date a cited document's number is looked for.
DOC_NUMBER_WINDOW = 50
# Section headings that introduce such lists: "Các tin khác", "Tin liên quan", "Văn bản mới".
_RELATED_HEADING = re.compile(
    r"^(?:cac |nhung )?(?:tin|tin tuc|bai|bai viet|van ban|thong bao)"
    r"(?: da dua| da dang)?\s*(?:khac|lien quan|cu hon|moi hon|moi|cung chuyen muc|da dua|da dang"
    r"|xem nhieu|doc nhieu|noi bat|truoc|sau)\b.{0,30}$"
    r"|^(?:xem them|doc them|y kien ban doc|binh luan)\b.{0,30}$"
)

# First letters of the words _RELATED_HEADING can start with (cac, nhung, tin, bai, van, thong,
# xem, doc, y, binh).
_RELATED_HEADING_INITIALS = frozenset("cntbvxdy")


@dataclass(slots=True)
class _Layout:
    """The page as one string of visible text: a newline between blocks, offsets per element."""

    text: str
    owner_offsets: list[int]
    owners: list[Any]
    spans: dict[Any, tuple[int, int]]
    #: the elements of ``spans`` with their lower-case tags, in document order
    elements: list[tuple[Any, str]] = field(default_factory=list)
    #: those of them that are <time> or have an itemprop: machine-readable dates, maybe
    time_or_itemprop: list[tuple[Any, str]] = field(default_factory=list)
    #: those of them that are links (<a>)
    links: list[Any] = field(default_factory=list)
    #: those of them that have a class or an id
    classed: set[Any] = field(default_factory=set)

    def owner_at(self, pos: int) -> Any:
        i = bisect_right(self.owner_offsets, pos) - 1
        return self.owners[max(i, 0)]

    def line_bounds(self, pos: int) -> tuple[int, int]:
        lo = self.text.rfind("\n", 0, pos) + 1
        hi = self.text.find("\n", pos)
        return lo, (len(self.text) if hi < 0 else hi)


def _style_hides(style: str) -> bool:
    style = style.replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


# How the layout treats an element, by lower-case tag: skipped with its subtree, a line break,
# a block (a line of its own), or inline (the default for tags not listed).
_SKIP, _BREAK, _BLOCK, _INLINE = range(4)
_TAG_KINDS: dict[str, int] = {
    **dict.fromkeys(_SKIP_TAGS, _SKIP),
    "br": _BREAK,
    **dict.fromkeys(_BLOCK_TAGS, _BLOCK),
    # Common inline tags, so that their look-up needs no lower-casing.
    **dict.fromkeys(
        ("a", "span", "strong", "b", "i", "em", "u", "img", "font", "small", "sup", "sub"),
        _INLINE,
    ),
}


def _layout(tree: Any) -> _Layout:
    """Linearise the visible text of ``tree`` without modifying it."""
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    return _walk_layout(root)


def _walk_layout(root: Any) -> _Layout:
    parts: list[str] = []
    length = 0
    owner_offsets: list[int] = []
    owners: list[Any] = []
    spans: dict[Any, tuple[int, int]] = {}
    elements: list[tuple[Any, str]] = []
    time_or_itemprop: list[tuple[Any, str]] = []
    links: list[Any] = []
    classed: set[Any] = set()
    # (start offset, is a block) of each element entered and not yet left.
    open_elements: list[tuple[int, bool]] = []
    # parts[-1] ends with a letter or digit: "<span>19/07/2024</span><span>10:30</span>" then
    # reads as two words, as on screen.
    pending_gap = False
    last_alnum = False
    # parts is not empty and does not end with a newline (text pieces never hold one).
    line_open = False

    def newline() -> None:
        nonlocal length, last_alnum, line_open
        if line_open:
            parts.append("\n")
            length += 1
            last_alnum = line_open = False

    def emit(text: str, owner: Any) -> None:
        nonlocal length, pending_gap, last_alnum, line_open
        if not text.isascii():
            text = _normalize("NFC", text)
        # _WS.sub(" ", text), skipping the regex for the common strings it would not change: a
        # printable string's only white space is " " (other spaces and controls are not).
        if text.isspace():
            piece = " "
        elif text.isprintable() and "  " not in text:
            piece = text
        else:
            piece = _WS.sub(" ", text)
        if pending_gap and last_alnum and piece[0].isalnum():
            parts.append(" ")
            length += 1
        pending_gap = False
        owner_offsets.append(length)
        owners.append(owner)
        parts.append(piece)
        length += len(piece)
        last_alnum = piece[-1].isalnum()
        line_open = True

    # iterwalk walks the tree in C (no recursion: deeply nested legacy tables are fine); a
    # skipped subtree still gets its "end" event, where its tail is read.
    walker = lxml.etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    skipped: Any = None  # the element whose subtree is being skipped
    for event, el in walker:
        if event == "start":
            tag = el.tag
            kind = _TAG_KINDS.get(tag)
            if kind is None:
                if not isinstance(tag, str):  # an entity: only its tail is text
                    walker.skip_subtree()
                    skipped = el
                    continue
                tag = tag.lower()
                kind = _TAG_KINDS.get(tag, _INLINE)
            # One call lists the attributes: a third of the elements have none.
            attributes = el.keys()
            if kind == _SKIP or (
                attributes
                and (
                    "hidden" in attributes
                    or ("style" in attributes and _style_hides(el.get("style")))
                )
            ):
                walker.skip_subtree()
                skipped = el
                continue
            if kind == _BREAK:
                newline()
                walker.skip_subtree()
                skipped = el
                continue
            is_block = kind == _BLOCK
            if is_block:
                newline()
            else:
                pending_gap = True
            open_elements.append((length, is_block))
            elements.append((el, tag))
            if tag == "a":
                links.append(el)
            if attributes and ("class" in attributes or "id" in attributes):
                classed.add(el)
            if tag == "time" or "itemprop" in attributes:
                time_or_itemprop.append((el, tag))
            text = el.text
            if text:
                emit(text, el)
        elif event == "end":
            if el is skipped:
                skipped = None
            else:
                start, is_block = open_elements.pop()
                if is_block:
                    newline()
                else:
                    pending_gap = True
                spans[el] = (start, length)
            if el is not root:
                tail = el.tail
                if tail:
                    emit(tail, el.getparent())
        else:  # comment or processing instruction: only its tail is text
            tail = el.tail
            if tail:
                emit(tail, el.getparent())
    return _Layout(
        "".join(parts), owner_offsets, owners, spans, elements, time_or_itemprop, links, classed
    )


def _fold(text: str) -> str:
    return _WS.sub(" ", fold_same_length(nfc(text))).strip()


def _letters(text: str) -> int:
    # map() over a method runs the loop in C: three times the speed of a generator expression.
    return sum(map(str.isalpha, text))


def _letters_over(text: str, lo: int, hi: int, limit: int) -> bool:
    """``_letters(text[lo:hi]) > limit``, counting only the first stretch when it settles it."""
    if hi - lo <= limit:
        return False  # a character is a letter at most
    # Running text is three-quarters letters: half as many characters again nearly always do.
    head = min(hi, lo + limit + limit // 2 + 1)
    head_letters = _letters(text[lo:head])
    if head_letters > limit or head == hi:
        return head_letters > limit
    return head_letters + _letters(text[head:hi]) > limit


def _ink(text: str) -> int:
    """Visible characters (anything but white space): distances on the page."""
    return len(text) - sum(map(str.isspace, text))


def _classes(el: Any) -> str:
    return _fold_classes(f"{el.get('class') or ''} {el.get('id') or ''}")


# Pages of a site repeat the same few class names: memoised, bounded.
@functools.lru_cache(maxsize=4096)
def _fold_classes(raw: str) -> str:
    return fold_same_length(raw)


@functools.lru_cache(maxsize=4096)
def _is_title_class(raw: str) -> bool:
    """The folded class and id words ``raw`` ("class id") name a title."""
    return _TITLE_CLASS.search(fold_same_length(raw)) is not None


def _text_content(el: Any) -> str:
    """``el.text_content()``; an element without children (most) holds it as .text: no XPath."""
    if len(el) == 0:
        return el.text or ""
    return str(el.text_content())


def _page_titles(tree: Any, jsonld: list[dict[str, Any]]) -> list[str]:
    # A <title> without children (nearly all) holds its text as .text: no XPath needed.
    titles = [_text_content(t) for t in tree.iter("title")]
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").lower()
        if key in ("og:title", "twitter:title", "title", "dc.title"):
            titles.append(meta.get("content") or "")
    for obj in jsonld:
        headline = obj.get("headline") or obj.get("name")
        if isinstance(headline, str):
            titles.append(headline)
    return [f for f in (_fold(t) for t in titles) if f]


def _prose_lines(layout: _Layout) -> list[tuple[int, int]]:
    """Spans of the lines of running text; a page of short paragraphs uses a lower bar."""
    lines: list[tuple[int, int]] = []
    pos = 0
    for line in layout.text.split("\n"):
        # A line shorter than the lower bar cannot reach it: its letters are not counted.
        if len(line) >= SHORT_PROSE_LETTERS:
            lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    text = layout.text
    for bar in (PROSE_LETTERS, SHORT_PROSE_LETTERS):
        prose = [(s, e) for s, e in lines if _letters_over(text, s, e, bar - 1)]
        if prose:
            return prose
    return []


def _find_heading(
    tree: Any,
    layout: _Layout,
    folded: str,
    title: str | None,
    prose: list[tuple[int, int]],
    jsonld: list[dict[str, Any]],
) -> Any | None:
    """The article's main heading element: the one matching the title, closest above the text.

    Candidates are h1-h6 and elements classed like a title; any element whose whole text is the
    title qualifies too (old table layouts set titles in <b> or <font>). Ties go to the one with
    the fewest letters between it and the first line of running text below it, which tells the
    article's heading from a site name that is also part of ``<title>``.
    """
    wanted = _fold(title) if title else ""
    page_titles = _page_titles(tree, jsonld)
    exact_titles = {wanted, *page_titles} - {""}
    shortest_title = min(map(len, exact_titles), default=2001)
    # A whole-title match starts with the title's first word: a test that needs no copy.
    first_words = {t.split(" ", 1)[0] for t in exact_titles}
    first_chars = {w[0] for w in first_words}
    best: tuple[int, int, int] | None = None  # (-match, distance, start)
    best_el: Any | None = None
    prose_starts = [s for s, _ in prose]
    spans = layout.spans
    classed = layout.classed
    # The cheap tests come first; every test only ever rules an element out.
    for el, tag in layout.elements:
        if tag in ("a", "html", "body"):
            continue
        start, end = spans[el]
        if end - start > 2000 or end - start < 8:  # 8 letters take 8 characters at least
            continue
        is_heading_like = tag in _HEADING_TAGS or (
            el in classed and _is_title_class(f"{el.get('class') or ''} {el.get('id') or ''}")
        )
        if not is_heading_like:
            # Only a whole-title match (4 or 2 below) makes it a candidate, and collapsing white
            # space never lengthens a text.
            if end - start < shortest_title:
                continue
            # A text not starting with white space starts with its first word.
            if folded[start] not in first_chars and not folded[start].isspace():
                continue
            first = _FIRST_WORD.match(folded, start, end)
            if first is None or first[1] not in first_words:
                continue
            text = _WS.sub(" ", folded[start:end]).strip()
            if text not in exact_titles:
                continue
        else:
            # The layout's text is NFC already and folding keeps offsets: it is folded once.
            text = _WS.sub(" ", folded[start:end]).strip()
        if not 8 <= _letters(layout.text[start:end]) <= 400:
            continue
        match = 0
        if wanted:
            if text == wanted:
                match = 4
            elif is_heading_like and len(wanted) >= 12 and (wanted in text or text in wanted):
                match = 3
        if not match:
            for pt in page_titles:
                if text == pt:
                    match = 2
                    break
                if is_heading_like and len(text) >= 12 and text in pt:
                    match = 1
        if not match and tag not in ("h1", "h2", "h3") and not is_heading_like:
            continue
        if best is not None and -match > best[0]:
            continue  # a better match is held already, whatever the distance
        i = bisect_right(prose_starts, end)
        if i >= len(prose_starts):
            continue  # nothing is written below it: not the article's heading
        if not match and _letters_over(layout.text, end, prose_starts[i], 500):
            continue
        distance = _letters(layout.text[end : prose_starts[i]])
        key = (-match, distance, start)
        if best is None or key < best:
            best, best_el = key, el
    return best_el


# ---------------------------------------------------------------- JSON-LD


def _jsonld_objects(tree: Any) -> Iterator[dict[str, Any]]:
    """Top-level JSON-LD objects (and @graph members); nested lists of other items are ignored."""
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        items = data if isinstance(data, list) else [data]
        for item in items:
            if not isinstance(item, dict):
                continue
            graph = item.get("@graph")
            if isinstance(graph, list):
                yield from (g for g in graph if isinstance(g, dict))
            else:
                yield item


def _jsonld_type(obj: dict[str, Any]) -> str:
    t = obj.get("@type")
    if isinstance(t, list):
        return " ".join(str(x) for x in t)
    return str(t or "")


# ---------------------------------------------------------------- helpers


def _after_fetch(parsed: ParsedDate, fetched_at: datetime) -> bool:
    if parsed.precision == "minute":
        return parsed.value > fetched_at
    return parsed.value.date() > fetched_at.astimezone(VN_TZ).date()


def _basic_rejection(parsed: ParsedDate, fetched_at: datetime) -> str | None:
    if parsed.label == "printed":
        return "print stamp: the date the page was printed"
    if parsed.year_inferred:
        return "no year stated"
    if parsed.value.year < MIN_WEB_YEAR:
        return f"before {MIN_WEB_YEAR}: a date in the text, not a web publication"
    if _after_fetch(parsed, fetched_at):
        return "after fetch time"
    return None


def _candidate(
    signal: str,
    raw: str,
    parsed: ParsedDate | None,
    is_update: bool,
    rejected: str | None,
    rank: int = 0,
) -> DateCandidate:
    return DateCandidate(
        signal=signal,
        raw=raw.strip()[:300],
        value=parsed.iso() if parsed else None,
        precision=parsed.precision if parsed else None,
        is_update=is_update,
        rejected=rejected if parsed else (rejected or "no date found"),
        rank=rank,
    )


def _machine_candidate(
    signal: str, raw: str, is_update: bool, fetched_at: datetime, today: date
) -> DateCandidate:
    dates = parse_dates(raw, today=today)
    parsed = dates[0] if dates else None
    rejected = _basic_rejection(parsed, fetched_at) if parsed else "no date found"
    # A template that prints "now" into its metadata: the value is the moment we fetched.
    is_stamp = (
        parsed is not None
        and signal in _STRUCTURED
        and parsed.precision == "minute"
        and fetched_at - parsed.value <= RENDER_STAMP_WINDOW
    )
    if is_stamp and not rejected:
        rejected = "equals the fetch time: stamped when the page was served"
    return _candidate(signal, raw, parsed, is_update, rejected)


# ---------------------------------------------------------------- visible dates


class _Context(NamedTuple):
    """What an element's ancestors (itself included) say about a date printed in it.

    Built top-down, a child from its parent's: walking up from every date to the root (once per
    rule) was most of the time spent judging a page's dates. A named tuple: built for every
    element above a date, it costs a third of a frozen dataclass.
    """

    in_link: bool
    in_article: bool
    #: a footer tag or class that does not hold the heading
    footer: bool
    #: sidebar, menu or banner below the heading's ancestors
    chrome: bool
    #: a block classed like a related/other-news/document list, below the heading's ancestors
    related: bool
    #: the nearest li, tr or dd below the heading's ancestors
    item: Any | None


_NO_CONTEXT = _Context(False, False, False, False, False, None)


@dataclass(slots=True)
class _Page:
    layout: _Layout
    heading: tuple[int, int] | None
    heading_el: Any | None
    anchor: tuple[int, int] | None  # heading, else the first line of running text
    prose: list[tuple[int, int]]
    heading_ancestors: set[Any]
    fetch_day: date
    #: fold_same_length(layout.text)
    folded: str = ""
    #: sorted offsets of every date with a stated year
    date_starts: list[int] = field(default_factory=list)
    #: layout.text is NFC (so ``folded`` is the folding of each of its lines too)
    text_is_nfc: bool = True
    #: end of the first other-news heading line below the anchor, -1 if none, None: not sought yet
    related_heading_end: int | None = None
    # Memos of this page's judgements, per element (or per line for links on a line).
    contexts: dict[Any, _Context] = field(default_factory=dict)
    item_lists_article: dict[Any, bool] = field(default_factory=dict)
    line_lists_article: dict[tuple[int, int], bool] = field(default_factory=dict)
    dated_item: dict[Any, bool] = field(default_factory=dict)
    dated_level: dict[Any, bool] = field(default_factory=dict)
    #: (start, end, element) of the page's links, by start; None: not gathered yet
    links: list[tuple[int, int, Any]] | None = None
    prose_starts: list[int] = field(default_factory=list)
    prose_ends: list[int] = field(default_factory=list)


def _context_of(el: Any, page: _Page) -> _Context:
    """The element's _Context, from its parent's (memoised for the page)."""
    contexts = page.contexts
    found = contexts.get(el)
    if found is not None:
        return found
    # Walk up to the nearest element already judged, then judge the path down from there.
    path = []
    node = el
    while node is not None and node not in contexts:
        path.append(node)
        node = node.getparent()
    ctx = _NO_CONTEXT if node is None else contexts[node]
    for node in reversed(path):
        ctx = _child_context(node, ctx, page.heading_ancestors)
        contexts[node] = ctx
    return ctx


def _child_context(node: Any, parent: _Context, heading_ancestors: set[Any]) -> _Context:
    if not isinstance(node.tag, str):  # not an element: adds nothing, but may stop the walks
        below_heading = node not in heading_ancestors
        return _Context(
            parent.in_link,
            parent.in_article,
            parent.footer,
            parent.chrome and below_heading,
            parent.related and below_heading,
            parent.item if below_heading else None,
        )
    tag = node.tag.lower()
    if node in heading_ancestors:
        # The walks up from a date stop at the blocks holding the heading.
        return _Context(
            parent.in_link or tag == "a",
            parent.in_article or tag == "article",
            parent.footer,
            False,
            False,
            None,
        )
    footer, chrome, related = _context_classes(f"{node.get('class') or ''} {node.get('id') or ''}")
    return _Context(
        parent.in_link or tag == "a",
        parent.in_article or tag == "article",
        parent.footer or tag == "footer" or footer,
        parent.chrome or tag in _CHROME_TAGS or chrome,
        parent.related or related,
        node if tag in ("li", "tr", "dd") else parent.item,
    )


@functools.lru_cache(maxsize=4096)
def _context_classes(raw: str) -> tuple[bool, bool, bool]:
    """Whether the folded class and id words ``raw`` ("class id") name a footer, page chrome or
    a related list: one memo look-up per element instead of three."""
    folded = fold_same_length(raw)
    return (
        _FOOTER_CLASS.search(folded) is not None,
        _CHROME_CLASS.search(folded) is not None,
        _RELATED_CLASS.search(folded) is not None,
    )


def _in_link(el: Any, page: _Page) -> bool:
    return _context_of(el, page).in_link


def _related_container(el: Any, page: _Page) -> bool:
    """True when ``el`` sits in a block named like a related/other-news/document list."""
    return _context_of(el, page).related


def _is_article_link(a: Any, text: str) -> bool:
    """A link titled like an article: long text, to a page (not a tool or a share button)."""
    href = (a.get("href") or "").strip().lower()
    if not href or href.startswith(("#", "javascript:", "mailto:")) or _TOOL_HREF.search(href):
        return False
    return _letters(text) >= LINK_TITLE_LETTERS


def _line_lists_article(page: _Page, lo: int, hi: int, date_el: Any) -> bool:
    """True when the date's list item (li, tr, dd) or line carries a link titled like an article."""
    item = _context_of(date_el, page).item
    if item is not None:
        found = page.item_lists_article.get(item)
        if found is None:
            found = any(_is_article_link(a, _text_content(a)) for a in item.iter("a"))
            page.item_lists_article[item] = found
        return found
    # Not in a list item: look at the links whose text lies on the date's line.
    found = page.line_lists_article.get((lo, hi))
    if found is None:
        found = _links_on_line(page, lo, hi)
        page.line_lists_article[(lo, hi)] = found
    return found


def _links_on_line(page: _Page, lo: int, hi: int) -> bool:
    if page.links is None:
        spans = page.layout.spans
        page.links = [(*spans[el], el) for el in page.layout.links]
    text = page.layout.text
    # Links are in document order, so by start. One starting at hi would be empty: no title.
    first = bisect_left(page.links, lo, key=_start_of)
    stop = bisect_left(page.links, hi, key=_start_of)
    return any(
        end <= hi and _is_article_link(el, text[start:end])
        for start, end, el in page.links[first:stop]
    )


def _start_of(link: tuple[int, int, Any]) -> int:
    return link[0]


def _in_dated_list(el: Any, page: _Page) -> bool:
    """True when the date's block is one of a run of look-alike dated items (a news list).

    Walks up from the date's element to the block holding the heading; at each level counts the
    siblings with the same tag and class that look like list items (a link titled like an
    article, or a short line) and hold a dated year of their own. Two or more make a list:
    "<p><a>…</a><br>12/03/2019</p>" repeated in a sidebar. Body paragraphs are neither.
    """
    node = el
    while node is not None and node not in page.heading_ancestors:
        parent = node.getparent()
        if parent is None:
            break
        found = page.dated_level.get(node)
        if found is None:
            found = _has_dated_siblings(node, parent, page)
            page.dated_level[node] = found
        if found:
            return True
        node = parent
    return False


def _has_dated_siblings(node: Any, parent: Any, page: _Page) -> bool:
    """Two or more siblings of ``node`` alike to it (tag and class) are dated list items."""
    key = (node.tag, node.get("class"))
    alike = 0
    spans = page.layout.spans
    for sib in parent:
        if sib is node or (sib.tag, sib.get("class")) != key or sib not in spans:
            continue
        dated = page.dated_item.get(sib)
        if dated is None:
            dated = _is_dated_item(sib, page)
            page.dated_item[sib] = dated
        if dated:
            alike += 1
            if alike >= 2:
                return True
    return False


def _is_dated_item(el: Any, page: _Page) -> bool:
    s, e = page.layout.spans[el]
    if e - s > 4 * LIST_ITEM_LETTERS:
        return False
    letters = _letters(page.layout.text[s:e])
    if letters > LIST_ITEM_LETTERS:
        return False
    i = bisect_left(page.date_starts, s)
    if i >= len(page.date_starts) or page.date_starts[i] >= e:
        return False
    if letters <= SHORT_ITEM_LETTERS:
        return True
    return any(_is_article_link(a, _text_content(a)) for a in el.iter("a"))


def _under_related_heading(page: _Page, start: int) -> bool:
    if page.anchor is None:
        return False
    if page.related_heading_end is None:  # sought once per page, not once per date
        page.related_heading_end = _first_related_heading(
            page.layout.text, page.anchor[1], page.folded if page.text_is_nfc else None
        )
    return 0 <= page.related_heading_end < start


# A line whose folded text starts with a letter such a heading can start with, and holds at
# most 60 characters besides white space (_is_related_heading's bar).
_RELATED_HEADING_LINE = re.compile(
    r"^[^\S\n]*+[" + "".join(sorted(_RELATED_HEADING_INITIALS)) + r"](?:[^\S\n]*+\S){0,59}+"
    r"[^\S\n]*+$",
    re.MULTILINE,
)


def _first_related_heading(text: str, lo: int, folded: str | None) -> int:
    """Offset of the newline ending the first "Tin liên quan"-like line from ``lo`` on, or -1.

    ``folded`` is fold_same_length(text) of an NFC ``text``, or None: then every line is read.
    """
    if folded is None:
        line_starts: Iterator[int] = _line_starts(text, lo)
    else:
        # Folding an NFC line is folding its characters: the lines too long or not starting
        # with the heading's first letter are skipped by one scan of the folded page.
        line_starts = itertools.chain(
            (lo,), (m.start() for m in _RELATED_HEADING_LINE.finditer(folded, lo + 1))
        )
    for line_start in line_starts:
        nl = text.find("\n", line_start)
        if nl < 0:
            return -1  # the text's last line ends no line: never read as a heading
        if _is_related_heading(text[line_start:nl]):
            return nl
    return -1


def _line_starts(text: str, lo: int) -> Iterator[int]:
    """``lo``, and the offset after each newline from ``lo`` on."""
    yield lo
    nl = text.find("\n", lo)
    while nl >= 0:
        yield nl + 1
        nl = text.find("\n", nl + 1)


def _is_related_heading(line: str) -> bool:
    """``line`` is a heading of a list of other news or documents ("Tin liên quan")."""
    # Such a heading starts with an ASCII letter of one of its first words; a line starting
    # otherwise with an ASCII character is settled without folding it (see _sentence_follows).
    first = line.lstrip()[:1]
    if first.isascii() and first.lower() not in _RELATED_HEADING_INITIALS:
        return False
    # Nor does a longer line of NFC text (folded, one character per character) get under 60.
    if (
        len(line) > 60
        and unicodedata.is_normalized("NFC", line)
        and len("".join(line.split())) > 60
    ):
        return False
    folded = _fold(line)
    return bool(folded) and len(folded) <= 60 and _RELATED_HEADING.match(folded) is not None


def _residue(line: str, line_dates: list[ParsedDate], lo: int) -> str:
    out = line
    for d in sorted(line_dates, key=lambda x: x.start, reverse=True):
        a, b = d.start - lo, d.end - lo
        out = out[:a] + " " + out[b:]
    return out


def _right_below_heading(page: _Page, lo: int, hi: int) -> bool:
    """At most one line of running text, of at most BELOW_TITLE_PROSE letters, lies wholly
    between offsets lo and hi (the heading's end and the date's line)."""
    # Prose lines do not overlap: ordered by start, they are ordered by end too.
    i = bisect_left(page.prose_starts, lo)
    j = bisect_right(page.prose_ends, hi)
    if j - i >= 2:
        return False  # two lines settle it: their letters are not counted
    if j <= i:
        return True
    start, end = page.prose[i]
    return not _letters_over(page.layout.text, start, end, BELOW_TITLE_PROSE)


def _in_footer(el: Any, page: _Page) -> bool:
    """True when ``el`` is in the page footer (not an <article>'s own footer)."""
    ctx = _context_of(el, page)
    return ctx.footer and not ctx.in_article


def _in_chrome(el: Any, page: _Page) -> bool:
    """True when ``el`` sits in a sidebar, menu or banner that does not hold the heading."""
    return _context_of(el, page).chrome


def _in_heading_apart(page: _Page, el: Any) -> bool:
    """True when ``el`` is an element of its own in the heading: "Title <span>(date)</span>"."""
    if page.heading_el is None or el is page.heading_el:
        return False
    node = el.getparent()
    while node is not None:
        if node is page.heading_el:
            return True
        node = node.getparent()
    return False


def _judge_visible(
    page: _Page, d: ParsedDate, all_dates: list[ParsedDate], fetched_at: datetime
) -> tuple[str | None, int]:
    """Verdict (a rejection, or None) and rank (0 best) for a date printed on the page."""
    basic = _basic_rejection(d, fetched_at)
    if basic:
        return basic, RANK_REJECTED
    layout = page.layout
    el = layout.owner_at(d.start)
    if page.anchor is None:
        return "no article heading or text on the page to anchor a dateline", RANK_REJECTED
    a0, a1 = page.anchor
    is_fetch_day = d.value.date() == page.fetch_day
    lo, hi = layout.line_bounds(d.start)
    line = layout.text[lo:hi]
    if page.heading is not None and d.end > a0 and d.start < a1:
        own = layout.spans.get(el, (d.start, d.end))
        own_text = layout.text[own[0] : own[1]]
        if _in_heading_apart(page, el) and _letters(own_text) - _letters(d.raw) <= 20:
            return None, 0  # "Title <span>(19/07/2024)</span>": the dateline set in the heading
        return "in the title: a date the headline is about", RANK_REJECTED
    if _in_link(el, page):
        return "in a link: a teaser or related-article list", RANK_REJECTED
    if _DOC_NUMBER.search(line[max(d.start - lo - DOC_NUMBER_WINDOW, 0) : max(d.start - lo, 0)]):
        return "date of a cited document (số …/…)", RANK_REJECTED
    if d.start < a0:
        if is_fetch_day:
            return "header widget: crawl date", RANK_REJECTED
        room = ABOVE_TITLE_LETTERS if page.heading is not None else ABOVE_TEXT_LETTERS
        if _letters(layout.text[d.end : a0]) > room:
            return "page chrome: before main heading", RANK_REJECTED
        if _in_chrome(el, page):
            return "page chrome: sidebar or navigation", RANK_REJECTED
        if _related_container(el, page) or _line_lists_article(page, lo, hi, el):
            return "in related list", RANK_REJECTED
        if _in_dated_list(el, page):
            return "in a list of dated items", RANK_REJECTED
        if not _is_dateline_like(page, d, all_dates, lo, hi):
            return "in running text above the heading", RANK_REJECTED
        return None, RANK_ABOVE + _ink(layout.text[d.end : a0])
    # Below the heading.
    if _in_footer(el, page):
        return "page footer", RANK_REJECTED
    if _in_chrome(el, page):
        return "page chrome: sidebar or navigation", RANK_REJECTED
    if _related_container(el, page) or _line_lists_article(page, lo, hi, el):
        return "in related list", RANK_REJECTED
    if _under_related_heading(page, d.start):
        return "in related list (under an other-news heading)", RANK_REJECTED
    if not _is_dateline_like(page, d, all_dates, lo, hi):
        return "in body text: a date the article is about", RANK_REJECTED
    distance = _ink(layout.text[a1 : d.start])
    if _right_below_heading(page, a1, lo):
        # Right below the heading. Short dated paragraphs of a notice may follow; they do not
        # make the dateline an item of a list.
        return None, RANK_BELOW + distance
    if _in_dated_list(el, page):
        return "in a list of dated items", RANK_REJECTED
    if d.label in ("published", "updated"):
        if is_fetch_day:
            return "crawl date below the article text", RANK_REJECTED
        return None, RANK_FAR + distance
    return "after the article text: not the article's dateline", RANK_REJECTED


def _is_dateline_like(
    page: _Page, d: ParsedDate, all_dates: list[ParsedDate], lo: int, hi: int
) -> bool:
    """The date's line (lo, hi) holds little besides its dates and does not go on as a sentence.

    Asked only of the dates that pass the cheaper tests: most dates of a page sit in sidebars
    and lists, settled before their line is looked at.
    """
    text = page.layout.text
    same_line = [x for x in all_dates if lo <= x.start < hi]
    residue = _residue(text[lo:hi], same_line, lo)
    limit = DATELINE_RESIDUE_LABELLED if d.label else DATELINE_RESIDUE
    sentence_follows = not d.label and _sentence_follows(text[d.end : hi])
    return _letters(residue) <= limit and not sentence_follows


def _sentence_follows(after: str) -> bool:
    """The text after a date goes on as a sentence: ", …" with 20 letters or more."""
    # Folding and NFC keep a first character that is ASCII and not a comma, and _fold would
    # strip the white space lstrip strips: such a text is settled without folding it.
    first = after.lstrip()[:1]
    if first != "," and first.isascii():
        return False
    folded = _fold(after)
    return folded.startswith(",") and _letters(folded) >= 20


def _context(layout: _Layout, d: ParsedDate) -> str:
    """The date's line when short (the dateline as printed), else a window around the date."""
    lo, hi = layout.line_bounds(d.start)
    if hi - lo <= EVIDENCE_LINE:
        return layout.text[lo:hi].strip()
    a, b = max(lo, d.start - 50), min(hi, d.end + 20)
    return ("…" if a > lo else "") + layout.text[a:b].strip() + ("…" if b < hi else "")


def _visible_candidates(tree: Any, page: _Page, fetched_at: datetime) -> list[DateCandidate]:
    layout = page.layout
    # parse_dates would NFC the text, which the layout's text (NFC pieces) nearly always is.
    is_nfc = page.text_is_nfc
    dates = parse_dates(layout.text, today=page.fetch_day, folded=page.folded if is_nfc else None)
    page.date_starts = [d.start for d in dates if not d.year_inferred]
    out: list[tuple[int, DateCandidate]] = []
    for d in dates:
        rejected, rank = _judge_visible(page, d, dates, fetched_at)
        raw = _context(layout, d)
        is_update = d.label == "updated"
        out.append((d.start, _candidate("dateline", raw, d, is_update, rejected, rank)))
    # <time datetime> and visible microdata: machine-readable values at a visible position.
    # The layout's elements are the visible elements of the tree, in document order.
    for el, tag in layout.time_or_itemprop:
        if tag == "meta":
            continue
        prop = (el.get("itemprop") or "").strip()
        if tag != "time" and prop not in ("datePublished", "dateModified", "dateCreated"):
            continue
        raw = el.get("datetime") or el.get("content") or el.text_content()
        if not raw or not raw.strip():
            continue
        is_update = prop == "dateModified" or "updat" in _classes(el) or "modif" in _classes(el)
        parsed_all = parse_dates(raw, today=page.fetch_day)
        start = layout.spans[el][0]
        if not parsed_all:
            out.append((start, _candidate("time", raw, None, is_update, "no date found")))
            continue
        p = parsed_all[0]
        # Judge it where it stands, as if its value were printed there.
        probe = ParsedDate(
            value=p.value,
            precision=p.precision,
            raw=p.raw,
            label=p.label or ("updated" if is_update else None),
            start=start,
            end=layout.spans[el][1],
            year_inferred=p.year_inferred,
            after_today=p.after_today,
        )
        rejected, rank = _judge_visible(page, probe, dates, fetched_at)
        out.append((start, _candidate("time", raw, p, is_update, rejected, rank)))
    out.sort(key=lambda x: x[0])
    return [c for _, c in out]


# ---------------------------------------------------------------- URL

_URL_DAY = re.compile(
    r"/(?P<y>(?:19|20)\d{2})(?P<s>[/\-_]?)(?P<m>0[1-9]|1[0-2]|[1-9](?=/))(?P=s)"
    r"(?P<d>0[1-9]|[12]\d|3[01]|[1-9](?=/))(?=/|$|[-_.])"
)
_URL_MONTH = re.compile(r"/(?P<y>(?:19|20)\d{2})/?(?P<m>0[1-9]|1[0-2])(?=/)")


def _url_candidates(tree: Any, url: str, fetched_at: datetime) -> list[DateCandidate]:
    urls = [url]
    for link in tree.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
            urls.append(link.get("href"))
    for meta in tree.iter("meta"):
        if (meta.get("property") or "").lower() == "og:url" and meta.get("content"):
            urls.append(meta.get("content"))
    out: list[DateCandidate] = []
    seen: set[str] = set()
    today = fetched_at.astimezone(VN_TZ).date()
    for u in urls:
        try:
            path = urlsplit(u).path
        except ValueError:
            continue
        m = _URL_DAY.search(path)
        if m:
            text = f"{m['y']}-{int(m['m']):02d}-{int(m['d']):02d}"
            if text not in seen:
                seen.add(text)
                cand = _machine_candidate("url", text, False, fetched_at, today)
                out.append(dataclasses.replace(cand, raw=u))
            continue
        mm = _URL_MONTH.search(path)
        if mm and mm.group(0) not in seen:
            seen.add(mm.group(0))
            out.append(DateCandidate("url", u, None, None, False, "month only: no day in the URL"))
    return out


# ---------------------------------------------------------------- public API


def page_date_candidates(
    tree: lxml.html.HtmlElement, url: str, fetched_at: datetime, *, title: str | None = None
) -> list[DateCandidate]:
    """Every date the page states about itself, each with a verdict.

    Inputs: the parsed page (never modified), its URL, the aware fetch time, and the article
    title when the extractor knows it (it locates the heading; without it the heading is found
    from ``<title>``/og:title and the position of the running text). Output: candidates in the
    order structured metadata, visible dates and ``<time>`` in page order, URL. Never raises on
    odd markup: unreadable values become rejected candidates.
    """
    fetch_day = fetched_at.astimezone(VN_TZ).date()
    out: list[DateCandidate] = []

    # JSON-LD: top-level objects; article types first.
    jsonld = list(_jsonld_objects(tree))  # in page order: the heading search reads them too
    objects = sorted(jsonld, key=lambda o: not _ARTICLE_TYPES.search(_jsonld_type(o)))
    for obj in objects:
        for keys, is_update in ((_JSONLD_PUBLISHED, False), (_JSONLD_MODIFIED, True)):
            for key in keys:
                value = obj.get(key)
                if isinstance(value, str) and value.strip():
                    out.append(
                        _machine_candidate("jsonld", value, is_update, fetched_at, fetch_day)
                    )

    # <meta> tags, microdata <meta itemprop> included.
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = meta.get("content") or ""
        if not content.strip():
            continue
        if key in _META_PUBLISHED:
            is_update = False
        elif key in _META_MODIFIED:
            is_update = True
        else:
            continue
        cand = _machine_candidate("meta", content, is_update, fetched_at, fetch_day)
        if cand.rejected is None and meta.get("itemprop") and _in_list_item(meta):
            cand = DateCandidate(
                "meta", cand.raw, cand.value, cand.precision, is_update, "in related list"
            )
        out.append(cand)

    layout = _layout(tree)
    prose = _prose_lines(layout)
    # Folding keeps offsets: fold_same_length(layout.text) serves the heading search and the dates.
    folded = fold_same_length(layout.text)
    heading_el = _find_heading(tree, layout, folded, title, prose, jsonld)
    heading = layout.spans[heading_el] if heading_el is not None else None
    anchor = heading if heading is not None else (prose[0] if prose else None)
    heading_ancestors = _spans_holding(layout, heading_el) if heading_el is not None else set()
    page = _Page(layout, heading, heading_el, anchor, prose, heading_ancestors, fetch_day, folded)
    page.text_is_nfc = unicodedata.is_normalized("NFC", layout.text)
    page.prose_starts = [s for s, _ in prose]
    page.prose_ends = [e for _, e in prose]
    out.extend(_visible_candidates(tree, page, fetched_at))
    out.extend(_url_candidates(tree, url, fetched_at))
    return out


def _spans_holding(layout: _Layout, heading_el: Any) -> set[Any]:
    """The elements whose span holds the heading's: its ancestors, itself, and descendants
    spanning the same text (spans nest as the elements do)."""
    spans = layout.spans
    span = spans[heading_el]
    holding = {el for el in heading_el.iter() if spans.get(el) == span}
    node = heading_el.getparent()
    while node is not None:
        if node in spans:
            holding.add(node)
        node = node.getparent()
    return holding


def _in_list_item(el: Any) -> bool:
    node = el.getparent()
    while node is not None:
        if isinstance(node.tag, str) and node.tag.lower() in ("li", "a"):
            return True
        node = node.getparent()
    return False


def hint_candidates(hints: Sequence[tuple[str, str]], fetched_at: datetime) -> list[DateCandidate]:
    """Candidates from what listings, feeds and sitemaps said about the page.

    ``hints`` are (source, date_raw) pairs, source being "listing", "feed" or "sitemap". Feed
    times in UTC are converted to Vietnam time before the day is taken. Unknown sources and
    unreadable values come back rejected.
    """
    today = fetched_at.astimezone(VN_TZ).date()
    out = []
    for source, raw in hints:
        if source not in _HINT_SOURCES:
            out.append(DateCandidate(source, raw or "", None, None, False, "unknown hint source"))
            continue
        if not raw or not raw.strip():
            continue
        out.append(_machine_candidate(source, raw, False, fetched_at, today))
    return out


def _trust(c: DateCandidate) -> tuple[int, int]:
    idx = TRUST_ORDER.index(c.signal) if c.signal in TRUST_ORDER else len(TRUST_ORDER)
    return idx, c.rank


def _day(c: DateCandidate) -> str:
    return (c.value or "")[:10]


def _hours_apart(a: DateCandidate, b: DateCandidate) -> int | None:
    """Whole hours between two minute-precision values, when they differ by whole hours."""
    if a.precision != "minute" or b.precision != "minute" or not a.value or not b.value:
        return None
    delta = datetime.fromisoformat(a.value) - datetime.fromisoformat(b.value)
    seconds = abs(delta.total_seconds())
    if seconds and seconds % 3600 == 0 and seconds <= 14 * 3600:
        return int(seconds // 3600)
    return None


def choose_publication_date(
    candidates: Sequence[DateCandidate], fetched_at: datetime
) -> DateChoice:
    """Pick the publication date from ``candidates`` by the order of trust; never a guess.

    Structured metadata wins over the visible dateline, except when they disagree on the day
    for one of two principled reasons, in which case the dateline (what readers see, in local
    time) wins: the metadata states the fetch day itself (a template stamping "now" at render
    time), or both give a time and differ by whole hours up to 14 (a time-zone error: UTC
    written as if it were local). When the page's only dateline is labelled as an update it
    counts as the publication date. Below the page's own dates come the URL, the feed entry, the
    sitemap entry and the listing date; a structured dateModified alone comes last. Nothing
    usable gives None: the crawl date is never used as a guess.
    """
    fetch_day = fetched_at.astimezone(VN_TZ).date().isoformat()
    usable = [c for c in candidates if c.rejected is None and c.value]
    ordered = sorted(usable, key=_trust)
    published = [c for c in ordered if not c.is_update]
    updates = [c for c in ordered if c.is_update]

    structured = next((c for c in published if c.signal in _STRUCTURED), None)
    dateline = next((c for c in published if c.signal == "dateline"), None)
    if dateline is None:
        dateline = next((c for c in updates if c.signal == "dateline"), None)
    notes: dict[int, str] = {}
    winner: DateCandidate | None = None
    if structured is not None and dateline is not None and not dateline.is_update:
        if _day(structured) == _day(dateline):
            better_time = structured.precision == "day" and dateline.precision == "minute"
            winner = dateline if better_time else structured
        elif _day(structured) == fetch_day:
            winner = dateline
            notes[id(structured)] = "states the fetch day; the visible dateline disagrees"
        elif (hours := _hours_apart(structured, dateline)) is not None:
            winner = dateline
            notes[id(structured)] = f"{hours} h off the visible dateline: time-zone error"
        else:
            winner = structured
            notes[id(dateline)] = f"disagrees with {structured.signal}; metadata trusted"
    elif structured is not None:
        winner = structured
    elif dateline is not None:
        winner = dateline
    else:
        winner = next((c for c in published if c.signal not in _STRUCTURED), None)
        if winner is None:
            winner = next((c for c in updates if c.signal in _STRUCTURED), None)

    updated: DateCandidate | None = None
    if winner is not None and winner.is_update:
        updated = winner
    else:
        for c in updates:
            if winner is None or (c.value or "") >= (winner.value or ""):
                updated = c
                break

    evidence: list[dict[str, object]] = []
    for c in candidates:
        if c is winner:
            accepted, reason = 1, "chosen as published"
        elif c is updated:
            accepted, reason = 1, "chosen as updated"
        elif c.rejected is not None:
            accepted, reason = 0, c.rejected
        elif id(c) in notes:
            accepted, reason = 0, notes[id(c)]
        elif winner is not None:
            accepted, reason = 0, f"usable; outranked by {winner.signal}"
        else:
            accepted, reason = 0, "usable; not chosen"
        evidence.append(
            {
                "signal": c.signal,
                "raw": c.raw,
                "parsed": c.value,
                "accepted": accepted,
                "reason": reason,
            }
        )
    return DateChoice(
        published=winner.value if winner else None,
        precision=winner.precision if winner else None,
        source=winner.signal if winner else None,
        raw=winner.raw if winner else None,
        updated=updated.value if updated else None,
        evidence=tuple(evidence),
    )
