"""ExtractPipeline: fill title, author, text, captions and fingerprints from the page's analysis.

The spider has the page analysed in its worker pool (crawler.workers) because it needs the
page's links anyway; a Page that arrives without an analysis is analysed here, inline.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler

from crawler import archive
from crawler.analysis import Analysis, analyse_page
from crawler.extract import EXTRACTOR_VERSION
from crawler.items import Page
from crawler.rules import Rules, load_rules

logger = logging.getLogger(__name__)


class ExtractPipeline:
    """Copies crawler.analysis.Analysis into the Page; counts articles, other pages, failures."""

    def __init__(self, disabled_families: frozenset[str], db_path: str, crawler: Crawler) -> None:
        self.db_path = db_path
        #: boilerplate blocks learned per site on earlier runs (crawler.finalise)
        self.site_blocks: dict[str, frozenset[str]] = {}
        self.disabled_families = disabled_families
        self.crawler = crawler
        self.rules: Rules | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        settings = crawler.settings
        return cls(
            disabled_families=frozenset(settings.getlist("ARCHIVE_DISABLED_FAMILIES")),
            db_path=settings.get("ARCHIVE_DB"),
            crawler=crawler,
        )

    def open_spider(self, spider: Any = None) -> None:
        # The first component to open the archive checks it: a damaged file stops the crawl
        # before anything is fetched or written.
        archive.open_archive(self.db_path, check=True).conn.close()

    def _analyse_inline(self, item: Page) -> Analysis:
        """What the spider's workers would have said; rules and learned blocks are loaded on
        the first such page (the spider's pages all come analysed)."""
        if self.rules is None:
            self.rules = load_rules(disabled_families=self.disabled_families)
            db = archive.open_archive(self.db_path)
            try:
                self.site_blocks = archive.all_site_blocks(db)
            finally:
                db.conn.close()
            logging.getLogger("trafilatura").setLevel(logging.ERROR)
        blocks = self.site_blocks.get(item.site_id, frozenset())
        content_type = item.headers.get("content-type")
        return analyse_page(item.body, content_type, item.url, item.fetched_at, self.rules, blocks)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Page):
            return item
        analysis, item.analysis = item.analysis, None
        if analysis is None:
            analysis = self._analyse_inline(item)
        stats = self.crawler.stats
        assert stats is not None
        if analysis.extracted is None:
            logger.warning("site %s: %s: %s", item.site_id, item.url, analysis.error)
            stats.inc_value("archive/extract/unparsable")
            item.is_article = False
            item.kind_reason = analysis.error or "unparsable"
            return item
        extracted = analysis.extracted
        item.is_article = extracted.is_article
        item.kind_reason = extracted.kind_reason
        item.title = extracted.title
        item.author = extracted.author
        item.text = analysis.text if analysis.text is not None else extracted.text
        item.content_hash = analysis.content_hash
        item.signature = analysis.signature
        item.band_keys = list(analysis.band_keys)
        item.body_gzip = analysis.body_gzip
        if analysis.search_folded is not None:
            item.search_folded = (*analysis.search_folded, item.title or "", item.text or "")
        item.captions = list(extracted.captions)
        item.extractor_version = EXTRACTOR_VERSION
        item.date_candidates = list(analysis.candidates)
        if extracted.declared_url and not item.declared_url:
            item.declared_url = extracted.declared_url
        stats.inc_value("archive/extract/articles" if item.is_article else "archive/extract/other")
        return item
