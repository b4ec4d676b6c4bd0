"""Faults and hostile input (issue 10): the crawler keeps working, loses nothing, lets nothing in.

Three kinds of test:
- the policy of crawler/middlewares.py as plain functions and components built with
  get_crawler (fast, no reactor);
- end-to-end crawls (`slow`) of fake sites served by tests/faultserver.py, each module-scoped
  crawl shared by a table of cases, each case asserting on the server's request log, the crawl's
  stats and log, and the archive rows;
- the archive under crashes and a hostile disk: SIGKILL inside a storage transaction, kill and
  resume a crawl, a damaged file, a reader during a crawl, a full disk, a read-only file.

How the faults that a proxy hides are made: every request goes through FaultServer as an HTTP
proxy, so a crawler never resolves or connects to a site's host itself. A site that is down for
the whole run and a registry host that does not resolve are therefore taken out of the proxy
(`no_proxy`) and given to tests.faultserver.FakeResolver (TWISTED_DNS_RESOLVER): it fails DNS
for one name and points the other at 127.0.0.1 port 80, where nothing listens, so Scrapy meets
a real DNSLookupError and a real ConnectionRefusedError.
"""

from __future__ import annotations

import ast
import asyncio
import csv
import gzip
import hashlib
import itertools
import os
import random
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import unicodedata
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from datasette.app import Datasette
from scrapy import Request, Spider
from scrapy.core.downloader import Slot
from scrapy.core.downloader.middleware import DownloaderMiddlewareManager
from scrapy.exceptions import DownloadTimeoutError, IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from crawler import archive, desk
from crawler import settings as project_settings
from crawler.cli import scrapy_command
from crawler.ingest import ingest_page
from crawler.middlewares import (
    BackoffMiddleware,
    CompleteBodyMiddleware,
    SafeUrlMiddleware,
    SiteErrorBudgetMiddleware,
    backoff_seconds,
    compressed_body_problem,
    retry_after_seconds,
    unsafe_url_reason,
)
from crawler.timezone import VN_TZ
from tests.conftest import ROOT, wait_until
from tests.faultserver import (
    FakeSite,
    FaultServer,
    Reply,
    article_html,
    compose_article,
    deflate_bomb,
    gzip_bomb,
    gzipped,
    listing_html,
    news_site,
    page,
    redirect,
    sitemap,
    status,
    storage_pages,
    xml_bomb,
)

# --- the middleware policy, without a reactor -----------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://tinhuy.quangtri.vn/tin-tuc/a-1.html", None),
        ("https://www.dangcongsan.vn/", None),
        ("http://xn--tnhy-nra.vn/", None),
        ("file:///etc/passwd", "scheme"),
        ("ftp://tinhuy.vn/pub/", "scheme"),
        ("data:text/html,<script>alert(1)</script>", "scheme"),
        ("s3://bucket/key", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("http://127.0.0.1:8080/", "ip_address"),
        ("http://169.254.169.254/latest/meta-data/", "ip_address"),
        ("http://[::1]/", "ip_address"),
        ("http://2130706433/", "ip_address"),
        ("http://0x7f.1/", "ip_address"),
        ("http://0177.0.0.1/", "ip_address"),
        ("http://localhost/", "local_name"),
        ("http://intranet/", "local_name"),
        ("http://admin.localhost/", "local_name"),
        ("http://user:secret@tinhuy.vn/", "credentials"),
        ("http:///path-only", "no_host"),
        ("http://tinhuy.vn:99999/", "malformed"),
    ],
    ids=lambda v: str(v)[:40],
)
def test_unsafe_url_reason(url: str, reason: str | None) -> None:
    assert unsafe_url_reason(url) == reason


NOW = datetime(2026, 11, 23, 3, 0, tzinfo=VN_TZ)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        ("0", 0.0),
        (format_datetime((NOW + timedelta(seconds=90)).astimezone(UTC), usegmt=True), 90.0),
        (format_datetime((NOW - timedelta(hours=1)).astimezone(UTC), usegmt=True), 0.0),
        ("Mon, 23 Nov 2026 02:00:30", None),  # no zone: not an HTTP-date
        ("-5", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
    ids=["seconds", "padded", "zero", "http-date", "date-in-past", "no-zone", "negative",
         "word", "empty", "absent"],
)  # fmt: skip
def test_retry_after_seconds(header: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(header, NOW) == seconds


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 0.0), (1, 1.0), (2, 2.0), (3, 4.0), (6, 32.0), (7, 60.0), (400, 60.0)],
)
def test_backoff_doubles_up_to_the_cap(failures: int, seconds: float) -> None:
    assert backoff_seconds(failures, base=1.0, cap=60.0) == seconds


ARTICLE_BYTES = article_html("nukeviet", "Huyện ủy Mẫu", *compose_article("gz")).encode()
GZ = gzip.compress(ARTICLE_BYTES)
ZLIB = zlib.compress(ARTICLE_BYTES)
RAW = zlib.compress(ARTICLE_BYTES, wbits=-15)


