"""The distributed crawl (crawler.distributed, pipelines.enqueue): wire format, what is due, the
writer's bookkeeping, and end to end with a real redis-server and real Celery workers.

The end-to-end test runs two crawl workers and one archive writer against the bundled sample
sites, kills one crawl worker with SIGKILL in the middle of a site, and checks that the archive
equals a single-machine crawl of the same sites.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import fields
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from click.testing import CliRunner
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler import archive
from crawler.boilerplate import block_key
from crawler.cli import scrapy_command
from crawler.demo import SampleServer, proxy_env
from crawler.fingerprint import band_keys, content_hash, signature
from crawler.items import FetchRecord, Hint, Page
from crawler.registry import Site
from crawler.timezone import VN_TZ
from tests.conftest import FETCHED_AT, ROOT, wait_until

pytest.importorskip("celery", reason="distributed mode needs the `distributed` extra (Celery)")

from crawler import distributed  # after the skip: it imports Celery
from pipelines.enqueue import EnqueuePipeline

SAMPLES = ROOT / "data" / "sample_sites"
TRUTH = json.loads((SAMPLES / "truth.json").read_text(encoding="utf-8"))


# --- items on the wire ----------------------------------------------------------------------------


def full_page(**changes: Any) -> Page:
    """A page with every field set away from its default, as the dedupe stage leaves it."""
    text = (
        "Sáng 12/3, Huyện ủy Sơn Mẫu tổ chức hội nghị học tập, quán triệt Nghị quyết Hội nghị "
        "lần thứ tám Ban Chấp hành Trung ương Đảng khóa XIII cho cán bộ chủ chốt của huyện.\n\n"
        "Đồng chí Bí thư Huyện ủy nhấn mạnh yêu cầu các chi bộ, đảng bộ cơ sở xây dựng kế hoạch "
        "thực hiện cụ thể, sát với tình hình thực tế của địa phương, đơn vị mình."
    )
    sig = signature(text)
    values: dict[str, Any] = {
        "site_id": "huyenuymau",
        "url": "http://huyenuy-mau.vn/tin-tuc/hoi-nghi-12.html",
        "urls": ["http://huyenuy-mau.vn/?nv=news&id=12", "http://huyenuy-mau.vn/tin-tuc/hoi-nghi-12.html"],
        "status": 200,
        "body": "<html><body><h1>Hội nghị</h1></body></html>".encode() * 50,
        "headers": {"content-type": "text/html; charset=utf-8", "etag": '"ab12"'},
        "fetched_at": FETCHED_AT,
        "hints": [Hint("feed", "Tue, 12 Mar 2024 19:30:00 +0700", "Hội nghị")],
        "known_article_id": 7,
        "depth": 2,
        "links": ["http://huyenuy-mau.vn/tin-tuc/"],
        "is_hub": True,
        "link_hints": [
            ("http://huyenuy-mau.vn/tin-tuc/a.html", Hint("listing", "12/03/2024", "A")),
        ],
        "listing_titles": [("http://huyenuy-mau.vn/tin-tuc/a.html", "Tiêu đề A")],
        "is_article": True,
        "kind_reason": "article: dateline and body",
        "declared_url": "http://huyenuy-mau.vn/tin-tuc/hoi-nghi-12.html",
        "title": "Hội nghị học tập Nghị quyết",
        "author": "Minh Anh",
        "text": text,
        "captions": ["Quang cảnh hội nghị"],
        "extractor_version": "1.0",
        "published": "2024-03-12T19:30:00+07:00",
        "published_raw": "12/03/2024 19:30",
        "published_source": "dateline",
        "published_precision": "minute",
        "updated": "2024-03-13",
        "date_evidence": [
            {"signal": "dateline", "raw": "12/03/2024 19:30", "parsed": "2024-03-12T19:30:00+07:00",
             "accepted": 1, "reason": "chosen as published"},
        ],
        "canonical_url": "http://huyenuy-mau.vn/tin-tuc/hoi-nghi-12.html",
        "content_hash": content_hash("Hội nghị học tập Nghị quyết", text),
        "band_keys": band_keys(sig),
        "signature": sig,
    }  # fmt: skip
    values.update(changes)
    return Page(**values)


def through_json(wire: dict[str, Any]) -> dict[str, Any]:
    """What the writer receives: Celery's JSON serializer in between."""
    decoded: dict[str, Any] = json.loads(json.dumps(wire))
    return decoded


