"""End-to-end crawls of the bundled sample sites, served on 127.0.0.1, into a real archive.

The crawl runs as `scrapy crawl party_sites` in a subprocess (a Twisted reactor cannot be
restarted inside one pytest process); assertions are on archive rows and on the server's log.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from crawler.cli import scrapy_command
from crawler.demo import SampleServer, proxy_env, resource_key
from tests.conftest import ROOT, wait_until

SAMPLES = ROOT / "data" / "sample_sites"
TRUTH = json.loads((SAMPLES / "truth.json").read_text(encoding="utf-8"))
ARTICLES: list[dict[str, Any]] = TRUTH["articles"]

pytestmark = pytest.mark.slow


def crawl_command(db: Path, *extra: str) -> list[str]:
    return scrapy_command(
        str(SAMPLES / "sites.csv"), str(db), "-s", "DOWNLOAD_DELAY=0",
        "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CLOSESPIDER_TIMEOUT=120",
        "-s", "LOG_LEVEL=INFO", *extra,
    )  # fmt: skip


def run_crawl(server: SampleServer, db: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **proxy_env(server)}
    return subprocess.run(
        crawl_command(db, *extra), cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )


def key(url: str) -> str:
    """The sample server's identity of a URL: host plus normalised path and query."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    site = next(s for s in TRUTH["sites"].values() if s["host"] == host)
    path = parts.path
    if site["session_segments"]:
        path = "/".join(p for p in path.split("/") if not p.startswith("(S("))
    ignored = frozenset(site["ignored_params"])
    return host + resource_key(
        path, parts.query, case_insensitive=site["case_insensitive"], ignored=ignored
    )


def rows(db: Path) -> list[dict[str, Any]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        found = []
        for row in conn.execute("SELECT * FROM articles ORDER BY id"):
            item = dict(row)
            item["urls"] = [
                r[0] for r in conn.execute(
                    "SELECT url FROM article_urls WHERE article_id = ?", [row["id"]]
                )
            ]  # fmt: skip
            found.append(item)
        return found
    finally:
        conn.close()


def by_truth(db: Path) -> dict[str, list[dict[str, Any]]]:
    """Truth article URL key -> the archive rows that hold it under any of their URLs."""
    truth_keys = {key(a["url"]): a for a in ARTICLES}
    for article in ARTICLES:
        for alias in article.get("aliases", []):
            truth_keys.setdefault(key(alias), article)
    found: dict[str, list[dict[str, Any]]] = {key(a["url"]): [] for a in ARTICLES}
    for row in rows(db):
        matched = {key(truth_keys[k]["url"]) for k in map(key, row["urls"]) if k in truth_keys}
        for k in matched:
            found[k].append(row)
    return found


@pytest.fixture(scope="module")
def first_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, SampleServer]]:
    db = tmp_path_factory.mktemp("crawl") / "archive.db"
    with SampleServer(SAMPLES) as server:
        result = run_crawl(server, db)
        assert result.returncode == 0, result.stderr[-3000:]
        yield db, server


@pytest.mark.parametrize(
    "article", ARTICLES, ids=lambda a: a["url"].rstrip("/").split("/")[-1][:40]
)
def test_every_article_is_one_row_with_truthful_fields(
    first_crawl: tuple[Path, SampleServer], article: dict[str, Any]
) -> None:
    db, _server = first_crawl
    found = by_truth(db)[key(article["url"])]
    assert len(found) == 1, f"{len(found)} rows for {article['url']}"
    row = found[0]
    assert row["title"] == article["title"]
    assert row["published"] == article["published"]
    assert row["author"] == article["author"]
    for phrase in article["must_contain"]:
        assert phrase in row["text"]
    for noise in article["must_not_contain"]:
        assert noise not in row["text"], f"boilerplate {noise!r} leaked"


def test_no_rows_for_pages_that_are_not_articles(first_crawl: tuple[Path, SampleServer]) -> None:
    db, _server = first_crawl
    truth_keys = {key(u) for a in ARTICLES for u in [a["url"], *a.get("aliases", [])]}
    extraneous = [r["url"] for r in rows(db) if not {key(u) for u in r["urls"]} & truth_keys]
    assert extraneous == []


def test_republication_is_linked_to_its_original(first_crawl: tuple[Path, SampleServer]) -> None:
    db, _server = first_crawl
    found = by_truth(db)
    expected = {(key(a["url"]), key(a["copy_of"])) for a in ARTICLES if a.get("copy_of")}
    assert expected, "the sample sites hold a re-publication"
    ids = {row["id"]: k for k, group in found.items() for row in group}
    linked = {(k, ids[r["copy_of"]]) for k, group in found.items() for r in group if r["copy_of"]}
    assert linked == expected


