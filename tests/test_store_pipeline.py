"""StorePipeline: many items per SQLite transaction, nothing lost at the end of a crawl."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from scrapy import Spider
from scrapy.utils.test import get_crawler

from pipelines.store import StorePipeline
from tests.test_ingest import page


def _committed(db: Path) -> int:
    """Articles another connection (Datasette, the next run) can see."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    finally:
        conn.close()


def _pipeline(db: Path, batch: int, seconds: float) -> StorePipeline:
    crawler = get_crawler(
        Spider,
        settings_dict={
            "ARCHIVE_DB": str(db),
            "ARCHIVE_STORE_BATCH": batch,
            "ARCHIVE_STORE_BATCH_SECONDS": seconds,
        },
    )
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    return pipeline


def test_items_are_committed_a_batch_at_a_time_and_the_rest_at_close(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    pipeline = _pipeline(db, batch=3, seconds=3600)
    for n in range(2):
        pipeline.process_item(page(f"http://a.vn/{n}.html", title=f"Bài {n}"))
    assert _committed(db) == 0
    pipeline.process_item(page("http://a.vn/2.html", title="Bài 2"))
    assert _committed(db) == 3
    pipeline.process_item(page("http://a.vn/3.html", title="Bài 3"))
    assert _committed(db) == 3
    pipeline.close_spider()
    assert _committed(db) == 4


def test_a_batch_older_than_its_time_is_committed_without_waiting_to_fill(
    tmp_path: Path,
) -> None:
    db = tmp_path / "archive.db"
    pipeline = _pipeline(db, batch=200, seconds=3600)
    pipeline.process_item(page("http://a.vn/1.html"))
    assert _committed(db) == 0
    pipeline.oldest -= 3600  # as if the item had waited an hour
    pipeline.flush_due()  # what the timer calls
    assert _committed(db) == 1
    pipeline.close_spider()
