"""DatePipeline: choose the publication date among page, URL, feed, sitemap and listing signals."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from crawler.dating import choose_publication_date, hint_candidates
from crawler.items import Page


class DatePipeline:
    """Fills published, published_source, published_raw, precision, updated and the evidence."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DatePipeline:
        return cls(crawler)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Page) or not item.is_article:
            return item
        # One listing date seen on five listing pages is one signal, not five.
        hints = list(dict.fromkeys((h.source, h.date_raw) for h in item.hints if h.date_raw))
        candidates = [*item.date_candidates, *hint_candidates(hints, item.fetched_at)]
        choice = choose_publication_date(candidates, item.fetched_at)
        item.published = choice.published
        item.published_precision = choice.precision
        item.published_source = choice.source
        item.published_raw = choice.raw
        item.updated = choice.updated
        item.date_evidence = [dict(row) for row in choice.evidence]
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(f"archive/dates/{choice.source or 'none'}")
        return item
