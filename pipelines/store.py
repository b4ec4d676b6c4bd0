"""StorePipeline: writes items into the archive through crawler.ingest, many per transaction."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler import archive
from crawler.finalise import finalise_sites
from crawler.ingest import HintBuffer, Outcome, ingest_page, ingest_record
from crawler.items import FetchRecord, Page

logger = logging.getLogger(__name__)


class StorePipeline:
    """Stores pages and fetch records; after the crawl, runs the per-site finishing passes.

    Items are written ARCHIVE_STORE_BATCH at a time in one transaction (or whatever arrived in
    ARCHIVE_STORE_BATCH_SECONDS, or when the crawl goes idle or ends): a commit per page cost
    more than the page's rows. A kill loses at most one batch, which the next run fetches again.
    """

    def __init__(
        self,
        db_path: str,
        keep_responses: bool,
        crawler: Crawler,
        batch_size: int = 200,
        batch_seconds: float = 2.0,
    ) -> None:
        self.db_path = db_path
        self.keep_responses = keep_responses
        self.crawler = crawler
        self.batch_size = max(1, batch_size)
        self.batch_seconds = batch_seconds
        self.db: Any = None
        self.sites_touched: set[str] = set()
        self.failed = False
        self.closing: asyncio.Future[None] | None = None
        self.pending: list[Page | FetchRecord] = []
        self.oldest = 0.0
        self.timer: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        settings = crawler.settings
        if settings.get("ARCHIVE_SINK", "archive") != "archive":
            raise NotConfigured  # distributed mode: pipelines.enqueue sends the items instead
        pipeline = cls(
            settings.get("ARCHIVE_DB"),
            settings.getbool("ARCHIVE_KEEP_RESPONSES"),
            crawler,
            settings.getint("ARCHIVE_STORE_BATCH"),
            settings.getfloat("ARCHIVE_STORE_BATCH_SECONDS"),
        )
        crawler.signals.connect(pipeline.flush, signal=signals.spider_idle)
        return pipeline

    def open_spider(self, spider: Any = None) -> None:
        self.db = archive.open_archive(self.db_path)
        # A batch waiting on a slow site is committed on time even when no item follows it.
        self.timer = task.LoopingCall(self.flush_due)
        self.timer.start(self.batch_seconds, now=False)

    def close_spider(self, spider: Any = None) -> None:
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        try:
            self.flush()
            if self.sites_touched:
                finalise_sites(self.db, sorted(self.sites_touched))
        finally:
            self.db.conn.close()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, (FetchRecord, Page)):
            return item
        if not self.pending:
            self.oldest = time.monotonic()
        self.pending.append(item)
        if len(self.pending) >= self.batch_size:
            self.flush()
        else:
            self.flush_due()
        return item

    def flush_due(self) -> None:
        """Flush when the oldest pending item has waited ARCHIVE_STORE_BATCH_SECONDS."""
        if self.pending and time.monotonic() - self.oldest >= self.batch_seconds:
            self.flush()

    def flush(self) -> None:
        """Write the pending items in one transaction."""
        items, self.pending = self.pending, []
        if not items or self.db is None:
            return
        stats = self.crawler.stats
        assert stats is not None
        outcomes: list[tuple[Page | FetchRecord, Outcome]] = []
        current: Page | FetchRecord = items[0]
        # Nothing in the batch reads link hints back: they are merged and written once.
        hints = HintBuffer()
        try:
            with archive.transaction(self.db):
                for current in items:
                    if isinstance(current, FetchRecord):
                        outcomes.append((current, ingest_record(self.db, current, hints)))
                    else:
                        page_outcome = ingest_page(
                            self.db, current, keep_response=self.keep_responses, hints=hints
                        )
                        outcomes.append((current, page_outcome))
                        self.sites_touched.add(current.site_id)
                hints.write(self.db)
        except sqlite3.Error:
            # A database fault (disk full, read-only file, corruption) must stop the run loudly:
            # carrying on would silently lose every following article.
            logger.exception(
                "site %s: cannot store %s (batch of %d)", current.site_id, current.url, len(items)
            )
            stats.inc_value("archive/store/db_errors")
            if not self.failed:
                self.failed = True
                self.closing = asyncio.ensure_future(
                    self.crawler.engine.close_spider_async(reason="archive_write_failed")
                )
            raise
        for item, outcome in outcomes:
            stats.inc_value(f"archive/store/{outcome.status}")
            if outcome.status in ("new", "updated", "gone"):
                stats.inc_value(f"archive/site/{item.site_id}/{outcome.status}")
            if outcome.copy_of is not None:
                stats.inc_value("archive/store/copies_linked")
