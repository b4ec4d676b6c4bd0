"""The offline sample sites and the server that plays them back (crawler/demo.py).

Two halves: the server's HTTP behaviour (proxy and Host forms, 404s, conditional requests,
per-site server habits, redirects, the endless calendar, legacy encodings), and the
consistency of data/sample_sites/truth.json with the pages themselves, so that the end-to-end
crawl tests compare the archive with a truth that is really on the pages.
"""

from __future__ import annotations

import html
import http.client
import json
import re
import shutil
import unicodedata
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import lxml.html
import pytest

from crawler.demo import (
    DEFAULT_ROOT,
    RequestRecord,
    SampleServer,
    SampleSiteError,
    SampleSites,
    proxy_env,
    resource_key,
)
from crawler.registry import load_registry
from crawler.text import decode_html

TRUTH: dict[str, Any] = json.loads((DEFAULT_ROOT / "truth.json").read_text(encoding="utf-8"))
ARTICLES: list[dict[str, Any]] = TRUTH["articles"]
SITE_IDS = ("huyenuymau", "khoimau", "tinhuymau", "tuyengiaomau")

H1 = "http://huyenuy-mau.vn/tin-tuc/tuyen-giao-dan-van/son-mau-so-ket-cong-tac-tuyen-giao-6-thang-dau-nam-2024-215.html"
T2 = "http://tinhuy-mau.vn/Article/ViewDetail.aspx?mid=2542&aid=1044"
K2 = "http://khoi-mau.org.vn/2024/03/15/chi-bo-so-tai-chinh-sinh-hoat-chuyen-de-quy-i/"
CALENDAR = "http://tuyengiao-mau.vn/web/tuyengiao/lich-cong-tac"


def _article_id(article: dict[str, Any]) -> str:
    tail = urlsplit(article["url"])
    return f"{article['site_id']}:{(tail.path.rstrip('/').rsplit('/', 1)[-1] + tail.query)[-40:]}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleServer]:
    log = tmp_path_factory.mktemp("demo") / "requests.jsonl"
    with SampleServer(log_path=log) as running:
        yield running


class Reply:
    """A raw HTTP answer: status, headers (lower-case names) and body bytes."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def text(self) -> str:
        """The page's visible text, decoded by its declared charset, NFC, spaces collapsed."""
        page = decode_html(self.body, self.headers.get("content-type"))
        return " ".join(lxml.html.fromstring(page).text_content().split())


def fetch(
    server: SampleServer,
    url: str,
    *,
    proxy: bool = True,
    method: str = "GET",
    headers: dict[str, str] | None = None,
) -> Reply:
    """One request, no redirects followed: proxy form (absolute URI) or Host-header form."""
    parts = urlsplit(url)
    target = url if proxy else (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, target, headers={"Host": parts.netloc, **(headers or {})})
        response = conn.getresponse()
        body = response.read()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
    finally:
        conn.close()


def follow(server: SampleServer, url: str, hops: int = 3) -> tuple[str, Reply]:
    """Fetch url following up to `hops` redirects; returns the final URL and reply."""
    reply = fetch(server, url)
    while reply.status in (301, 302) and hops > 0:
        url = urljoin(url, reply.headers["location"])
        reply = fetch(server, url)
        hops -= 1
    return url, reply


# ------------------------------------------------------------------------------ the server


def test_proxy_form_through_a_standard_proxy_client(server: SampleServer) -> None:
    # urllib's ProxyHandler is what http_proxy does for any client: absolute URI, real Host
    proxies = {"http": proxy_env(server)["http_proxy"]}
    opener = urllib.request.build_opener(urllib.request.ProxyHandler(proxies))
    with opener.open("http://huyenuy-mau.vn/", timeout=10) as response:
        body = response.read()
        assert response.status == 200
        assert response.headers["Server"] == "Apache/2.4.41 (Ubuntu)"
    assert "Huyện ủy Sơn Mẫu - Cổng thông tin điện tử".encode() in body
    assert server.requests[-1] == RequestRecord("GET", "huyenuy-mau.vn", "/", 200, "proxy")


