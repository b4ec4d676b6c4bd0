"""crawler.urls: canonical URLs, same-site checks, print aliases, assets and traps, row by row."""

from __future__ import annotations

import pickle

import pytest

from crawler.urls import (
    UrlPolicy,
    canonical_url,
    is_asset,
    is_print_variant,
    is_same_site,
    same_article_url,
    site_key,
    trap_reason,
)

IIS = UrlPolicy(case_insensitive=True)

# (alias as linked somewhere, canonical form, policy)
ALIASES = [
    pytest.param(
        "http://huyenuy.vn/tin-tuc/xay-dung-dang/nang-cao-chat-luong-740.html#comments",
        "http://huyenuy.vn/tin-tuc/xay-dung-dang/nang-cao-chat-luong-740.html",
        UrlPolicy(),
        id="fragment",
    ),
    pytest.param(
        "http://huyenuy.vn/tin-tuc/a-740.html?utm_source=trangchu&utm_medium=tinnoibat",
        "http://huyenuy.vn/tin-tuc/a-740.html",
        UrlPolicy(),
        id="utm",
    ),
    pytest.param(
        "http://huyenuy.vn/tin-tuc/a-740.html?fbclid=IwAR0xyz&zarsrc=30&_gl=1*abc",
        "http://huyenuy.vn/tin-tuc/a-740.html",
        UrlPolicy(),
        id="facebook-zalo-google-trackers",
    ),
    pytest.param(
        "http://huyenuy.vn/index.php?PHPSESSID=5f1c2a&nv=news&op=tin-tuc/a-740",
        "http://huyenuy.vn/index.php?nv=news&op=tin-tuc/a-740",
        UrlPolicy(),
        id="phpsessid-param",
    ),
    pytest.param(
        "http://tinhuy.vn/web/guest/tin-tuc;jsessionid=A1B2C3D4E5?p_p_id=101",
        "http://tinhuy.vn/web/guest/tin-tuc?p_p_id=101",
        UrlPolicy(),
        id="jsessionid-path-param",
    ),
    pytest.param(
        "http://tinhuy.lamdong.gov.vn/(S(c88e4be4359da81a48bf2196))/TinTuc/TinHoatDong/Pages/LamDongSoKet-133.aspx",
        "http://tinhuy.lamdong.gov.vn/tintuc/tinhoatdong/pages/lamdongsoket-133.aspx",
        IIS,
        id="aspnet-session-segment",
    ),
    pytest.param(
        "http://tinhuy.vn/(X(1)S(ab12cd34ef56gh78ij90kl12))/Default.aspx",
        "http://tinhuy.vn/default.aspx",
        IIS,
        id="aspnet-cookieless-x-s-segment",
    ),
    pytest.param(
        "http://tinhuy.quangtri.dcs.vn/article/viewdetail.aspx?MID=129&AID=682",
        "http://tinhuy.quangtri.dcs.vn/article/viewdetail.aspx?aid=682&mid=129",
        IIS,
        id="iis-case-path-and-param-names",
    ),
    pytest.param(
        "http://tinhuy.quangtri.dcs.vn/Article/ViewDetail.aspx?aid=684&mid=122",
        "http://tinhuy.quangtri.dcs.vn/Article/ViewDetail.aspx?aid=684&mid=122",
        UrlPolicy(),
        id="parameter-order-already-sorted",
    ),
    pytest.param(
        "http://tinhuy.quangtri.dcs.vn/Article/ViewDetail.aspx?mid=122&aid=684",
        "http://tinhuy.quangtri.dcs.vn/Article/ViewDetail.aspx?aid=684&mid=122",
        UrlPolicy(),
        id="parameter-order",
    ),
    pytest.param(
        "http://tinhuy.dcs.vn/web/tinh-uy/dan-van/-/asset_publisher/54bF74/content/tong-ket"
        "?inheritRedirect=true&redirect=%2Fweb%2Ftinh-uy%2Fdan-van",
        "http://tinhuy.dcs.vn/web/tinh-uy/dan-van/-/asset_publisher/54bF74/content/tong-ket",
        UrlPolicy(),
        id="liferay-listing-redirect",
    ),
    pytest.param(
        "http://tinhuy.dcs.vn/web/guest/tin-tuc?p_p_id=101_INSTANCE_abc&p_p_lifecycle=0"
        "&p_p_state=maximized&p_p_mode=view&p_p_col_id=column-2&p_p_col_count=1"
        "&_101_INSTANCE_abc_urlTitle=hoi-nghi-tong-ket&_101_INSTANCE_abc_redirect=%2Fweb",
        "http://tinhuy.dcs.vn/web/guest/tin-tuc?_101_INSTANCE_abc_urlTitle=hoi-nghi-tong-ket"
        "&p_p_id=101_INSTANCE_abc",
        UrlPolicy(),
        id="liferay-portlet-render-params",
    ),
    pytest.param(
        "http://tinhuy.dcs.vn/web/tinh-uy/dan-van/-/asset_publisher/54bF74/content/tong-ket?viewMode=print",
        "http://tinhuy.dcs.vn/web/tinh-uy/dan-van/-/asset_publisher/54bF74/content/tong-ket",
        UrlPolicy(),
        id="liferay-print-view",
    ),
    pytest.param(
        "http://danguy.vn/2016/09/08/bieu-duong-mo-hinh/?print=1",
        "http://danguy.vn/2016/09/08/bieu-duong-mo-hinh/",
        UrlPolicy(),
        id="wordpress-print-switch",
    ),
    pytest.param(
        "HTTP://DangUy.VN:80/2016/09/08/bieu-duong-mo-hinh/",
        "http://danguy.vn/2016/09/08/bieu-duong-mo-hinh/",
        UrlPolicy(),
        id="scheme-host-case-default-port",
    ),
    pytest.param(
        "https://danguy.vn:443/?p=821",
        "https://danguy.vn/?p=821",
        UrlPolicy(),
        id="https-default-port-keeps-shortlink-id",
    ),
    pytest.param("http://danguy.vn", "http://danguy.vn/", UrlPolicy(), id="bare-root-gets-slash"),
    pytest.param(
        "http://danguy.vn/tin-tuc/./chi-tiet/../bai-viet-12.html",
        "http://danguy.vn/tin-tuc/bai-viet-12.html",
        UrlPolicy(),
        id="dot-segments",
    ),
    pytest.param(
        "http://danguy.vn/tin-t%e1%bb%a9c/b%C3%A0i-%7Eviet",
        "http://danguy.vn/tin-t%E1%BB%A9c/b%C3%A0i-~viet",
        UrlPolicy(),
        id="percent-escape-case",
    ),
    pytest.param(
        "http://danguy.vn/tin-tức/bài viết",
        "http://danguy.vn/tin-t%E1%BB%A9c/b%C3%A0i%20vi%E1%BA%BFt",
        UrlPolicy(),
        id="unicode-path-encoded-utf8",
    ),
]


