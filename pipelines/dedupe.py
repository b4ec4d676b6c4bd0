"""DedupePipeline: the article's canonical URL (its content identity and near-duplicate keys come
from the analysis workers, crawler.analysis).

The lookups against the archive (same URL, same content on the site, a copy on another site)
happen in StorePipeline, inside the transaction that writes the row, so that two pages of one
article can never both be inserted.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import Crawler

from crawler.items import Page


class DedupePipeline:
    """Fills canonical_url of article pages."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(crawler)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Page) or not item.is_article:
            return item
        # content_hash, signature and band_keys come from the analysis (crawler.analysis).
        item.canonical_url = choose_canonical(item.url, item.declared_url)
        return item


def choose_canonical(fetched: str, declared: str | None) -> str:
    """The declared canonical when it is a deep link on the same host, else the fetched URL.

    A CMS that declares its home page or a section as canonical for every article must not merge
    them all, so a declared URL with an empty or one-segment path is ignored.
    """
    if not declared:
        return fetched
    a, b = urlsplit(fetched), urlsplit(declared)
    if (a.hostname or "").removeprefix("www.") != (b.hostname or "").removeprefix("www."):
        return fetched
    if len([p for p in b.path.split("/") if p]) < 2 and not b.query:
        return fetched
    return declared