def test_host_form_serves_the_same_bytes_as_proxy_form(server: SampleServer) -> None:
    by_host = fetch(server, H1, proxy=False)
    by_proxy = fetch(server, H1)
    assert by_host.status == by_proxy.status == 200
    assert by_host.body == by_proxy.body
    assert server.requests[-2].form == "host"
    assert server.requests[-1].form == "proxy"


def test_the_absolute_uri_wins_over_the_host_header(server: SampleServer) -> None:
    # RFC 9112 3.2.2: a proxy request names its target in the request line
    reply = fetch(server, H1, headers={"Host": f"127.0.0.1:{server.port}"})
    assert reply.status == 200
    assert "Sơn Mẫu: Sơ kết công tác tuyên giáo" in reply.text()


@pytest.mark.parametrize("proxy", [True, False], ids=["proxy-form", "host-form"])
def test_unknown_host_is_404(server: SampleServer, proxy: bool) -> None:
    reply = fetch(server, "http://dangcongsan.vn/", proxy=proxy)
    assert reply.status == 404
    assert reply.headers["server"] == "SampleServer"


def test_unknown_path_is_the_sites_own_404_page(server: SampleServer) -> None:
    reply = fetch(server, "http://huyenuy-mau.vn/khong-co-trang-nay.html")
    assert reply.status == 404
    assert reply.headers["server"] == "Apache/2.4.41 (Ubuntu)"
    assert "Trang bạn yêu cầu không tồn tại" in reply.text()


@pytest.mark.parametrize(
    ("url", "server_header", "extra"),
    [
        ("http://huyenuy-mau.vn/", "Apache/2.4.41 (Ubuntu)", ("x-powered-by", "PHP/7.4.33")),
        ("http://khoi-mau.org.vn/", "nginx/1.18.0", ("x-powered-by", "PHP/8.1.27")),
        ("http://tinhuy-mau.vn/Default.aspx", "Microsoft-IIS/10.0", ("x-powered-by", "ASP.NET")),
        (
            "http://tuyengiao-mau.vn/web/tuyengiao",
            "Apache-Coyote/1.1",
            ("liferay-portal", "Liferay Community Edition Portal 7.0.6 GA7"),
        ),
    ],
    ids=["nukeviet", "wordpress", "aspnet-iis", "liferay"],
)
def test_each_site_sends_its_cms_server_headers(
    server: SampleServer, url: str, server_header: str, extra: tuple[str, str]
) -> None:
    reply = fetch(server, url)
    assert reply.status == 200
    assert reply.headers["server"] == server_header
    assert reply.headers[extra[0]] == extra[1]


def test_article_last_modified_is_its_publication_time(server: SampleServer) -> None:
    reply = fetch(server, H1)
    # published Wednesday 17/07/2024 08:15 Vietnam time = 01:15 GMT
    assert reply.headers["last-modified"] == "Wed, 17 Jul 2024 01:15:00 GMT"
    assert re.fullmatch(r'"[0-9a-f]{20}"', reply.headers["etag"])


@pytest.mark.parametrize(
    ("validators", "status"),
    [
        ({"If-None-Match": "{etag}"}, 304),
        ({"If-None-Match": "W/{etag}"}, 304),
        ({"If-None-Match": '"other", {etag}'}, 304),
        ({"If-None-Match": "*"}, 304),
        ({"If-None-Match": '"stale"'}, 200),
        ({"If-Modified-Since": "{lm}"}, 304),
        ({"If-Modified-Since": "Thu, 18 Jul 2024 00:00:00 GMT"}, 304),
        ({"If-Modified-Since": "Tue, 16 Jul 2024 00:00:00 GMT"}, 200),
        ({"If-Modified-Since": "not a date"}, 200),
        # If-None-Match decides when both are sent (RFC 9110 13.2.2)
        ({"If-None-Match": '"stale"', "If-Modified-Since": "{lm}"}, 200),
    ],
    ids=[
        "etag",
        "weak-etag",
        "etag-in-list",
        "star",
        "other-etag",
        "same-date",
        "later-date",
        "earlier-date",
        "bad-date",
        "etag-beats-date",
    ],
)
def test_conditional_requests(
    server: SampleServer, validators: dict[str, str], status: int
) -> None:
    first = fetch(server, H1)
    filled = {
        k: v.format(etag=first.headers["etag"], lm=first.headers["last-modified"])
        for k, v in validators.items()
    }
    reply = fetch(server, H1, headers=filled)
    assert reply.status == status
    if status == 304:
        assert reply.body == b""
        assert reply.headers["etag"] == first.headers["etag"]
    else:
        assert reply.body == first.body