@pytest.mark.parametrize(("alias", "expected", "policy"), ALIASES)
def test_canonical_url(alias: str, expected: str, policy: UrlPolicy) -> None:
    assert canonical_url(alias, policy) == expected
    # Idempotent: the canonical form is its own canonical form.
    assert canonical_url(expected, policy) == expected


# Pairs that are different pages and must keep different canonical URLs.
DIFFERENT = [
    pytest.param(
        "http://danguy.vn/?p=821", "http://danguy.vn/?p=822", UrlPolicy(), id="wordpress-p-id"
    ),
    pytest.param(
        "http://tinhuy.vn/Article/ViewDetail.aspx?mid=122&aid=684",
        "http://tinhuy.vn/Article/ViewDetail.aspx?mid=122&aid=685",
        IIS,
        id="aid-param",
    ),
    pytest.param(
        "http://tinhuy.vn/news.php?id=5", "http://tinhuy.vn/news.php?ID=6", IIS, id="id-param"
    ),
    pytest.param(
        "http://tinhuy.vn/Pages/Detail.aspx?ItemID=10",
        "http://tinhuy.vn/Pages/Detail.aspx?ItemID=11",
        UrlPolicy(),
        id="sharepoint-itemid",
    ),
    pytest.param(
        "http://danguy.vn/TinTuc/Bai-A.html",
        "http://danguy.vn/tintuc/bai-a.html",
        UrlPolicy(),
        id="path-case-kept-without-iis",
    ),
    pytest.param(
        "http://danguy.vn/tin-tuc/", "http://danguy.vn/tin-tuc", UrlPolicy(), id="trailing-slash"
    ),
    pytest.param(
        "http://danguy.vn/a.html", "https://danguy.vn/a.html", UrlPolicy(), id="scheme-kept"
    ),
    pytest.param(
        "http://danguy.vn/a.html", "http://www.danguy.vn/a.html", UrlPolicy(), id="www-kept"
    ),
    pytest.param(
        "http://danguy.vn/go.php?redirect=/bai-1",
        "http://danguy.vn/go.php?redirect=/bai-2",
        UrlPolicy(),
        id="redirect-param-outside-liferay",
    ),
    pytest.param(
        "http://tinhuy.vn/web/guest/home?p_p_id=101&p_p_lifecycle=1",
        "http://tinhuy.vn/web/guest/home?p_p_id=101",
        UrlPolicy(),
        id="liferay-action-lifecycle-kept",
    ),
    pytest.param(
        "http://tinhuy.vn/web/guest/tin-tuc?p_p_id=101&_101_articleId=100",
        "http://tinhuy.vn/web/guest/tin-tuc?p_p_id=101&_101_articleId=200",
        UrlPolicy(),
        id="liferay-article-id",
    ),
    pytest.param(
        "http://tinhuy.vn/app/#!/tin/1", "http://tinhuy.vn/app/#!/tin/2", UrlPolicy(), id="hashbang"
    ),
    pytest.param(
        "http://tinhuy.vn/list.aspx?cat=1&cat=2",
        "http://tinhuy.vn/list.aspx?cat=2",
        UrlPolicy(),
        id="repeated-param",
    ),
    pytest.param(
        "http://tinhuy.vn/list.aspx?page=1&print=0",
        "http://tinhuy.vn/list.aspx?page=2",
        UrlPolicy(),
        id="page-param",
    ),
]


