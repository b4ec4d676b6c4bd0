"""Finding links: anchors with the title and date a listing prints beside them, feeds, sitemaps.

Pure functions over bytes and strings; the spider decides which of the links to follow.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from crawler.text import clean_whitespace, nfc

# A day-first date as listings print it: "(12/03/2019)", "21/03/2024", "12-03-2019", "12.03.2019".
_LISTING_DATE_RE = re.compile(
    r"(?<!\d)([0-3]?\d)\s*[/.-]\s*([01]?\d)\s*[/.-]\s*((?:19|20)\d\d)(?!\d)"
)
_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/feed+json"}


class Link(NamedTuple):
    """One anchor of a page: absolute URL, its text, and a date printed beside it (raw).

    A NamedTuple, not a dataclass: a page's hundred-odd links travel from the analysis worker
    to the reactor, and tuples pickle at a quarter of the cost.
    """

    url: str
    text: str
    date_raw: str | None
    #: True when the anchor sits in the page's navigation (nav, header, menu): a hub candidate
    in_nav: bool
    #: True when the anchor looks like a pagination control ("2", "Sau", "»", "Trang sau")
    is_pager: bool


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry of an RSS/Atom feed or a sitemap."""

    url: str
    title: str | None
    date_raw: str | None
    #: the entry's <updated> date, when it states one beside its publication date
    updated_raw: str | None = None


_PAGER_TEXT_RE = re.compile(
    r"^(\d{1,4}|»|›|>|>>|next|sau|tiếp|trang sau|trang tiếp|tiếp theo|cuối|last|xem thêm|"
    r"\.\.\.|…)$",
    re.IGNORECASE,
)


def page_links(tree: lxml.html.HtmlElement, base_url: str) -> list[Link]:
    """Every <a href> of the page, resolved against <base> or base_url, in page order."""
    base_el = tree.find(".//base[@href]")
    root = urljoin(base_url, base_el.get("href", "")) if base_el is not None else base_url
    zones = _zones(tree)
    links: list[Link] = []
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            continue
        try:
            url = _resolve(root, href)
        except ValueError:
            continue
        text = clean_whitespace(nfc(anchor.text_content()))
        title_attr = nfc(anchor.get("title") or "").strip()
        in_nav, in_pager = zones.get(anchor.getparent(), (False, False))
        links.append(
            Link(
                url=url,
                text=text or title_attr,
                date_raw=_date_beside(anchor),
                in_nav=in_nav,
                is_pager=in_pager or bool(_PAGER_TEXT_RE.match(text.strip())),
            )
        )
    return links


def _resolve(base: str, href: str) -> str:
    """urljoin(base, href), remembered for the hrefs whose result does not depend on the base's
    path: absolute ("http://...") and root-relative ("/tin-tuc/...") links, which menus and
    sidebars repeat on every page of a site."""
    if href.startswith(("http://", "https://")):
        return _join_cached(base.partition(":")[0] + ":", href)
    if href.startswith("/") and not href.startswith("//"):
        parts = urlsplit(base)
        return _join_cached(f"{parts.scheme}://{parts.netloc}", href)
    return urljoin(base, href)


@lru_cache(maxsize=8192)
def _join_cached(base: str, href: str) -> str:
    return urljoin(base, href)


_NAV_MARKER_RE = re.compile(r"\b(menu|nav|navbar|navigation|mainmenu|topmenu)\b")
_PAGER_MARKER_RE = re.compile(r"pag(er|ing|ination)|phan-?trang|page-?nav")


def _zones(tree: lxml.html.HtmlElement) -> dict[lxml.html.HtmlElement, tuple[bool, bool]]:
    """For each element: (an anchor inside it sits in the navigation, in a pager).

    One pass from the top, each element inheriting its parent's answer, instead of a walk up
    the ancestors of every anchor (a page holds hundreds of anchors; menus nest deep). In the
    navigation: under a <nav> or <header>, or an element whose class or id says menu/nav. In a
    pager: under an element whose class or id says pager/pagination/phan-trang, looking up no
    further than the nearest <body>, <main> or <article>.
    """
    zones: dict[lxml.html.HtmlElement, tuple[bool, bool]] = {}
    for el in tree.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue
        up_nav, up_pager = zones.get(el.getparent(), (False, False))
        in_nav = up_nav or tag in ("nav", "header")
        in_pager = up_pager and tag not in ("body", "main", "article")
        names = el.get("class") or el.get("id")
        if names:  # most elements have neither: no string to build, no regex to run
            marker = f"{el.get('class', '')} {el.get('id', '')}".lower()
            in_nav = in_nav or bool(_NAV_MARKER_RE.search(marker))
            in_pager = in_pager or bool(_PAGER_MARKER_RE.search(marker))
        zones[el] = (in_nav, in_pager)
    return zones


