"""Article text, title, author and captions from one parsed page: our rules around trafilatura.

The order is structure first, text patterns last:

1. read the head (title, og:*, canonical, generator) and find the title element and the body
   element (readability-style scoring of prose blocks); both and their ancestors are protected;
2. prune by structure: XPaths, class/id vocabulary, widget headings ("Tin liên quan",
   "VĂN BẢN MỚI"), link density; the generic layer first, detected CMS families on top;
3. cut the article container (the title's and the body's common ancestor), take the captions
   and the byline out of it;
4. let trafilatura serialise the container into paragraphs (our own serialiser when it declines);
5. drop whole lines that match widget vocabulary, datelines, file names or the title.

Nothing here mutates the caller's tree: the dating stage reads the same tree afterwards.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import pairwise
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
from trafilatura import bare_extraction
from trafilatura.settings import Document, Extractor

from crawler.rules import (
    FamilyRules,
    PageIndex,
    Rule,
    Rules,
    attribute_values,
    compiled_regex,
    compiled_xpath,
    is_capitalised_name,
)
from crawler.text import nfc

#: Bump when rules or logic change, so re-extraction can find rows made by older versions.
EXTRACTOR_VERSION = "1.1"

_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dir",
        "div", "dl", "dt", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hr", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "caption", "html",
    }
)  # fmt: skip
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Never text, whatever the rules say: removed before the title and the body are looked for.
_CODE_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "object", "embed")
_TABLE_TAGS = frozenset({"table", "tbody", "thead", "tfoot", "tr", "td", "th", "caption"})
# Wrappers trafilatura would treat as a page or an article of their own.
_WRAPPER_TAGS = frozenset({"html", "body", "main", "section", "article", "center", "form", "font"})
# A leaf block holds text but no other block: one of _LEAF_TAGS without a descendant in
# _INNER_BLOCK_TAGS (tables and lists count as blocks inside, not as leaves).
_LEAF_TAGS = (
    "p", "div", "td", "th", "li", "dd", "dt", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5",
    "h6", "figcaption", "address", "center", "caption",
)  # fmt: skip
_INNER_BLOCK_TAGS = (
    "p", "div", "td", "th", "li", "dd", "dt", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5",
    "h6", "figcaption", "table", "ul", "ol", "address", "center",
)  # fmt: skip
_BACKREF_RE = re.compile(r"\\[1-9]|\(\?P=")
_TITLE_CLASS_RE = re.compile(r"title|tieu-?de|headline|heading|ten-?bai", re.IGNORECASE)
_WORD_RE = re.compile(r"\w+")
_SENTENCE_END_RE = re.compile(r"[.!?…:;\"”)]\s*$")
_SEPARATORS_RE = re.compile(r"\s+[|•·]\s+|\s+[-–]\s+|\s*\|\s*")
_IMAGE_NAME_RE = re.compile(r"^[\w\s().,~+\-]{1,80}\.(jpe?g|png|gif|bmp|webp|tiff?|jfif)$", re.I)
# A dateline is a short line that is nothing but dates, times, weekdays, counters and labels.
_DATE_TOKEN_RE = re.compile(
    r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{2,4}|\d{4}-\d{2}-\d{2}(t[\d:+.z-]+)?"
    r"|\d{1,2}\s*(:|giờ|h)\s*\d{2}(\s*:\s*\d{2})?(\s*(am|pm|sa|ch))?"
    r"|ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}",
    re.IGNORECASE,
)
_DATELINE_FILLER_RE = re.compile(
    r"\b(thứ\s+(hai|ba|tư|năm|sáu|sau|bảy|bay|[2-7])|chủ\s+nhật|ngày|đăng|đăng lúc|cập nhật"
    r"|cập nhật lúc|cập nhật vào ngày|lúc|vào|giờ|gmt|utc|số lần xem|số lượt xem|lượt xem"
    r"|lượt đọc|xem|bình luận|views?|comments?|posted|on|at|am|pm|sáng|chiều|tối)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Extracted:
    """What one page says about itself. NFC throughout; picklable."""

    #: the article's own heading, without site-name suffix or category prefix
    title: str | None
    #: lead first, then every body paragraph in order, separated by a blank line ("\n\n")
    text: str
    #: the name from the byline ("Tin, ảnh: Lê Thuý" -> "Lê Thuý"), None when there is none
    author: str | None
    #: image captions in page order
    captions: tuple[str, ...]
    #: rel=canonical or og:url, made absolute against the page URL
    declared_url: str | None
    #: False for listings, tag pages, calendars, search results, static pages, soft 404s
    is_article: bool
    #: why is_article is what it is, e.g. "article: og:type+h1+body", "listing: 12 teaser links"
    kind_reason: str


@dataclass(frozen=True, slots=True)
class _Head:
    title: str
    og_title: str
    og_type: str
    declared_url: str | None
    generator: str
    has_published_meta: bool
    #: a person's name the page states in structured form (meta author, JSON-LD, rel=author)
    author: str | None = None


def extract_article(tree: lxml.html.HtmlElement, url: str, *, rules: Rules) -> Extracted:
    """Extract title, text, author and captions from a parsed page and say if it is an article.

    ``tree`` is the root from ``crawler.html.parse_html``; it is deep-copied and never changed.
    ``url`` is the URL the page was fetched from (to resolve relative canonical links and to
    match URL-shaped rules). ``rules`` comes from ``crawler.rules.load_rules``. Never raises for
    odd markup: a page without usable content comes back with empty text and ``is_article``
    False.
    """
    doc = copy.deepcopy(tree)
    root = doc.getroot() if isinstance(doc, lxml.etree._ElementTree) else doc
    # Rule XPaths look for classes, ids and URLs most pages lack: the page's attribute values
    # (and, once known, its element names) rule them out without a walk of the tree each.
    index = PageIndex(attribute_values(root))
    head = _read_head(root, url, index.attribute_values)
    detected = rules.detect(url=url, generator=head.generator, tree=root, index=index)
    active = rules.active(detected)
    body = root.find("body")
    if body is None:
        body = root
    lxml.etree.strip_elements(body, *_CODE_TAGS, with_tail=False)

    # Document order of every element; holding their proxies also spares lxml re-creating one
    # (a Python class lookup) each time a later pass meets the same element.
    order = {el: i for i, el in enumerate(body.iter())}
    index = PageIndex(index.attribute_values, _element_names(root, body, order))
    blocks = _prose_blocks(body)
    scores = _body_scores(blocks)
    body_el = _find_body(body, active, scores, index)
    first_prose = (
        _first_prose_block(_blocks_within(body_el, blocks, order)) if body_el is not None else None
    )
    # Where the title searches stop looking (None: never, e.g. a body found outside <body>).
    first_prose_at = order.get(first_prose) if first_prose is not None else None
    title_el, title = _find_title(_title_candidates(order), head, active, body_el, first_prose_at)
    body_el = _body_near_title(body_el, title_el, scores)
    title_is_link = _is_link_text(body, title, title_el)
    protected = _ancestors_of(title_el, body_el)

    _prune(body, _of(active, "prune"), protected, index)
    _prune_by_class(body, _of(active, "prune_class"), protected)
    _prune_widget_headings(body, _of(active, "widget_heading"), protected, title_el)
    _prune_link_dense(body, protected)

    container = _container(title_el, body_el, body)
    teasers = _teaser_links(container, url)
    if title_el is not None:
        _drop_before_title(container, title_el)
    captions = _take_captions(container, active, index)
    author = _take_author(container, active, index)
    _drop_boilerplate_blocks(container, active)
    _drop_dangling_headings(container, active)

    _split_double_breaks(container)
    paragraphs = _serialise(container)
    paragraphs = _clean_lines(paragraphs, title, captions, active)
    if author is None:
        author, paragraphs = _byline_from_lines(paragraphs, active)
    if author is None:
        author = head.author
    text = "\n\n".join(paragraphs)

    is_article, reason = _classify(url, head, title, title_el, text, teasers, title_is_link, active)
    return Extracted(
        title=nfc(title) if title else None,
        text=nfc(text),
        author=nfc(author) if author else None,
        captions=tuple(nfc(c) for c in captions),
        declared_url=head.declared_url,
        is_article=is_article,
        kind_reason=reason,
    )


# ---------------------------------------------------------------------------- head and title


def _read_head(root: lxml.html.HtmlElement, url: str, attribute_values: str) -> _Head:
    # The first non-empty content of each meta key, read in one pass over the metas.
    contents: dict[str, str] = {}
    for el in root.iterfind(".//meta"):
        content = el.get("content")
        if content:
            key = (el.get("property") or el.get("name") or "").strip().lower()
            contents.setdefault(key, content)

    def meta(*names: str) -> str:
        return next((_clean(contents[n]) for n in names if n in contents), "")

    title_el = root.find(".//title")
    title = _clean(title_el.text_content()) if title_el is not None else ""
    declared = None
    for link in root.iterfind(".//link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            declared = link.get("href", "").strip()
            break
    declared = declared or meta("og:url") or None
    if declared:
        declared = urljoin(url, declared)
        if urlsplit(declared).scheme not in ("http", "https"):
            declared = None
    return _Head(
        title=title,
        og_title=meta("og:title", "twitter:title"),
        og_type=meta("og:type").lower(),
        declared_url=declared,
        generator=meta("generator"),
        has_published_meta=bool(meta("article:published_time", "datepublished", "pubdate")),
        author=_structured_author(
            root, meta("author", "article:author", "dc.creator"), attribute_values
        ),
    )


#: Words that make a "name" an organisation: a site or board in the author meta is no byline.
#: Syllables that are also common in personal names (Thị, Văn, Thành, Trung, Tâm: "Nguyễn Thị
#: Hoa", "Lê Văn Thành") are not here: the organisations they open are matched as pairs.
_ORG_WORDS = frozenset(
    (
        "ban", "báo", "bộ", "cổng", "đảng", "điện", "hội", "huyện", "khối", "phòng", "quận",
        "sở", "tỉnh", "trang", "ủy", "uỷ", "ubnd", "xã", "website", "portal", "admin", "quản",
        "trị", "biên", "tập",
    )
)  # fmt: skip
#: Two-word openings of organisation names made of name syllables ("Trung tâm Văn hóa").
_ORG_PAIRS = frozenset(
    ("trung tâm", "văn phòng", "thành phố", "thị trấn", "thị xã", "thông tin", "văn hóa")
)
# The microformat selectors, compiled once. Each step first asks for the attribute and the bare
# word ("author" inside @class), which the normalised-token test implies: the same elements,
# without building the padded string for every element of the page.
_AUTHOR_XPATHS = tuple(
    lxml.etree.XPath(x)
    for x in (
        ".//*[@itemprop='author']",
        ".//a[@rel][contains(concat(' ', normalize-space(@rel), ' '), ' author ')]",
        ".//*[@class][contains(@class, 'author')]"
        "[contains(concat(' ', normalize-space(@class), ' '), ' author ')]"
        "//*[@class][contains(@class, 'fn')]"
        "[contains(concat(' ', normalize-space(@class), ' '), ' fn ')]",
    )
)


def _structured_author(
    root: lxml.html.HtmlElement, meta_author: str, attribute_values: str
) -> str | None:
    """A person's name from author metadata or microformats, when it reads as a name.

    Used only when the page has no byline of its own; "Ban Tuyên giáo Huyện ủy" or a URL in
    the author meta is the site, not a person, and is ignored. Candidates are tried in order
    (meta, JSON-LD, then up to three elements per microformat selector); the selectors walk the
    whole page, so they run only when the metadata named no person and some attribute value of
    the page (``attribute_values``, as for PageIndex) holds "author", which each of them needs.
    """
    found = _first_person([meta_author, *_jsonld_authors(root)])
    if "author" not in attribute_values:
        return found
    for xpath in _AUTHOR_XPATHS:
        if found is not None:
            break
        found = _first_person(_clean(el.text_content()) for el in xpath(root)[:3])
    return found


def _first_person(candidates: Iterable[str]) -> str | None:
    for name in candidates:
        name = name.strip()
        if not name or "/" in name or "@" in name:
            continue
        words = [w.casefold() for w in _words(name)]
        pairs = {f"{a} {b}" for a, b in pairwise(words)}
        if is_capitalised_name(name) and not (set(words) & _ORG_WORDS or pairs & _ORG_PAIRS):
            return name
    return None


def _jsonld_authors(root: lxml.html.HtmlElement) -> list[str]:
    names: list[str] = []
    for script in root.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                author = node.get("author")
                for item in author if isinstance(author, list) else [author]:
                    if isinstance(item, dict) and isinstance(item.get("name"), str):
                        names.append(item["name"])
                    elif isinstance(item, str):
                        names.append(item)
                stack.extend(v for v in node.values() if isinstance(v, dict | list))
    return names


#: (element, its position in document order, whether its class or id names it like a title)
_TitleCandidate = tuple[lxml.html.HtmlElement, int, bool]


def _title_candidates(order: dict[lxml.html.HtmlElement, int]) -> list[_TitleCandidate]:
    """The headings of the body and its elements named like titles, in document order.

    Both title searches draw on this one walk. The name test is made for every element
    but h1-h4 (which both searches take as headings without it); <a> and <body> never qualify.
    """
    out = []
    for el, position in order.items():
        tag = el.tag
        if not isinstance(tag, str):
            continue
        titled = False
        if tag not in _HEADING_TAGS[:4] and tag != "a" and tag != "body":
            class_name, id_name = el.get("class"), el.get("id")
            if class_name is not None or id_name is not None:  # " " is not a title-like name
                titled = _TITLE_CLASS_RE.search(f"{class_name or ''} {id_name or ''}") is not None
        if titled or tag in _HEADING_TAGS:
            out.append((el, position, titled))
    return out


def _find_title(
    candidates: list[_TitleCandidate],
    head: _Head,
    active: tuple[FamilyRules, ...],
    body_el: lxml.html.HtmlElement | None,
    first_prose_at: int | None,
) -> tuple[lxml.html.HtmlElement | None, str | None]:
    """The element holding the article's own title, and its text.

    Candidates are headings and elements named like titles whose text is og:title, all of
    <title>, or one end of it beside a separator ("Title - Site", "Site | Title"). og:title
    wins; otherwise the candidate closest to the body (the banner's site name is far from it),
    then the better match. Without any candidate, the last heading before the body's first
    words; without that, og:title or <title> minus its last segment.
    """
    separators = [r.pattern for r in _of(active, "title_separator")] or [" - "]
    is_widget_heading = _line_matcher(_patterns(active, "widget_heading"))
    page_title, og_title = head.title, head.og_title
    best: tuple[tuple[int, ...], lxml.html.HtmlElement, str] | None = None
    texts: dict[lxml.html.HtmlElement, str | None] = {}  # shared with _heading_before_body
    for el, index, _titled in candidates:
        is_heading = el.tag in _HEADING_TAGS
        if not is_heading and el.tag == "title":
            continue
        text = texts[el] = _short_text(el, 400)
        if text is None or len(text) < 3:
            continue
        match = _title_match(text, page_title, og_title, separators)
        if match == 0:
            continue
        in_link = el.getparent() is not None and any(a.tag == "a" for a in el.iterancestors())
        if el.find(".//a") is not None and _clean(el.find(".//a").text_content()) == text:
            in_link = True
        # "Title - Site" and "Site | Title" both match two headings (the article's and the
        # banner's); the one sharing the smaller ancestor with the body is the article's.
        closeness = _closeness(el, body_el) if match < 4 else 0
        rank = (min(match, 4) // 4, closeness, match, 0 if in_link else 1, int(is_heading), -index)
        if best is None or rank > best[0]:
            best = (rank, el, text)
    positional = _heading_before_body(candidates, texts, body_el, first_prose_at, is_widget_heading)
    if best is not None:
        match, el, text = best[0][2], best[1], best[2]
        # A <title> that is only the site name matches the banner's heading; when another
        # heading sits closer to the body, that one is the article's.
        if (
            match in (1, 3)
            and positional is not None
            and positional[0] is not el
            and _tighter(positional[0], el, body_el)
        ):
            return positional
        return el, text
    if positional is not None:
        return positional
    fallback = og_title or _strip_site_suffix(page_title, separators)
    return None, fallback or None


def _closeness(el: lxml.html.HtmlElement, body_el: lxml.html.HtmlElement | None) -> int:
    """Depth of the common ancestor of ``el`` and the body: deeper means closer."""
    if body_el is None:
        return 0
    common = _common_ancestor(el, body_el)
    return 0 if common is None else sum(1 for _ in common.iterancestors())


def _tighter(
    near: lxml.html.HtmlElement, far: lxml.html.HtmlElement, body_el: lxml.html.HtmlElement | None
) -> bool:
    """True when ``near`` shares a smaller ancestor with the body than ``far`` does."""
    if body_el is None:
        return False
    near_lca, far_lca = _common_ancestor(near, body_el), _common_ancestor(far, body_el)
    if near_lca is None or far_lca is None or near_lca is far_lca:
        return False
    return any(a is far_lca for a in near_lca.iterancestors())


def _common_ancestor(
    a: lxml.html.HtmlElement, b: lxml.html.HtmlElement
) -> lxml.html.HtmlElement | None:
    # Keep the proxies alive: lxml returns the same Python object for a node only while one
    # exists, so ids of dropped proxies could be reused.
    b_line = [b, *b.iterancestors()]
    for x in (a, *a.iterancestors()):
        if any(x is y for y in b_line):
            return x
    return None


def _heading_before_body(
    candidates: list[_TitleCandidate],
    texts: dict[lxml.html.HtmlElement, str | None],
    body_el: lxml.html.HtmlElement | None,
    first_prose_at: int | None,
    is_widget_heading: Callable[[str], bool],
) -> tuple[lxml.html.HtmlElement, str] | None:
    """The last heading before the body's first words (headings inside the body count until its
    first prose block, at ``first_prose_at`` in document order), not a link and not a widget's;
    the first one when there is no body. ``texts`` holds the short texts already read."""
    candidate = None
    for el, position, titled in candidates:
        if first_prose_at is not None and position >= first_prose_at:
            break
        if not titled and el.tag not in _HEADING_TAGS[:4]:
            continue
        text = texts[el] if el in texts else _short_text(el, 400)
        if text is None or len(text) < 15 or is_widget_heading(text):
            continue
        if el.find(".//a") is not None or any(a.tag == "a" for a in el.iterancestors()):
            continue
        candidate = (el, text)
        if body_el is None:
            break
    return candidate


def _title_match(text: str, page_title: str, og_title: str, separators: list[str]) -> int:
    """4: equals og:title; 3: equals all of <title>; 2: <title> starts with it; 1: ends with it."""
    folded = text.casefold()
    if og_title and folded == og_title.casefold():
        return 4
    if not page_title:
        return 0
    page = page_title.casefold()
    if folded == page:
        return 3
    for sep in separators:
        if page.startswith(folded + sep.casefold()):
            return 2
    for sep in separators:
        sep = sep.casefold()
        if page.endswith(sep + folded) or sep + folded + sep in page:
            return 1  # "Site | Title", "Category - Title - Site"
    return 0


def _strip_site_suffix(title: str, separators: list[str]) -> str:
    """'Article - Site' -> 'Article': cut at the last separator found."""
    cut = max((title.rfind(sep) for sep in separators), default=-1)
    return title[:cut].strip() if cut > 0 else title


# ---------------------------------------------------------------------------- body scoring


def _first_prose_block(blocks: Iterable[_ProseBlock]) -> lxml.html.HtmlElement | None:
    for block, text, link_chars in blocks:
        if block.tag in _HEADING_TAGS or (
            (block.get("class") or "")
            and _TITLE_CLASS_RE.search(f"{block.get('class', '')} {block.get('id', '')}")
        ):
            continue
        if len(text) >= 80 and link_chars < len(text) * 0.5:
            return block
    return None


def _find_body(
    body: lxml.html.HtmlElement,
    active: tuple[FamilyRules, ...],
    scores: dict[lxml.html.HtmlElement, float],
    index: PageIndex,
) -> lxml.html.HtmlElement | None:
    """The element that holds most of the page's prose (a family content rule, when it matches)."""
    for rule in _of(active, "content"):
        if not index.may_match(rule.pattern):
            continue
        for el in compiled_xpath(rule.pattern)(body):
            if isinstance(el, lxml.html.HtmlElement) and len(_clean(el.text_content())) >= 200:
                return el
    if not scores:
        return None
    return max(scores, key=lambda el: scores[el])


