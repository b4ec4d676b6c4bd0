"""The throughput benchmark (benchmarks/throughput.py, corpus.py, server.py): shape, not speed.

No assertion here is about time: the benchmark measures speed, these tests check that its
corpus can be crawled, that its server answers as the crawl needs, and that one run prints
every figure issue 11 asks for.
"""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import corpus  # noqa: E402
import throughput  # noqa: E402
from server import CorpusServer  # noqa: E402

#: every line `make bench` must print (issue 11), in this order
EXPECTED = [
    "fetch_rate",
    "cpu_floor_rate",
    "pipeline_rate",
    "articles_rate",
    "rss_mib_at_5k",
    "rss_mib_at_10k",
    "rss_mib_at_20k",
    "pipeline_vs_cpu_floor",
]


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> corpus.CorpusInfo:
    """60 articles over 3 sites (NukeViet, WordPress and ASP.NET styles)."""
    return corpus.generate(tmp_path_factory.mktemp("corpus"), articles=60, sites=3, seed=1)


def _pages(info: corpus.CorpusInfo) -> dict[str, bytes]:
    """url -> body of every HTML page."""
    found = {}
    for ref in throughput.html_pages(info.root):
        data = (info.root / ref.file).read_bytes()
        found[ref.url] = data[ref.offset : ref.offset + ref.length]
    return found


def test_corpus_counts(small_corpus: corpus.CorpusInfo) -> None:
    # Per site: 20 articles, 6 category listings of one page each, 22 static pages (menus,
    # topics, contact...), the home page.
    assert small_corpus.articles == 60
    assert small_corpus.pages == 3 * (20 + 6 + 22 + 1)
    assert len(small_corpus.hosts) == 3


def test_every_article_is_linked_from_a_listing(small_corpus: corpus.CorpusInfo) -> None:
    """The crawler finds articles through listings: none may be reachable only by its URL."""
    pages = _pages(small_corpus)
    specs = corpus.plan_sites(60, 3, 1)
    articles = {spec.base + a.url for spec in specs for a in spec.articles}
    listed = set()
    for spec in specs:
        for category in range(len(spec.categories)):
            url = spec.base + corpus.listing_path(spec, category, 1)
            tree = lxml.html.document_fromstring(pages[url])
            tree.make_links_absolute(url)
            listed |= {a.get("href") for a in tree.cssselect(".news-list a")}
    assert articles == listed
    assert articles <= set(pages)


def test_listing_pagination_reaches_every_page(tmp_path: Path) -> None:
    info = corpus.generate(tmp_path, articles=300, sites=1, seed=1)
    spec = corpus.plan_sites(300, 1, 1)[0]
    pages = _pages(info)
    # 50 articles in the first category: pages 1-3 of 20 teasers, linked from page 1.
    first = spec.base + corpus.listing_path(spec, 0, 1)
    tree = lxml.html.document_fromstring(pages[first])
    tree.make_links_absolute(first)
    pager = [a.get("href") for a in tree.cssselect(".pagination a")]
    assert [spec.base + corpus.listing_path(spec, 0, n) for n in (2, 3)] == pager[:2]
    assert all(url in pages for url in pager)


def test_article_pages_are_about_50_kb_of_real_page(small_corpus: corpus.CorpusInfo) -> None:
    pages = _pages(small_corpus)
    specs = corpus.plan_sites(60, 3, 1)
    sizes = [len(pages[spec.base + a.url]) for spec in specs for a in spec.articles]
    assert 38_000 < sum(sizes) / len(sizes) < 62_000
    page = lxml.html.document_fromstring(pages[specs[0].base + specs[0].articles[0].url])
    # The noise an extractor must leave out is there: menu, sidebar widgets, counter, footer.
    text = page.text_content()
    for noise in ("Thăm dò ý kiến", "Tổng lượt truy cập", "Tin liên quan", "Số lượt xem"):
        assert noise in text
    assert len(list(page.iter("a"))) > 80


def test_corpus_is_deterministic(tmp_path: Path) -> None:
    a = corpus.generate(tmp_path / "a", articles=20, sites=2, seed=7)
    b = corpus.generate(tmp_path / "b", articles=20, sites=2, seed=7)
    c = corpus.generate(tmp_path / "c", articles=20, sites=2, seed=8)
    host = a.hosts[0]
    assert (a.root / f"{host}.bin").read_bytes() == (b.root / f"{host}.bin").read_bytes()
    assert (a.root / f"{host}.bin").read_bytes() != (c.root / f"{c.hosts[0]}.bin").read_bytes()


def test_some_articles_are_republished_by_another_site() -> None:
    specs = corpus.plan_sites(2000, 5, 1)
    copies = [(s, a) for s in specs for a in s.articles if a.copy_of is not None]
    # About 4 %: enough for the near-duplicate path to run, not so many that it dominates.
    assert 40 <= len(copies) <= 120
    site, article = copies[0]
    source = article.copy_of
    assert source is not None
    assert source.paragraphs == article.paragraphs
    assert source not in site.articles