def test_head_sends_headers_without_body(server: SampleServer) -> None:
    get = fetch(server, K2)
    head = fetch(server, K2, method="HEAD")
    assert head.status == 200
    assert head.body == b""
    assert head.headers["content-length"] == str(len(get.body))
    assert head.headers["etag"] == get.headers["etag"]


def test_post_is_refused(server: SampleServer) -> None:
    reply = fetch(server, "http://khoi-mau.org.vn/wp-comments-post.php", method="POST")
    assert reply.status == 405
    assert reply.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("http://tinhuy-mau.vn/ARTICLE/VIEWDETAIL.ASPX?AID=1044&MID=2542", 200),
        ("http://tinhuy-mau.vn/article/viewdetail.aspx?aid=1044&mid=2542", 200),
        ("http://tinhuy-mau.vn/Article/ViewDetail.aspx?aid=1044&mid=2542", 200),
        (H1.replace("/tin-tuc/", "/TIN-TUC/"), 404),
        ("http://khoi-mau.org.vn/Category/Tin-Hoat-Dong/", 404),
        ("http://tuyengiao-mau.vn/WEB/tuyengiao", 404),
    ],
    ids=[
        "iis-upper",
        "iis-lower-swapped",
        "iis-swapped-params",
        "nukeviet-upper",
        "wordpress-mixed",
        "liferay-upper",
    ],
)
def test_paths_are_case_insensitive_only_on_iis(
    server: SampleServer, url: str, status: int
) -> None:
    reply = fetch(server, url)
    assert reply.status == status
    if status == 200:
        assert reply.body == fetch(server, T2).body


@pytest.mark.parametrize(
    ("url", "status", "location"),
    [
        ("http://khoi-mau.org.vn/?p=447", 301, K2),
        (
            "http://khoi-mau.org.vn/2024/03/15/chi-bo-so-tai-chinh-sinh-hoat-chuyen-de-quy-i",
            301,
            "/2024/03/15/chi-bo-so-tai-chinh-sinh-hoat-chuyen-de-quy-i/",
        ),
        ("http://tinhuy-mau.vn/", 302, "/(S(k3v1x0yq2m4nzsb5ht0rjw55))/Default.aspx"),
        ("http://tuyengiao-mau.vn/", 302, "http://tuyengiao-mau.vn/web/tuyengiao"),
    ],
    ids=["wordpress-shortlink", "wordpress-trailing-slash", "aspnet-session", "liferay-home"],
)
def test_redirects(server: SampleServer, url: str, status: int, location: str) -> None:
    reply = fetch(server, url)
    assert (reply.status, reply.headers["location"]) == (status, location)
    final_url, final = follow(server, url)
    assert final.status == 200, final_url


def test_session_segments_serve_the_session_less_page(server: SampleServer) -> None:
    plain = fetch(server, T2)
    # any session id, as a cookieless ASP.NET site hands a new one to every visitor
    for segment in ("(S(k3v1x0yq2m4nzsb5ht0rjw55))", "(s(abc123))"):
        reply = fetch(server, T2.replace("/Article/", f"/{segment}/Article/"))
        assert reply.status == 200
        assert reply.body == plain.body


def test_liferay_redirect_parameters_are_ignored(server: SampleServer) -> None:
    article = next(a for a in ARTICLES if a["site_id"] == "tuyengiaomau")
    alias = next(u for u in article["aliases"] if "inheritRedirect" in u)
    assert fetch(server, alias).body == fetch(server, article["url"]).body
    # p_p_lifecycle=0 is Liferay's default, so listings answer without it too
    page_two = next(p["url"] for p in TRUTH["pages"] if "_cur=2" in p["url"])
    assert "p_p_lifecycle=0&" in page_two
    short = fetch(server, page_two.replace("p_p_lifecycle=0&", ""))
    assert short.status == 200
    assert short.body == fetch(server, page_two).body
    # but an unknown parameter is another resource, as on the real portal's static routes
    assert fetch(server, article["url"] + "?foo=1").status == 404