def _date_beside(anchor: lxml.html.HtmlElement) -> str | None:
    """The date printed in the teaser that holds this anchor, if any.

    Walks up from the anchor while the element still links to this anchor's target only (a
    teaser often links its image and its title to the same article), so a dateless teaser never
    borrows the date of the teaser next to it.
    """
    href = anchor.get("href")
    node = anchor.getparent()
    for _ in range(4):
        if node is None or node.tag in ("body", "html"):
            return None
        if {a.get("href") for a in node.iter("a") if a.get("href")} != {href}:
            return None
        match = _LISTING_DATE_RE.search(nfc(node.text_content()))
        if match:
            return match.group(0)
        node = node.getparent()
    return None


def feed_links(tree: lxml.html.HtmlElement, base_url: str) -> list[str]:
    """Feeds the page announces with <link rel="alternate" type="application/rss+xml" ...>."""
    found = []
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower()
        kind = (link.get("type") or "").lower()
        if "alternate" in rel and kind in _FEED_TYPES and link.get("href"):
            found.append(urljoin(base_url, link.get("href", "")))
    return found


def declared_canonical(tree: lxml.html.HtmlElement, base_url: str) -> str | None:
    """The page's rel=canonical (or og:url) as an absolute URL, if any."""
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower() and link.get("href"):
            return urljoin(base_url, str(link.get("href", "")).strip())
    for meta in tree.iter("meta"):
        if (meta.get("property") or "").lower() == "og:url" and meta.get("content"):
            return urljoin(base_url, str(meta.get("content", "")).strip())
    return None


def is_feed_or_sitemap(body: bytes) -> str | None:
    """ "feed", "sitemap" or None, from the document's root element."""
    head = body[:2048].lstrip().lower()
    if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
        return "feed"
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "sitemap"
    return None


def _xml_root(body: bytes) -> lxml.etree._Element | None:
    # No entities, no network, no huge trees: an XML bomb in a sitemap must not expand.
    parser = lxml.etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, recover=True, load_dtd=False
    )
    try:
        root = lxml.etree.fromstring(body, parser=parser)
    except lxml.etree.XMLSyntaxError:
        return None
    return root


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def feed_entries(body: bytes, base_url: str) -> list[FeedEntry]:
    """Items of an RSS 2.0, RSS 1.0 or Atom feed: link, title and publication date (raw)."""
    root = _xml_root(body)
    if root is None:
        return []
    entries = []
    for item in root.iter():
        if _local(item.tag) not in ("item", "entry"):
            continue
        url = title = date_raw = updated = None
        for child in item:
            name = _local(child.tag)
            text = (child.text or "").strip()
            if name == "link":
                url = child.get("href") or text or url
            elif name == "title":
                title = nfc(text) or None
            elif name in ("pubdate", "published", "date", "issued") and text:
                date_raw = text
            elif name == "updated" and text:
                updated = text
        if url:
            # The publication date dates the article; <updated> alone stands in when it is all
            # the feed says, and is kept apart as the edit signal.
            entry = FeedEntry(urljoin(base_url, url.strip()), title, date_raw or updated, updated)
            entries.append(entry)
    return entries


def sitemap_entries(body: bytes, base_url: str) -> tuple[list[FeedEntry], list[str]]:
    """(<url> entries with lastmod, nested sitemap URLs) of a sitemap or sitemap index."""
    root = _xml_root(body)
    if root is None:
        return [], []
    urls: list[FeedEntry] = []
    nested: list[str] = []
    for node in root:
        name = _local(node.tag)
        if name not in ("url", "sitemap"):
            continue
        loc = lastmod = None
        for child in node:
            child_name = _local(child.tag)
            if child_name == "loc":
                loc = (child.text or "").strip()
            elif child_name == "lastmod":
                lastmod = (child.text or "").strip() or None
        if not loc:
            continue
        if name == "sitemap":
            nested.append(urljoin(base_url, loc))
        else:
            urls.append(FeedEntry(urljoin(base_url, loc), None, lastmod))
    return urls, nested


def robots_sitemaps(body: bytes, base_url: str) -> list[str]:
    """The Sitemap: lines of a robots.txt."""
    found = []
    for line in body.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "sitemap" and value.strip():
            found.append(urljoin(base_url, value.strip()))
    return found


def iter_unique(urls: list[str]) -> Iterator[str]:
    """Yield urls once each, in order."""
    yield from dict.fromkeys(urls)