@pytest.mark.parametrize(("a", "b", "policy"), DIFFERENT)
def test_different_pages_stay_apart(a: str, b: str, policy: UrlPolicy) -> None:
    assert canonical_url(a, policy) != canonical_url(b, policy)


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("mailto:bbt@tinhuy.vn", id="mailto"),
        pytest.param("javascript:history.back()", id="javascript"),
        pytest.param("/tin-tuc/a.html", id="relative"),
        pytest.param("http://[::1:bad/", id="unparsable"),
    ],
)
def test_canonical_url_leaves_non_http_alone(url: str) -> None:
    assert canonical_url(f"  {url} ") == url


def test_print_switch_value_zero_is_kept() -> None:
    # `print=0` asks for the normal page: not a print switch, and it stays (it is harmless).
    assert canonical_url("http://a.vn/x?print=0") == "http://a.vn/x?print=0"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("https://WWW.TinhUy.vn:8443/a", "tinhuy.vn", id="www-port-case"),
        pytest.param("http://tinhuy.vn/", "tinhuy.vn", id="bare"),
        pytest.param("www.tinhuy.vn", "tinhuy.vn", id="host-only"),
        pytest.param("http://www2.tinhuy.vn/", "www2.tinhuy.vn", id="www2-is-another-host"),
        pytest.param("tinhuy.vn.", "tinhuy.vn", id="trailing-dot"),
        pytest.param("not a url", "not a url", id="no-scheme-taken-as-host"),
    ],
)
def test_site_key(url: str, expected: str) -> None:
    assert site_key(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("https://www.tinhuy.lamdong.gov.vn/TinTuc/a.aspx", True, id="https-www"),
        pytest.param("http://tinhuy.lamdong.gov.vn:8080/a", True, id="port"),
        pytest.param("http://lamdong.gov.vn/a", False, id="parent-domain"),
        pytest.param("http://xa.tinhuy.lamdong.gov.vn/a", False, id="sub-domain"),
        pytest.param("http://dangcongsan.vn/a", False, id="offsite"),
        pytest.param("/relative", False, id="relative"),
    ],
)
def test_is_same_site(url: str, expected: bool) -> None:
    assert is_same_site(url, {"tinhuy.lamdong.gov.vn"}) is expected