def _body_near_title(
    body_el: lxml.html.HtmlElement | None,
    title_el: lxml.html.HtmlElement | None,
    scores: dict[lxml.html.HtmlElement, float],
) -> lxml.html.HtmlElement | None:
    """Among strong prose candidates, the one closest to the title.

    A short article can score below a prose-heavy sidebar ("Giới thiệu" boxes); the article's
    own body is the strong candidate that sits next to its title.
    """
    if body_el is None or title_el is None or not scores:
        return body_el
    top = max(scores.values())
    if scores.get(body_el) != top:
        return body_el  # chosen by a family's content rule: trusted as it is
    strong = [el for el, score in scores.items() if score >= top * 0.5]
    return max(strong, key=lambda el: (_closeness(el, title_el), scores[el]))


def _body_scores(blocks: Iterable[_ProseBlock]) -> dict[lxml.html.HtmlElement, float]:
    """Readability-style scores: each prose block credits its parent, half to the grandparent."""
    scores: dict[lxml.html.HtmlElement, float] = {}
    for block, text, link_chars in blocks:
        own = len(text)
        if own < 25 or link_chars > own * 0.5:
            continue
        score = 1.0 + text.count(",") + min(own / 100.0, 3.0)
        parent = block.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + score
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + score / 2
    return scores