def _calendar_links(reply: Reply) -> tuple[str, str]:
    tree = lxml.html.fromstring(reply.body)
    prev = tree.xpath("//a[@class='prev']/@href")[0]
    nxt = tree.xpath("//a[@class='next']/@href")[0]
    return prev, nxt


def test_calendar_links_the_next_day_forever(server: SampleServer) -> None:
    url = CALENDAR
    reply = fetch(server, url)
    day = date(2026, 11, 23)  # the demo's "today", the calendar's first page
    etags = set()
    for _ in range(12):
        assert reply.status == 200
        assert f"ngày {day:%d/%m/%Y}" in reply.text()
        etags.add(reply.headers["etag"])
        prev, nxt = _calendar_links(reply)
        assert prev.endswith(f"?ngay={day - timedelta(days=1):%Y-%m-%d}")
        assert nxt.endswith(f"?ngay={day + timedelta(days=1):%Y-%m-%d}")
        url = urljoin(url, nxt)
        day += timedelta(days=1)
        reply = fetch(server, url)
    assert len(etags) == 12  # every day is a distinct page: the trap a crawler must notice


@pytest.mark.parametrize(
    ("query", "status", "shown"),
    [
        ("?ngay=2150-01-01", 200, "Thứ Năm, ngày 01/01/2150"),
        ("?ngay=1999-12-31", 200, "Thứ Sáu, ngày 31/12/1999"),
        ("?ngay=2026-11-28", 200, "Không có lịch công tác."),
        ("?ngay=2026-02-30", 404, None),
        ("?ngay=hom-nay", 404, None),
    ],
    ids=["far-future", "past", "weekend", "impossible-day", "not-a-date"],
)
def test_calendar_days(server: SampleServer, query: str, status: int, shown: str | None) -> None:
    reply = fetch(server, CALENDAR + query)
    assert reply.status == status
    if shown:
        assert shown in reply.text()


def test_windows_1258_page_bytes_and_header(server: SampleServer) -> None:
    article = next(a for a in ARTICLES if a["encoding"] == "windows-1258")
    reply = fetch(server, article["url"])
    assert reply.headers["content-type"] == "text/html; charset=windows-1258"
    assert b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1258" />' in (
        reply.body
    )
    with pytest.raises(UnicodeDecodeError):
        reply.body.decode("utf-8")
    # "Tổng kết": windows-1258 spells ế as ê (0xEA) plus a combining acute accent (0xEC)
    assert b"T\xf4\xd2ng k\xea\xect" in reply.body
    assert article["title"] == "Tổng kết 5 năm thực hiện Chỉ thị 03-CT/TW của Bộ Chính trị"
    assert article["title"] in unicodedata.normalize("NFC", reply.body.decode("cp1258"))


def test_nfd_page_is_decomposed_utf8(server: SampleServer) -> None:
    article = next(a for a in ARTICLES if a["unicode_form"] == "NFD")
    raw = fetch(server, article["url"]).body.decode("utf-8")
    assert not unicodedata.is_normalized("NFC", raw)
    assert article["title"] not in raw  # a naive comparison misses it
    assert article["title"] in unicodedata.normalize("NFC", raw)


