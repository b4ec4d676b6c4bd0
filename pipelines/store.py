"""StorePipeline: writes each item into the archive through crawler.ingest, one transaction each."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler import archive
from crawler.finalise import finalise_sites
from crawler.ingest import ingest_page, ingest_record
from crawler.items import FetchRecord, Page

logger = logging.getLogger(__name__)


class StorePipeline:
    """Stores pages and fetch records; after the crawl, runs the per-site finishing passes."""

    def __init__(self, db_path: str, keep_responses: bool, crawler: Crawler) -> None:
        self.db_path = db_path
        self.keep_responses = keep_responses
        self.crawler = crawler
        self.db: Any = None
        self.sites_touched: set[str] = set()
        self.failed = False
        self.closing: asyncio.Future[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        settings = crawler.settings
        if settings.get("ARCHIVE_SINK", "archive") != "archive":
            raise NotConfigured  # distributed mode: pipelines.enqueue sends the items instead
        return cls(settings.get("ARCHIVE_DB"), settings.getbool("ARCHIVE_KEEP_RESPONSES"), crawler)

    def open_spider(self, spider: Any = None) -> None:
        self.db = archive.open_archive(self.db_path)

    def close_spider(self, spider: Any = None) -> None:
        try:
            if self.sites_touched:
                finalise_sites(self.db, sorted(self.sites_touched))
        finally:
            self.db.conn.close()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        stats = self.crawler.stats
        assert stats is not None
        try:
            if isinstance(item, FetchRecord):
                outcome = ingest_record(self.db, item)
            elif isinstance(item, Page):
                outcome = ingest_page(self.db, item, keep_response=self.keep_responses)
                self.sites_touched.add(item.site_id)
            else:
                return item
        except sqlite3.Error:
            # A database fault (disk full, read-only file, corruption) must stop the run loudly:
            # carrying on would silently lose every following article.
            logger.exception("site %s: cannot store %s", item.site_id, item.url)
            stats.inc_value("archive/store/db_errors")
            if not self.failed:
                self.failed = True
                self.closing = asyncio.ensure_future(
                    self.crawler.engine.close_spider_async(reason="archive_write_failed")
                )
            raise
        stats.inc_value(f"archive/store/{outcome.status}")
        if outcome.status in ("new", "updated", "gone"):
            stats.inc_value(f"archive/site/{item.site_id}/{outcome.status}")
        if outcome.copy_of is not None:
            stats.inc_value("archive/store/copies_linked")
        return item