#: (block, its own text, characters of that text inside links)
_ProseBlock = tuple[lxml.html.HtmlElement, str, int]


def _prose_blocks(root: lxml.html.HtmlElement) -> list[_ProseBlock]:
    """(block, its own text, characters of that text inside links) for each text-bearing block,
    in document order.

    A block's own text is its text and the text of its inline descendants, not the text of
    nested blocks.
    """
    blocks = []
    for el in root.iter(*_BLOCK_TAGS):
        if len(el):
            text, link_chars = _own_text(el)
        else:
            text, link_chars = _clean(el.text or ""), 0
        if text:
            blocks.append((el, text, link_chars))
    return blocks


def _own_text(block: lxml.html.HtmlElement) -> tuple[str, int]:
    """A block's own text (see _prose_blocks) and its characters inside links."""
    # Empty parts only add spaces, which cleaning removes.
    parts = [block.text or ""]
    link_chars = 0
    for child in block:
        tag = child.tag
        if isinstance(tag, str) and tag not in _BLOCK_TAGS:
            if len(child):
                inner = child.text_content()
                if tag != "a" and child.find(".//a") is not None:
                    link_chars += _link_chars(child)
            else:  # most inline children are bare text: no XPath string() call, no links
                inner = child.text or ""
            if tag == "a":
                link_chars += len(_clean(inner))
            parts.append(inner)
        parts.append(child.tail or "")
    return _clean(" ".join(parts)), link_chars