def test_requests_are_logged_in_memory_and_as_json_lines(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    with SampleServer(log_path=log) as own:
        fetch(own, "http://khoi-mau.org.vn/?p=447")
        fetch(own, "http://nowhere.example/x", proxy=False)
        fetch(own, "http://tinhuy-mau.vn/Pages/GioiThieu.aspx", method="HEAD")
        expected = [
            RequestRecord("GET", "khoi-mau.org.vn", "/?p=447", 301, "proxy"),
            RequestRecord("GET", "nowhere.example", "/x", 404, "host"),
            RequestRecord("HEAD", "tinhuy-mau.vn", "/Pages/GioiThieu.aspx", 200, "proxy"),
        ]
        assert own.requests == expected
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert lines == [
        {"method": r.method, "host": r.host, "path": r.path, "status": r.status, "form": r.form}
        for r in expected
    ]


def test_server_stops_cleanly() -> None:
    with SampleServer() as own:
        port = own.port
        assert fetch(own, "http://tinhuy-mau.vn/robots.txt").status == 200
    with pytest.raises(ConnectionRefusedError):
        http.client.HTTPConnection("127.0.0.1", port, timeout=5).connect()


def test_proxy_env_points_http_proxy_at_the_server(server: SampleServer) -> None:
    assert proxy_env(server) == {
        "http_proxy": server.url,
        "HTTP_PROXY": server.url,
        "no_proxy": "",
        "NO_PROXY": "",
    }
    assert server.url == f"http://127.0.0.1:{server.port}"


@pytest.mark.parametrize(
    ("path", "query", "case_insensitive", "expected"),
    [
        ("/a/B", "y=2&x=1", False, "/a/B?x=1&y=2"),
        ("/A/b%2Dc", "Y=2&x=1", True, "/a/b-c?x=1&y=2"),
        ("", "", False, "/"),
        ("/p", "redirect=%2Fx&id=3", False, "/p?id=3"),
    ],
    ids=["sorted-params", "iis-folded", "empty-path", "ignored-param"],
)
def test_resource_key(path: str, query: str, case_insensitive: bool, expected: str) -> None:
    key = resource_key(
        path, query, case_insensitive=case_insensitive, ignored=frozenset({"redirect"})
    )
    assert key == expected


def test_missing_page_file_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "sites"
    shutil.copytree(DEFAULT_ROOT, root)
    (root / "khoi-mau.org.vn" / "feed" / "index.xml").unlink()
    with pytest.raises(SampleSiteError, match=r"khoi-mau\.org\.vn/feed/: cannot read"):
        SampleServer(root)


def test_missing_routes_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SampleSiteError, match=r"cannot read .*routes\.json"):
        SampleServer(tmp_path)


# ------------------------------------------------------------------------------ the sites