@pytest.mark.parametrize(
    ("body", "encodings", "problem"),
    [
        (GZ, ["gzip"], None),
        (GZ, ["x-gzip"], None),
        (GZ[: len(GZ) // 2], ["gzip"], "truncated"),
        (GZ[:-4], ["gzip"], "truncated"),  # the stream ends but the size trailer is missing
        (GZ[:12], ["gzip"], "truncated"),
        (GZ + GZ, ["gzip"], None),  # two members make one body
        (GZ + b"\n\n", ["gzip"], None),  # junk after the end is not a truncation
        (GZ[:40] + b"\x00" * 64 + GZ[104:], ["gzip"], "corrupt"),
        (ZLIB, ["deflate"], None),
        (RAW, ["deflate"], None),  # raw deflate, as some IIS servers send it
        (ZLIB[: len(ZLIB) // 2], ["deflate"], "truncated"),
        (RAW[: len(RAW) // 2], ["deflate"], "truncated"),
        (gzip_bomb(64 << 20).body, ["gzip"], None),  # over the limit: HttpCompression's job
        (GZ, ["br"], None),  # not checked
        (GZ, ["gzip", "br"], None),  # layered: not checked
        (b"", ["gzip"], None),
        (ARTICLE_BYTES, [], None),
    ],
    ids=["gzip", "x-gzip", "gzip-half", "gzip-no-trailer", "gzip-header-only", "two-members",
         "trailing-junk", "gzip-corrupt", "zlib", "raw-deflate", "zlib-half", "raw-half", "bomb",
         "brotli-unchecked", "layered-unchecked", "empty", "identity"],
)  # fmt: skip
def test_compressed_body_problem(body: bytes, encodings: list[str], problem: str | None) -> None:
    assert compressed_body_problem(body, encodings, limit=16 << 20) == problem


def _crawler(**overrides: Any) -> Any:
    """A crawler with the project's settings (crawler/settings.py) that never starts."""
    settings = {
        name: getattr(project_settings, name)
        for name in dir(project_settings)
        if name.isupper() and name != "TWISTED_REACTOR"
    }
    crawler = get_crawler(Spider, settings_dict={**settings, **overrides})
    crawler.spider = Spider.from_crawler(crawler, name="faults")
    return crawler


def _response(url: str, status_code: int, headers: dict[str, str] | None = None) -> Response:
    request = Request(url, meta={"site_id": "huyenuymau", "download_slot": "huyenuy-mau.vn"})
    return HtmlResponse(url, status=status_code, headers=headers, body=b"", request=request)


def _downloaded(middleware: BackoffMiddleware, response: Response) -> None:
    """What the response_downloaded signal does for one response."""
    assert response.request is not None
    middleware.response_downloaded(response, response.request, None)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _backoff(clock: Clock, slot: Slot) -> BackoffMiddleware:
    crawler = _crawler()
    middleware = BackoffMiddleware.from_crawler(crawler)
    middleware.slots = lambda: {"huyenuy-mau.vn": slot}
    middleware.clock = clock
    return middleware


def test_retry_after_pauses_the_site_then_the_first_good_answer_resumes_it() -> None:
    clock, slot = Clock(), Slot(concurrency=4, delay=0.0, jitter=0.5)
    middleware = _backoff(clock, slot)
    url = "http://huyenuy-mau.vn/tin-tuc/a-1.html"
    failed = _response(url, 503, {"Retry-After": "30"})
    _downloaded(middleware, failed)
    # The whole site waits 30 s from now, exactly (no jitter).
    assert (slot.delay, slot.jitter, slot.lastseen) == (30.0, 0.0, 1000.0)
    clock.now += 10
    early = _response(url, 200)  # sent before the pause, answered during it
    _downloaded(middleware, early)
    assert (slot.delay, slot.lastseen) == (20.0, 1010.0)
    clock.now += 25
    good = _response(url, 200)
    _downloaded(middleware, good)
    assert (slot.delay, slot.jitter) == (0.0, 0.5)
    assert middleware.pauses == {}


def test_backoff_doubles_per_outage_not_per_request_in_flight() -> None:
    clock, slot = Clock(), Slot(concurrency=4, delay=0.0, jitter=0.0)
    middleware = _backoff(clock, slot)
    request = Request("http://huyenuy-mau.vn/a", meta={"download_slot": "huyenuy-mau.vn"})
    # Four requests in flight time out together: one outage, one second of backoff.
    for _ in range(4):
        middleware.process_exception(request, DownloadTimeoutError())
    assert slot.delay == 1.0
    clock.now += 1.5
    middleware.process_exception(request, DownloadTimeoutError())  # the next try fails too
    assert slot.delay == 2.0
    clock.now += 2.5
    middleware.process_exception(request, DownloadTimeoutError())
    assert slot.delay == 4.0
    middleware.process_exception(request, IgnoreRequest())  # not a network failure
    assert middleware.failures["huyenuy-mau.vn"] == 3


def test_retry_after_is_capped() -> None:
    clock, slot = Clock(), Slot(concurrency=4, delay=1.0, jitter=0.0)
    middleware = _backoff(clock, slot)
    failed = _response("http://huyenuy-mau.vn/", 429, {"Retry-After": "86400"})
    _downloaded(middleware, failed)
    assert slot.delay == 120.0  # ARCHIVE_RETRY_AFTER_MAX
    clock.now += 121
    good = _response("http://huyenuy-mau.vn/", 200)
    _downloaded(middleware, good)
    assert slot.delay == 1.0  # the configured DOWNLOAD_DELAY again


def test_safe_url_middleware_refuses_before_anything_is_fetched() -> None:
    crawler = _crawler()
    middleware = SafeUrlMiddleware.from_crawler(crawler)
    middleware.process_request(Request("http://tinhuy.vn/"))  # passes
    with pytest.raises(IgnoreRequest, match="refused ip_address"):
        middleware.process_request(Request("http://169.254.169.254/latest/meta-data/"))
    assert crawler.stats.get_value("archive/refused/ip_address") == 1


def test_error_budget_stops_one_site_and_spares_the_others() -> None:
    crawler = _crawler(ARCHIVE_SITE_ERROR_BUDGET=3)
    middleware = SiteErrorBudgetMiddleware.from_crawler(crawler)

    def request(site: str, n: int) -> Request:
        return Request(f"http://{site}.vn/{n}", meta={"site_id": site})

    middleware.process_response(request("a", 0), _response("http://a.vn/0", 500))
    middleware.process_response(request("a", 1), _response("http://a.vn/1", 200))  # resets
    for n in range(2, 4):
        middleware.process_response(request("a", n), _response("http://a.vn/n", 503))
    middleware.process_exception(request("b", 0), DownloadTimeoutError())
    middleware.process_request(request("a", 9))  # two in a row: still in budget
    last = request("a", 4)
    middleware.process_exception(last, DownloadTimeoutError())
    assert last.meta["dont_retry"] is True  # the try that used the budget up is not retried
    assert request("a", 9).meta.get("dont_retry") is None
    with pytest.raises(IgnoreRequest, match="out of its error budget"):
        middleware.process_request(request("a", 10))
    middleware.process_request(request("b", 1))  # the other site is not touched
    assert crawler.stats.get_value("archive/budget/exhausted_sites") == 1
    assert crawler.stats.get_value("archive/budget/refused/a") == 1


def test_complete_body_middleware_retries_then_refuses_a_truncated_gzip() -> None:
    crawler = _crawler(RETRY_TIMES=1)
    middleware = CompleteBodyMiddleware.from_crawler(crawler)
    request = Request("http://huyenuy-mau.vn/a.html", meta={"site_id": "huyenuymau"})
    cut = HtmlResponse(
        request.url, body=GZ[:300], headers={"Content-Encoding": "gzip"}, request=request
    )
    retry = middleware.process_response(request, cut)
    assert isinstance(retry, Request)
    assert retry.meta["retry_times"] == 1
    with pytest.raises(IgnoreRequest, match="truncated compressed body"):
        middleware.process_response(retry, cut.replace(request=retry))
    whole = cut.replace(body=GZ)
    assert middleware.process_response(request, whole) is whole


def test_middlewares_sit_where_their_job_needs_them() -> None:
    # Order is the whole point: refuse before robots.txt is fetched for a URL; see every try
    # before RetryMiddleware decides on a retry; check a compressed body before it is inflated.
    manager = DownloaderMiddlewareManager.from_crawler(_crawler())
    names = {
        kind: [type(getattr(m, "__self__", None)).__name__ for m in manager.methods[kind]]
        for kind in ("process_request", "process_response", "process_exception")
    }
    requests, responses, exceptions = (
        names["process_request"],
        names["process_response"],
        names["process_exception"],
    )

    def before(order: list[str], first: str, then: str) -> bool:
        return order.index(first) < order.index(then)

    assert before(requests, "SafeUrlMiddleware", "RobotsTxtMiddleware")
    assert before(exceptions, "SiteErrorBudgetMiddleware", "RetryMiddleware")
    assert before(exceptions, "BackoffMiddleware", "RetryMiddleware")
    assert before(responses, "SiteErrorBudgetMiddleware", "RetryMiddleware")
    assert before(responses, "CompleteBodyMiddleware", "HttpCompressionMiddleware")


# --- crawling the fault server -----------------------------------------------------------------

#: Settings of every crawl here: no politeness delays (the server is ours), a hard stop.
BASE_SETTINGS = (
    "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO",
    "-s", "ARCHIVE_EXTRACT_PROCESSES=0", "-s", "REMOTE_CONTROL_ENABLED=False",
)  # fmt: skip
_STAT_RE = re.compile(r"^\s*\{?'([^']+)': (\d+)[,}]?$", re.MULTILINE)


@dataclass
class Crawl:
    """What one `scrapy crawl` subprocess did."""

    returncode: int
    log: str
    db: Path
    seconds: float
    #: the crawl process's peak resident memory, MB (ru_maxrss of its wait4)
    max_rss_mb: float
    stats: dict[str, int] = field(default_factory=dict)

    def rows(self) -> dict[str, dict[str, Any]]:
        return article_rows(self.db)


def run_crawl(
    server: FaultServer,
    registry: Path,
    db: Path,
    *settings: str,
    direct: Sequence[str] = (),
    timeout: float = 90,
    preexec: Callable[[], None] | None = None,
) -> Crawl:
    """Run the crawl contract command through the fault server; wait at most `timeout` s."""
    env = {**os.environ, **server.proxy_env(direct=direct)}
    stop = f"CLOSESPIDER_TIMEOUT={int(timeout) - 15}"
    command = scrapy_command(str(registry), str(db), *BASE_SETTINGS, "-s", stop, *settings)
    log_path = db.with_name(db.name + ".log")
    started = time.monotonic()
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
            preexec_fn=preexec,
        )  # fmt: skip
        ended: list[tuple[int, Any]] = []

        def reaped() -> bool:
            pid, code, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                ended.append((code, usage))
            return bool(pid)

        if not wait_until(reaped, deadline=timeout):
            process.kill()
            process.wait()
            pytest.fail(f"the crawl did not end within {timeout} s")
    code, usage = ended[0]
    process.returncode = os.waitstatus_to_exitcode(code)
    text = log_path.read_text(encoding="utf-8", errors="replace")
    stats = {k: int(v) for k, v in _STAT_RE.findall(text.split("Dumping Scrapy stats:")[-1])}
    return Crawl(
        process.returncode, text, db, time.monotonic() - started, usage.ru_maxrss / 1024, stats
    )


def write_registry(path: Path, sites: Sequence[FakeSite], *extra: Sequence[str]) -> Path:
    """A registry CSV with one row per fake site (id = host without dots), then extra rows."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "level", "province", "url"])
        for site in sites:
            writer.writerow([site_id(site), f"Trang {site.host}", "district", "Mẫu", site.url])
        for row in extra:
            writer.writerow(row)
    return path


def site_id(site: FakeSite) -> str:
    return site.host.split(".")[0].replace("-", "")


def article_rows(db: Path) -> dict[str, dict[str, Any]]:
    """url -> row of every archived article (read-only connection)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return {r["url"]: dict(r) for r in conn.execute("SELECT * FROM articles")}
    finally:
        conn.close()


def facts(db: Path) -> set[tuple[str, str, str, str]]:
    """The (url, title, text, published) of every archived article: what must survive."""
    return {(r["url"], r["title"], r["text"], r["published"]) for r in article_rows(db).values()}


def integrity(db: Path) -> str:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def assert_archived(crawl: Crawl, site: FakeSite, number: int) -> None:
    """Article `number` of site is one row with exactly its title, text and date."""
    truth = site.articles[number]
    row = find_row(crawl.rows(), site, truth.url)
    assert row is not None, f"{truth.url} was not archived"
    assert row["title"] == truth.title
    assert row["text"] == "\n\n".join(truth.paragraphs)
    assert row["published"] == truth.published


def find_row(rows: dict[str, dict[str, Any]], site: FakeSite, url: str) -> dict[str, Any] | None:
    """The row archived for url, however the crawler spelled it (parameter order; case on IIS)."""
    wanted = site.key(url.split(site.host, 1)[1])
    found = [row for u, row in rows.items() if u.split("://", 1)[1].startswith(site.host + "/")
             and site.key(u.split(site.host, 1)[1]) == wanted]  # fmt: skip
    assert len(found) <= 1, f"{len(found)} rows for {url}"
    return found[0] if found else None


def gaps(server: FaultServer, site: FakeSite, number: int) -> list[float]:
    """Seconds between consecutive tries of an article, as the server saw them arrive."""
    times = [h.at for h in server.hits_of(site.host, site.path(number))]
    return [round(b - a, 3) for a, b in itertools.pairwise(times)]


# Server faults: each case is one article of a site; the fault answers its first tries, then
# the article (or the fault for ever). Settings of this crawl: DOWNLOAD_TIMEOUT=2, RETRY_TIMES=4
# (5 tries), backoff 0.1 s doubling to 0.4 s, Retry-After capped at 2 s, error budget 20 tries;
# extraction in a worker process and a 2 s timeout, so that a stall of the crawler itself never
# passes for a slow server.


@dataclass(frozen=True)
class Case:
    id: str
    #: which fake site serves it: "asked" (Retry-After), "status" (other HTTP errors), "slow"
    #: (timeouts, refused answers) or "broken" (cut bodies); a few faults per site, so that no
    #: site runs out of its error budget (20 failed tries in a row)
    site: str
    #: the failures, first try first
    faults: tuple[str, ...]
    #: "page", "gzip" (the article, gzip-compressed), or "fault" (the last fault for ever)
    then: str
    tries: int
    archived: bool
    #: every retry came at least this long after the try before it (s)
    min_gap: float = 0.0
    #: ... and at most this long (s)
    max_gap: float = 15.0


CASES = (
    Case("503x2-retry-after-1s-then-200", "asked", ("503 ra=1", "503 ra=1"), "page", 3, True, 1.0),
    Case("429-retry-after-1s-then-200", "asked", ("429 ra=1",), "page", 2, True, 1.0),
    Case("503-retry-after-http-date-then-200", "asked", ("503 ra=date+2",), "page", 2, True, 1.0),
    Case("503-retry-after-1h-capped-at-2s", "asked", ("503 ra=3600",), "page", 2, True, 2.0, 8.0),
    Case("503-no-retry-after-then-200", "status", ("503",), "page", 2, True, 0.1),
    Case("500x2-then-200", "status", ("500", "500"), "page", 3, True, 0.1),
    Case("502-then-200", "status", ("502",), "page", 2, True, 0.1),
    Case("503-for-ever-given-up-after-5-tries", "status", ("503",), "fault", 5, False, 0.1),
    Case("timeout-4s-then-200", "slow", ("slow",), "page", 2, True),
    Case("reset-before-answer-then-200", "slow", ("drop",), "page", 2, True),
    Case("timeout-for-ever-given-up", "slow", ("slow",), "fault", 5, False),
    Case("reset-mid-body-then-200", "broken", ("cut",), "page", 2, True),
    Case("reset-mid-body-for-ever-never-stored", "broken", ("cut",), "fault", 5, False),
    Case("truncated-gzip-then-gzip", "broken", ("gzip-cut",), "gzip", 2, True),
    Case("truncated-gzip-for-ever-never-stored", "broken", ("gzip-cut",), "fault", 5, False),
)  # fmt: skip


def fault_reply(kind: str, html: str) -> Reply:
    """The scripted answer for one fault of the CASES table."""
    if kind.startswith(("5", "4")):
        code, _, retry_after = kind.partition(" ra=")
        if retry_after.startswith("date+"):
            # An HTTP-date that many seconds after the moment the answer is sent.
            when = datetime.now(VN_TZ) + timedelta(seconds=int(retry_after[5:]))
            retry_after = format_datetime(when.astimezone(UTC), usegmt=True)
        return status(int(code), retry_after=retry_after or None)
    if kind == "slow":
        return page(html, delay=4.0, fault="slow")
    if kind == "cut":
        return Reply(200, html.encode(), cut_at=len(html) // 2, fault="reset_mid_body")
    if kind == "drop":
        return Reply(drop=True, fault="reset_before_answer")
    if kind == "gzip-cut":
        return gzipped(html, cut_at=len(gzip.compress(html.encode())) // 2, fault="truncated_gzip")
    raise ValueError(kind)


def build_fault_sites() -> dict[str, FakeSite]:
    by_site: dict[str, list[Case]] = {"asked": [], "status": [], "slow": [], "broken": []}
    for case in CASES:
        by_site[case.site].append(case)
    sites = {
        "asked": news_site("tuyengiao-ban.vn", "Ban Tuyên giáo Bận", style="wordpress",
                           articles=len(by_site["asked"]), server="nginx"),
        "status": news_site("huyenuy-loi.vn", "Huyện ủy Lỗi", style="wordpress",
                            articles=len(by_site["status"]), server="nginx"),
        "slow": news_site("bandanvan-cham.vn", "Ban Dân vận Chậm", style="aspnet",
                          articles=len(by_site["slow"]), server="Microsoft-IIS/8.5"),
        "broken": news_site("uykt-dut.vn", "Ủy ban Kiểm tra Đứt Quãng",
                            articles=len(by_site["broken"])),
        "calm": news_site("tinhuy-on-dinh.vn", "Tỉnh ủy Ổn Định", articles=4),
        "budget": news_site("het-han-muc.vn", "Đảng ủy Hết Hạn Mức", articles=40),
        "down": news_site("site-chet.vn", "Huyện ủy Đã Tắt", articles=2),
        "nodns": news_site("khong-phan-giai.vn", "Huyện ủy Không Tên", articles=2),
    }  # fmt: skip
    for key, cases in by_site.items():
        site = sites[key]
        for number, case in enumerate(cases):
            site.routes[site.path(number)] = case_route(case, site.html[number])
    budget = sites["budget"]
    for number in range(len(budget.articles)):
        budget.fail(number, status(500), then=status(500))
    return sites


def case_route(case: Case, html: str) -> Callable[[str], Reply]:
    """The article's route: the case's faults on the first tries (built when each is sent, so a
    Retry-After date is relative to that moment), then the article or the last fault again."""
    tries: list[str] = []

    def route(target: str) -> Reply:
        tries.append(target)
        if len(tries) <= len(case.faults):
            return fault_reply(case.faults[len(tries) - 1], html)
        if case.then == "fault":
            return fault_reply(case.faults[-1], html)
        return gzipped(html) if case.then == "gzip" else page(html)

    return route


#: Case ids -> (site key, article number), in the order build_fault_sites numbers them.
CASE_ARTICLES = {
    case.id: (case.site, [c.id for c in CASES if c.site == case.site].index(case.id))
    for case in CASES
}


@pytest.fixture(scope="module")
def server_faults(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Crawl, FaultServer, dict[str, FakeSite]]]:
    sites = build_fault_sites()
    tmp = tmp_path_factory.mktemp("server_faults")
    registry = write_registry(tmp / "sites.csv", list(sites.values()))
    served = [s for k, s in sites.items() if k not in ("down", "nodns")]
    with FaultServer(served) as server:
        crawl = run_crawl(
            server, registry, tmp / "archive.db",
            "-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=4",
            "-s", "ARCHIVE_BACKOFF_BASE=0.1", "-s", "ARCHIVE_BACKOFF_MAX=0.4",
            "-s", "ARCHIVE_RETRY_AFTER_MAX=2",
            "-s", "ARCHIVE_EXTRACT_PROCESSES=1",
            "-s", "TWISTED_DNS_RESOLVER=tests.faultserver.FakeResolver",
            "-s", f"FAULT_DNS_FAIL={sites['nodns'].host}",
            "-s", f"FAULT_DNS_LOOPBACK={sites['down'].host}",
            direct=[sites["down"].host, sites["nodns"].host],
        )  # fmt: skip
        yield crawl, server, sites


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_server_fault(
    server_faults: tuple[Crawl, FaultServer, dict[str, FakeSite]], case: Case
) -> None:
    crawl, server, sites = server_faults
    key, number = CASE_ARTICLES[case.id]
    site = sites[key]
    tries = server.hits_of(site.host, site.path(number))
    assert len(tries) == case.tries, [h.fault or h.status for h in tries]
    for gap in gaps(server, site, number):
        assert case.min_gap - 0.05 <= gap <= case.max_gap
    if case.archived:
        assert_archived(crawl, site, number)
    else:
        # Not even part of it: a cut body or a truncated gzip stream never becomes a row.
        assert find_row(crawl.rows(), site, site.articles[number].url) is None


@pytest.mark.slow
def test_server_faults_crawl_finishes_cleanly(
    server_faults: tuple[Crawl, FaultServer, dict[str, FakeSite]],
) -> None:
    crawl, _server, _sites = server_faults
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert "Spider closed (finished)" in crawl.log
    assert integrity(crawl.db) == "ok"
    assert crawl.stats["archive/backoff/retry_after"] >= 5
    assert crawl.stats["archive/body/truncated"] == 6  # 1 + 5 tries of the two gzip cases


@pytest.mark.slow
def test_every_other_site_is_unaffected(
    server_faults: tuple[Crawl, FaultServer, dict[str, FakeSite]],
) -> None:
    crawl, server, sites = server_faults
    calm = sites["calm"]
    for number in range(len(calm.articles)):
        assert_archived(crawl, calm, number)
        assert len(server.hits_of(calm.host, calm.path(number))) == 1  # no retry, no pause
    archived_sites = {row["site_id"] for row in crawl.rows().values()}
    assert archived_sites == {
        site_id(sites[k]) for k in ("asked", "status", "slow", "broken", "calm")
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    ("key", "error"),
    [("down", "Connection was refused"), ("nodns", "DNS lookup failed")],
    ids=["site-down-whole-run-connection-refused", "dns-failure-for-one-site"],
)
def test_unreachable_site_fails_alone(
    server_faults: tuple[Crawl, FaultServer, dict[str, FakeSite]], key: str, error: str
) -> None:
    crawl, server, sites = server_faults
    site = sites[key]
    assert server.hits_of(site.host) == []  # it never went through the proxy
    assert re.search(rf"Gave up retrying <GET {re.escape(site.url)}>.*{error}", crawl.log)
    assert re.search(rf"site {site_id(site)}: failed {re.escape(site.url)}", crawl.log)
    conn = sqlite3.connect(f"file:{crawl.db}?mode=ro", uri=True)
    try:
        run = conn.execute("SELECT site_errors, status FROM crawl_runs").fetchone()
        ok = conn.execute("SELECT ok FROM site_runs WHERE site_id = ?", [site_id(site)]).fetchone()
    finally:
        conn.close()
    assert site_id(site) in run[0]
    assert run[1] == "finished"
    assert ok == (0,)


@pytest.mark.slow
def test_error_budget_stops_a_failing_site(
    server_faults: tuple[Crawl, FaultServer, dict[str, FakeSite]],
) -> None:
    crawl, server, sites = server_faults
    site = sites["budget"]
    paths = [site.path(n) for n in range(len(site.articles))]
    tries = {path: len(server.hits_of(site.host, path)) for path in paths}
    # The budget (20 tries in a row) ran out after 20 failed tries. Requests already waiting
    # in the downloader then got one try each, no retry; the rest were refused without a
    # request. Without a budget: 40 articles x 5 tries = 200 requests.
    assert sum(tries.values()) <= 20 + 40, tries
    assert max(tries.values()) <= 2, tries
    never_asked = [path for path, n in tries.items() if n == 0]
    # Refused: the retries of the tries that failed, and the articles never asked.
    assert crawl.stats["archive/budget/refused/hethanmuc"] >= max(1, len(never_asked))
    assert len(re.findall(r"site hethanmuc: \d+ tries in a row failed", crawl.log)) == 1


# --- hostile input -------------------------------------------------------------------------------

TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


def windows_1258(text: str) -> bytes:
    """text in windows-1258 the way Vietnamese legacy sites wrote it: precomposed base letters
    (â, ơ, ư, đ ...), tone marks as combining characters."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out.append(base + "".join(c for c in parts if c in TONES))
    return "".join(out).encode("cp1258")


#: Hostile pages of one site, each an article of its own with its own fault.
INJECTED = (
    '<script>document.write("<p>Mã độc chèn vào trang</p>")</script>'
    "<noscript><p>Trình duyệt của bạn không hỗ trợ mã độc</p></noscript>"
    '<style>p{color:red}</style><img src="x" onerror="alert(1)">'
    '<iframe srcdoc="<p>Khung nhúng độc hại</p>"></iframe>'
    '<svg><script>alert("svg")</script></svg>'
    '<p style="display:none" onclick="alert(2)">'
)
BROKEN_TAIL = "<div><p><b>chưa đóng thẻ <i>nghiêng</td></tr></table></div></div></span>\x00\x07"


@dataclass(frozen=True)
class Hostile:
    id: str
    #: how to serve the article's HTML: bytes and Content-Type
    serve: Callable[[str], Reply]
    archived: bool


HOSTILE = (
    Hostile("missing-charset-utf8", lambda h: Reply(200, h.replace('<meta charset="utf-8">', "")
            .encode(), "text/html"), True),
    Hostile("header-latin1-on-utf8-page", lambda h: Reply(200, h.encode(),
            "text/html; charset=iso-8859-1"), True),
    Hostile("meta-only-windows-1258", lambda h: Reply(200, windows_1258(h.replace(
            'charset="utf-8"', 'charset="windows-1258"')), "text/html"), True),
    Hostile("header-utf8-on-windows-1258-page", lambda h: Reply(200, windows_1258(h.replace(
            '<meta charset="utf-8">', "")), "text/html; charset=utf-8"), True),
    Hostile("broken-html", lambda h: Reply(200, h.replace("</p>\n", "\n", 2).replace(
            "</body></html>", BROKEN_TAIL).encode(), "text/html; charset=utf-8"), True),
    Hostile("script-injected-text", lambda h: Reply(200, h.replace(
            '<div id="news-bodyhtml" class="bodytext">', '<div id="news-bodyhtml" '
            f'class="bodytext">{INJECTED}').encode()), True),
    Hostile("png-served-as-text-html", lambda h: Reply(200, b"\x89PNG\r\n\x1a\n" + os.urandom(
            4096), "text/html"), False),
    Hostile("random-bytes-served-as-text-html", lambda h: Reply(200, bytes(range(256)) * 64,
            "text/html; charset=utf-8"), False),
)  # fmt: skip


def build_huge_site() -> FakeSite:
    return news_site("tinhuy-lon.vn", "Tỉnh ủy Lớn", articles=3, extra_links=[
        ("/trang-200mb.html", "Trang 200 MB"), ("/vo-tan.html", "Trang vô tận"),
        ("/bom-gzip.html", "Bom gzip"), ("/bom-deflate.html", "Bom deflate")],
        routes={"/trang-200mb.html": Reply(200, b"<html><body>", filler=200_000_000,
                                           fault="huge"),
                "/vo-tan.html": Reply(200, b"", endless=True, fault="endless"),
                "/bom-gzip.html": gzip_bomb(), "/bom-deflate.html": deflate_bomb()})  # fmt: skip


def build_hostile_sites() -> dict[str, FakeSite]:
    maps = news_site("huyenuy-sitemap.vn", "Huyện ủy Sơ Đồ", style="wordpress", articles=3,
        robots="User-agent: *\nDisallow:\nSitemap: http://huyenuy-sitemap.vn/bom.xml\n"
               "Sitemap: http://huyenuy-sitemap.vn/sitemap_index.xml\n")  # fmt: skip
    maps.routes["/bom.xml"] = xml_bomb()
    # 60 000 nested sitemaps, each an index again that points back at the top and onwards.
    maps.routes["/sitemap_index.xml"] = sitemap(
        [f"http://huyenuy-sitemap.vn/sm/{i}.xml" for i in range(60_000)], index=True
    )
    maps.fallback = _sitemap_loop
    traps = news_site("tinhuy-bay.vn", "Tỉnh ủy Bẫy", articles=3, extra_links=[
        ("/lich-cong-tac.html?ngay=2024-03-01", "Lịch công tác"), ("/van-ban.aspx?trang=1",
        "Văn bản"), ("/vong/0", "Vòng lặp"), ("/chuoi/0", "Chuỗi 15 lần"), ("/ngan/0",
        "Chuỗi 2 lần"), ("/ra-ip", "Sang IP"), ("/ra-file", "Sang file"), ("/50k.html",
        "Năm mươi nghìn liên kết")])  # fmt: skip
    traps.fallback = _traps
    traps.routes["/ra-ip"] = redirect("http://169.254.169.254/latest/meta-data/", 302)
    traps.routes["/ra-file"] = redirect("file:///etc/passwd", 302)
    traps.routes["/50k.html"] = page(listing_html("Thẻ", [
        (f"/the/{i}.html", f"Thẻ số {i}", "01/01/2020") for i in range(50_000)]))  # fmt: skip
    # The short chain ends at article 2 (a moved article, reached through two old addresses).
    traps.routes["/ngan/1"] = redirect(traps.path(2))
    ssrf = news_site("ssrf-robots.vn", "Ban Tuyên giáo Chuyển Hướng", articles=2)
    ssrf.routes["/robots.txt"] = redirect("http://127.0.0.1:9/private/robots.txt", 302)
    odd = news_site("trang-la.vn", "Huyện ủy Trang Lạ", articles=len(HOSTILE))
    for number, hostile in enumerate(HOSTILE):
        odd.routes[odd.path(number)] = hostile.serve(odd.html[number])
    return {"maps": maps, "traps": traps, "ssrf": ssrf, "odd": odd}


def _sitemap_loop(target: str) -> Reply | None:
    match = re.fullmatch(r"/sm/(\d+)\.xml", target)
    if match is None:
        return None
    number = int(match.group(1))
    return sitemap(
        ["http://huyenuy-sitemap.vn/sitemap_index.xml",
         f"http://huyenuy-sitemap.vn/sm/{number + 1}.xml"], index=True)  # fmt: skip


def _traps(target: str) -> Reply | None:
    path, _, query = target.partition("?")
    if path == "/lich-cong-tac.html" and query.startswith("ngay="):
        day = datetime.fromisoformat(query[5:15])
        links = [(f"/lich-cong-tac.html?ngay={d:%Y-%m-%d}", f"Ngày {d:%d/%m/%Y}", f"{d:%d/%m/%Y}")
                 for d in (day - timedelta(days=1), day + timedelta(days=1))]  # fmt: skip
        return page(listing_html("Lịch công tác", links))
    if path == "/van-ban.aspx":
        # Every page links to the next with a fresh session parameter: endless query strings.
        number = int(re.sub(r"\D", "", query.split("&")[0]) or 0)
        links = [(f"/van-ban.aspx?trang={number + 1}&sid={number * 7919 % 100_003}",
                  f"Văn bản trang {number + 1}", "01/01/2024")]  # fmt: skip
        return page(listing_html("Văn bản", links))
    if path.startswith("/vong/"):
        return redirect(f"/vong/{1 - int(path[6:])}")
    if path.startswith("/chuoi/"):
        return redirect(f"/chuoi/{int(path[7:]) + 1}")
    if path == "/ngan/0":
        return redirect("/ngan/1")
    return None


@pytest.fixture(scope="module")
def huge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Crawl, FaultServer, FakeSite]]:
    """A crawl of the site with the 200 MB page, the endless body and the bombs, on its own, so
    that its peak memory is theirs."""
    site = build_huge_site()
    tmp = tmp_path_factory.mktemp("huge")
    registry = write_registry(tmp / "sites.csv", [site])
    with FaultServer([site]) as server:
        yield run_crawl(server, registry, tmp / "archive.db"), server, site


@pytest.fixture(scope="module")
def hostile(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Crawl, FaultServer, dict[str, FakeSite]]]:
    sites = build_hostile_sites()
    tmp = tmp_path_factory.mktemp("hostile")
    registry = write_registry(tmp / "sites.csv", list(sites.values()))
    with FaultServer(list(sites.values())) as server:
        # Low caps, so that the traps end soon (the crawler fetches ~20 pages a second here).
        crawl = run_crawl(
            server, registry, tmp / "archive.db",
            "-s", "ARCHIVE_MAX_PAGES_PER_SITE=100", "-s", "ARCHIVE_MAX_SITEMAPS_PER_SITE=20",
            "-s", "ARCHIVE_MAX_QUERY_VARIANTS=20",
        )  # fmt: skip
        yield crawl, server, sites


@pytest.mark.slow
def test_huge_bodies_cost_neither_time_nor_memory(
    huge: tuple[Crawl, FaultServer, FakeSite],
) -> None:
    crawl, _server, site = huge
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert "Spider closed (finished)" in crawl.log
    assert crawl.seconds < 30
    # A 200 MB page, an endless body and two 1 GiB bombs, and none was held in memory:
    # DOWNLOAD_MAXSIZE is 16 MiB, and the crawler alone peaks at about 220 MB.
    assert crawl.max_rss_mb < 350
    for number in range(len(site.articles)):
        assert_archived(crawl, site, number)


@pytest.mark.slow
def test_hostile_crawl_finishes_and_every_real_article_is_archived(
    hostile: tuple[Crawl, FaultServer, dict[str, FakeSite]],
) -> None:
    crawl, _server, sites = hostile
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert "Spider closed (finished)" in crawl.log
    # The page with 50 000 links is told a listing by its links, without running the extractor
    # over it (which takes 16 s and 700 MB for that page alone).
    assert crawl.max_rss_mb < 450
    for key in ("maps", "traps", "ssrf"):
        for number in range(len(sites[key].articles)):
            assert_archived(crawl, sites[key], number)
    assert integrity(crawl.db) == "ok"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("target", "fault"),
    [
        ("/trang-200mb.html", "Expected to receive 200000012 bytes which is larger than download"
         " max size"),
        ("/vo-tan.html", "which is larger than download max size"),
        ("/bom-gzip.html", "exceeded DOWNLOAD_MAXSIZE (16777216 B) during decompression"),
        ("/bom-deflate.html", "exceeded DOWNLOAD_MAXSIZE (16777216 B) during decompression"),
    ],
    ids=["200MB-page", "endless-chunked", "gzip-bomb", "deflate-bomb"],
)  # fmt: skip
def test_huge_bodies_are_cut_at_the_size_limit(
    huge: tuple[Crawl, FaultServer, FakeSite], target: str, fault: str
) -> None:
    crawl, server, site = huge
    hits = server.hits_of(site.host, target)
    assert len(hits) == 1  # a download cancelled at the size limit is not retried
    assert hits[0].sent < 64 << 20  # the crawler hung up early
    assert re.search(rf"{re.escape(fault)}.*{re.escape(target)}|{re.escape(target)}.*"
                     rf"{re.escape(fault)}", crawl.log)  # fmt: skip
    assert not [u for u in crawl.rows() if u.endswith(target)]


@pytest.mark.slow
def test_xml_bomb_sitemap_is_read_without_expanding(
    hostile: tuple[Crawl, FaultServer, dict[str, FakeSite]],
) -> None:
    _crawl, server, sites = hostile
    host = sites["maps"].host
    assert len(server.hits_of(host, "/bom.xml")) == 1
    # "&lol9;" never became a URL: nothing but the site's own paths was asked for.
    assert not [h for h in server.hits_of(host) if "lol" in h.target]


@pytest.mark.slow
def test_sitemap_index_loop_ends_at_the_sitemap_cap(
    hostile: tuple[Crawl, FaultServer, dict[str, FakeSite]],
) -> None:
    crawl, server, sites = hostile
    host = sites["maps"].host
    nested = [h for h in server.hits_of(host) if h.target.startswith("/sm/")]
    assert len(server.hits_of(host, "/sitemap_index.xml")) == 1  # the loop back is seen as seen
    assert len(nested) == 20  # ARCHIVE_MAX_SITEMAPS_PER_SITE in this crawl
    assert crawl.stats["archive/spider/sitemaps_capped"] >= 1


@pytest.mark.slow
@pytest.mark.parametrize(
    ("prefix", "most"),
    [
        ("/lich-cong-tac.html", 1),  # a calendar is known by its URL: not even fetched once
        ("/van-ban.aspx", 21),  # ARCHIVE_MAX_QUERY_VARIANTS in this crawl, then no more
        ("/vong/", 2),
        ("/chuoi/", 11),  # ten redirects followed, then no more
        ("/the/", 100),  # ARCHIVE_MAX_PAGES_PER_SITE in this crawl
    ],
    ids=["endless-calendar", "endless-query-strings", "redirect-loop", "redirect-chain-15",
         "page-with-50k-links"],
)  # fmt: skip
def test_traps_are_bounded(
    hostile: tuple[Crawl, FaultServer, dict[str, FakeSite]], prefix: str, most: int
) -> None:
    _crawl, server, sites = hostile
    hits = [h for h in server.hits_of(sites["traps"].host) if h.target.startswith(prefix)]
    assert len(hits) <= most


@pytest.mark.slow
def test_short_redirect_chain_keeps_its_urls_as_aliases(
    hostile: tuple[Crawl, FaultServer, dict[str, FakeSite]],
) -> None:
    crawl, _server, sites = hostile
    traps = sites["traps"]
    conn = sqlite3.connect(f"file:{crawl.db}?mode=ro", uri=True)
    try:
        urls = {
            r[0]
            for r in conn.execute(
                "SELECT u.url FROM article_urls u JOIN articles a ON a.id = u.article_id"
                " WHERE a.url = ?",
                [traps.articles[2].url],
            )
        }
    finally:
        conn.close()
    assert {f"http://{traps.host}/ngan/0", f"http://{traps.host}/ngan/1"} <= urls


@pytest.mark.slow
def test_redirects_to_ip_addresses_and_files_are_never_followed(
    hostile: tuple[Crawl, FaultServer, dict[str, FakeSite]],
) -> None:
    crawl, server, sites = hostile
    # The proxy would see any request to an IP address: none came.
    assert not [h for h in server.hits if re.match(r"^[\d.]+$|^\[", h.host)]
    assert server.hits_of(sites["ssrf"].host, "/robots.txt")  # it asked, and got a redirect...
    assert "refused http://127.0.0.1:9/private/robots.txt (ip_address)" in crawl.log  # ...refused
    assert not [u for u in crawl.rows() if "passwd" in u or "169.254" in u]


@pytest.mark.slow
@pytest.mark.parametrize("hostile_case", HOSTILE, ids=lambda h: h.id)
def test_hostile_page(
    hostile: tuple[Crawl, FaultServer, dict[str, FakeSite]], hostile_case: Hostile
) -> None:
    crawl, _server, sites = hostile
    odd = sites["odd"]
    number = HOSTILE.index(hostile_case)
    if hostile_case.archived:
        assert_archived(crawl, odd, number)  # exact text: decoded right, no injected words
    else:
        assert odd.articles[number].url not in crawl.rows()


@pytest.mark.slow
def test_stored_text_is_plain_text(hostile: tuple[Crawl, FaultServer, dict[str, FakeSite]]) -> None:
    crawl, _server, _sites = hostile
    markup = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>|&[a-zA-Z]+;|&#\d+;|javascript:|on\w+\s*=")
    leaks = {
        url: markup.findall(f"{row['title']}\n{row['text']}\n{row['author'] or ''}")
        for url, row in crawl.rows().items()
    }
    assert {url: found for url, found in leaks.items() if found} == {}
    injected = ("Mã độc", "mã độc", "alert(", "document.write", "Khung nhúng", "color:red")
    assert not [u for u, r in crawl.rows().items() for w in injected if w in r["text"]]


@pytest.mark.slow
def test_registry_rows_with_ip_or_file_urls_are_refused_with_their_lines(tmp_path: Path) -> None:
    site = news_site("tinhuy-tot.vn", "Tỉnh ủy Tốt", articles=2)
    registry = write_registry(
        tmp_path / "sites.csv",
        [site],
        ["ipsite", "Trang IP", "district", "Mẫu", "http://10.0.0.1/"],
        ["filesite", "Trang tệp", "district", "Mẫu", "file:///etc/passwd"],
        ["loopback", "Trang nội bộ", "district", "Mẫu", "http://127.0.0.1:8080/"],
    )
    with FaultServer([site]) as server:
        crawl = run_crawl(server, registry, tmp_path / "archive.db")
        assert crawl.returncode == 0, crawl.log[-3000:]
        assert [h.host for h in server.hits if h.host != site.host] == []
    assert "skipped line 3: url 'http://10.0.0.1/' points to an IP address" in crawl.log
    assert "skipped line 4: url 'file:///etc/passwd' is not http(s)" in crawl.log
    assert "skipped line 5: url 'http://127.0.0.1:8080/' points to an IP address" in crawl.log
    assert crawl.stats["archive/registry/row_errors"] == 3
    for number in range(2):
        assert_archived(crawl, site, number)


# --- data safety ---------------------------------------------------------------------------------

#: A child process that stores pages 0..n-1 with crawler.ingest, then page n with `step` of the
#: archive module replaced by a SIGKILL of itself: it dies inside the storage transaction.
KILL_INSIDE_STORE = r"""
import os, signal, sys
from crawler import archive, ingest
from tests.faultserver import storage_pages
db_path, step, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
db = archive.open_archive(db_path)
pages = storage_pages(total)
for page in pages[:-1]:
    ingest.ingest_page(db, page)
if step == "after_commit":
    ingest.ingest_page(db, pages[-1])
    os.kill(os.getpid(), signal.SIGKILL)
original = getattr(archive, step)
def die(*args, **kwargs):
    if step == "index_for_search":
        original(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
setattr(archive, step, die)
ingest.ingest_page(db, pages[-1])
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    "step",
    # the article's first write, its row, its last index write, the page state written just
    # before COMMIT, and just after COMMIT
    ["store_response", "insert_article", "index_for_search", "record_page", "after_commit"],
)  # fmt: skip
def test_sigkill_inside_a_storage_transaction_loses_nothing_committed(
    tmp_path: Path, step: str
) -> None:
    db = tmp_path / "archive.db"
    total = 4
    result = subprocess.run(
        [sys.executable, "-c", KILL_INSIDE_STORE, str(db), step, str(total)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == -signal.SIGKILL, result.stderr[-2000:]
    assert integrity(db) == "ok"
    pages = storage_pages(total)
    stored = facts(db)
    committed = {(p.url, p.title, p.text, p.published) for p in pages[:-1]}
    last = (pages[-1].url, pages[-1].title, pages[-1].text, pages[-1].published)
    # Every earlier commit is there; the killed transaction is all there or not there at all.
    assert stored == (committed | {last} if step == "after_commit" else committed)
    conn = sqlite3.connect(db)
    try:
        orphans = conn.execute(
            "SELECT (SELECT count(*) FROM article_urls WHERE article_id NOT IN"
            " (SELECT id FROM articles)) + (SELECT count(*) FROM articles_fts WHERE rowid NOT IN"
            " (SELECT id FROM articles))"
        ).fetchone()[0]
    finally:
        conn.close()
    assert orphans == 0
    # Storing the last page again (the rerun) completes the archive, once.
    again = archive.open_archive(db)
    try:
        ingest_page(again, pages[-1])
    finally:
        again.conn.close()
    assert facts(db) == committed | {last}


# Crash and resume: three sites, articles served slowly so a kill lands mid-crawl.


def slow_sites(delay: float = 0.15) -> list[FakeSite]:
    sites = [
        news_site(f"dangbo-{i}.vn", f"Đảng bộ số {i}", style=style, articles=5)
        for i, style in enumerate(("nukeviet", "wordpress", "aspnet"))
    ]
    for site in sites:
        for number in range(len(site.articles)):
            site.routes[site.path(number)] = page(site.html[number], delay=delay)
    return sites


def staggered_sites(step: float = 1.0) -> list[FakeSite]:
    """slow_sites whose n-th article of each site answers after (n + 1) x ``step`` seconds.

    The server answers requests concurrently (a DOWNLOAD_DELAY of 0 lets Scrapy exceed the
    per-domain concurrency) and the analysis workers take seconds to start, so equal delays
    bring every article at once; staggered ones keep articles coming for 5 x ``step`` seconds.
    """
    sites = slow_sites()
    for site in sites:
        for number in range(len(site.articles)):
            site.routes[site.path(number)] = page(site.html[number], delay=(number + 1) * step)
    return sites


# Batches of two items per transaction (the default is 200): a fault then lands between commits
# of these fifteen-article crawls, and every batch boundary is exercised many times.
RESUME_SETTINGS = (
    "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "ARCHIVE_EXTRACT_PROCESSES=2",
    "-s", "ARCHIVE_STORE_BATCH=2",
)  # fmt: skip


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[Any], Path]:
    """An uninterrupted crawl of the slow sites: what every resumed crawl must equal."""
    tmp = tmp_path_factory.mktemp("reference")
    sites = slow_sites()
    registry = write_registry(tmp / "sites.csv", sites)
    with FaultServer(sites) as server:
        crawl = run_crawl(server, registry, tmp / "archive.db", *RESUME_SETTINGS)
    assert crawl.returncode == 0, crawl.log[-3000:]
    found = facts(crawl.db)
    assert len(found) == 15
    checkpoint = sqlite3.connect(crawl.db)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()
    return registry, found, crawl.db


def count_articles(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def kill_crawl_after(server: FaultServer, registry: Path, db: Path, articles: int) -> int:
    """Start a crawl, SIGKILL it once `articles` are stored; return how many were stored."""
    env = {**os.environ, **server.proxy_env()}
    command = scrapy_command(str(registry), str(db), *BASE_SETTINGS, *RESUME_SETTINGS,
                             "-s", "CLOSESPIDER_TIMEOUT=60")  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        assert wait_until(lambda: count_articles(db) >= articles, deadline=60)
    finally:
        # The crawl and its extraction workers, all at once, as a power cut would.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    return count_articles(db)


#: Kill points (articles stored when the kill comes), drawn once from a seeded generator.
KILL_POINTS = sorted(random.Random(10).sample(range(1, 14), 2))


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", KILL_POINTS, ids=lambda k: f"killed-after-{k}-articles")
def test_sigkill_mid_crawl_then_resume_equals_an_uninterrupted_run(
    reference: tuple[Path, set[Any], Path], tmp_path: Path, kill_at: int
) -> None:
    registry, expected, _db = reference
    db = tmp_path / "archive.db"
    # The kill must find articles left to fetch, however fast the analysis workers are.
    with FaultServer(staggered_sites()) as server:
        stored = kill_crawl_after(server, registry, db, kill_at)
        assert kill_at <= stored < len(expected), "the kill came mid-crawl"
        assert integrity(db) == "ok"
        crawl = run_crawl(server, registry, db, *RESUME_SETTINGS)
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert integrity(db) == "ok"
    assert facts(db) == expected


@pytest.mark.slow
def test_resuming_twice_from_the_same_state(
    reference: tuple[Path, set[Any], Path], tmp_path: Path
) -> None:
    registry, expected, _db = reference
    first, second = tmp_path / "a" / "archive.db", tmp_path / "b" / "archive.db"
    first.parent.mkdir()
    second.parent.mkdir()
    with FaultServer(slow_sites()) as server:
        kill_crawl_after(server, registry, first, 6)
        # The crashed state as it lies on disk (database, WAL and shared memory), twice.
        for suffix in ("", "-wal", "-shm"):
            source = first.with_name(first.name + suffix)
            if source.exists():
                shutil.copy(source, second.with_name(second.name + suffix))
        for db in (first, second, first):  # the last: resume an already resumed archive
            crawl = run_crawl(server, registry, db, *RESUME_SETTINGS)
            assert crawl.returncode == 0, crawl.log[-3000:]
            assert facts(db) == expected
    conn = sqlite3.connect(f"file:{first}?mode=ro", uri=True)
    try:
        assert conn.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone() == (
            15,
            15,
        )
    finally:
        conn.close()


def damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    if how == "truncated":
        path.write_bytes(bytes(data[: len(data) // 2]))
    elif how == "header-overwritten":
        data[:16] = b"not a database!!"
        path.write_bytes(bytes(data))
    elif how == "pages-overwritten":
        middle = len(data) // 2
        data[middle : middle + 8192] = b"\x5a" * 8192
        path.write_bytes(bytes(data))


@pytest.mark.slow
@pytest.mark.parametrize("how", ["truncated", "header-overwritten", "pages-overwritten"])
def test_damaged_archive_is_reported_and_left_alone(
    reference: tuple[Path, set[Any], Path], tmp_path: Path, how: str
) -> None:
    registry, _expected, finished = reference
    db = tmp_path / "archive.db"
    shutil.copy(finished, db)
    damage(db, how)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with FaultServer(slow_sites()) as server:
        broken = run_crawl(server, registry, db, *RESUME_SETTINGS)
        # Not silently used: the crawl stops before its first request, says why, and exits 1.
        assert server.hits == []
    assert broken.returncode == 1
    assert re.search(rf"archive {re.escape(str(db))} is damaged", broken.log), broken.log[-2000:]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


@pytest.mark.slow
def test_readers_share_the_archive_with_a_running_crawl(
    reference: tuple[Path, set[Any], Path], tmp_path: Path
) -> None:
    registry, expected, _db = reference
    db = tmp_path / "archive.db"
    counts: list[int] = []
    errors: list[str] = []
    datasette: list[subprocess.Popen[str]] = []
    # Articles keep arriving for seconds: the crawl writes while the readers read.
    with FaultServer(staggered_sites()) as server:
        env = {**os.environ, **server.proxy_env()}
        command = scrapy_command(str(registry), str(db), *BASE_SETTINGS, *RESUME_SETTINGS,
                                 "-s", "CLOSESPIDER_TIMEOUT=60")  # fmt: skip
        crawl = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:

            def read_once() -> bool:
                # What Datasette does: a read-only connection, a query, close; never a lock.
                try:
                    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
                    try:
                        counts.append(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
                    finally:
                        conn.close()
                except sqlite3.OperationalError as exc:
                    if "no such table" not in str(exc) and "unable to open" not in str(exc):
                        errors.append(str(exc))
                if counts and counts[-1] >= 3 and not datasette:
                    # Datasette itself, as `crawler serve` runs it, queries the archive mid-crawl.
                    query = "/archive.json?sql=select+count(*)+as+n+from+articles&_shape=array"
                    datasette.append(
                        subprocess.Popen(
                            [*desk.serve_command(db), "--get", query],
                            stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE,
                            text=True,
                        )
                    )
                return crawl.poll() is not None

            assert wait_until(read_once, deadline=80)
            answer, complaint = datasette[0].communicate(timeout=60)
        finally:
            running: list[subprocess.Popen[Any]] = [crawl, *datasette]
            for process in running:
                if process.poll() is None:
                    process.kill()
                process.wait()
    assert crawl.returncode == 0
    assert errors == []
    assert counts == sorted(counts)  # readers see commits, in order, never a rollback
    assert len(set(counts)) > 3  # they read while the crawl wrote
    assert datasette[0].returncode == 0, complaint[-2000:]
    assert 3 <= int(re.findall(r'"n":\s*(\d+)', answer)[0]) <= len(expected)
    assert facts(db) == expected


def _limit_file_size(limit: int) -> Callable[[], None]:
    def apply() -> None:
        # Writes beyond `limit` bytes fail with EFBIG, as on a full disk (SQLITE_FULL); the
        # signal that would kill the process instead is ignored, as a daemon's would be.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.slow
def test_disk_full_during_the_crawl_fails_loudly_without_damage(
    reference: tuple[Path, set[Any], Path], tmp_path: Path
) -> None:
    registry, expected, _db = reference
    db = tmp_path / "archive.db"
    archive.open_archive(db).conn.close()  # the empty archive: schema and migrations
    room = db.stat().st_size + 640 * 1024  # room for about four articles, not for fifteen
    with FaultServer(slow_sites()) as server:
        crawl = run_crawl(server, registry, db, *RESUME_SETTINGS, preexec=_limit_file_size(room))
    assert re.search(r"database or disk is full|disk I/O error", crawl.log)
    assert re.search(r"ERROR: site \w+: cannot store", crawl.log)
    assert "Spider closed (archive_write_failed)" in crawl.log
    assert integrity(db) == "ok"
    stored = facts(db)
    assert 0 < len(stored) < len(expected)
    assert stored <= expected  # what was committed is whole and right


@pytest.mark.slow
def test_read_only_archive_fails_loudly_without_damage(
    reference: tuple[Path, set[Any], Path], tmp_path: Path
) -> None:
    registry, expected, finished = reference
    db = tmp_path / "archive.db"
    shutil.copy(finished, db)
    # A file SQLite itself must treat as read-only, for root too (file modes do not stop root):
    # its "write version" header byte is above 2 (sqlite.org/fileformat.html, offsets 18-19).
    data = bytearray(db.read_bytes())
    data[18] = 3
    db.write_bytes(bytes(data))
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with FaultServer(slow_sites()) as server:
        crawl = run_crawl(server, registry, db, *RESUME_SETTINGS)
        assert server.hits == []  # it stopped before asking anything
    assert crawl.returncode == 1
    assert "attempt to write a readonly database" in crawl.log
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert integrity(db) == "ok"
    assert facts(db) == expected


@pytest.mark.slow
def test_gone_pages_and_dead_hosts_never_remove_an_archived_copy(tmp_path: Path) -> None:
    alive = news_site("tinhuy-con.vn", "Tỉnh ủy Còn", articles=4)
    dying = news_site("huyenuy-tat.vn", "Huyện ủy Sắp Tắt", articles=2)
    registry = write_registry(tmp_path / "sites.csv", [alive, dying])
    db = tmp_path / "archive.db"
    with FaultServer([alive, dying]) as server:
        first = run_crawl(server, registry, db)
    assert first.returncode == 0
    before = facts(db)
    assert len(before) == 6
    # Next run: one article answers 404, one 410, and the other site is gone from the network.
    alive.routes[alive.path(0)] = status(404)
    alive.routes[alive.path(1)] = status(410)
    with FaultServer([alive]) as server:
        second = run_crawl(
            server, registry, db, "-s", "ARCHIVE_FULL=True", "-s", "RETRY_TIMES=1",
            "-s", "TWISTED_DNS_RESOLVER=tests.faultserver.FakeResolver",
            "-s", f"FAULT_DNS_LOOPBACK={dying.host}", "-s", "ARCHIVE_BACKOFF_BASE=0.1",
            "-s", "ARCHIVE_BACKOFF_MAX=0.4",
            direct=[dying.host],
        )  # fmt: skip
    assert second.returncode == 0, second.log[-3000:]
    assert facts(db) == before  # every row, every text, every date is still there
    gone = {url: row["gone_at"] for url, row in article_rows(db).items()}
    assert gone[alive.articles[0].url] is not None  # flagged, not deleted
    assert gone[alive.articles[1].url] is not None
    assert [gone[a.url] for a in alive.articles[2:]] == [None, None]
    assert [gone[a.url] for a in dying.articles] == [None, None]  # silence is not deletion


# --- security of what we serve -------------------------------------------------------------------


def test_datasette_shows_stored_markup_as_text(tmp_path: Path) -> None:
    # A page may legitimately quote "<script>" as text; the archive keeps it as text, and the
    # desk must show it escaped, never as markup.
    db = tmp_path / "archive.db"
    handle = archive.open_archive(db)
    try:
        archive.insert_article(
            handle,
            {"url": "http://huyenuy-mau.vn/a.html", "site_id": "huyenuymau",
             "title": "Cảnh giác <script>alert(1)</script>",
             "text": 'Thư lạ chứa <img src=x onerror="alert(2)"> và <b>mã</b>.'},
        )  # fmt: skip
    finally:
        handle.conn.close()
    desk.prepare_archive(db)
    loop = asyncio.new_event_loop()
    # Configured as `crawler serve` configures it (desk.serve_command).
    served = Datasette(
        [str(db)],
        metadata=yaml.safe_load(desk.METADATA_PATH.read_text(encoding="utf-8")),
        template_dir=str(desk.TEMPLATES_DIR),
        settings=dict(desk.SERVE_SETTINGS),
    )
    try:
        loop.run_until_complete(served.invoke_startup())
        for path in ("/archive/articles/1", "/archive/articles_view", "/archive/articles"):
            response = loop.run_until_complete(served.client.get(path))
            assert response.status_code == 200, path
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
            assert "<script>alert(1)" not in response.text
            assert 'onerror="alert(2)"' not in response.text
    finally:
        for database in served.databases.values():
            database.close()
        loop.close()


#: The packages whose SQL we check, and the calls that run SQL.
SQL_PACKAGES = ("crawler", "pipelines", "spiders")
SQL_CALLS = frozenset({"execute", "executemany", "executescript"})


def unsafe_sql_calls(source: str) -> list[tuple[int, str]]:
    """(line, call) of every execute/executemany/executescript whose SQL text is formatted from
    values that are not constants of the module.

    Allowed inside the SQL: string literals; names bound at module level (constants such as
    _ARTICLE_COLUMNS or DATA_DATE_SQL); `int(...)`; and placeholder lists, names assigned from
    `",".join("?" ...)`. Anything else formatted into SQL (an f-string field, `%`, `+` or
    `.format()` with a variable) is reported.
    """
    tree = ast.parse(source)
    constants = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }
    placeholders = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and _is_placeholder_list(node.value)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    safe_names = constants | placeholders
    safe_names |= _safe_locals(tree, safe_names)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SQL_CALLS
            and node.args
            and not _is_safe_sql(node.args[0], safe_names)
        ):
            found.append((node.lineno, ast.unparse(node)[:120]))
    return found


def _safe_locals(tree: ast.Module, safe: set[str]) -> set[str]:
    """Names every assignment of which is safe SQL (`sql = "SELECT ..."; sql += " AND x = ?"`),
    and loop variables over a module constant (`for name, select in DESK_VIEWS`)."""
    assigned: dict[str, list[ast.expr]] = {}
    loops: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            assigned.setdefault(node.target.id, []).append(node.value)
        elif (
            isinstance(node, ast.For)
            and isinstance(node.iter, ast.Name)
            and node.iter.id in safe
            and node.iter.id.isupper()
        ):
            loops |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
    found = set(loops)
    for name, values in assigned.items():
        if all(_is_safe_sql(value, safe | found) for value in values):
            found.add(name)
    return found


def _is_placeholder_list(node: ast.expr) -> bool:
    # ",".join("?" for _ in values)  or  ", ".join(["?"] * n)
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "join"
        and isinstance(node.func.value, ast.Constant)
        and bool(node.args)
        and all(
            isinstance(n, ast.Constant) and n.value in ("?", ",", ", ")
            for n in ast.walk(node.args[0])
            if isinstance(n, ast.Constant)
        )
    )


def _is_safe_sql(node: ast.expr, safe_names: set[str]) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Name):
        return node.id in safe_names
    if isinstance(node, ast.JoinedStr):
        return all(
            _is_safe_sql(part.value if isinstance(part, ast.FormattedValue) else part, safe_names)
            for part in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_safe_sql(node.left, safe_names) and _is_safe_sql(node.right, safe_names)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        # "...".strip() of a safe name is as safe as the name
        return (
            node.func.attr in ("strip", "lstrip", "rstrip")
            and not node.args
            and _is_safe_sql(node.func.value, safe_names)
        )
    # int(...) formats a number, never text
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "int"


@pytest.mark.parametrize(
    ("source", "unsafe"),
    [
        ('db.execute("SELECT * FROM articles WHERE url = ?", [url])', False),
        ('db.execute(f"SELECT {COLS} FROM articles")', False),
        ('marks = ",".join("?" for _ in urls)\ndb.execute(f"SELECT 1 WHERE u IN ({marks})")',
         False),
        ('db.execute(f"PRAGMA user_version = {int(number)}")', False),
        ('db.execute(f"SELECT * FROM articles WHERE title = \'{title}\'")', True),
        ('db.execute("SELECT * FROM a WHERE t = \'%s\'" % title)', True),
        ('db.execute("SELECT * FROM a WHERE t = " + title)', True),
        ('db.execute("SELECT * FROM a WHERE t = {}".format(title))', True),
        ("db.conn.executemany(sql, rows)", True),
        ('sql = "SELECT 1"\nif x:\n    sql += " AND s = ?"\ndb.execute(sql + " ORDER BY id")',
         False),
        ('sql = "SELECT 1"\nif x:\n    sql += title\ndb.execute(sql)', True),
        ('for name, q in VIEWS:\n    db.execute(f"CREATE VIEW {name} AS {q.strip()}")', False),
        ('for name in page_names:\n    db.execute(f"DROP VIEW {name}")', True),
        ('db.execute(f"SELECT {title.strip()}")', True),
    ],
    ids=["placeholder", "module-constant", "placeholder-list", "int", "f-string-value",
         "percent", "concatenation", "format", "variable", "local-built-from-constants",
         "local-built-from-a-value", "loop-over-a-constant", "loop-over-a-value",
         "method-of-a-value"],
)  # fmt: skip
def test_the_sql_check_itself(source: str, unsafe: bool) -> None:
    # The snippet is the body of a function of a module that has two constants.
    body = "\n".join(f"    {line}" for line in source.splitlines())
    module = f'COLS = "id, url"\nVIEWS = (("v", "SELECT 1"),)\n\n\ndef f(db, x):\n{body}\n'
    assert bool(unsafe_sql_calls(module)) == unsafe


#: Reviewed calls whose SQL is a variable that never holds page content: (file, code).
REVIEWED_SQL = {
    # migrate() runs the statements of the module's own MIGRATIONS constant.
    ("crawler/archive.py", "db.execute(statement)"),
    # The Datasette plugin runs desk's canned SQL constants (ARTICLE_SQL, VERSIONS_SQL ...).
    ("crawler/datasette_plugin.py", "db.execute(sql, params)"),
}


def test_no_sql_is_formatted_from_page_content() -> None:
    found = []
    for package in SQL_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            for line, call in unsafe_sql_calls(path.read_text(encoding="utf-8")):
                if not any(name == f and call.startswith(c) for f, c in REVIEWED_SQL):
                    found.append(f"{name}:{line}: {call}")
    assert found == []
