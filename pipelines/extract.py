"""ExtractPipeline: trafilatura and our rules, off the reactor, fill title/author/text."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from scrapy.crawler import Crawler

from crawler import archive
from crawler.analysis import Analysis, analyse_page
from crawler.boilerplate import strip_blocks
from crawler.extract import EXTRACTOR_VERSION
from crawler.items import Page
from crawler.rules import Rules, load_rules

logger = logging.getLogger(__name__)


class ExtractPipeline:
    """Runs crawler.analysis.analyse_page for each Page, in a process pool sized by settings."""

    def __init__(
        self, processes: int, disabled_families: frozenset[str], db_path: str, crawler: Crawler
    ) -> None:
        self.processes = processes
        self.db_path = db_path
        #: boilerplate blocks learned per site on earlier runs (crawler.finalise)
        self.site_blocks: dict[str, frozenset[str]] = {}
        self.disabled_families = disabled_families
        self.crawler = crawler
        self.rules: Rules | None = None
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        settings = crawler.settings
        return cls(
            processes=settings.getint("ARCHIVE_EXTRACT_PROCESSES"),
            disabled_families=frozenset(settings.getlist("ARCHIVE_DISABLED_FAMILIES")),
            db_path=settings.get("ARCHIVE_DB"),
            crawler=crawler,
        )

    def open_spider(self, spider: Any = None) -> None:
        self.rules = load_rules(disabled_families=self.disabled_families)
        # The first component to open the archive checks it: a damaged file stops the crawl
        # before anything is fetched or written.
        db = archive.open_archive(self.db_path, check=True)
        try:
            self.site_blocks = archive.all_site_blocks(db)
        finally:
            db.conn.close()
        # trafilatura logs a WARNING for every listing page it declines ("discarding data");
        # our own stats count those pages, so its messages would only bury real warnings.
        logging.getLogger("trafilatura").setLevel(logging.ERROR)
        if self.processes > 0:
            self.pool = ProcessPoolExecutor(max_workers=self.processes)

    def close_spider(self, spider: Any = None) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Page):
            return item
        assert self.rules is not None, "open_spider loads the rules"
        args = (item.body, item.headers.get("content-type"), item.url, item.fetched_at, self.rules)
        if self.pool is not None:
            loop = asyncio.get_running_loop()
            analysis: Analysis = await loop.run_in_executor(self.pool, analyse_page, *args)
        else:
            analysis = analyse_page(*args)
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
        item.text = strip_blocks(extracted.text, self.site_blocks.get(item.site_id, frozenset()))
        item.captions = list(extracted.captions)
        item.extractor_version = EXTRACTOR_VERSION
        item.date_candidates = list(analysis.candidates)
        if extracted.declared_url and not item.declared_url:
            item.declared_url = extracted.declared_url
        stats.inc_value("archive/extract/articles" if item.is_article else "archive/extract/other")
        return item