def test_every_page_field_set_by_the_test_page() -> None:
    # The round-trip test below only proves something for fields it sets: a new Page field
    # must be added to full_page (and so to the wire format) or this fails.
    page = full_page()
    defaults = Page(
        site_id="", url="", urls=[], status=0, body=b"", headers={}, fetched_at=FETCHED_AT
    )
    unset = [
        f.name
        for f in fields(Page)
        # crawl-side only: consumed before the wire (date candidates, the worker's analysis and
        # its gzip copy of the body)
        if f.name not in ("fetched_at", "date_candidates", "analysis", "body_gzip", "search_folded")
        and getattr(page, f.name) == getattr(defaults, f.name)
    ]
    assert unset == []


def test_article_page_survives_the_wire_with_its_body() -> None:
    page = full_page()
    back = distributed.item_from_wire(through_json(distributed.item_to_wire(page)))
    assert back == page
    assert isinstance(back, Page)
    assert back.link_hints[0] == (
        "http://huyenuy-mau.vn/tin-tuc/a.html",
        Hint("listing", "12/03/2024", "A"),
    )


def test_date_candidates_stay_on_the_crawl_side() -> None:
    # DatePipeline consumed them; the archive keeps date_evidence, which does travel.
    page = full_page()
    page.date_candidates = ["not JSON-serialisable"]  # type: ignore[list-item]
    back = distributed.item_from_wire(through_json(distributed.item_to_wire(page)))
    assert isinstance(back, Page)
    assert back.date_candidates == []
    assert back.date_evidence == page.date_evidence


@pytest.mark.parametrize(
    ("is_article", "keep_body", "sent"),
    [(True, True, True), (False, True, False), (True, False, False)],
    ids=["article-kept", "listing-never", "responses-not-kept"],
)
def test_body_travels_only_when_the_writer_keeps_it(
    is_article: bool, keep_body: bool, sent: bool
) -> None:
    page = full_page(is_article=is_article)
    wire = through_json(distributed.item_to_wire(page, keep_body=keep_body))
    assert distributed.has_body(wire) is sent
    back = distributed.item_from_wire(wire)
    assert isinstance(back, Page)
    assert back.body == (page.body if sent else b"")


def test_body_is_compressed_on_the_wire() -> None:
    page = full_page()
    wire = distributed.item_to_wire(page)
    assert len(wire["body_z"]) < len(page.body) / 4


def test_fetch_record_survives_the_wire() -> None:
    record = FetchRecord(
        site_id="khoimau", url="http://khoi-mau.org.vn/feed/", kind="feed", status=200,
        fetched_at=FETCHED_AT, etag='"e1"', last_modified="Sat, 21 Nov 2026 23:00:00 GMT",
        depth=0, is_hub=True,
        link_hints=[("http://khoi-mau.org.vn/2024/10/02/x/", Hint("feed", "Wed, 2 Oct 2024"))],
        target=None,
    )  # fmt: skip
    assert distributed.item_from_wire(through_json(distributed.item_to_wire(record))) == record


@pytest.mark.parametrize(
    ("wire", "message"),
    [
        ({"v": 99, "type": "page"}, "wire version 99"),
        ({"v": 1, "type": "video", "fetched_at": FETCHED_AT.isoformat(), "link_hints": []},
         "unknown item type"),
    ],
    ids=["other-version", "unknown-type"],
)  # fmt: skip
def test_foreign_messages_are_refused(wire: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        distributed.item_from_wire(wire)


# --- what is due ----------------------------------------------------------------------------------

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=VN_TZ)


def _site(site_id: str) -> Site:
    return Site(
        id=site_id, name=site_id, level="district", province="P", url=f"http://{site_id}.vn/"
    )


@pytest.mark.parametrize(
    ("last", "due"),
    [
        (None, True),
        ((None, None), True),
        ((None, "2026-11-22T02:30:00+07:00"), True),
        ((None, "2026-11-22T21:00:00+07:00"), False),
        (("2026-11-23T01:00:00+07:00", None), False),
        (("2026-11-21T02:00:00+07:00", None), True),
    ],
    ids=[
        "never-ran",
        "killed-single-machine-run",
        "finished-last-night-later-than-now",
        "finished-5-hours-ago",
        "pending-since-an-hour",
        "pending-for-two-days",
    ],
)
def test_due_sites(last: tuple[str | None, str | None] | None, due: bool) -> None:
    runs = {"a": last} if last is not None else {}
    # 20 hours: a site that finished at 02:30 last night is due again at 02:00 tonight.
    chosen = distributed.due_sites([_site("a")], runs, NOW, timedelta(hours=20))
    assert [s.id for s in chosen] == (["a"] if due else [])


