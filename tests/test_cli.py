"""The crawler command line, driven with click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from crawler import archive
from crawler.cli import main


def test_dateline_prints_one_json_line_per_argument() -> None:
    result = CliRunner().invoke(
        main,
        ["dateline", "Thứ sáu - 08/07/2022 04:06 161 0", "[ Cập nhật vào ngày (22/01/2021) ]",
         "Lượt xem: 12", "--today", "2026-11-23"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines == [
        {"text": "Thứ sáu - 08/07/2022 04:06 161 0", "published": "2022-07-08T04:06:00+07:00",
         "precision": "minute"},
        {"text": "[ Cập nhật vào ngày (22/01/2021) ]", "published": "2021-01-22",
         "precision": "day"},
        {"text": "Lượt xem: 12", "published": None, "precision": None},
    ]  # fmt: skip


def test_nightly_fails_loudly_when_a_working_site_keeps_failing(tmp_path: Path) -> None:
    # An empty registry makes the crawl itself a no-op; the health check reads the archive.
    db_path = tmp_path / "a.db"
    db = archive.open_archive(db_path)
    for run, ok in enumerate([1, 0, 0, 0], start=1):
        archive.record_site_run(db, run, "huyenuy", ok=ok)
    db.conn.close()
    sites = tmp_path / "sites.csv"
    sites.write_text("id,name,level,province,url\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["nightly", "--sites", str(sites), "--db", str(db_path)])
    assert result.exit_code == 1
    assert "site huyenuy: failed 3 nights running" in result.output


def test_the_newest_run_status_tells_an_early_end(tmp_path: Path) -> None:
    # crawler nightly exits 1 on this status: Scrapy itself exits 0 after a disk-full close.
    db_path = tmp_path / "a.db"
    db = archive.open_archive(db_path)
    run = archive.start_run(db, "2026-11-23T01:30:00+07:00", None, "incremental")
    archive.finish_run(db, run, "2026-11-23T01:31:00+07:00", status="archive_write_failed")
    assert archive.last_run_status(db) == "archive_write_failed"
    db.conn.close()
