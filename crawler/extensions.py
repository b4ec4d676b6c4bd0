"""RunLogExtension: a crawl_runs row per run and a site_runs row per site, with counts."""

from __future__ import annotations

import json
import logging

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler import archive
from crawler.gazetteer import unit_rows
from crawler.timezone import iso_vn, now_vn

logger = logging.getLogger(__name__)


class RunLogExtension:
    """Opens the run's row when the spider opens; closes it with counts when it closes."""

    def __init__(self, crawler: Crawler, db_path: str, dead_after: int = 5) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.dead_after = dead_after
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunLogExtension:
        settings = crawler.settings
        if settings.get("ARCHIVE_SINK", "archive") != "archive":
            raise NotConfigured  # distributed mode: the archive writer records the run
        ext = cls(crawler, settings.get("ARCHIVE_DB"), settings.getint("ARCHIVE_DEAD_AFTER"))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        db = archive.open_archive(self.db_path)
        try:
            started = iso_vn(now_vn())
            registry = getattr(spider, "registry", [])
            archive.sync_sites(db, registry, started)
            archive.sync_units(db, unit_rows())
            mode = "full" if getattr(spider, "full", False) else "incremental"
            self.run_id = archive.start_run(db, started, getattr(spider, "site_filter", None), mode)
        finally:
            db.conn.close()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.run_id is None:
            return
        stats = self.crawler.stats
        assert stats is not None
        values = stats.get_stats()
        finished = iso_vn(now_vn())
        site_errors: dict[str, int] = {}
        db = archive.open_archive(self.db_path)
        try:
            for site_id, crawl in getattr(spider, "crawls", {}).items():
                errors = int(values.get(f"archive/site_errors/{site_id}", 0))
                new = int(values.get(f"archive/site/{site_id}/new", 0))
                if errors:
                    site_errors[site_id] = errors
                # Only a crawl that ran to its end completes a site; after a kill or Ctrl-C the
                # next run resumes the walk instead of trusting the partial state.
                archive.record_site_run(
                    db,
                    self.run_id,
                    site_id,
                    finished=finished if reason == "finished" else None,
                    requests=crawl.requests,
                    articles_new=new,
                    errors=errors,
                    ok=int(crawl.answered > 0),
                )
                archive.update_site_health(db, site_id, finished, self.dead_after)
            archive.finish_run(
                db,
                self.run_id,
                finished,
                pages_fetched=int(values.get("downloader/response_count", 0)),
                articles_new=int(values.get("archive/store/new", 0)),
                articles_updated=int(values.get("archive/store/updated", 0)),
                articles_gone=int(values.get("archive/store/gone", 0)),
                errors=int(values.get("archive/spider/errors", 0)),
                site_errors=json.dumps(site_errors, sort_keys=True),
                status=reason,
            )
        finally:
            db.conn.close()
        logger.info(
            "run %s finished (%s): %s new, %s updated, %s gone, site errors %s",
            self.run_id,
            reason,
            values.get("archive/store/new", 0),
            values.get("archive/store/updated", 0),
            values.get("archive/store/gone", 0),
            site_errors,
        )
