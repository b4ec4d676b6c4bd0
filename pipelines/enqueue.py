"""EnqueuePipeline: in distributed mode, send processed items to the archive queue in batches.

On with `-s ARCHIVE_SINK=celery` (the crawl task of crawler.distributed sets it), in the store
stage's place; off (NotConfigured) otherwise, so the single-machine crawl never imports Celery.
Items travel as crawler.distributed.item_to_wire dicts; an article's response body goes along
only when ARCHIVE_KEEP_RESPONSES is on. When the spider closes, the pipeline writes a JSON
report (ARCHIVE_ENQUEUE_REPORT) that tells the crawl task whether every item reached the queue
and each site's requests, answers and errors, for the site_runs line the writer records.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.items import FetchRecord, Page

logger = logging.getLogger(__name__)


class EnqueuePipeline:
    """Batches Page and FetchRecord items onto the archive queue instead of storing them."""

    def __init__(
        self,
        broker_url: str,
        run_id: int,
        batch_size: int,
        keep_bodies: bool,
        report_path: str,
        crawler: Crawler,
    ) -> None:
        self.broker_url = broker_url
        self.run_id = run_id
        self.batch_size = max(1, batch_size)
        self.keep_bodies = keep_bodies
        self.report_path = report_path
        self.crawler = crawler
        self.batch: list[dict[str, Any]] = []
        self.sent = {"items": 0, "pages": 0, "batches": 0}
        self.failure: str | None = None
        self.connection: Any = None
        self.closing: asyncio.Future[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EnqueuePipeline:
        settings = crawler.settings
        if settings.get("ARCHIVE_SINK", "archive") != "celery":
            raise NotConfigured  # no message: Scrapy would log one on every single-machine crawl
        pipeline = cls(
            broker_url=settings.get("ARCHIVE_BROKER_URL"),
            run_id=settings.getint("ARCHIVE_RUN_ID"),
            batch_size=settings.getint("ARCHIVE_ENQUEUE_BATCH", 20),
            keep_bodies=settings.getbool("ARCHIVE_KEEP_RESPONSES"),
            report_path=settings.get("ARCHIVE_ENQUEUE_REPORT", ""),
            crawler=crawler,
        )
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self, spider: Any = None) -> None:
        from crawler.distributed import app

        self.connection = app.connection_for_write(self.broker_url)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Page | FetchRecord) or self.failure is not None:
            return item
        from crawler.distributed import item_to_wire

        self.batch.append(item_to_wire(item, keep_body=self.keep_bodies))
        self.sent["pages"] += isinstance(item, Page)
        if len(self.batch) >= self.batch_size:
            self.flush()
        return item

    def flush(self, *, stop_on_failure: bool = True) -> None:
        """Send the buffered items as one store_batch task; on failure, stop the crawl."""
        if not self.batch or self.failure is not None:
            return
        from crawler.distributed import store_batch

        stats = self.crawler.stats
        assert stats is not None
        batch, self.batch = self.batch, []
        try:
            store_batch.apply_async(
                (self.run_id, batch),
                connection=self.connection,
                retry=True,
                retry_policy={"max_retries": 5, "interval_start": 1, "interval_step": 2},
            )
        except Exception as exc:  # kombu raises transport-specific errors; all mean "not sent"
            logger.error(
                "run %s: cannot send %d items to the archive queue: %s",
                self.run_id,
                len(batch),
                exc,
            )
            stats.inc_value("archive/enqueue/failed_items", len(batch))
            self.failure = f"archive queue unreachable: {exc}"
            if stop_on_failure and self.crawler.engine is not None:
                self.closing = asyncio.ensure_future(
                    self.crawler.engine.close_spider_async(reason="archive_enqueue_failed")
                )
            return
        self.sent["items"] += len(batch)
        self.sent["batches"] += 1
        stats.inc_value("archive/enqueue/items", len(batch))
        stats.inc_value("archive/enqueue/batches")

    def close_spider(self, spider: Any = None) -> None:
        try:
            self.flush(stop_on_failure=False)  # the spider is closing already
        finally:
            if self.connection is not None:
                self.connection.release()
                self.connection = None

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Write the report after the last flush (close_spider runs before this signal)."""
        if not self.report_path:
            return
        stats = self.crawler.stats
        assert stats is not None
        values = stats.get_stats()
        sites = {
            site_id: {
                "requests": crawl.requests,
                "answered": crawl.answered,
                "errors": int(values.get(f"archive/site_errors/{site_id}", 0)),
            }
            for site_id, crawl in getattr(spider, "crawls", {}).items()
        }
        report = {
            "ok": self.failure is None and reason in ("finished", "closespider_timeout"),
            "reason": self.failure or reason,
            "sites": sites,
            **self.sent,
            "responses": int(values.get("downloader/response_count", 0)),
        }
        Path(self.report_path).write_text(json.dumps(report, sort_keys=True), encoding="utf-8")
