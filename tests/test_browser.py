"""The desk in a real browser: Datasette on 127.0.0.1 as `crawler serve` starts it, driven by
Debian's headless Chromium through Playwright. Screenshots go to test-artifacts/.

Skipped, with the reason, when /usr/bin/chromium or Playwright is missing (`make system-deps`
installs chromium; Playwright never downloads a browser here).
"""

from __future__ import annotations

import socket
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from crawler import desk
from tests.conftest import ROOT, wait_until
from tests.test_desk import build_archive

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

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

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package (dev)")


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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Datasette serving the sample archive read-only, exactly as desk.serve_command builds it."""
    db_path = build_archive(tmp_path_factory.mktemp("served") / "archive.db")
    port = free_port()
    log = (tmp_path_factory.getbasetemp() / "datasette.log").open("w")
    process = subprocess.Popen(
        desk.serve_command(db_path, "127.0.0.1", port), stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_until(lambda: answers(base + "/-/versions.json"), deadline=30):
            pytest.fail(f"Datasette did not start: see {log.name}")
        yield base
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
    #: URLs on other hosts the page asked for (aborted): a CDN would show up here
    outside: list[str] = field(default_factory=list)
    #: uncaught JavaScript errors
    errors: list[str] = field(default_factory=list)

    def shoot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def tab(browser: Browser, server: str) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    watched = Tab(context.new_page())
    watched.page.set_default_timeout(15_000)
    own_host = urlsplit(server).netloc

    def only_local(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).netloc == own_host or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            watched.outside.append(url)
            route.abort()

    watched.page.route("**/*", only_local)
    watched.page.on("pageerror", lambda error: watched.errors.append(str(error)))
    yield watched
    context.close()


def test_search_without_diacritics_then_facet_then_article(tab: Tab, server: str) -> None:
    page = tab.page
    page.goto(server + "/")
    tab.shoot("01-home")
    page.fill(".desk-hero input[name=q]", "tuyen giao")
    page.click(".desk-hero button[type=submit]")
    page.wait_for_url("**/archive/search?q=tuyen+giao")
    titles = page.locator(".desk-hit h2").all_inner_texts()
    # Typed without diacritics, found with them: the first two hits say "tuyên giáo" in the title.
    assert sorted(titles[:2]) == [
        "Hội nghị tổng kết công tác tuyên giáo năm 2022",
        "Quảng Trị: Tổng kết công tác tuyên giáo năm 2022",
    ]
    assert len(titles) == 4
    assert page.locator(".desk-hit mark").count() >= 8
    tab.shoot("02-search-tuyen-giao")

    page.click("text=Filter these by site, province, year or month")
    page.wait_for_url("**/archive/articles_view?_search=tuyen+giao")
    assert page.locator("table.rows-and-columns tbody tr").count() == 4
    facet = page.locator('.facet-info[data-column="site_name"]')
    facet.get_by_role("link", name="Tỉnh ủy Quảng Trị").click()
    page.wait_for_url("**site_name=*")
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() == 2
    assert sorted(page.locator("td.col-title").all_inner_texts()) == [
        "Hội nghị tổng kết công tác tuyên giáo năm 2022",
        "Tuyên truyền kết quả Hội nghị Trung ương 10",
    ]
    tab.shoot("03-facet-site")

    page.click("td.col-title >> text=Hội nghị tổng kết công tác tuyên giáo năm 2022")
    page.wait_for_url("**/archive/articles/1")
    assert "Tỉnh ủy Quảng Trị (2023-01-12)" in page.inner_text("#citation-text")
    assert page.locator(".desk-text p").count() == 3
    tab.shoot("04-article")
    assert tab.outside == []
    assert tab.errors == []


def test_canned_query_in_the_browser(tab: Tab, server: str) -> None:
    page = tab.page
    page.goto(server + "/")
    page.click("text=Who re-publishes whom")
    page.wait_for_url("**/archive/republication_pairs")
    first = page.locator("table.rows-and-columns tbody tr").first
    cells = first.locator("td").all_inner_texts()
    assert cells[:6] == [
        "tinhuyquangtri",
        "Tỉnh ủy Quảng Trị",
        "dangcongsan",
        "Báo điện tử Đảng Cộng sản Việt Nam",
        "3",
        "3.0",
    ]
    tab.shoot("05-canned-republication-pairs")
    assert tab.outside == []


def test_dashboard_charts_render_offline(tab: Tab, server: str) -> None:
    page = tab.page
    page.goto(server + "/-/dashboards/overview?keyword=tuyen+giao")
    for chart in ("per-month", "keyword-trend", "site-month"):
        # vega-embed draws into a canvas (or svg) once the data has loaded from our server.
        page.wait_for_selector(f"#chart-{chart} canvas, #chart-{chart} svg")
    assert page.inner_text("#chart-articles-total").strip() == "12"
    tab.shoot("06-dashboard")
    assert tab.outside == []
    assert tab.errors == []
