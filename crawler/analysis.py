"""The CPU-heavy part of handling one page, as one picklable function for a process pool.

The page is parsed once, in the worker, and the same tree gives the spider its links (so the
Twisted reactor never parses HTML), the extractor its text and the date finder its candidates.
The article's text is fingerprinted and its body compressed here too: what is left for the
reactor is bookkeeping and SQLite.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from datetime import datetime

from crawler.boilerplate import strip_blocks
from crawler.dating import DateCandidate, page_date_candidates
from crawler.discovery import Link, declared_canonical, feed_links, page_links
from crawler.extract import Extracted, extract_article
from crawler.fingerprint import band_keys, folded_fingerprints
from crawler.html import UnparsablePage, parse_html
from crawler.rules import Rules
from crawler.text import fold_vietnamese

#: gzip level of the kept response bodies: level 6 costs three times level 1 for 10 % less size
RESPONSE_GZIP_LEVEL = 6


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the page says and links to; ``error`` says why there is nothing when unparsable.

    ``extracted`` is None when the page could not be parsed, or when it holds more than the
    link cap (``links_capped``: a dump or a trap, never an article, not worth extracting).
    """

    extracted: Extracted | None
    candidates: tuple[DateCandidate, ...] = ()
    error: str | None = None
    #: every <a href> of the page, in page order (crawler.discovery.page_links)
    links: tuple[Link, ...] = ()
    #: feeds the page announces with <link rel=alternate>
    feeds: tuple[str, ...] = ()
    #: rel=canonical or og:url, absolute
    declared_url: str | None = None
    links_capped: bool = False
    #: extracted.text without the site's learned boilerplate blocks (articles only)
    text: str | None = None
    #: crawler.fingerprint.content_hash(title, text) (articles only)
    content_hash: str | None = None
    #: crawler.fingerprint.signature(text) and its band_keys (articles only)
    signature: bytes = b""
    band_keys: tuple[int, ...] = ()
    #: the response body, gzip-compressed for the archive's responses table (articles only)
    body_gzip: bytes | None = None
    #: fold_vietnamese of the title and of ``text``, for the search index (articles only)
    search_folded: tuple[str, str] | None = None


def analyse_page(
    body: bytes,
    content_type: str | None,
    url: str,
    fetched_at: datetime,
    rules: Rules,
    site_blocks: frozenset[str] = frozenset(),
    max_links: int = 0,
) -> Analysis:
    """Links, text, title, author, date candidates and fingerprints of one page.

    ``site_blocks`` are the site's learned boilerplate lines (crawler.boilerplate), stripped
    from the text before it is fingerprinted. With ``max_links`` > 0, a page holding more
    links than that is not extracted (its first ``max_links`` links are returned). Never raises
    on bad HTML.
    """
    try:
        tree = parse_html(body, content_type)
    except UnparsablePage as exc:
        return Analysis(None, error=f"unparsable: {exc}")
    links = page_links(tree, url)
    feeds = tuple(feed_links(tree, url))
    declared = declared_canonical(tree, url)
    if max_links and len(links) > max_links:
        return Analysis(
            None,
            links=tuple(links[:max_links]),
            feeds=feeds,
            declared_url=declared,
            links_capped=True,
        )
    extracted = extract_article(tree, url, rules=rules)
    if not extracted.is_article:
        return Analysis(extracted, links=tuple(links), feeds=feeds, declared_url=declared)
    candidates = page_date_candidates(tree, url, fetched_at, title=extracted.title)
    text = strip_blocks(extracted.text, site_blocks)
    # Folded once: for the search index and, split into words, for the fingerprints.
    folded = (fold_vietnamese(extracted.title or ""), fold_vietnamese(text))
    text_hash, sig = folded_fingerprints(*folded)
    return Analysis(
        extracted,
        tuple(candidates),
        links=tuple(links),
        feeds=feeds,
        declared_url=declared,
        text=text,
        content_hash=text_hash,
        signature=sig,
        band_keys=tuple(band_keys(sig)),
        body_gzip=gzip.compress(body, compresslevel=RESPONSE_GZIP_LEVEL),
        search_folded=folded,
    )