def test_registry_lists_the_four_sample_sites(server: SampleServer) -> None:
    header = (DEFAULT_ROOT / "sites.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "id,name,level,province,url,province_now,status,notes"
    sites, errors = load_registry(DEFAULT_ROOT / "sites.csv")
    assert errors == []
    assert [s.id for s in sites] == list(SITE_IDS)
    assert [s.level for s in sites] == ["district", "bloc", "province", "province"]
    assert sorted(s.host for s in sites) == server.hosts
    for site in sites:
        assert site.url.startswith("http://")
        _, reply = follow(server, site.url)
        assert reply.status == 200, site.url


def test_sample_sites_stay_small() -> None:
    total = sum(p.stat().st_size for p in DEFAULT_ROOT.rglob("*") if p.is_file())
    assert total < 1_000_000


@pytest.mark.parametrize("site_id", SITE_IDS)
def test_each_site_has_the_listed_ingredients(server: SampleServer, site_id: str) -> None:
    articles = [a for a in ARTICLES if a["site_id"] == site_id]
    assert 5 <= len(articles) <= 8
    assert all(150 <= a["words"] <= 500 for a in articles)
    assert sum(a["published"] is None for a in articles) == 1  # one undated article
    kinds = {p["kind"] for p in TRUTH["pages"] if p["site_id"] == site_id}
    assert {"home", "listing", "tag", "static", "robots"} <= kinds
    listings = [
        p["url"] for p in TRUTH["pages"] if p["site_id"] == site_id and p["kind"] == "listing"
    ]
    assert len(listings) >= 4  # two categories with two pages each
    host = urlsplit(articles[0]["url"]).hostname
    home = fetch(
        server,
        next(p["url"] for p in TRUTH["pages"] if p["site_id"] == site_id and p["kind"] == "home"),
    )
    tree = lxml.html.fromstring(home.body)
    assert tree.xpath("//nav//ul[contains(@class,'menu')] | //header//ul[contains(@class,'menu')]")
    dead = [u for u in TRUTH["dead_links"] if urlsplit(u).hostname == host]
    assert len(dead) == 1
    assert fetch(server, dead[0]).status == 404


@pytest.mark.parametrize("url", [p["url"] for p in TRUTH["pages"]], ids=lambda u: u[7:60])
def test_every_non_article_page_resolves(server: SampleServer, url: str) -> None:
    assert fetch(server, url).status == 200


def test_every_link_on_every_page_resolves_except_the_dead_ones() -> None:
    sites = SampleSites.load()
    now = datetime.fromisoformat("2026-11-23T10:00:00+07:00")
    pages = [p["url"] for p in TRUTH["pages"] if p["kind"] not in ("feed", "sitemap", "robots")]
    pages += [a["url"] for a in ARTICLES]
    seen: set[str] = set()
    broken: list[str] = []
    for page_url in pages:
        parts = urlsplit(page_url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        reply = sites.respond("GET", parts.hostname or "", target, {}, now)
        content_type = dict(reply.headers)["Content-Type"]
        tree = lxml.html.fromstring(decode_html(reply.body, content_type))
        for href in tree.xpath("//a/@href | //link[@rel='alternate']/@href"):
            url = urljoin(page_url, href).split("#")[0]
            link = urlsplit(url)
            if link.scheme != "http" or link.hostname != parts.hostname or url in seen:
                continue
            seen.add(url)
            path = link.path + (f"?{link.query}" if link.query else "")
            status = sites.respond("GET", link.hostname or "", path, {}, now).status
            if status not in (200, 301, 302) and url not in TRUTH["dead_links"]:
                broken.append(f"{page_url} -> {url}: {status}")
    assert broken == []
    # the walk covered the sites: every article is linked under its canonical URL somewhere
    assert {a["url"] for a in ARTICLES} <= seen


def test_dead_links_are_linked_from_their_site() -> None:
    for url in TRUTH["dead_links"]:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        pages = (DEFAULT_ROOT / (parts.hostname or "")).rglob("*.html")
        needle = f'href="{path.replace("&", "&amp;")}"'.encode()
        linked = [page for page in pages if needle in page.read_bytes()]
        assert linked, url


@pytest.mark.parametrize("article", ARTICLES, ids=_article_id)
def test_truth_matches_the_article_page(server: SampleServer, article: dict[str, Any]) -> None:
    reply = fetch(server, article["url"])
    assert reply.status == 200
    text = reply.text()
    assert article["title"] in text
    for phrase in article["must_contain"]:
        assert phrase in text
    # the noise is really on the page (as text, or as an image's file-name alt), so an
    # extractor that keeps it fails the crawl tests
    source = html.unescape(decode_html(reply.body, reply.headers["content-type"]))
    for phrase in article["must_not_contain"]:
        assert phrase in source
    assert any(phrase in text for phrase in article["must_not_contain"])
    published = article["published"]
    assert published is None or re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00\+07:00", published)
    if article["author"]:
        assert article["author"] in text


@pytest.mark.parametrize("article", ARTICLES, ids=_article_id)
def test_truth_aliases_reach_the_article(server: SampleServer, article: dict[str, Any]) -> None:
    for alias in article["aliases"]:
        final_url, reply = follow(server, alias)
        assert reply.status == 200, alias
        if final_url != alias:  # a shortlink redirects to the canonical URL itself
            assert final_url == article["url"]
        assert article["title"] in reply.text(), alias


def test_one_article_is_republished_two_days_later_on_another_site(server: SampleServer) -> None:
    copies = [a for a in ARTICLES if a["copy_of"]]
    assert [a["url"] for a in copies] == [T2]
    copy = copies[0]
    original = next(a for a in ARTICLES if a["url"] == copy["copy_of"])
    assert original["url"] == H1
    assert copy["site_id"] != original["site_id"]
    assert copy["title"] != original["title"]
    assert copy["title"].split(":", 1)[1] == original["title"].split(":", 1)[1]
    assert copy["author"] != original["author"]
    gap = (
        datetime.fromisoformat(copy["published"]).date()
        - datetime.fromisoformat(original["published"]).date()
    )
    assert gap == timedelta(days=2)
    copy_text = fetch(server, copy["url"]).text()
    original_text = fetch(server, original["url"]).text()
    # same body, different lead sentence
    for phrase in original["must_contain"][1:]:
        assert phrase in copy_text
    assert original["must_contain"][0] not in copy_text
    assert copy["must_contain"][0] not in original_text


def _feed_dates(reply: Reply) -> dict[str, str | None]:
    root = ET.fromstring(reply.body)
    items = root.iter("item")
    dates: dict[str, str | None] = {}
    for item in items:
        dates[item.findtext("link") or ""] = item.findtext("pubDate")
    for url in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}url"):
        loc = url.findtext("{http://www.sitemaps.org/schemas/sitemap/0.9}loc") or ""
        dates[loc] = url.findtext("{http://www.sitemaps.org/schemas/sitemap/0.9}lastmod")
    return dates


@pytest.mark.parametrize(
    ("feed", "site_id", "utc"),
    [
        ("http://huyenuy-mau.vn/rss/", "huyenuymau", False),
        ("http://khoi-mau.org.vn/feed/", "khoimau", True),
        ("http://tuyengiao-mau.vn/sitemap.xml", "tuyengiaomau", False),
    ],
    ids=["nukeviet-rss", "wordpress-feed-utc", "liferay-sitemap"],
)
def test_feeds_date_articles_as_the_truth_does(
    server: SampleServer, feed: str, site_id: str, utc: bool
) -> None:
    dates = _feed_dates(fetch(server, feed))
    for article in (a for a in ARTICLES if a["site_id"] == site_id):
        stated = dates.get(article["url"])
        if article["published"] is None:
            assert stated is None  # the undated article gets no date from the feed either
            continue
        assert stated is not None, article["url"]
        if stated[:4].isdigit():  # a sitemap's ISO 8601 lastmod
            parsed = datetime.fromisoformat(stated)
        else:
            parsed = parsedate_to_datetime(stated)
            assert stated.endswith("+0000") == utc
        assert parsed == datetime.fromisoformat(article["published"])


def test_wordpress_feed_pubdate_is_utc(server: SampleServer) -> None:
    dates = _feed_dates(fetch(server, "http://khoi-mau.org.vn/feed/"))
    # 15/03/2024 15:45 in Vietnam is 08:45 UTC
    assert dates[K2] == "Fri, 15 Mar 2024 08:45:00 +0000"
    assert dates[K2] == format_datetime(datetime.fromisoformat("2024-03-15T08:45:00+00:00"))


def test_nukeviet_feed_is_announced_and_print_path_disallowed(server: SampleServer) -> None:
    home = lxml.html.fromstring(fetch(server, "http://huyenuy-mau.vn/").body)
    assert home.xpath("//link[@rel='alternate' and @type='application/rss+xml']/@href") == ["/rss/"]
    robots = RobotFileParser()
    robots.parse(fetch(server, "http://huyenuy-mau.vn/robots.txt").body.decode().splitlines())
    print_url = H1.replace("/tuyen-giao-dan-van/", "/print/")
    assert not robots.can_fetch("*", print_url)
    assert robots.can_fetch("*", H1)
    assert fetch(server, print_url).status == 200  # served all the same, as real sites do


def test_liferay_robots_announces_the_sitemap(server: SampleServer) -> None:
    robots = RobotFileParser()
    robots.parse(fetch(server, "http://tuyengiao-mau.vn/robots.txt").body.decode().splitlines())
    assert robots.site_maps() == ["http://tuyengiao-mau.vn/sitemap.xml"]


def test_liferay_articles_declare_their_canonical_url(server: SampleServer) -> None:
    for article in (a for a in ARTICLES if a["site_id"] == "tuyengiaomau"):
        reply = fetch(server, article["url"])
        tree = lxml.html.fromstring(decode_html(reply.body, reply.headers["content-type"]))
        assert tree.xpath("//link[@rel='canonical']/@href") == [article["url"]]


def test_wordpress_articles_state_published_time_meta(server: SampleServer) -> None:
    for article in (a for a in ARTICLES if a["site_id"] == "khoimau" and a["published"]):
        tree = lxml.html.fromstring(fetch(server, article["url"]).body)
        meta = tree.xpath("//meta[@property='article:published_time']/@content")
        assert meta == [article["published"]]


def test_urllib_error_for_404_through_proxy(server: SampleServer) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": server.url}))
    with pytest.raises(urllib.error.HTTPError) as caught:
        opener.open(TRUTH["dead_links"][0], timeout=10)
    caught.value.close()
    assert caught.value.code == 404