def test_is_same_site_accepts_registry_urls() -> None:
    assert is_same_site("http://tinhuy.vn/a", ["https://www.tinhuy.vn/"])


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("http://a.vn/tin-tuc/print/nang-cao-740.html", True, id="nukeviet-segment"),
        pytest.param(
            "http://a.vn/x/-/asset_publisher/a/content/b?viewMode=print", True, id="liferay"
        ),
        pytest.param("http://a.vn/2016/09/08/bieu-duong/?print=1", True, id="wordpress-print-1"),
        pytest.param("http://a.vn/Article/PrintArticle.aspx?aid=680", True, id="aspnet-file"),
        pytest.param("http://a.vn/tin/InBai.aspx?id=5", True, id="in-bai-file"),
        pytest.param("http://a.vn/in-bai/hoi-nghi-12.html", True, id="in-bai-segment"),
        pytest.param(
            "http://a.vn/index.php?option=com_content&view=article&id=5&print=1&tmpl=component",
            True,
            id="joomla",
        ),
        pytest.param("http://a.vn/index.php?nv=news&op=print/hoi-nghi-12", True, id="nukeviet-op"),
        pytest.param("http://a.vn/node/12/print", True, id="drupal-trailing-segment"),
        pytest.param("http://a.vn/tin-tuc/hoi-nghi-12.html", False, id="article"),
        pytest.param("http://a.vn/blueprint-for-growth.html", False, id="blueprint"),
        pytest.param("http://a.vn/printing-house-visit-12.html", False, id="printing-word"),
        pytest.param("http://a.vn/a.html?print=0", False, id="print-0"),
        pytest.param("http://a.vn/in-an/tin-12.html", False, id="in-an-category"),
    ],
)
def test_is_print_variant(url: str, expected: bool) -> None:
    assert is_print_variant(url) is expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("http://a.vn/uploads/news/2020/anh-hoi-nghi.JPG", True, id="image-upper"),
        pytest.param("http://a.vn/van-ban/nghi-quyet-05.pdf?v=2", True, id="pdf-query"),
        pytest.param("http://a.vn/files/ke-hoach.docx", True, id="docx"),
        pytest.param("http://a.vn/static/site.css", True, id="css"),
        pytest.param("http://a.vn/media/clip.mp4", True, id="video"),
        pytest.param("http://a.vn/f/tai-lieu.rar", True, id="archive"),
        pytest.param(
            "http://a.vn/documents/20182/0/QD+123.pdf/5f1c-22aa", True, id="liferay-doclib"
        ),
        pytest.param("http://a.vn/Download.aspx?file=12", True, id="aspnet-download-handler"),
        pytest.param("http://a.vn/tin-tuc/hoi-nghi-12.html", False, id="html-page"),
        pytest.param("http://a.vn/Article/ViewDetail.aspx?aid=1", False, id="aspx-page"),
        pytest.param("http://a.vn/sitemap.xml", False, id="sitemap-is-not-an-asset"),
        pytest.param("http://a.vn/rss/", False, id="feed"),
        pytest.param("http://a.vn/tin-tuc/ban-tin-so-3.2024", False, id="dotted-slug"),
    ],
)
def test_is_asset(url: str, expected: bool) -> None:
    assert is_asset(url) is expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param(
            "http://a.vn/web/tinh-uy/lich-cong-tac?ngay=2026-11-23",
            "calendar",
            id="lich-cong-tac-date",
        ),
        pytest.param(
            "http://a.vn/web/guest/home?p_p_id=8&_8_struts_action=%2Fcalendar%2Fview"
            "&_8_month=10&_8_day=23&_8_year=2026",
            "calendar",
            id="liferay-calendar-portlet",
        ),
        pytest.param("http://a.vn/lich-lam-viec/2026/11/23/", "calendar", id="calendar-path-date"),
        pytest.param("http://a.vn/events/?date=2099-01-01", "calendar", id="events-date"),
        pytest.param("http://a.vn/tin-tuc?day=1&month=2", "calendar", id="two-date-params"),
        pytest.param("http://a.vn/tim-kiem?q=tuyen+giao", "search", id="tim-kiem"),
        pytest.param("http://a.vn/?s=dai+hoi", "search", id="wordpress-search"),
        pytest.param("http://a.vn/Search.aspx?keyword=abc", "search", id="aspx-search"),
        pytest.param("http://a.vn/tin-tuc?sort=date&dir=asc", "sort_filter", id="sort"),
        pytest.param(
            "http://a.vn/van-ban?orderby=title&pagesize=50", "sort_filter", id="orderby-pagesize"
        ),
        pytest.param(
            "http://a.vn/x.aspx?__EVENTTARGET=ctl00&__EVENTARGUMENT=Page$2",
            "postback",
            id="postback",
        ),
        pytest.param(
            "http://a.vn/l.aspx?a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9",
            "query_explosion",
            id="many-params",
        ),
        pytest.param(
            "http://a.vn/tin-tuc/a/tin-tuc/a/tin-tuc/a/", "repeating_path", id="looping-path"
        ),
        pytest.param("http://a.vn/x/y/x/y/bai.html", "repeating_path", id="repeated-pair"),
        pytest.param("http://a.vn/" + "/".join("abcdefghijklm") + "/", "deep_path", id="deep"),
        pytest.param("http://a.vn/tin-tuc?id=" + "9" * 1200, "too_long", id="too-long"),
        pytest.param(
            "http://a.vn/2016/09/08/bieu-duong-mo-hinh/", None, id="wordpress-dated-article"
        ),
        pytest.param("http://a.vn/2016/09/", None, id="month-archive"),
        pytest.param("http://a.vn/web/tinh-uy/lich-cong-tac", None, id="schedule-entry-page"),
        pytest.param("http://a.vn/tin-tuc/page-2", None, id="pagination"),
        pytest.param(
            "http://a.vn/Article/ViewList.aspx?mid=122&pageid=3&pagenumber=2",
            None,
            id="aspnet-list",
        ),
        pytest.param(
            "http://a.vn/a.html?utm_source=x&utm_medium=y&utm_campaign=z&utm_term=t"
            "&utm_content=c&fbclid=1&gclid=2&_gl=3&zarsrc=4",
            None,
            id="trackers-do-not-count",
        ),
        pytest.param("http://a.vn/tin-tuc/tin-tuc/bai-12.html", None, id="one-repeat-is-fine"),
        pytest.param(
            "http://a.vn/web/x/-/asset_publisher/a/content/b"
            "?inheritRedirect=true&redirect=%2Fweb%2Fx",
            None,
            id="liferay-article",
        ),
    ],
)
def test_trap_reason(url: str, expected: str | None) -> None:
    assert trap_reason(url) == expected