def test_registry_rows_carry_the_header_and_one_row_each(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text(
        "id,name,level,province,url,notes\n"
        'huyenuy,"Huyện ủy A, tỉnh B",district,B,http://huyenuy-a.vn/,"có dấu phẩy, ""ngoặc"""\n'
        "broken,Bad,district,B,ftp://x/,\n"
        "tinhuy,Tỉnh ủy B,province,B,http://tinhuy-b.vn/,\n",
        encoding="utf-8",
    )
    rows = distributed.registry_rows(path, ["huyenuy", "broken", "missing"])
    assert rows == {
        "huyenuy": "id,name,level,province,url,notes\r\n"
        'huyenuy,"Huyện ủy A, tỉnh B",district,B,http://huyenuy-a.vn/,"có dấu phẩy, ""ngoặc"""\r\n'
    }


# --- the writer's bookkeeping (no broker needed) --------------------------------------------------


def _wires(*items: Page | FetchRecord) -> list[dict[str, Any]]:
    return [through_json(distributed.item_to_wire(i)) for i in items]


def _pending_run(db: sqlite_utils.Database, *site_ids: str) -> int:
    run_id = archive.start_run(db, "2026-11-23T02:00:00+07:00", None, "distributed")
    for site_id in site_ids:
        archive.record_site_run(db, run_id, site_id, started="2026-11-23T02:00:00+07:00")
    return run_id


def _report(site_id: str, *, ok: bool = True, reason: str = "finished") -> dict[str, Any]:
    sites = {site_id: {"requests": 23, "answered": 23, "errors": 0}}
    return {"ok": ok, "reason": reason, "sites": sites, "pages": 1, "items": 2}


def test_a_batch_delivered_twice_stores_once(fresh_db: sqlite_utils.Database) -> None:
    run_id = _pending_run(fresh_db, "huyenuymau")
    record = FetchRecord(
        "huyenuymau", "http://huyenuy-mau.vn/robots.txt", "robots", 200, FETCHED_AT
    )
    batch = _wires(full_page(known_article_id=None), record)
    first = distributed.store_wire_items(fresh_db, batch)
    distributed.add_new_articles(fresh_db, run_id, first)
    again = distributed.store_wire_items(fresh_db, batch)
    distributed.add_new_articles(fresh_db, run_id, again)
    assert dict(first) == {"new": 1, "new:huyenuymau": 1, "recorded": 1}
    assert dict(again) == {"unchanged": 1, "recorded": 1}
    assert fresh_db.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    assert fresh_db.execute("SELECT count(*) FROM article_versions").fetchone()[0] == 0
    assert archive.run_site_runs(fresh_db, run_id)["huyenuymau"]["articles_new"] == 1


def test_a_late_batch_after_the_finishing_pass_is_not_an_edit(
    fresh_db: sqlite_utils.Database,
) -> None:
    # Re-delivered after its site's finishing pass learned a boilerplate block, a page must
    # store as unchanged, not as a new version with the block back in its text.
    block = "Bản quyền thuộc về Huyện ủy Sơn Mẫu"
    text = "Sáng 12/3, Huyện ủy tổ chức hội nghị.\n\n" + block
    page = full_page(text=text, content_hash=content_hash("Hội nghị học tập Nghị quyết", text))
    distributed.store_wire_items(fresh_db, _wires(page))
    with archive.transaction(fresh_db):
        archive.save_site_blocks(
            fresh_db, "huyenuymau", [block_key(block)], "2026-11-23T02:00:00+07:00"
        )
    stripped = "Sáng 12/3, Huyện ủy tổ chức hội nghị."
    article_id = fresh_db.execute("SELECT id FROM articles").fetchone()[0]
    archive.update_article(
        fresh_db,
        article_id,
        {"text": stripped, "content_hash": content_hash("Hội nghị học tập Nghị quyết", stripped)},
    )
    counts = distributed.store_wire_items(fresh_db, _wires(page))
    assert dict(counts) == {"unchanged": 1}
    assert fresh_db.execute("SELECT text FROM articles").fetchone()[0] == stripped


def test_an_item_that_cannot_be_stored_does_not_sink_its_batch(
    fresh_db: sqlite_utils.Database,
) -> None:
    bad = through_json(distributed.item_to_wire(full_page(url="http://huyenuy-mau.vn/bad")))
    bad["v"] = 0
    counts = distributed.store_wire_items(fresh_db, [bad, *_wires(full_page())])
    assert dict(counts) == {"errors": 1, "new": 1, "new:huyenuymau": 1}


def test_the_run_closes_when_its_last_site_reports(fresh_db: sqlite_utils.Database) -> None:
    run_id = _pending_run(fresh_db, "huyenuymau", "khoimau")
    distributed.store_wire_items(fresh_db, _wires(full_page()))
    distributed.add_new_articles(fresh_db, run_id, distributed.store_wire_items(fresh_db, []))
    assert not distributed.finish_site_run(
        fresh_db, run_id, "huyenuymau", _report("huyenuymau"), NOW
    )
    runs = archive.run_site_runs(fresh_db, run_id)
    assert runs["huyenuymau"]["ok"] == 1
    assert runs["huyenuymau"]["finished"] == "2026-11-23T02:00:00+07:00"
    assert runs["khoimau"]["ok"] is None, "still pending"
    run = fresh_db.execute("SELECT status FROM crawl_runs WHERE id = ?", [run_id]).fetchone()
    assert run[0] == "running"
    assert distributed.finish_site_run(
        fresh_db, run_id, "khoimau", _report("khoimau", ok=False, reason="gave up"), NOW
    )
    runs = archive.run_site_runs(fresh_db, run_id)
    # A site whose task kept failing: the per-site error state, not finished, not ok.
    assert (runs["khoimau"]["ok"], runs["khoimau"]["finished"], runs["khoimau"]["errors"]) == (
        0,
        None,
        1,
    )
    row = fresh_db.execute(
        "SELECT status, pages_fetched, errors, site_errors FROM crawl_runs WHERE id = ?", [run_id]
    ).fetchone()
    assert tuple(row) == ("finished", 46, 1, '{"khoimau": 1}')


def test_a_time_capped_site_is_ok_but_not_finished(fresh_db: sqlite_utils.Database) -> None:
    # As in the single-machine run log: the next crawl of the site resumes the walk.
    run_id = _pending_run(fresh_db, "huyenuymau")
    report = _report("huyenuymau", reason="closespider_timeout")
    distributed.finish_site_run(fresh_db, run_id, "huyenuymau", report, NOW)
    line = archive.run_site_runs(fresh_db, run_id)["huyenuymau"]
    assert (line["ok"], line["finished"]) == (1, None)


# --- single-machine mode stays free of Celery -----------------------------------------------------


def test_enqueue_pipeline_is_off_unless_the_sink_is_celery() -> None:
    with pytest.raises(NotConfigured):
        EnqueuePipeline.from_crawler(get_crawler(settings_dict={"ARCHIVE_SINK": "archive"}))


def test_single_machine_mode_never_imports_celery() -> None:
    # (redis itself may be imported: datasketch's optional storage imports it when installed.)
    code = (
        "import sys, crawler.cli, crawler.settings, pipelines.enqueue, pipelines.store;"
        "from scrapy.utils.test import get_crawler;"
        "from scrapy.exceptions import NotConfigured;"
        "from pipelines.enqueue import EnqueuePipeline\n"
        "try: EnqueuePipeline.from_crawler(get_crawler())\n"
        "except NotConfigured: pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('celery', 'kombu')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"


# --- end to end: redis-server, two crawl workers (one killed), one writer -------------------------

#: Seconds before the task of a killed worker is delivered again; short, so the test is quick.
VISIBILITY = 20
#: Cap on one site's crawl (the sample sites take about 3 s); with its close grace < VISIBILITY.
SITE_LIMIT = 10


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (Debian package redis-server; make system-deps)")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=0.5)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        assert wait_until(answers, deadline=15), "redis-server did not start"
        client.close()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


class Workers:
    """Celery worker subprocesses, each in its own process group (worker, pool, crawl)."""

    def __init__(self, broker: str, logs: Path) -> None:
        self.broker = broker
        self.logs = logs
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *args: str, env: dict[str, str] | None = None) -> None:
        command = [
            sys.executable, "-m", "celery", "-A", "crawler.distributed", "-b", self.broker,
            "worker", "--pool", "solo", "-n", f"{name}@%h", "--without-mingle",
            "--without-gossip", "--visibility-timeout", str(VISIBILITY), "-l", "INFO", *args,
        ]  # fmt: skip
        with (self.logs / f"{name}.log").open("wb") as log:
            self.processes[name] = subprocess.Popen(
                command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def kill(self, name: str) -> None:
        """SIGKILL the worker and everything it started: a machine lost mid-task."""
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(encoding="utf-8", errors="replace")


def _sample_registry(site_ids: list[str]) -> str:
    lines = (SAMPLES / "sites.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    return lines[0] + "".join(line for line in lines[1:] if line.split(",")[0] in site_ids)


def _read_only(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)


def _runs_finished(db: Path, count: int) -> bool:
    if not db.exists():
        return False
    conn = _read_only(db)
    try:
        rows = conn.execute("SELECT status FROM crawl_runs").fetchall()
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    return len(rows) == count and all(r[0] == "finished" for r in rows)


#: Columns that say when, not what: they differ between any two crawls.
_WHEN = frozenset(
    {"first_seen", "last_seen", "last_changed", "fetched_at", "seen", "learned_at", "loaded_at"}
)


def archive_snapshot(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """What two crawls of the same sites must agree on, with article ids mapped to URLs.

    Left out, because they depend on the order in which responses happen to arrive even
    between two single-machine crawls: the title a listing_hints row keeps when a listing links
    an article twice (last writer wins), the listing_titles table, hub flags, depths and links
    of listing pages, and date candidates that were not chosen (a feed that answered before or
    after the article). Chosen dates and every article column are compared.
    """
    conn = _read_only(db)
    conn.row_factory = sqlite3.Row
    try:
        url_of = {r[0]: r[1] for r in conn.execute("SELECT id, url FROM articles")}

        def rows(sql: str, *id_columns: str) -> list[tuple[Any, ...]]:
            found = []
            for row in conn.execute(sql):
                item = {k: v for k, v in dict(row).items() if k not in _WHEN and k != "id"}
                for column in id_columns:
                    if item[column] is not None:
                        item[column] = url_of[item[column]]
                found.append(tuple(sorted(item.items())))
            return sorted(found, key=repr)

        return {
            "articles": rows("SELECT * FROM articles", "copy_of"),
            "article_urls": rows("SELECT url, article_id FROM article_urls", "article_id"),
            "copies": rows("SELECT * FROM copies", "copy_id", "original_id"),
            "versions": rows("SELECT * FROM article_versions", "article_id"),
            "chosen_dates": rows(
                "SELECT DISTINCT article_id, signal, raw, parsed, reason FROM date_evidence"
                " WHERE accepted = 1",
                "article_id",
            ),
            "responses": rows("SELECT hash, content_type FROM responses"),
            "search": rows(
                "SELECT rowid AS article_id, title, text, title_folded, text_folded"
                " FROM articles_fts",
                "article_id",
            ),
            "pages": rows("SELECT url, site_id, kind, status, etag, target FROM pages"),
            "hints": rows("SELECT url, source, site_id, date_raw FROM link_hints"),
            "boilerplate": rows("SELECT site_id, block FROM site_boilerplate"),
        }
    finally:
        conn.close()


@pytest.mark.slow
def test_two_workers_one_killed_match_a_single_machine_crawl(
    tmp_path: Path, redis_url: str
) -> None:
    sites = sorted(TRUTH["sites"])
    first, last = sites[:-1], sites[-1]
    registry = tmp_path / "sites.csv"
    registry.write_text(_sample_registry(first), encoding="utf-8")
    single_db, dist_db = tmp_path / "single.db", tmp_path / "distributed.db"
    crawl_settings = [
        "DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "LOG_LEVEL=WARNING",
        # Small batches, so that the killed site has items in the archive before the kill.
        "ARCHIVE_ENQUEUE_BATCH=2",
    ]  # fmt: skip

    # One sample server per crawl worker: each server's log says what its worker crawled.
    with (
        SampleServer(SAMPLES) as reference,
        SampleServer(SAMPLES) as one,
        SampleServer(SAMPLES) as two,
    ):
        single = subprocess.run(
            scrapy_command(str(SAMPLES / "sites.csv"), str(single_db),
                           *[arg for s in crawl_settings for arg in ("-s", s)]),
            cwd=ROOT, env={**os.environ, **proxy_env(reference)}, capture_output=True,
            text=True, timeout=120,
        )  # fmt: skip
        assert single.returncode == 0, single.stderr[-3000:]
        requests_per_host: dict[str, int] = {}
        for record in reference.requests:
            requests_per_host[record.host] = requests_per_host.get(record.host, 0) + 1

        workers = Workers(redis_url, tmp_path)
        try:
            workers.start("writer", "-Q", "archive", "--archive-db", str(dist_db))
            crawl_args = [
                "-Q", "crawl", "--site-time-limit", str(SITE_LIMIT), "--max-attempts", "3",
                "--retry-delay", "0.2",
                *[arg for s in crawl_settings for arg in ("--crawl-setting", s)],
            ]  # fmt: skip
            workers.start("crawl1", *crawl_args, env=proxy_env(one))
            workers.start("crawl2", *crawl_args, env=proxy_env(two))

            runner = CliRunner()
            scheduled = runner.invoke(
                distributed.schedule_cli,
                ["--sites", str(registry), "--db", str(dist_db), "--broker", redis_url],
            )
            assert scheduled.exit_code == 0, scheduled.output
            assert scheduled.output == f"run 1: enqueued {len(first)} sites on queue crawl\n"

            # Kill crawl1 a few requests into its first site.
            assert wait_until(lambda: len(one.requests) >= 5, deadline=60), workers.log("crawl1")
            workers.kill("crawl1")
            killed_host = one.requests[0].host
            done_before_kill = sum(1 for r in one.requests if r.host == killed_host)
            assert done_before_kill < requests_per_host[killed_host], "the kill came mid-site"

            # A site added to the registry while the workers run: only it is due now.
            registry.write_text(_sample_registry(sites), encoding="utf-8")
            added = runner.invoke(
                distributed.schedule_cli,
                ["--sites", str(registry), "--db", str(dist_db), "--broker", redis_url],
            )
            assert added.output == "run 2: enqueued 1 sites on queue crawl\n", added.output

            # A site whose task keeps failing (its registry row does not parse on the worker).
            db = archive.open_archive(dist_db)
            try:
                broken_run = _pending_run(db, "broken")
            finally:
                db.conn.close()
            broken_row = "id,name,level,province,url\nbroken,Broken,district,B,ftp://broken/\n"
            with distributed.app.connection_for_write(redis_url) as connection:
                distributed.crawl_site.apply_async(
                    ("broken", broken_row, broken_run), connection=connection
                )

            finished = wait_until(lambda: _runs_finished(dist_db, 3), deadline=120)
            assert finished, workers.log("writer")[-3000:] + workers.log("crawl2")[-3000:]
        finally:
            workers.stop_all()

    # The killed worker's site was crawled again, by the surviving worker.
    killed_site = next(s for s, v in TRUTH["sites"].items() if v["host"] == killed_host)
    assert any(r.host == killed_host for r in two.requests)
    assert _attempts(redis_url, 1, killed_site) == 2

    # The archive is the single-machine archive, row for row (ids aside).
    expected, got = archive_snapshot(single_db), archive_snapshot(dist_db)
    for table in expected:
        assert got[table] == expected[table], table
    assert len(expected["articles"]) == len(TRUTH["articles"])
    assert len(expected["copies"]) == 1, "the samples hold one re-publication"

    conn = _read_only(dist_db)
    try:
        lines = conn.execute(
            "SELECT run_id, site_id, ok, finished IS NOT NULL, articles_new, errors"
            " FROM site_runs ORDER BY run_id, site_id"
        ).fetchall()
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    new = {
        s: sum(1 for a in TRUTH["articles"] if _host(a["url"]) == TRUTH["sites"][s]["host"])
        for s in sites
    }
    assert lines == [
        *[(1, s, 1, 1, new[s], 0) for s in first],
        (2, last, 1, 1, new[last], 0),
        (broken_run, "broken", 0, 0, 0, 1),
    ]
    assert _attempts(redis_url, broken_run, "broken") == 3, "three tries, no more"


def _host(url: str) -> str:
    return url.split("/")[2].lower()


def _attempts(redis_url: str, run_id: int, site_id: str) -> int:
    return distributed.attempts(run_id, site_id, redis_url)
