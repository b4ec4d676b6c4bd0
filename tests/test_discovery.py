"""Link, feed and sitemap discovery on small hand-written documents."""

from __future__ import annotations

from urllib.parse import urljoin

import lxml.html
import pytest

from crawler.discovery import (
    _resolve,
    declared_canonical,
    feed_entries,
    feed_links,
    is_feed_or_sitemap,
    page_links,
    robots_sitemaps,
    sitemap_entries,
)

LISTING = """<html><head><link rel="alternate" type="application/rss+xml" href="/rss/">
<link rel="canonical" href="/tin-tuc/tuyen-giao/"></head><body>
<nav><ul class="menu"><li><a href="/">Trang chủ</a></li>
<li><a href="/tin-tuc/">Tin tức</a></li></ul></nav>
<ul class="list">
<li><a href="/tin-tuc/a-1.html">Hội nghị tổng kết</a> <em>(12/03/2019)</em></li>
<li><a href="bai-2.html">Bài hai</a><span>01-02-2020</span></li>
<li><a href="#top">Lên đầu</a></li><li><a href="javascript:void(0)">JS</a></li>
</ul>
<div class="pagination"><a href="?page=2">2</a><a href="?page=2">Sau</a></div>
</body></html>"""


def test_page_links_resolve_and_read_teaser_dates() -> None:
    tree = lxml.html.document_fromstring(LISTING)
    links = {link.url: link for link in page_links(tree, "http://x.vn/tin-tuc/tuyen-giao/")}
    # Fragments and javascript: links are not pages.
    assert sorted(links) == [
        "http://x.vn/",
        "http://x.vn/tin-tuc/",
        "http://x.vn/tin-tuc/a-1.html",
        "http://x.vn/tin-tuc/tuyen-giao/?page=2",
        "http://x.vn/tin-tuc/tuyen-giao/bai-2.html",
    ]
    assert links["http://x.vn/tin-tuc/a-1.html"].date_raw == "12/03/2019"
    assert links["http://x.vn/tin-tuc/a-1.html"].text == "Hội nghị tổng kết"
    assert links["http://x.vn/tin-tuc/tuyen-giao/bai-2.html"].date_raw == "01-02-2020"
    assert links["http://x.vn/"].in_nav is True
    assert links["http://x.vn/tin-tuc/a-1.html"].in_nav is False
    assert links["http://x.vn/tin-tuc/tuyen-giao/?page=2"].is_pager is True


def test_feed_autodiscovery_and_canonical() -> None:
    tree = lxml.html.document_fromstring(LISTING)
    assert feed_links(tree, "http://x.vn/a/") == ["http://x.vn/rss/"]
    assert declared_canonical(tree, "http://x.vn/a/") == "http://x.vn/tin-tuc/tuyen-giao/"


RSS = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>
<item><title>B\xc3\xa0i m\xe1\xbb\x99t</title><link>http://x.vn/a-1.html</link>
<pubDate>Mon, 01 Jan 2018 17:30:00 +0000</pubDate></item>
<item><title>Two</title><link>/a-2.html</link></item></channel></rss>"""

ATOM = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>A</title>
<link href="http://x.vn/b.html"/><published>2020-02-03T10:00:00+07:00</published>
<updated>2020-02-04T10:00:00+07:00</updated></entry></feed>"""


def test_rss_and_atom_entries() -> None:
    rss = feed_entries(RSS, "http://x.vn/rss/")
    assert [(e.url, e.title, e.date_raw) for e in rss] == [
        ("http://x.vn/a-1.html", "Bài một", "Mon, 01 Jan 2018 17:30:00 +0000"),
        ("http://x.vn/a-2.html", "Two", None),
    ]
    atom = feed_entries(ATOM, "http://x.vn/feed")
    # The publication date wins over the update date.
    assert [(e.url, e.date_raw) for e in atom] == [
        ("http://x.vn/b.html", "2020-02-03T10:00:00+07:00")
    ]


SITEMAP = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>http://x.vn/a.html</loc><lastmod>2021-05-06</lastmod></url><url><loc>/b.html</loc></url>
</urlset>"""
INDEX = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://x.vn/s1.xml</loc></sitemap></sitemapindex>"""
BOMB = b"""<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<urlset><url><loc>http://x.vn/&c;</loc></url></urlset>"""


def test_sitemaps_and_index() -> None:
    urls, nested = sitemap_entries(SITEMAP, "http://x.vn/sitemap.xml")
    assert [(e.url, e.date_raw) for e in urls] == [
        ("http://x.vn/a.html", "2021-05-06"),
        ("http://x.vn/b.html", None),
    ]
    assert nested == []
    assert sitemap_entries(INDEX, "http://x.vn/") == ([], ["http://x.vn/s1.xml"])


def test_xml_bomb_entities_are_not_expanded() -> None:
    urls, _nested = sitemap_entries(BOMB, "http://x.vn/")
    assert all(len(e.url) < 100 for e in urls)


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (RSS, "feed"),
        (ATOM, "feed"),
        (SITEMAP, "sitemap"),
        (INDEX, "sitemap"),
        (b"<!DOCTYPE html><html><body>x</body></html>", None),
    ],
    ids=["rss", "atom", "urlset", "sitemapindex", "html"],
)
def test_is_feed_or_sitemap(head: bytes, kind: str | None) -> None:
    assert is_feed_or_sitemap(head) == kind


def test_robots_sitemap_lines() -> None:
    body = b"User-agent: *\nDisallow: /admin/\nSitemap: /sitemap.xml\nsitemap: http://x.vn/s2.xml\n"
    assert robots_sitemaps(body, "http://x.vn/robots.txt") == [
        "http://x.vn/sitemap.xml",
        "http://x.vn/s2.xml",
    ]


def test_dateless_teaser_does_not_borrow_its_neighbours_date() -> None:
    html = """<html><body><ul>
    <li><a href="/a.html">Có ngày</a> (22/04/2024)</li>
    <li><a href="/b.html">Không ngày</a></li>
    </ul><div class="item"><a href="/c.html"><img src="c.jpg"></a>
    <div class="t"><a href="/c.html">Ảnh và tiêu đề</a></div><span>05/06/2021</span></div>
    </body></html>"""
    links = {
        link.url: link.date_raw
        for link in page_links(lxml.html.document_fromstring(html), "http://x.vn/")
    }
    assert links["http://x.vn/a.html"] == "22/04/2024"
    assert links["http://x.vn/b.html"] is None
    # A teaser that links its image and its title to the same article still has one date.
    assert links["http://x.vn/c.html"] == "05/06/2021"


@pytest.mark.parametrize(
    "base",
    ["http://a.vn/x/y.html", "https://a.vn/", "http://a.vn:8080/p;q?r#f", "HTTP://A.vn/a/../b"],
)
@pytest.mark.parametrize(
    "href",
    [
        "/x",
        "/x/../y",
        "http://b.vn/./z",
        "https://a.vn/a?",
        "/?q=1",
        "/#f",
        "x/y",
        "../z",
        "//c.vn/",
    ],
)
def test_remembered_link_resolution_equals_urljoin(base: str, href: str) -> None:
    # Absolute and root-relative links are resolved from a cache keyed without the base's path.
    assert _resolve(base, href) == urljoin(base, href)