def _blocks_within(
    el: lxml.html.HtmlElement, blocks: list[_ProseBlock], order: dict[lxml.html.HtmlElement, int]
) -> Iterable[_ProseBlock]:
    """The prose blocks of ``el``'s subtree: a run of the page's blocks in document order."""
    start = order.get(el)
    if start is None:  # outside the page body (a rule matched in <head>): read it directly
        return _prose_blocks(el)
    end = start + sum(1 for _ in el.iter())
    return [b for b in blocks if start <= order[b[0]] < end]


def _link_chars(el: lxml.html.HtmlElement) -> int:
    return sum(len(_clean(a.text_content())) for a in el.iter("a"))


def _element_names(
    root: lxml.html.HtmlElement,
    body: lxml.html.HtmlElement,
    order: dict[lxml.html.HtmlElement, int],
) -> frozenset[object]:
    """Every element name of the document: the body's (from its order map) and the rest's."""
    names = {el.tag for el in order}
    if body is not root:
        names.add(root.tag)
        for child in root.iterchildren():
            if child is not body:
                names.update(el.tag for el in child.iter())
    return frozenset(names)


def _ancestors_of(*elements: lxml.html.HtmlElement | None) -> frozenset[lxml.html.HtmlElement]:
    out: set[lxml.html.HtmlElement] = set()
    for el in elements:
        if el is None:
            continue
        out.add(el)
        out.update(el.iterancestors())
    return frozenset(out)


# ---------------------------------------------------------------------------- pruning


def _remove(el: lxml.html.HtmlElement) -> None:
    """Remove an element but keep its tail text (it belongs to the parent)."""
    if el.getparent() is not None:
        el.drop_tree()


def _prune(
    body: lxml.html.HtmlElement,
    prune_rules: Iterable[Rule],
    protected: frozenset[lxml.html.HtmlElement],
    index: PageIndex,
) -> None:
    for rule in prune_rules:
        if not index.may_match(rule.pattern):
            continue
        for el in compiled_xpath(rule.pattern)(body):
            if isinstance(el, lxml.html.HtmlElement) and el not in protected and el is not body:
                _remove(el)


def _prune_by_class(
    body: lxml.html.HtmlElement,
    class_rules: Iterable[Rule],
    protected: frozenset[lxml.html.HtmlElement],
) -> None:
    alternatives = "|".join(f"(?:{r.pattern})" for r in class_rules)
    if not alternatives:
        return
    doomed = []
    for el in body.iterdescendants():
        if not isinstance(el.tag, str):
            continue
        class_name, id_name = el.get("class"), el.get("id")
        if class_name is None and id_name is None:
            continue  # " " names nothing
        names = f"{class_name or ''} {id_name or ''}".strip().lower()
        if names and el not in protected and _names_match(alternatives, names):
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            _remove(el)


# Bounded, and a pure function of two strings: class names repeat across a site's pages.
@functools.lru_cache(maxsize=8192)
def _names_match(pattern: str, names: str) -> bool:
    return compiled_regex(pattern).search(names) is not None


def _prune_widget_headings(
    body: lxml.html.HtmlElement,
    heading_rules: Iterable[Rule],
    protected: frozenset[lxml.html.HtmlElement],
    title_el: lxml.html.HtmlElement | None,
) -> None:
    """Remove each block headed by a widget heading ("Tin liên quan", "Thống kê truy cập").

    From the heading, climb while the parent holds nothing else of substance and is not
    protected; remove that block, then the link lists that follow it.
    """
    patterns = tuple(r.pattern for r in heading_rules)
    if not patterns:
        return
    is_widget_heading = _line_matcher(patterns)
    headings = []
    for el in body.iterdescendants():
        if not isinstance(el.tag, str) or el in protected or el is title_el:
            continue
        if el.tag not in _HEADING_TAGS and el.tag not in ("div", "p", "span", "strong", "b", "li"):
            continue
        text = _short_text(el, 60)
        if text and len(text) >= 2 and is_widget_heading(text):
            headings.append(el)
    for heading in headings:
        if heading.getparent() is None or _is_detached(heading, body):
            continue
        block = heading
        while True:
            parent = block.getparent()
            if parent is None or parent is body or parent in protected:
                break
            others = len(_clean(parent.text_content())) - len(_clean(block.text_content()))
            if others > 80 and _prose_outside(parent, block) > 80:
                break
            block = parent
        following = block.getnext()
        _remove(block)
        while following is not None and _link_density(following) > 0.5:
            nxt = following.getnext()
            if following not in protected:
                _remove(following)
            following = nxt