def test_crawl_is_polite_and_logged(first_crawl: tuple[Path, SampleServer]) -> None:
    db, server = first_crawl
    # robots.txt of the NukeViet-style sample disallows its print path, which articles link to.
    assert not [r for r in server.requests if "/print/" in r.path]
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        run = conn.execute(
            "SELECT status, pages_fetched, articles_new, finished FROM crawl_runs"
        ).fetchall()
        assert len(run) == 1
        assert run[0][0] == "finished"
        assert run[0][2] == len(ARTICLES)
        sites = {r[0] for r in conn.execute("SELECT id FROM sites")}
        assert sites == set(TRUTH["sites"])
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_second_run_is_incremental(first_crawl: tuple[Path, SampleServer], tmp_path: Path) -> None:
    db, _server = first_crawl
    copy = tmp_path / "night2.db"
    source = sqlite3.connect(db)
    source.execute(f"VACUUM INTO '{copy}'")  # a copy, so the module's archive stays as it was
    source.close()
    before = len(rows(copy))
    with SampleServer(SAMPLES) as server:
        result = run_crawl(server, copy)
        assert result.returncode == 0, result.stderr[-3000:]
        statuses = [r.status for r in server.requests]
    assert len(rows(copy)) == before
    # Hubs answered 304 to conditional requests; no archived article was fetched again
    # except the one-a-night rotating sample per site.
    assert statuses.count(304) >= len(TRUTH["sites"])
    article_fetches = [r for r in server.requests if r.status == 200 and _is_article_path(r)]
    assert len(article_fetches) <= len(TRUTH["sites"])
    # The sample's articles did not change: each re-fetched body is the one the article was
    # extracted from, recognised by its hash and not extracted again.
    assert article_fetches, "the rotating sample re-fetches archived articles"
    same_body = re.search(r"'archive/spider/same_body': (\d+)", result.stderr)
    assert same_body is not None
    assert int(same_body.group(1)) == len(article_fetches)


def _is_article_path(record: Any) -> bool:
    keys = {key(a["url"]).split("/", 1)[1] for a in ARTICLES}
    return resource_key(record.path.split("?")[0], record.path.partition("?")[2]).lstrip(
        "/"
    ) in keys or record.path.lower().lstrip("/") in {k.lower() for k in keys}


def test_sigkill_mid_crawl_then_rerun_completes_without_duplicates(tmp_path: Path) -> None:
    """kill -9 during a crawl, start again: every article once, the database intact."""
    db = tmp_path / "killed.db"
    with SampleServer(SAMPLES) as server:
        env = {**os.environ, **proxy_env(server)}
        # A small delay gives the kill a window in the middle of the crawl.
        process = subprocess.Popen(
            crawl_command(db, "-s", "DOWNLOAD_DELAY=0.1"), cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            assert wait_until(lambda: _count(db) >= 5, deadline=90)
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
        stored = _count(db)
        assert 5 <= stored < len(ARTICLES), "the kill came mid-crawl"
        result = run_crawl(server, db)
        assert result.returncode == 0, result.stderr[-3000:]
    found = by_truth(db)
    assert {k: len(v) for k, v in found.items()} == {k: 1 for k in found}
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        dup = conn.execute("SELECT url, count(*) FROM articles GROUP BY url HAVING count(*) > 1")
        assert dup.fetchall() == []
    finally:
        conn.close()


def _count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def test_crawl_command_is_the_contract() -> None:
    command = scrapy_command("s.csv", "a.db")
    assert command[-6:] == ["crawl", "party_sites", "-a", "sites=s.csv", "-s", "ARCHIVE_DB=a.db"]
    assert Path(command[0]).name in ("scrapy", Path(sys.executable).name)


def test_canned_queries_answer_on_the_crawled_archive(
    first_crawl: tuple[Path, SampleServer], tmp_path: Path
) -> None:
    from crawler import desk
    from tests.test_desk import Desk

    db, _server = first_crawl
    copy = tmp_path / "archive.db"
    source = sqlite3.connect(db)
    source.execute(f"VACUUM INTO '{copy}'")
    source.close()
    desk.prepare_archive(copy)
    app = Desk(copy)
    try:
        queries = app.ds.metadata("queries", database="archive")
        for name in queries:
            response = app.get(f"/archive/{name}.json", _shape="array")
            assert response.status_code == 200, (name, response.text)
        pairs = app.rows("/archive/republication_pairs.json")
        # truth.json: the Tỉnh ủy sample re-publishes one Huyện ủy sample article.
        assert [(p["original_site"], p["copy_site"], p["copies"]) for p in pairs] == [
            ("huyenuymau", "tinhuymau", 1)
        ]
    finally:
        app.close()