@pytest.mark.parametrize(
    ("a", "b", "policy", "expected"),
    [
        pytest.param(
            "http://a.vn/x-1.html",
            "https://www.a.vn/x-1.html#top",
            UrlPolicy(),
            True,
            id="scheme-www-fragment",
        ),
        pytest.param(
            "http://a.vn/tin-tuc/print/nang-cao-chat-luong-740.html",
            "http://a.vn/tin-tuc/xay-dung-dang/nang-cao-chat-luong-740.html",
            UrlPolicy(),
            True,
            id="print-segment-for-category",
        ),
        pytest.param(
            "http://a.vn/tin-tuc/nang-cao-chat-luong-740.html",
            "http://a.vn/tin-tuc/xay-dung-dang/nang-cao-chat-luong-740.html",
            UrlPolicy(),
            True,
            id="category-prefix",
        ),
        pytest.param(
            "http://a.vn/TinTuc/TinHoatDong/Pages/LamDongSoKet-133.aspx",
            "http://a.vn/(S(abc123))/tintuc/tinhoatdong/pages/lamdongsoket-133.aspx",
            IIS,
            True,
            id="iis-session-case",
        ),
        pytest.param(
            "http://a.vn/2016/09/08/bieu-duong-mo-hinh-dan-van-kheo/",
            "http://a.vn/bieu-duong-mo-hinh-dan-van-kheo/",
            UrlPolicy(),
            True,
            id="wordpress-date-prefix",
        ),
        pytest.param(
            "http://a.vn/tin-tuc/a-740.html",
            "http://a.vn/tin-tuc/a-741.html",
            UrlPolicy(),
            False,
            id="other-id",
        ),
        pytest.param(
            "http://a.vn/cat1/page2.html",
            "http://a.vn/cat2/page2.html",
            UrlPolicy(),
            False,
            id="generic-name",
        ),
        pytest.param(
            "http://a.vn/cat1/12.html",
            "http://a.vn/cat2/12.html",
            UrlPolicy(),
            False,
            id="bare-number",
        ),
        pytest.param(
            "http://a.vn/en/party-congress-opens-today.html",
            "http://a.vn/vi/party-congress-opens-today.html",
            UrlPolicy(),
            False,
            id="language-versions",
        ),
        pytest.param(
            "http://a.vn/a/hoi-nghi-tong-ket-12.html",
            "http://b.vn/a/hoi-nghi-tong-ket-12.html",
            UrlPolicy(),
            False,
            id="other-site",
        ),
        pytest.param(
            "http://a.vn/tin/x-1.aspx?id=1",
            "http://a.vn/tin/x-1.aspx?id=2",
            UrlPolicy(),
            False,
            id="other-query",
        ),
        pytest.param("http://a.vn/x/", "http://a.vn/x", UrlPolicy(), False, id="trailing-slash"),
    ],
)
def test_same_article_url(a: str, b: str, policy: UrlPolicy, expected: bool) -> None:
    assert same_article_url(a, b, policy) is expected
    assert same_article_url(b, a, policy) is expected


def test_policy_is_frozen_and_pickles() -> None:
    assert pickle.loads(pickle.dumps(IIS)) == IIS
    with pytest.raises(AttributeError):
        IIS.case_insensitive = False  # type: ignore[misc]