def _short_text(el: lxml.html.HtmlElement, limit: int) -> str | None:
    """The element's cleaned text if it is at most ``limit`` characters, else None.

    Stops reading as soon as the text is too long, so asking every wrapper of a big page
    costs little.
    """
    parts = []
    seen = 0
    for piece in el.itertext():
        seen += len(piece.strip())
        if seen > limit + 20:
            return None
        parts.append(piece)
    text = _clean(" ".join(parts))
    return text if len(text) <= limit else None


def _prose_outside(parent: lxml.html.HtmlElement, block: lxml.html.HtmlElement) -> int:
    """Non-link characters of ``parent`` outside ``block``."""
    total = len(_clean(parent.text_content())) - _link_chars(parent)
    inner = len(_clean(block.text_content())) - _link_chars(block)
    return total - inner


def _is_detached(el: lxml.html.HtmlElement, body: lxml.html.HtmlElement) -> bool:
    return not any(a is body for a in el.iterancestors())


def _link_density(el: lxml.html.HtmlElement) -> float:
    if not isinstance(el.tag, str):
        return 0.0
    text = len(_clean(el.text_content()))
    if text == 0:
        return 1.0 if el.find(".//a") is not None else 0.0
    return _link_chars(el) / text


def _prune_link_dense(
    body: lxml.html.HtmlElement, protected: frozenset[lxml.html.HtmlElement]
) -> None:
    """Remove lists and boxes that are mostly links (menus, related lists, tag clouds)."""
    doomed = []
    for el in body.iterdescendants("ul", "ol", "dl", "div", "table", "section", "p", "td", "tr"):
        if el in protected:
            continue
        links = el.findall(".//a")
        if len(links) < 2 and not (el.tag in ("ul", "ol") and links):
            continue
        if _link_density(el) > 0.6:
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None and not _is_detached(el, body):
            _remove(el)


# ---------------------------------------------------------------------------- the container


def _container(
    title_el: lxml.html.HtmlElement | None,
    body_el: lxml.html.HtmlElement | None,
    body: lxml.html.HtmlElement,
) -> lxml.html.HtmlElement:
    """The smallest element holding the title and the body: lead and byline sit inside it."""
    if body_el is None:
        return (
            title_el.getparent()
            if title_el is not None and title_el.getparent() is not None
            else body
        )
    if title_el is None or title_el is body_el:
        return body_el
    body_ancestors = [body_el, *body_el.iterancestors()]
    for anc in [title_el, *title_el.iterancestors()]:
        if anc in body_ancestors:
            return anc
    return body


def _drop_before_title(container: lxml.html.HtmlElement, title_el: lxml.html.HtmlElement) -> None:
    """Remove the title element and the short blocks before it (breadcrumbs, datelines, labels)."""
    if not any(a is container for a in title_el.iterancestors()):
        return
    ancestors = set(title_el.iterancestors())
    before = []
    for el in container.iterdescendants():
        if el is title_el:
            break
        if el in ancestors or not isinstance(el.tag, str):
            continue
        before.append(el)
    for el in before:
        if el.getparent() is None or _is_detached(el, container):
            continue
        if len(_words(el.text_content())) < 30 or _link_density(el) > 0.5:
            _remove(el)
    _remove(title_el)


# ---------------------------------------------------------------------------- captions and byline


def _take_captions(
    container: lxml.html.HtmlElement, active: tuple[FamilyRules, ...], index: PageIndex
) -> list[str]:
    """Remove caption elements from the container and return their texts in page order.

    Captions are elements named as captions (rules), or short italic/centred blocks that follow
    an image; file names printed beside an image ("21.1a.jpg") are removed and not kept. A
    byline under the last image ("Tin, ảnh: Lê Thuý") is left for the author step.
    """
    caption_rules = _of(active, "caption")
    labelled = [r for r in _of(active, "byline") if r.label == ""]
    found: dict[lxml.html.HtmlElement, str] = {}
    for rule in caption_rules:
        if not index.may_match(rule.pattern):
            continue
        for el in compiled_xpath(rule.pattern)(container):
            if isinstance(el, lxml.html.HtmlElement):
                found[el] = _clean(el.text_content())
    for img in container.iter("img"):
        block = img
        while block.getnext() is None and block.getparent() is not None:
            parent = block.getparent()
            if parent is container or _clean(parent.text_content()):
                break
            block = parent
        nxt = block.getnext()
        hops = 0
        while nxt is not None and hops < 3:
            hops += 1
            text = _clean(nxt.text_content()) if isinstance(nxt.tag, str) else ""
            if not text:
                if isinstance(nxt.tag, str) and nxt.find(".//img") is not None:
                    break
                nxt = nxt.getnext()
                continue
            if _IMAGE_NAME_RE.match(text):
                found[nxt] = ""
                nxt = nxt.getnext()
                continue
            is_byline = _name_from_byline(text, labelled, bare_ok=False) is not None
            image_row = block.tag in ("tr", "td", "th", "tbody")
            if not is_byline and _looks_like_caption(nxt, text, image_row=image_row):
                found[nxt] = text
            break
    captions = []
    order = {el: i for i, el in enumerate(container.iter())}
    for el, text in sorted(found.items(), key=lambda kv: order.get(kv[0], 0)):
        if text and not _IMAGE_NAME_RE.match(text) and text not in captions:
            captions.append(text)
        if el.getparent() is not None:
            _remove(el)
    return captions


def _looks_like_caption(el: lxml.html.HtmlElement, text: str, *, image_row: bool) -> bool:
    """A short block right after an image: all italic, centred, or the row under an image cell.

    The image table (<table><tr><td><img></td></tr><tr><td>caption</td></tr></table>) is the
    commonest caption layout of Vietnamese CMS editors; there the row itself is the evidence.
    """
    if len(text) > 300 or len(_words(text)) > 50:
        return False
    if image_row:
        return True
    italic = " ".join(_clean(e.text_content()) for e in el.iter("em", "i", "cite"))
    if italic and len(_clean(italic)) >= len(text) * 0.9:
        return True
    centred = False
    for node in [el, *el.iterancestors()][:3]:
        style = f"{node.get('style', '')} {node.get('align', '')} {node.get('class', '')}".lower()
        if "center" in style or node.tag == "center":
            centred = True
            break
    return centred and len(text) < 200