@pytest.mark.parametrize(
    ("target", "host_header", "status", "server_header"),
    [
        ("http://{host}/", "", 200, "Apache/2.4.41 (Ubuntu)"),
        ("/", "{host}", 200, "Apache/2.4.41 (Ubuntu)"),
        ("http://{host}/robots.txt", "", 200, "Apache/2.4.41 (Ubuntu)"),
        ("http://{host}/no-such-page.html", "", 404, "Apache/2.4.41 (Ubuntu)"),
        ("http://unknown.bench.vn/", "", 404, None),
        ("http://{iis}{IIS_LISTING}", "", 200, "Microsoft-IIS/10.0"),
        ("http://{host}{LISTING}", "", 404, "Apache/2.4.41 (Ubuntu)"),
        ("http://{host}{listing}", "", 200, "Apache/2.4.41 (Ubuntu)"),
    ],
    ids=[
        "proxy-form",
        "host-form",
        "robots",
        "unknown-path",
        "unknown-host",
        "iis-paths-ignore-case",
        "other-paths-keep-case",
        "listing",
    ],
)
def test_server_answers(
    small_corpus: corpus.CorpusInfo,
    target: str,
    host_header: str,
    status: int,
    server_header: str | None,
) -> None:
    nukeviet, _wordpress, iis = corpus.plan_sites(60, 3, 1)
    listing = corpus.listing_path(nukeviet, 0, 1)
    target = target.format(
        host=nukeviet.host,
        iis=iis.host,
        listing=listing,
        LISTING=listing.upper(),
        IIS_LISTING=corpus.listing_path(iis, 0, 1).upper(),
    )
    with CorpusServer(small_corpus.root) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        headers = {"Host": host_header.format(host=nukeviet.host)} if host_header else {}
        conn.request("GET", target, headers=headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        assert response.status == status
        assert response.getheader("Server") == server_header
        assert server.stats().responses == 1


def test_server_keeps_connections_and_honours_etags(small_corpus: corpus.CorpusInfo) -> None:
    host = small_corpus.hosts[0]
    with CorpusServer(small_corpus.root) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", f"http://{host}/")
        first = conn.getresponse()
        body = first.read()
        etag = first.getheader("ETag")
        # The same connection serves the next request (keep-alive) and a matching ETag gets 304.
        conn.request("GET", f"http://{host}/", headers={"If-None-Match": str(etag)})
        second = conn.getresponse()
        assert second.read() == b""
        conn.close()
        stats = server.stats()
    assert first.status == 200
    assert body.startswith(b"<!DOCTYPE html>")
    assert second.status == 304
    assert (stats.responses, stats.html_pages, stats.body_bytes) == (2, 1, len(body))


@pytest.mark.parametrize(
    ("articles", "expected"),
    [
        (20000, [5000, 10000, 20000]),
        (40000, [5000, 10000, 20000]),
        (200, [50, 100, 200]),
    ],
    ids=["full", "larger-keeps-5k-10k-20k", "scaled-down"],
)
def test_memory_checkpoints(articles: int, expected: list[int]) -> None:
    names = ["rss_mib_at_5k", "rss_mib_at_10k", "rss_mib_at_20k"]
    assert throughput.checkpoints(articles) == list(zip(names, expected, strict=True))


def test_peak_until_takes_the_peak_before_the_checkpoint() -> None:
    mib = throughput.MIB
    samples = tuple(
        throughput.Sample(pages, 0, rss * mib, 3, 0.0)
        for pages, rss in [(0, 100), (40, 300), (90, 200), (150, 500)]
    )
    assert throughput.peak_until(samples, 100) == 300
    assert throughput.peak_until(samples, 150) == 500
    assert throughput.peak_until(samples, 10) == 100


def test_spread_takes_pages_evenly() -> None:
    refs = [throughput.PageRef(f"http://a/{i}", "a.bin", i, 1) for i in range(10)]
    assert [r.offset for r in throughput.spread(refs, 5)] == [0, 2, 4, 6, 8]
    assert throughput.spread(refs, 0) == refs
    assert throughput.spread(refs, 50) == refs


@pytest.mark.slow
def test_make_bench_prints_every_figure(tmp_path: Path) -> None:
    """A tiny end-to-end run: the real crawl over the corpus, every expected line, in order."""
    result = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "throughput.py"),
            *("--articles", "20", "--sites", "2", "--floor-pages", "20"),
            *("--workdir", str(tmp_path)),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    lines = [line for line in result.stdout.splitlines() if re.match(r"^\w+: ", line)]
    values = dict(line.split(": ", 1) for line in lines)
    for name in EXPECTED:
        assert re.fullmatch(r"\d+(\.\d+)?", values[name]), (name, values.get(name))
    names = [line.split(":")[0] for line in lines]
    assert names[-1] == "pipeline_vs_cpu_floor"
    assert [n for n in names if n in EXPECTED] == EXPECTED
    # The crawl found every page of the corpus by itself and stored every article.
    assert values["pipeline_pages"] == values["corpus_pages"] == values["fetch_pages"]
    assert values["articles_stored"] == "20"
    assert values["pipeline_not_found"] == "0"
