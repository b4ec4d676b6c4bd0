"""The archive schema, WAL, transactions and search index, on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from crawler import archive


def _article(db: sqlite_utils.Database, url: str, title: str, text: str) -> int:
    article_id = archive.insert_article(
        db, {"url": url, "site_id": "s1", "title": title, "text": text, "content_hash": "h"}
    )
    archive.add_urls(db, article_id, [url], "2026-11-23T03:00:00+07:00")
    archive.index_for_search(db, article_id, title, text)
    return article_id


def test_open_archive_is_wal_and_migrated(tmp_path: Path) -> None:
    db = archive.open_archive(tmp_path / "a.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(archive.MIGRATIONS)
    # The contract columns of issue 3.
    columns = set(db["articles"].columns_dict)
    assert {"id", "url", "site_id", "title", "published", "author", "text", "copy_of"} <= columns
    assert {"first_seen", "last_seen", "gone_at"} <= columns
    assert set(db["article_urls"].columns_dict) >= {"url", "article_id"}
    db.conn.close()
    # Opening again applies nothing twice.
    again = archive.open_archive(tmp_path / "a.db")
    assert archive.migrate(again) == len(archive.MIGRATIONS)
    again.conn.close()


def test_transaction_rolls_back_on_error(fresh_db: sqlite_utils.Database) -> None:
    def write_then_fail() -> None:
        with archive.transaction(fresh_db):
            _article(fresh_db, "http://x.vn/a", "A", "text")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_then_fail()
    assert fresh_db.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    assert fresh_db.execute("SELECT count(*) FROM article_urls").fetchone()[0] == 0


@pytest.mark.parametrize(
    "query",
    ["tuyên giáo", "tuyen giao", "Đảng", "dang", "TUYÊN GIÁO", '"tuyen giao"'],
    ids=["diacritics", "folded", "d-stroke", "d-folded", "upper", "phrase"],
)
def test_search_finds_with_or_without_diacritics(
    fresh_db: sqlite_utils.Database, query: str
) -> None:
    wanted = _article(fresh_db, "http://x.vn/a", "Công tác tuyên giáo của Đảng", "Hội nghị.")
    # Shares "giao" but not "tuyên"/"tuyến": a diacritic-free query must still tell them apart.
    _article(fresh_db, "http://x.vn/b", "Giao thông nông thôn", "Đường mới hoàn thành.")
    rows = fresh_db.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rank", [query]
    ).fetchall()
    assert [r[0] for r in rows] == [wanted]


def test_mark_gone_keeps_the_row(fresh_db: sqlite_utils.Database) -> None:
    article_id = _article(fresh_db, "http://x.vn/a", "A", "text")
    assert archive.mark_gone(fresh_db, ["http://x.vn/a"], "2026-11-24T03:00:00+07:00") == 1
    row = fresh_db.table("articles").get(article_id)
    assert row["gone_at"] == "2026-11-24T03:00:00+07:00"
    assert row["text"] == "text"
    # A second 404 does not move the date.
    assert archive.mark_gone(fresh_db, ["http://x.vn/a"], "2026-11-25T03:00:00+07:00") == 0


def test_known_url_by_page_or_alias(fresh_db: sqlite_utils.Database) -> None:
    article_id = _article(fresh_db, "http://x.vn/a", "A", "text")
    archive.add_urls(fresh_db, article_id, ["http://x.vn/print/a"], "2026-11-23T03:00:00+07:00")
    archive.record_pages(
        fresh_db, [{"url": "http://x.vn/list", "site_id": "s1", "kind": "listing"}]
    )
    assert archive.known_url(fresh_db, "http://x.vn/print/a") == archive.KnownPage(
        "article", article_id
    )
    assert archive.known_url(fresh_db, "http://x.vn/list") == archive.KnownPage("listing", None)
    assert archive.known_url(fresh_db, "http://x.vn/new") is None


def test_responses_are_kept_compressed(fresh_db: sqlite_utils.Database) -> None:
    body = "<html>Đảng bộ</html>".encode() * 50
    digest = archive.store_response(fresh_db, body, "text/html", "2026-11-23T03:00:00+07:00")
    assert archive.load_response(fresh_db, digest) == (body, "text/html")
    stored = fresh_db.execute("SELECT length(body_gzip) FROM responses").fetchone()[0]
    assert stored < len(body) / 5


def test_read_only_archive_refuses_writes(tmp_path: Path) -> None:
    archive.open_archive(tmp_path / "a.db").conn.close()
    ro = archive.open_archive(tmp_path / "a.db", read_only=True)
    with pytest.raises(Exception, match="readonly"):
        ro.execute("INSERT INTO sites (id) VALUES ('x')")


def _run(db: sqlite_utils.Database, site_id: str, ok: bool, tried: bool = True) -> None:
    run_id = archive.start_run(db, "2026-11-23T01:30:00+07:00", None, "incremental")
    if tried:
        archive.record_site_run(db, run_id, site_id, ok=int(ok), finished="x")
        archive.update_site_health(db, site_id, "2026-11-23T02:00:00+07:00", dead_after=3)
    archive.finish_run(db, run_id, "2026-11-23T02:00:00+07:00", status="finished")


def test_site_dies_after_repeated_failures_and_is_retried_rarely(
    fresh_db: sqlite_utils.Database,
) -> None:
    fresh_db.table("sites").insert({"id": "s1", "name": "Huyện ủy"}, alter=True)
    _run(fresh_db, "s1", ok=True)
    assert fresh_db.table("sites").get("s1")["crawl_state"] == "alive"
    for _ in range(3):
        _run(fresh_db, "s1", ok=False)
    site = fresh_db.table("sites").get("s1")
    # The date it last answered is kept: "nothing published" vs "we could not look".
    assert (site["crawl_state"], site["last_alive"]) == ("dead", "2026-11-23T02:00:00+07:00")
    assert archive.site_due(fresh_db, "s1", retry_every=3) is False
    _run(fresh_db, "s1", ok=False, tried=False)
    assert archive.site_due(fresh_db, "s1", retry_every=3) is False
    _run(fresh_db, "s1", ok=False, tried=False)
    assert archive.site_due(fresh_db, "s1", retry_every=3) is True
    _run(fresh_db, "s1", ok=True)
    assert fresh_db.table("sites").get("s1")["crawl_state"] == "alive"