def _take_author(
    container: lxml.html.HtmlElement, active: tuple[FamilyRules, ...], index: PageIndex
) -> str | None:
    """Find the byline, remove it from the container and return the author's name.

    In order: an element named for the author (rules); the last blocks of the article (a
    labelled byline, "PV", or a bare capitalised name, which must be set apart by alignment or
    bold unless it is the very last block); a meta line before the lead ("12/03/2019 | Tác giả:
    Hữu Nghĩa"); the first block after the title when it is a labelled byline.
    """
    bylines = _of(active, "byline")
    for rule in _of(active, "author"):
        if not index.may_match(rule.pattern):
            continue
        for el in compiled_xpath(rule.pattern)(container):
            if not isinstance(el, lxml.html.HtmlElement) or el.getparent() is None:
                continue
            name = _name_from_byline(_clean(el.text_content()), bylines, bare_ok=True)
            if name:
                _remove(el)
                return name
    leaves = [el for el in _leaves(container) if _clean(el.text_content())]
    boiler = _patterns(active, "boilerplate")
    checked = 0
    for el in reversed(leaves):
        text = _clean(el.text_content())
        if _is_widget_line(text, boiler):
            continue
        checked += 1
        bare_ok = checked == 1 or _looks_like_byline_block(el)
        name = _name_from_byline(text, bylines, bare_ok=bare_ok)
        if name:
            _remove(el)
            return name
        if checked >= 2:
            break
    labelled = [r for r in bylines if r.label == ""]
    for el in leaves:
        text = _clean(el.text_content())
        if len(_words(text)) > 25 and not _is_widget_line(text, boiler):
            break  # the lead: a byline above it has been seen by now
        if _looks_like_byline_block(el):
            name = _name_from_byline(text, bylines, bare_ok=True)
            if name:
                _remove(el)
                return name
        for part in _SEPARATORS_RE.split(text):
            name = _name_from_byline(_clean(part), labelled, bare_ok=False)
            if name and is_capitalised_name(name):
                parts = [_clean(p) for p in _SEPARATORS_RE.split(text) if _clean(p)]
                rest = [p for p in parts if _name_from_byline(p, labelled, bare_ok=False) is None]
                if all(_is_widget_line(p, boiler) for p in rest):
                    _remove(el)
                return name
    return None


def _looks_like_byline_block(el: lxml.html.HtmlElement) -> bool:
    """A bare name counts as a byline when the block is set apart: right-aligned or bold."""
    for node in [el, *el.iterancestors()][:3]:
        style = f"{node.get('style', '')} {node.get('align', '')} {node.get('class', '')}".lower()
        if "right" in style or "bold" in style or "author" in style:
            return True
    text = _clean(el.text_content())
    strong = " ".join(_clean(e.text_content()) for e in el.iter("strong", "b", "em", "i"))
    return bool(text) and len(_clean(strong)) >= len(text) * 0.9


def _name_from_byline(text: str, bylines: Iterable[Rule], *, bare_ok: bool) -> str | None:
    """The author name in a whole-line byline, or None. ``reject`` rules veto (sources, bodies);
    bare capitalised names count only when ``bare_ok``."""
    if not text or len(text) > 120:
        return None
    rules = list(bylines)
    if any(r.label == "reject" and r.matches(text) for r in rules):
        return None
    for rule in rules:
        if rule.label == "reject" or (rule.label == "capitalized" and not bare_ok):
            continue
        name = rule.name_in(text)
        if name:
            return name
    return None


def _byline_from_lines(
    paragraphs: list[str], active: tuple[FamilyRules, ...]
) -> tuple[str | None, list[str]]:
    """A labelled byline (or PV) that survived as the last line: take it out of the text."""
    if not paragraphs:
        return None, paragraphs
    last = paragraphs[-1]
    lines = last.split("\n")
    labelled = [r for r in _of(active, "byline") if r.label != "capitalized"]
    name = _name_from_byline(_clean(lines[-1]), labelled, bare_ok=False)
    if name is None:
        return None, paragraphs
    rest = "\n".join(lines[:-1]).strip()
    return name, [*paragraphs[:-1], rest] if rest else paragraphs[:-1]


# ---------------------------------------------------------------------------- text patterns


def _drop_boilerplate_blocks(
    container: lxml.html.HtmlElement, active: tuple[FamilyRules, ...]
) -> None:
    """Remove leaf blocks whose whole text is widget vocabulary or a dateline."""
    patterns = _patterns(active, "boilerplate")
    # A table's kind is asked once per cell; the answer holds until something is removed.
    layout: dict[lxml.html.HtmlElement, bool] = {}
    for el in _leaves(container):
        if el is container or el.getparent() is None:
            continue
        table = _nearest_table(el) if el.tag in ("td", "th") else None
        if table is not None:
            if table not in layout:
                layout[table] = _is_layout_table(table)
            if not layout[table]:
                continue  # a data table's cell ("08:00" in a schedule) is data, not a dateline
        text = _clean(el.text_content())
        if text and _is_widget_line(text, patterns):
            _remove(el)
            layout.clear()


def _drop_dangling_headings(
    container: lxml.html.HtmlElement, active: tuple[FamilyRules, ...]
) -> None:
    """Remove short headings left at the very end once their widget's list is gone.

    An article does not end on a heading: a trailing "Cùng chủ đề" or "Tin khác" whose links
    were pruned is a widget's title. Sources written like headings ("Theo Báo Nhân Dân") stay.
    """
    reject = [compiled_regex(r.pattern) for r in _of(active, "byline") if r.label == "reject"]
    for _ in range(3):
        last_two = _last_leaves_with_text(container, 2)
        if len(last_two) < 2:
            return
        last = last_two[0]
        text = _clean(last.text_content())
        if (
            len(_words(text)) > 6
            or _SENTENCE_END_RE.search(text)
            or any(p.fullmatch(text) for p in reject)
        ):
            return
        bold = " ".join(_clean(e.text_content()) for e in last.iter("strong", "b"))
        if last.tag not in _HEADING_TAGS and len(_clean(bold)) < len(text) * 0.9:
            return
        _remove(last)


def _last_leaves_with_text(
    container: lxml.html.HtmlElement, count: int
) -> list[lxml.html.HtmlElement]:
    """Up to ``count`` leaf blocks holding text, last first (read from the end: the text of
    the blocks before them is not needed)."""
    found: list[lxml.html.HtmlElement] = []
    for el in reversed(_leaves(container)):
        text = el.text_content()
        if text and not text.isspace():  # what _clean would leave non-empty
            found.append(el)
            if len(found) == count:
                break
    return found


# Bounded and keyed by immutable values only: the same widget lines recur on every page of a
# site, and the answer depends on nothing but the line and the patterns.
@functools.lru_cache(maxsize=8192)
def _is_widget_line(line: str, patterns: tuple[str, ...]) -> bool:
    """A line of widget vocabulary or datelines, whole or as parts joined by | • · or " - "."""
    is_rule_line = _line_matcher(patterns)
    if is_rule_line(line) or _is_dateline(line):
        return True
    parts = [_clean(p) for p in _SEPARATORS_RE.split(line)]
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return False
    return all(is_rule_line(part) or _is_dateline(part) for part in parts)


@functools.lru_cache(maxsize=64)
def _line_matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """A test for "one of these rule patterns matches the whole line", as one regex call.

    ``(?:a)|(?:b)`` fully matches a line exactly when ``a`` or ``b`` does; numbered
    backreferences would shift in the joined pattern, so such rule sets are tested one by one.
    """
    if not patterns:
        return _never
    if not any(_BACKREF_RE.search(p) for p in patterns):
        with contextlib.suppress(re.error):
            joined = compiled_regex("|".join(f"(?:{p})" for p in patterns))
            return lambda line: joined.fullmatch(line) is not None
    compiled = [compiled_regex(p) for p in patterns]
    return lambda line: any(p.fullmatch(line) for p in compiled)


