"""The desk in a real browser, over an archive the project's own crawl built.

The module crawls the bundled sample sites (data/sample_sites/, served on 127.0.0.1 by
`SampleServer`) with `scrapy crawl party_sites` in a subprocess, prepares the archive as
`crawler serve` does, serves it with `desk.serve_command`, and drives Debian's headless Chromium
through Playwright. Expectations come from `truth.json` (what the sample pages really say) and
from the archive's rows read directly with sqlite3, never from the pages under test. Every
request the browser makes to a host other than our Datasette is aborted and recorded.
Screenshots go to test-artifacts/.

Skipped, with the reason, when /usr/bin/chromium or Playwright is missing (`make system-deps`
installs chromium; Playwright never downloads a browser here).
"""

from __future__ import annotations

import csv
import json
import os
import re
import socket
import sqlite3
import subprocess
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from crawler import desk
from crawler.cli import scrapy_command
from crawler.demo import SampleServer, proxy_env
from crawler.text import fold_vietnamese
from tests.conftest import ROOT, wait_until

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Request, Response, Route

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

SAMPLES = ROOT / "data" / "sample_sites"
TRUTH: dict[str, Any] = json.loads((SAMPLES / "truth.json").read_text(encoding="utf-8"))
ARTICLES: list[dict[str, Any]] = TRUTH["articles"]
#: registry id -> name, as the sample registry (the crawl's input) spells it
with (SAMPLES / "sites.csv").open(encoding="utf-8", newline="") as _registry:
    SITE_NAMES: dict[str, str] = {row["id"]: row["name"] for row in csv.DictReader(_registry)}

#: The one re-publication of the sample sites: the copy and the article it copies.
COPY = next(a for a in ARTICLES if a["copy_of"])
ORIGINAL = next(a for a in ARTICLES if a["url"] == COPY["copy_of"])

#: What a Vietnamese reader types without diacritics, and the words it must match.
QUERY = "tuyen giao"
QUERY_WORDS = {"tuyen", "giao"}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package (dev)")


def words(text: str | None) -> set[str]:
    return set(re.findall(r"\w+", fold_vietnamese(text or "")))


def vn_date(iso: str) -> str:
    """The page's own way of writing a date: 2024-07-19T15:45:00+07:00 -> 19/07/2024."""
    return datetime.fromisoformat(iso).strftime("%d/%m/%Y")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@dataclass(frozen=True)
class Served:
    """Datasette's base URL and the crawled archive's rows, read independently of Datasette."""

    base: str
    #: every article row, by id
    rows: dict[int, dict[str, Any]]
    #: every date_evidence row
    date_evidence: list[dict[str, Any]]

    def ids_of(self, title: str) -> list[int]:
        return [i for i, row in self.rows.items() if row["title"] == title]

    def evidence(self, article_id: int) -> set[tuple[Any, ...]]:
        """The distinct date signals recorded for an article."""
        return {
            (e["signal"], e["raw"], e["parsed"], e["accepted"], e["reason"])
            for e in self.date_evidence
            if e["article_id"] == article_id
        }

    def matching(self, query_words: set[str]) -> dict[int, dict[str, Any]]:
        """Rows whose title or text holds every word, diacritics and case ignored."""
        return {
            i: row
            for i, row in self.rows.items()
            if words(row["title"]) | words(row["text"]) >= query_words
        }