def _never(line: str) -> bool:
    return False


def _patterns(active: tuple[FamilyRules, ...], kind: str) -> tuple[str, ...]:
    return tuple(rule.pattern for rule in _of(active, kind))


def _is_dateline(line: str) -> bool:
    """A short line made only of dates, times, weekdays, counters and their labels."""
    if len(line) > 160 or not _DATE_TOKEN_RE.search(line):
        return False
    rest = _DATE_TOKEN_RE.sub(" ", line)
    rest = _DATELINE_FILLER_RE.sub(" ", rest)
    return len([w for w in _WORD_RE.findall(rest) if not w.isdigit()]) <= 1


def _clean_lines(
    paragraphs: list[str],
    title: str | None,
    captions: list[str],
    active: tuple[FamilyRules, ...],
) -> list[str]:
    patterns = _patterns(active, "boilerplate")
    is_widget_heading = _line_matcher(_patterns(active, "widget_heading"))
    skip = {title.casefold()} if title else set()
    skip.update(c.casefold() for c in captions)
    out = []
    for para in paragraphs:
        kept = []
        for raw in para.split("\n"):
            line = _clean(raw)
            if not line or line.casefold() in skip:
                continue
            if _is_widget_line(line, patterns):
                continue
            if len(line) <= 60 and is_widget_heading(line):
                continue
            kept.append(line)
        if kept:
            out.append("\n".join(kept))
    return out


# ---------------------------------------------------------------------------- serialisation


def _split_double_breaks(container: lxml.html.HtmlElement) -> None:
    """Turn runs of two or more <br> into paragraph breaks: a<br><br>b -> <p>a</p><p>b</p>.

    Old editors separate paragraphs with blank lines, and trafilatura collapses a double break
    into a single line break, losing the paragraph.
    """
    for el in list(container.iter()):
        if not isinstance(el.tag, str) or el.tag in _HEADING_TAGS or el.tag == "br":
            continue
        children = list(el)
        if not any(_is_double_break(child) for child in children):
            continue
        if any(isinstance(c.tag, str) and c.tag in _BLOCK_TAGS for c in children):
            continue
        doubles = [_is_double_break(child) for child in children]
        segments: list[list[lxml.html.HtmlElement | str]] = [[el.text or ""]]
        in_run = False
        for child, double in zip(children, doubles, strict=True):
            tail = child.tail or ""
            child.tail = None
            if child.tag == "br" and (double or in_run):
                in_run = double
                if not in_run:  # the last <br> of a run: its tail opens a paragraph
                    segments.append([tail])
                continue
            in_run = False
            segments[-1].extend([child, tail])
        for child in children:
            el.remove(child)
        el.text = None
        if el.tag == "p":
            el.tag = "div"
        for segment in segments:
            para = lxml.html.Element("p")
            para.text = ""
            for part in segment:
                if isinstance(part, str):
                    if len(para):
                        para[-1].tail = (para[-1].tail or "") + part
                    else:
                        para.text += part
                else:
                    para.append(part)
            if len(para) or (para.text or "").strip():
                el.append(para)


def _is_double_break(el: lxml.html.HtmlElement) -> bool:
    """A <br> followed, after nothing but whitespace, by another <br>."""
    if el.tag != "br" or (el.tail or "").strip():
        return False
    nxt = el.getnext()
    return nxt is not None and nxt.tag == "br"


def _serialise(container: lxml.html.HtmlElement) -> list[str]:
    """Paragraphs of the container: trafilatura's, or ours when it finds too little.

    The last reader of the container: trafilatura's preparation rewrites it in place.
    """
    ours = _own_paragraphs(container)
    theirs = _trafilatura_paragraphs(container)
    if theirs is None:
        return ours
    own_words = sum(len(_words(p)) for p in ours)
    their_words = sum(len(_words(p)) for p in theirs)
    if own_words and their_words < own_words * 0.8:
        return ours
    return theirs


@functools.cache
def _trafilatura_options() -> Extractor:
    """trafilatura's options for the container, built once per process: bare_extraction
    would otherwise re-read its configuration (a ConfigParser) on every page. trafilatura
    copies the options before changing them, so one instance can be shared.

    ``fast`` skips only trafilatura's comparison with readability and jusText: _serialise
    already falls back to our own paragraphs when trafilatura keeps too little of the container
    (no text changed on 1,028 benchmark and fixture pages, a fifth of trafilatura's time saved).
    """
    return Extractor(
        output_format="python",
        fast=True,
        comments=False,
        tables=True,
        images=False,
        links=False,
        recall=True,
        with_metadata=False,
        dedup=False,
    )


def _trafilatura_paragraphs(container: lxml.html.HtmlElement) -> list[str] | None:
    """Run trafilatura on the container with class names and layout tables removed.

    Our own layer has already judged the classes; without them trafilatura cannot pick an
    inner element and drop the lead that sits beside the body. The container (part of our
    working copy, read by nothing after this) is rewritten and moved, not copied again.
    """
    work = container
    work.tail = None
    # Moved into trafilatura's page first, so that the table tests below see no ancestor of
    # the old page (as with a detached copy).
    page = lxml.html.fromstring("<html><body><article></article></body></html>")
    page.find(".//article").append(work)
    # Layout tables become divs (trafilatura would join their cells with "|" into one line);
    # data tables stay tables.
    for table in list(work.iter("table")):
        if _is_layout_table(table):
            for el in table.iter(*_TABLE_TAGS):
                el.tag = "div"
    # Text-only blocks become paragraphs: trafilatura keeps <p> but may drop a bare <div>
    # (NukeViet's hometext lead is one).
    for el in _leaves(work):
        if el.tag in ("div", "dd", "dt", "center", "address") and _nearest_table(el) is None:
            el.tag = "p"
    for el in work.iter():
        if not isinstance(el.tag, str):
            continue
        for name in list(el.attrib):
            if name != "href":
                del el.attrib[name]
        if el.tag in _WRAPPER_TAGS:
            el.tag = "div"
    try:
        result = bare_extraction(page, options=_trafilatura_options())
    except (ValueError, TypeError):
        return None
    if not isinstance(result, Document) or result.body is None:
        return None
    paragraphs: list[str] = []
    for child in result.body:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "list":
            items = [_text_with_breaks(item) for item in child.iter("item")]
            paragraphs.extend(i for i in items if i)
        elif child.tag == "table":
            for row in child.iter("row"):
                cells = [
                    _clean(
                        c.text_content() if hasattr(c, "text_content") else "".join(c.itertext())
                    )
                    for c in row
                ]
                line = " | ".join(c for c in cells if c)
                if line:
                    paragraphs.append(line)
        else:
            text = _text_with_breaks(child)
            if text:
                paragraphs.append(text)
    return paragraphs


def _leaves(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The leaf blocks of ``root`` (itself included) in document order.

    One pass that marks the ancestors of every inner block; the equivalent XPath
    (``not(descendant::*[...])`` per candidate) is quadratic in the size of the page.
    """
    has_inner_block: set[lxml.html.HtmlElement] = set()
    for inner in root.iterdescendants(*_INNER_BLOCK_TAGS):
        parent = inner.getparent()
        while parent is not None and parent not in has_inner_block:
            has_inner_block.add(parent)
            if parent is root:
                break
            parent = parent.getparent()
    return [el for el in root.iter(*_LEAF_TAGS) if el not in has_inner_block]


def _is_layout_table(table: lxml.html.HtmlElement) -> bool:
    """A table used for layout: one column, or cells holding paragraphs, blocks or long text."""
    rows = [row for row in table.iter("tr") if _nearest_table(row) is table]
    widths = [len([c for c in row if c.tag in ("td", "th")]) for row in rows]
    if not rows or max(widths, default=0) <= 1:
        return True
    for row in rows:
        for cell in row:
            if cell.find(".//p") is not None or cell.find(".//div") is not None:
                return True
            if cell.find(".//table") is not None or cell.find(".//img") is not None:
                return True
            if len(_clean(cell.text_content())) > 300:
                return True
    return False


def _nearest_table(el: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    return next((a for a in el.iterancestors("table")), None)


def _text_with_breaks(el: lxml.etree._Element) -> str:
    """Text of a trafilatura output element with <lb/> as a line break."""
    parts: list[str] = []

    def walk(node: lxml.etree._Element) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if child.tag == "lb":
                parts.append("\n")
            else:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    lines = [_clean(line) for line in "".join(parts).split("\n")]
    return "\n".join(line for line in lines if line)


def _text_with_br_lines(el: lxml.html.HtmlElement) -> str:
    """The element's text content (without its tail) with a line break where each <br> is."""
    parts: list[str] = []

    def walk(node: lxml.html.HtmlElement) -> None:
        if node.text and isinstance(node.tag, str):  # a comment's text is not content
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tag == "br":
                parts.append("\n")
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return "".join(parts)


def _own_paragraphs(container: lxml.html.HtmlElement) -> list[str]:
    """Every leaf block's text in document order, <br> as a line break."""
    paragraphs = []
    for el in _leaves(container):
        lines = [_clean(line) for line in _text_with_br_lines(el).split("\n")]
        text = "\n".join(line for line in lines if line)
        if text:
            paragraphs.append(text)
    if not paragraphs:
        text = _clean(container.text_content())
        if text:
            paragraphs.append(text)
    return paragraphs


# ---------------------------------------------------------------------------- page kind


def _classify(
    url: str,
    head: _Head,
    title: str | None,
    title_el: lxml.html.HtmlElement | None,
    text: str,
    teasers: int,
    title_is_link: bool,
    active: tuple[FamilyRules, ...],
) -> tuple[bool, str]:
    """Article or not, with a short reason. Rules first (soft 404, static, tag, calendar), then
    the page's shape: a listing's article region is a run of teaser links with short leads."""
    if _is_home(url):
        return False, "listing: the site's home page"
    names = [n for n in (title, head.og_title) if n]
    for rule in _of(active, "not_article"):
        pattern = compiled_regex(rule.pattern)
        matched = next((n for n in names if pattern.fullmatch(n)), None)
        if rule.on == "title" and matched:
            return False, f"{rule.label}: title {matched[:60]!r}"
        if rule.on == "url" and pattern.search(url):
            return False, f"{rule.label}: url"
    # Words never span a blank line, so the page's count is the sum of its paragraphs'.
    counts = [len(_words(p)) for p in text.split("\n\n")]
    words = sum(counts)
    paragraphs = [n for n in counts if n >= 12]
    signals = []
    if head.og_type == "article":
        signals.append("og:type")
    if head.has_published_meta:
        signals.append("published-meta")
    if title_el is not None:
        signals.append(title_el.tag if title_el.tag in _HEADING_TAGS else "title-element")
    if words >= 120:
        signals.append("body")
    # Related lists were pruned before: what is left of title-like links in the article region
    # is a listing's teasers. A real article carries far more prose per surviving link.
    if teasers >= 3 and words < teasers * 80 and "og:type" not in signals:
        return False, f"listing: {teasers} teaser links"
    # A section page's heading is also a menu link; with teasers below it, it is a listing.
    if title_is_link and teasers >= 2 and words < teasers * 80:
        return False, f"listing: section title and {teasers} teaser links"
    if teasers >= 8 and words < teasers * 40:
        return False, f"listing: {teasers} teaser links"
    if words < 40 or not paragraphs:
        return False, f"short: {words} words"
    if title_el is None and head.og_type != "article":
        return False, "no title element"
    if words < 120 and len(signals) < 3:
        return False, f"short: {words} words, {'+'.join(signals) or 'no signals'}"
    return True, "article: " + "+".join(signals)


#: Paths that are a site's home page on the CMSes we know; a home page is never an article.
_HOME_PATH_RE = re.compile(
    r"^/?(?:(?:index|default|home|trang-?chu)(?:\.\w{2,5})?|pages/default\.aspx|web/[^/]+/trang-chu)?/?$",
    re.IGNORECASE,
)


def _is_home(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.query and bool(_HOME_PATH_RE.match(parts.path))


def _is_link_text(
    body: lxml.html.HtmlElement, title: str | None, title_el: lxml.html.HtmlElement | None
) -> bool:
    """True when some link outside the title element reads exactly as the title."""
    if not title:
        return False
    folded = title.casefold()
    # Cleaning only touches whitespace and casefolding never makes or removes any, so a link
    # whose non-space characters differ from the title's cannot read as it: skip it cheaply.
    letters = "".join(folded.split())
    inside = set(title_el.iter("a")) if title_el is not None else set()
    for a in body.iter("a"):
        # A bare link's text is its .text: no XPath string() call for most links.
        content = a.text_content() if len(a) else (a.text or "")
        if a in inside or "".join(content.split()).casefold() != letters:
            continue
        text = _short_text(a, len(title) + 5)
        if text is not None and text.casefold() == folded:
            return True
    return False


def _teaser_links(region: lxml.html.HtmlElement, url: str) -> int:
    """Same-site links in a region whose text reads like an article title (5+ words)."""
    host = urlsplit(url).hostname or ""
    hrefs = set()
    for a in region.iter("a"):
        href = a.get("href") or ""
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        target = urlsplit(urljoin(url, href))
        if target.hostname and target.hostname != host:
            continue
        if len(_words(a.text_content())) >= 5:
            hrefs.add(target.path + "?" + target.query)
    return len(hrefs)


# ---------------------------------------------------------------------------- helpers


def _of(active: tuple[FamilyRules, ...], kind: str) -> tuple[Rule, ...]:
    return tuple(rule for fam in active for rule in fam.of(kind))


def _clean(text: str) -> str:
    # str.split() and re's \s agree on what whitespace is; splitting is several times faster.
    return " ".join(text.split())


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(text)