def read_archive(db: Path) -> tuple[dict[int, dict[str, Any]], list[dict[str, Any]]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        rows = {row["id"]: dict(row) for row in conn.execute("SELECT * FROM articles")}
        evidence = [dict(row) for row in conn.execute("SELECT * FROM date_evidence")]
        return rows, evidence
    finally:
        conn.close()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample sites crawled into a fresh archive, prepared as `crawler serve` prepares it."""
    db = tmp_path_factory.mktemp("crawled") / "archive.db"
    with SampleServer(SAMPLES) as sample:
        result = subprocess.run(
            scrapy_command(
                str(SAMPLES / "sites.csv"), str(db), "-s", "DOWNLOAD_DELAY=0",
                "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING",
            ),
            cwd=ROOT, env={**os.environ, **proxy_env(sample)},
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    desk.prepare_archive(db)
    return db


@pytest.fixture(scope="module")
def server(crawled: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Datasette serving the crawled archive read-only, started as `crawler serve` starts it."""
    port = free_port()
    log = (tmp_path_factory.getbasetemp() / "datasette.log").open("w")
    process = subprocess.Popen(
        desk.serve_command(crawled, "127.0.0.1", port),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_until(lambda: answers(base + "/-/versions.json"), deadline=30):
            pytest.fail(f"Datasette did not start: see {log.name}")
        yield Served(base, *read_archive(crawled))
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@dataclass
class Tab:
    """A browser page that may only talk to our server, and what it tried to do otherwise."""

    page: Page
    #: every URL the page requested, in order
    requested: list[str] = field(default_factory=list)
    #: URLs on other hosts the page asked for (aborted): a CDN would show up here
    outside: list[str] = field(default_factory=list)
    #: uncaught JavaScript errors
    errors: list[str] = field(default_factory=list)

    def shoot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def tab(browser: Browser, server: Served) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    watched = Tab(context.new_page())
    watched.page.set_default_timeout(15_000)
    own_host = urlsplit(server.base).netloc

    def only_local(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).netloc == own_host or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            watched.outside.append(url)
            route.abort()

    def record(request: Request) -> None:
        watched.requested.append(request.url)

    watched.page.route("**/*", only_local)
    watched.page.on("request", record)
    watched.page.on("pageerror", lambda error: watched.errors.append(str(error)))
    yield watched
    context.close()


def table_rows(page: Page) -> list[dict[str, str]]:
    """The visible rows of a Datasette table or query page, as {column: cell text}."""
    columns = [
        (name or "").strip()
        for name in page.locator("table.rows-and-columns thead th").evaluate_all(
            "ths => ths.map(th => th.dataset.column || th.innerText)"
        )
    ]
    found = []
    for row in page.locator("table.rows-and-columns tbody tr").all():
        cells = [cell.strip() for cell in row.locator("td").all_inner_texts()]
        found.append(dict(zip(columns, cells, strict=True)))
    return found


def assert_date_evidence(
    page: Page, server: Served, article_id: int, truth: dict[str, Any]
) -> None:
    """The date box: the signal truth.json names is the one accepted, saying the true day and
    time, and each distinct signal the archive recorded is listed once."""
    accepted = page.locator("#dates li.accepted")
    assert accepted.count() == 1
    said = accepted.inner_text()
    assert said.startswith(f"✔ {truth['published_source']}:")
    assert vn_date(truth["published"]) in said
    assert truth["published"][11:16] in said
    recorded = server.evidence(article_id)
    assert page.locator("#dates li").count() == len(recorded)
    # Signals not chosen but naming the same day are shown as agreeing (✓), not as rejected.
    agreeing = [e for e in recorded if not e[3] and (e[2] or "")[:10] == truth["published"][:10]]
    assert page.locator("#dates li.agrees").count() == len(agreeing)


def test_search_without_diacritics_then_facet_then_article(tab: Tab, server: Served) -> None:
    page = tab.page
    page.goto(server.base + "/")
    # The home page counts what the crawl archived: every sample article, once.
    assert page.locator(".desk-stat b").first.inner_text() == str(len(ARTICLES))
    tab.shoot("01-home")

    page.fill(".desk-hero input[name=q]", QUERY)
    page.click(".desk-hero button[type=submit]")
    page.wait_for_url("**/archive/search?q=tuyen+giao")
    hits = page.locator(".desk-hit h2").all_inner_texts()
    # Typed without diacritics, found with them: the articles whose true title says
    # "tuyên giáo" rank first (title matches weigh most).
    titled = sorted(a["title"] for a in ARTICLES if words(a["title"]) >= QUERY_WORDS)
    assert titled, "truth.json has no title with the query's words"
    assert all("tuyên giáo" in title for title in titled)
    assert sorted(hits[: len(titled)]) == titled
    # ...then every other article whose text holds both words, and none that does not.
    expected = server.matching(QUERY_WORDS)
    assert sorted(hits) == sorted(row["title"] for row in expected.values())
    assert page.locator(".desk-hit mark").count() >= 2 * len(hits)
    tab.shoot("02-search-tuyen-giao")

    page.click("text=Filter these by site, province, year or month")
    page.wait_for_url("**/archive/articles_view?_search=tuyen+giao")
    assert page.locator("table.rows-and-columns tbody tr").count() == len(expected)
    # Click the site with the most matching articles in the site facet: only its rows stay.
    per_site = Counter(row["site_id"] for row in expected.values())
    site_id = max(per_site, key=lambda s: (per_site[s], s))
    assert per_site[site_id] > 1
    site_name = SITE_NAMES[site_id]
    facet = page.locator('.facet-info[data-column="site_name"]')
    assert facet.get_by_role("listitem").count() == len(per_site)
    facet.get_by_role("link", name=site_name).click()
    page.wait_for_url("**site_name=*")
    site_rows = sorted(
        (row for row in expected.values() if row["site_id"] == site_id),
        key=lambda row: row["published"] or "",
        reverse=True,
    )
    # Newest first, as the view is configured; undated articles last.
    assert page.locator("td.col-title").all_inner_texts() == [r["title"] for r in site_rows]
    assert set(page.locator("td.col-site_name").all_inner_texts()) == {site_name}
    tab.shoot("03-facet-site")

    newest = site_rows[0]
    page.locator("td.col-title a").first.click()
    page.wait_for_url(f"**/archive/articles/{newest['id']}")
    truth = next(a for a in ARTICLES if a["title"] == newest["title"])
    assert page.inner_text(".desk-article h1") == truth["title"]
    text = page.inner_text(".desk-text")
    for phrase in truth["must_contain"]:
        assert phrase in text
    for noise in truth["must_not_contain"]:
        assert noise not in text
    cite = page.inner_text("#citation-text")
    assert f"{site_name} ({truth['published'][:10]})" in cite
    assert f"Party News Archive article {newest['id']}," in cite
    tab.shoot("04-article")
    assert tab.outside == []
    assert tab.errors == []


def test_canned_query_then_the_republished_article(tab: Tab, server: Served) -> None:
    page = tab.page
    page.goto(server.base + "/")
    page.click("text=Who re-publishes whom")
    page.wait_for_url("**/archive/republication_pairs")
    (pair,) = table_rows(page)
    delay = datetime.fromisoformat(COPY["published"]) - datetime.fromisoformat(
        ORIGINAL["published"]
    )
    assert pair["original_site"] == ORIGINAL["site_id"]
    assert pair["original_site_name"] == SITE_NAMES[ORIGINAL["site_id"]]
    assert pair["copy_site"] == COPY["site_id"]
    assert pair["copy_site_name"] == SITE_NAMES[COPY["site_id"]]
    assert pair["copies"] == "1"
    assert float(pair["median_delay_days"]) == round(delay.total_seconds() / 86400, 2)
    # Another title prefix, another lead and byline: similar, not identical.
    assert 0.8 <= float(pair["mean_similarity"]) < 1.0
    assert pair["first_copy"] == pair["last_copy"] == COPY["published"][:10]
    tab.shoot("05-canned-republication-pairs")

    # From the re-publications list to the copy's own page.
    page.goto(server.base + "/")
    page.click(".desk-card >> text=Re-publications")
    page.wait_for_url("**/archive/copies_view")
    page.click(f"td.col-copy_title >> text={COPY['title']}")
    (copy_id,) = server.ids_of(COPY["title"])
    page.wait_for_url(f"**/archive/articles/{copy_id}")
    assert page.inner_text(".desk-article h1") == COPY["title"]
    byline = page.inner_text(".desk-byline")
    assert f"{vn_date(COPY['published'])} {COPY['published'][11:16]}" in byline
    assert SITE_NAMES[COPY["site_id"]] in byline
    assert f"By {COPY['author']}" in byline
    for phrase in COPY["must_contain"]:
        assert phrase in page.inner_text(".desk-text")
    notice = page.locator(".desk-notice.copy")
    assert notice.count() == 1
    said = notice.inner_text()
    assert ORIGINAL["title"] in said
    assert SITE_NAMES[ORIGINAL["site_id"]] in said
    assert ORIGINAL["published"][:10] in said
    assert f"{delay.total_seconds() / 86400:.1f} days later" in said
    assert_date_evidence(page, server, copy_id, COPY)
    tab.shoot("06-article-copy")

    notice.get_by_role("link", name=ORIGINAL["title"]).click()
    (original_id,) = server.ids_of(ORIGINAL["title"])
    page.wait_for_url(f"**/archive/articles/{original_id}")
    assert page.inner_text(".desk-article h1") == ORIGINAL["title"]
    copies = page.locator("#copies li")
    assert copies.count() == 1
    assert SITE_NAMES[COPY["site_id"]] in copies.inner_text()
    assert COPY["published"][:10] in copies.inner_text()
    assert_date_evidence(page, server, original_id, ORIGINAL)
    tab.shoot("07-article-original")
    assert tab.outside == []
    assert tab.errors == []


def test_dashboard_charts_render_offline(tab: Tab, server: Served) -> None:
    page = tab.page
    drawn: list[Response] = []
    page.on("response", lambda r: drawn.append(r) if "/archive.json?sql=" in r.url else None)
    page.goto(server.base + "/-/dashboards/overview?keyword=tuyen+giao")
    for chart in ("per-month", "keyword-trend", "site-month"):
        # vega-embed draws into a canvas (or svg) once the data has loaded from our server.
        page.wait_for_selector(f"#chart-{chart} canvas, #chart-{chart} svg")
        box = page.locator(f"#chart-{chart} canvas, #chart-{chart} svg").first.bounding_box()
        assert box is not None
        assert box["width"] > 200
        assert box["height"] > 100
    assert page.inner_text("#chart-articles-total").strip() == str(len(ARTICLES))
    assert page.inner_text("#chart-sites-total").strip() == str(len(SITE_NAMES))
    assert page.inner_text("#chart-copies-total").strip() == "1"
    page.wait_for_load_state("networkidle")
    tab.shoot("08-dashboard")

    # What the bar charts were drawn from, checked against the truth: articles per month...
    data = {frozenset(rows[0]): rows for rows in (r.json()["rows"] for r in drawn) if rows}
    per_month = Counter(a["published"][:7] for a in ARTICLES if a["published"])
    assert data[frozenset({"month", "articles"})] == [
        {"month": f"{month}-01", "articles": n} for month, n in sorted(per_month.items())
    ]
    # ...and the share of each month's articles that mention "tuyen giao" (in any spelling).
    mentioning = Counter(
        row["published"][:7] for row in server.matching(QUERY_WORDS).values() if row["published"]
    )
    assert data[frozenset({"month", "mentioning", "articles", "percent"})] == [
        {
            "month": f"{month}-01",
            "mentioning": mentioning[month],
            "articles": n,
            "percent": round(100 * mentioning[month] / n, 2),
        }
        for month, n in sorted(per_month.items())
    ]
    # Vega and its data came from our server: nothing left 127.0.0.1.
    assert tab.outside == []
    assert {urlsplit(url).hostname for url in tab.requested} == {"127.0.0.1"}
    assert tab.errors == []
