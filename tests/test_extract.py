# ruff: noqa: E501 - the widget and byline tables hold whole HTML snippets, one per line
"""crawler.extract: saved pages of each CMS family and one small page per widget.

Saved pages are parametrised over tests/fixtures/pages/**/*.json (the trafilatura evaldata idea:
phrases the text must contain and noise it must not). Each page is extracted twice, with every
rule and with the generic layer alone, because sites on CMSes no rule knows must come out clean
too.
"""

from __future__ import annotations

import copy
import csv
import json
import pickle
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from crawler.extract import EXTRACTOR_VERSION, Extracted, extract_article
from crawler.html import parse_html
from crawler.rules import Rules, load_rules

PAGES = Path(__file__).parent / "fixtures" / "pages"
FIXTURES = sorted(PAGES.glob("**/*.json"))
REQUIRED_KEYS = (
    "url",
    "fetched_at",
    "is_article",
    "title",
    "author",
    "must_contain",
    "must_not_contain",
)
FAMILY_FILES = ("nukeviet", "liferay", "sharepoint", "wordpress", "joomla", "aspnet_portal")
LAYERS = {"all-rules": (), "generic-only": FAMILY_FILES}


def _id(path: Path) -> str:
    return str(path.relative_to(PAGES).with_suffix(""))


@cache
def _rules(layer: str) -> Rules:
    return load_rules(disabled_families=LAYERS[layer])


@cache
def _expected(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@cache
def _extracted(path: Path, layer: str) -> Extracted:
    exp = _expected(path)
    tree = parse_html(path.with_suffix(".html").read_bytes(), exp.get("content_type"))
    return extract_article(tree, exp["url"], rules=_rules(layer))


def _cases(*keys: str) -> list[Any]:
    """(fixture, layer) pairs for fixtures that state every one of ``keys``."""
    return [
        pytest.param(path, layer, id=f"{_id(path)}[{layer}]")
        for path in FIXTURES
        for layer in LAYERS
        if all(k in _expected(path) for k in keys)
    ]


def _articles(*keys: str) -> list[Any]:
    return [c for c in _cases(*keys) if _expected(c.values[0])["is_article"]]


# ------------------------------------------------------------------ the fixtures themselves


def test_every_cms_family_and_page_kind_has_a_fixture() -> None:
    dirs = {p.parent.name for p in FIXTURES}
    assert {"nukeviet", "liferay", "sharepoint", "wordpress", "joomla", "aspnet", "bespoke"} <= dirs
    kinds = {_expected(p).get("kind") for p in FIXTURES}
    assert {"article", "listing", "tag", "static", "soft-404", "calendar"} <= kinds


@pytest.mark.parametrize("path", FIXTURES, ids=_id)
def test_fixture_is_complete(path: Path) -> None:
    exp = _expected(path)
    assert path.with_suffix(".html").exists()
    assert [k for k in REQUIRED_KEYS if k not in exp] == []
    assert exp["title"]
    assert exp["must_not_contain"]
    if exp["is_article"]:
        assert exp["must_contain"]
        assert exp["author"] is not None


def test_every_html_has_its_json_and_a_sources_row() -> None:
    htmls = sorted(PAGES.glob("**/*.html"))
    assert [h for h in htmls if not h.with_suffix(".json").exists()] == []
    with (PAGES / "SOURCES.csv").open(encoding="utf-8", newline="") as f:
        rows = {row["path"]: row for row in csv.DictReader(f)}
    assert sorted(rows) == sorted(str(h.relative_to(PAGES)) for h in htmls)
    assert all(row["url"] and row["fetched_at"] and row["reason"] for row in rows.values())
    assert {row["origin"] for row in rows.values()} <= {"fetched", "constructed", "generated"}


# ------------------------------------------------------------------ saved pages, one fact each


@pytest.mark.parametrize(("path", "layer"), _cases())
def test_page_kind(path: Path, layer: str) -> None:
    got = _extracted(path, layer)
    assert got.is_article is _expected(path)["is_article"], got.kind_reason


@pytest.mark.parametrize(("path", "layer"), _cases("kind"))
def test_kind_reason(path: Path, layer: str) -> None:
    assert _extracted(path, layer).kind_reason.startswith(_expected(path)["kind"])


@pytest.mark.parametrize(("path", "layer"), _cases())
def test_title(path: Path, layer: str) -> None:
    assert _extracted(path, layer).title == _expected(path)["title"]


@pytest.mark.parametrize(("path", "layer"), _articles())
def test_author(path: Path, layer: str) -> None:
    assert _extracted(path, layer).author == _expected(path)["author"]


@pytest.mark.parametrize(("path", "layer"), _articles("captions"))
def test_captions(path: Path, layer: str) -> None:
    assert list(_extracted(path, layer).captions) == _expected(path)["captions"]


@pytest.mark.parametrize(("path", "layer"), _cases("declared_url"))
def test_declared_url(path: Path, layer: str) -> None:
    assert _extracted(path, layer).declared_url == _expected(path)["declared_url"]


@pytest.mark.parametrize(("path", "layer"), _articles("first_paragraph"))
def test_lead_comes_first(path: Path, layer: str) -> None:
    assert _extracted(path, layer).text.split("\n\n")[0] == _expected(path)["first_paragraph"]


@pytest.mark.parametrize(("path", "layer"), _articles("last_paragraph"))
def test_last_body_paragraph_comes_last(path: Path, layer: str) -> None:
    # The byline and everything after the body are gone, the last paragraph is intact.
    assert _extracted(path, layer).text.split("\n\n")[-1] == _expected(path)["last_paragraph"]


@pytest.mark.parametrize(("path", "layer"), _cases())
def test_text_contains(path: Path, layer: str) -> None:
    text = _extracted(path, layer).text
    assert [s for s in _expected(path)["must_contain"] if s not in text] == []


@pytest.mark.parametrize(("path", "layer"), _cases())
def test_text_does_not_contain(path: Path, layer: str) -> None:
    text = _extracted(path, layer).text
    assert [s for s in _expected(path)["must_not_contain"] if s in text] == []


@pytest.mark.parametrize(("path", "layer"), _articles())
def test_text_is_nfc_with_paragraph_breaks(path: Path, layer: str) -> None:
    text = _extracted(path, layer).text
    assert unicodedata.is_normalized("NFC", text)
    assert "\n\n\n" not in text
    assert text == text.strip()
    assert text.count("\n\n") >= 2


# ------------------------------------------------------------------ behaviour


def _page(body: str, title: str = "Hội nghị tổng kết công tác tuyên giáo - Huyện ủy A") -> str:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


LEAD = "Sáng 27/1, Quận ủy tổ chức hội nghị tổng kết công tác tuyên giáo năm 2020, triển khai nhiệm vụ năm 2021."
PARAS = [
    "Trong năm 2020, Ban Tuyên giáo Quận ủy đã chủ động, tích cực tham mưu Ban Thường vụ Quận ủy cải tiến và thực hiện các giải pháp nâng cao hiệu quả công tác.",
    "Công tác giáo dục lý luận chính trị được chú trọng, đổi mới, nâng cao chất lượng; công tác bồi dưỡng cán bộ được đầu tư cả về lý luận lẫn nghiệp vụ.",
    "Dịp này, Ban Thường vụ Quận ủy tặng giấy khen cho 34 tập thể và 34 cá nhân có thành tích xuất sắc trong thực hiện công tác tuyên giáo năm 2020.",
]  # fmt: skip


def _article(extra_after: str = "", extra_before: str = "", byline: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in PARAS)
    return _page(
        f'<div class="wrap"><div class="main">{extra_before}<h1>Hội nghị tổng kết công tác tuyên giáo</h1>'
        f'<p class="lead"><b>{LEAD}</b></p><div class="content">{body}{byline}</div>{extra_after}</div>'
        '<div class="col-right"><ul><li><a href="/a">Trang chủ</a></li><li><a href="/b">Liên hệ</a></li></ul></div></div>'
    )


def _extract(body: str, url: str = "http://huyenuy-a.vn/tin-tuc/hoi-nghi-123.html") -> Extracted:
    tree = parse_html(body.encode(), "text/html; charset=utf-8")
    return extract_article(tree, url, rules=_rules("generic-only"))


# One row per widget that must leave the text: the generic layer alone must remove it.
WIDGETS = [
    ("view-counter", '<div class="info">Số lần xem: 679</div>', "Số lần xem"),
    ("login-timeout-box", '<div id="timeoutsess">Bạn đã không sử dụng Site, <a href="#">Bấm vào đây để duy trì trạng thái đăng nhập</a>. Thời gian chờ: 60 giây</div>', "không sử dụng Site"),
    ("visitor-statistics", '<div class="box"><h3>Thống kê truy cập</h3><p>• Đang online: 5</p><p>• Hôm nay: 34</p><p>• Tất cả: 718132</p></div>', "Đang online"),
    ("comment-widget", '<div class="box"><h3>Ý kiến bạn đọc</h3><p>Tổng lượt bình luận: 0</p><form><textarea></textarea><input type="submit" value="Gửi ý kiến"></form></div>', "bình luận"),
    ("share-bar", '<div class="chiase">Chia sẻ: <a href="https://facebook.com/share">Facebook</a> <a href="https://zalo.me/s">Zalo</a></div>', "Facebook"),
    ("related-list", '<div class="x"><h3>Tin liên quan</h3><ul><li><a href="/t-1.html">Hội nghị báo cáo viên tháng 12 năm 2020</a> (18/12/2020)</li></ul></div>', "báo cáo viên tháng 12"),
    ("other-news", '<div class="y"><b>Các tin khác</b><ul><li><a href="/t-2.html">Sơ kết 5 năm thực hiện Chỉ thị 05</a></li><li><a href="/t-3.html">Ra quân tuyên truyền Tết</a></li></ul></div>', "Chỉ thị 05"),
    ("older-news", '<div class="z"><p class="h3">Tin cũ hơn</p><ul><li><a href="/t-4.html">Hội nghị Ban Chấp hành Đảng bộ huyện</a> <em>(01/12/2020)</em></li></ul></div>', "Tin cũ hơn"),
    ("pagination", '<div class="pg"><a href="?p=1">1</a> <a href="?p=2">2</a> <a href="?p=3">3</a> <a href="?p=4">4</a> <a href="?p=5">5</a> ... <a href="?p=2">Trang sau</a></div>', "Trang sau"),
    ("documents-sidebar", '<div class="k"><h3>VĂN BẢN MỚI</h3><ul><li><a href="/vb/1">Kế hoạch số 55-KH/HU ngày 15/01/2021 về tuyên truyền</a></li></ul></div>', "VĂN BẢN MỚI"),
    ("print-email-font-tools", '<div class="k2">In bài viết | Gửi email | Cỡ chữ A- A A+</div>', "In bài viết"),
    ("poll", '<div class="k3"><h3>Thăm dò ý kiến</h3><p>Bạn đánh giá thế nào?</p><label><input type="radio"> Rất hữu ích</label><input type="button" value="Biểu quyết"></div>', "Rất hữu ích"),
    ("tag-list", '<div class="k4"><strong>Từ khóa:</strong> <a href="/tag/tuyen-giao">tuyên giáo</a>, <a href="/tag/nghi-quyet">nghị quyết</a></div>', "Từ khóa"),
    ("header-date", '<div class="k5">Thứ Hai, ngày 23 tháng 11 năm 2026</div>', "tháng 11 năm 2026"),
    ("dateline", '<div class="k6">[ Cập nhật vào ngày (22/01/2021) ] - [ Số lần xem: 679 ]</div>', "Cập nhật"),
    ("breadcrumb", '<div class="k7"><a href="/">Trang chủ</a> &gt; <a href="/tin-tuc">Tin tức</a> &gt; Hoạt động</div>', "Trang chủ"),
]  # fmt: skip


@pytest.mark.parametrize(("html", "noise"), [w[1:] for w in WIDGETS], ids=[w[0] for w in WIDGETS])
def test_widget_after_the_body_is_removed(html: str, noise: str) -> None:
    got = _extract(_article(extra_after=html))
    assert noise not in got.text
    assert got.text.split("\n\n") == [LEAD, *PARAS]


@pytest.mark.parametrize(("html", "noise"), [w[1:] for w in WIDGETS], ids=[w[0] for w in WIDGETS])
def test_widget_before_the_title_is_removed(html: str, noise: str) -> None:
    got = _extract(_article(extra_before=html))
    assert noise not in got.text
    assert got.title == "Hội nghị tổng kết công tác tuyên giáo"


def test_image_file_name_and_caption_leave_the_body() -> None:
    figure = (
        '<p style="text-align:center"><img src="/uploads/21.1a.jpg" alt="21.1a.jpg"></p>'
        '<p style="text-align:center">21.1a.jpg</p>'
        '<p style="text-align:center"><em>Khen thưởng cho các tập thể, cá nhân</em></p>'
    )
    body = _article().replace("</p><p>Công", f"</p>{figure}<p>Công", 1)
    got = _extract(body)
    assert got.captions == ("Khen thưởng cho các tập thể, cá nhân",)
    assert got.text.split("\n\n") == [LEAD, *PARAS]


def test_byline_right_under_the_last_image_is_not_a_caption() -> None:
    figure = '<p style="text-align:center"><img src="/a.jpg"></p><p style="text-align:center">Tin, ảnh: Lê Thuý</p>'
    got = _extract(_article(byline=figure))
    assert (got.author, got.captions) == ("Lê Thuý", ())


BYLINES = [
    ("tin-anh", '<p style="text-align:right"><strong>Tin, ảnh: Lê Thuý</strong></p>', "Lê Thuý"),
    ("bai-viet", "<p><strong>Bài viết: Hữu Nghĩa</strong></p>", "Hữu Nghĩa"),
    ("tac-gia", '<p class="text-right"><b>Tác giả:</b> Trần Văn Bình</p>', "Trần Văn Bình"),
    ("bai-anh", "<p>Bài, ảnh: Thanh Hương</p>", "Thanh Hương"),
    ("bare-name-right", '<p align="right">Nguyễn Ngọc</p>', "Nguyễn Ngọc"),
    ("bare-name-last-line", "<p>Nguyễn Ngọc</p>", "Nguyễn Ngọc"),
    ("pv", '<p style="text-align: right;"><strong>PV</strong></p>', "PV"),
    ("author-element", '<div class="author">Minh Khôi</div>', "Minh Khôi"),
]


@pytest.mark.parametrize(("html", "name"), [b[1:] for b in BYLINES], ids=[b[0] for b in BYLINES])
def test_byline_becomes_author_and_leaves_the_text(html: str, name: str) -> None:
    got = _extract(_article(byline=html))
    assert got.author == name
    assert got.text.split("\n\n") == [LEAD, *PARAS]


@pytest.mark.parametrize(
    "html",
    ["<p>Theo Báo Nhân Dân</p>", '<p style="text-align:right"><b>Ban Tuyên giáo Huyện ủy</b></p>'],
    ids=["source-line", "organisation"],
)
def test_source_or_organisation_is_not_an_author(html: str) -> None:
    got = _extract(_article(byline=html))
    assert got.author is None
    assert got.text.split("\n\n")[-1] == _extract(_article(byline=html)).text.split("\n\n")[-1]


def test_meta_line_author_above_the_lead() -> None:
    meta = '<div class="tt">14/03/2023 15:40 | Tác giả: Minh Khôi | Lượt xem: 218</div>'
    got = _extract(_article().replace('<p class="lead">', meta + '<p class="lead">'))
    assert got.author == "Minh Khôi"
    assert got.text.split("\n\n") == [LEAD, *PARAS]


def test_bold_name_between_title_and_lead_is_the_author() -> None:
    got = _extract(
        _article().replace('<p class="lead">', "<p><b>Kim Tuấn</b></p>" + '<p class="lead">')
    )
    assert got.author == "Kim Tuấn"
    assert got.text.split("\n\n") == [LEAD, *PARAS]


@pytest.mark.parametrize(
    ("title_tag", "expected"),
    [
        ("Hội nghị tổng kết công tác tuyên giáo - Cổng thông tin điện tử Huyện ủy A", "Hội nghị tổng kết công tác tuyên giáo"),
        ("Cổng thông tin điện tử Huyện ủy A | Hội nghị tổng kết công tác tuyên giáo", "Hội nghị tổng kết công tác tuyên giáo"),
        ("Cổng thông tin điện tử Huyện ủy A", "Hội nghị tổng kết công tác tuyên giáo"),
    ],
    ids=["title-then-site", "site-then-title", "site-name-only"],
)  # fmt: skip
def test_title_is_the_heading_without_the_site_name(title_tag: str, expected: str) -> None:
    body = _article().replace(
        "<title>Hội nghị tổng kết công tác tuyên giáo - Huyện ủy A</title>",
        f"<title>{title_tag}</title>",
    )
    banner = '<div class="top"><h1>Cổng thông tin điện tử Huyện ủy A</h1></div>'
    body = body.replace('<div class="wrap">', banner + '<div class="wrap">')
    assert _extract(body).title == expected


def test_extract_does_not_change_the_tree() -> None:
    # The dating stage reads the same tree afterwards.
    path = (
        PAGES
        / "nukeviet"
        / "huyenuyvithuy_2021-01-25_tap-trung-trien-khai-nghi-quyet-dai-hoi-xiii.html"
    )
    tree = parse_html(path.read_bytes(), "text/html; charset=utf-8")
    before = lxml.html.tostring(tree)
    extract_article(tree, "http://huyenuyvithuy.vn/a.html", rules=_rules("all-rules"))
    assert lxml.html.tostring(tree) == before


def test_nfd_page_gives_the_same_result_as_nfc() -> None:
    path = (
        PAGES
        / "wordpress"
        / "thanhuytphcm_2021-12-04_phoi-hop-nang-cao-hieu-qua-cong-tac-tuyen-giao.html"
    )
    url = _expected(path.with_suffix(".json"))["url"]
    raw = path.read_text(encoding="utf-8")
    nfd = unicodedata.normalize("NFD", raw).encode("utf-8")
    a = extract_article(parse_html(raw.encode(), None), url, rules=_rules("all-rules"))
    b = extract_article(parse_html(nfd, None), url, rules=_rules("all-rules"))
    assert b == a


def test_result_pickles() -> None:
    got = _extract(_article(byline="<p>PV</p>"))
    assert pickle.loads(pickle.dumps(got)) == got


def test_short_article_that_trafilatura_declines_keeps_its_text() -> None:
    body = _page(f"<h1>Hội nghị tổng kết công tác tuyên giáo</h1><p>{LEAD}</p><p>{PARAS[0]}</p>")
    assert _extract(body).text == f"{LEAD}\n\n{PARAS[0]}"


def test_short_article_beside_a_prose_heavy_sidebar() -> None:
    # The sidebar's prose outscores the short body; the body next to the title still wins.
    intro = " ".join(PARAS)
    sidebar = '<div class="cot-phai"><div class="khung">' + f"<p>{intro}</p>" * 2 + "</div></div>"
    body = _page(
        '<div class="cot-trai"><div class="bai"><h1>Hội nghị tổng kết công tác tuyên giáo</h1>'
        f"<p>{LEAD}</p><p>{PARAS[0]}</p><p>{PARAS[1]}</p></div></div>{sidebar}"
    )
    assert _extract(body).text == f"{LEAD}\n\n{PARAS[0]}\n\n{PARAS[1]}"


def test_page_without_content_is_not_an_article() -> None:
    got = _extract(_page("<div><a href='/'>Trang chủ</a></div>"))
    assert (got.is_article, got.text, got.author, got.captions) == (False, "", None, ())


def test_listing_of_teasers_is_not_an_article() -> None:
    teasers = "".join(
        f'<div class="item"><h3><a href="/tin-{i}.html">Hội nghị báo cáo viên tháng {i} năm 2024 của Huyện ủy</a></h3>'
        f"<p>{PARAS[i % 3]}</p></div>"
        for i in range(1, 9)
    )
    got = _extract(
        _page(
            f'<h1 class="cat">Tin hoạt động</h1><div class="list">{teasers}</div>',
            "Tin hoạt động - Huyện ủy A",
        )
    )
    assert got.is_article is False
    assert got.kind_reason == "listing: 8 teaser links"


def test_extractor_version_is_set() -> None:
    assert EXTRACTOR_VERSION


def test_caller_tree_copy_is_not_needed_for_repeat_calls() -> None:
    tree = parse_html(_article(byline="<p>PV</p>").encode(), "text/html; charset=utf-8")
    first = extract_article(tree, "http://a.vn/x.html", rules=_rules("generic-only"))
    second = extract_article(
        copy.deepcopy(tree), "http://a.vn/x.html", rules=_rules("generic-only")
    )
    assert (
        extract_article(tree, "http://a.vn/x.html", rules=_rules("generic-only")) == first == second
    )


_LONG_BODY = "".join(
    f"<p>Đoạn {i}: Ban Thường vụ Huyện ủy đã lãnh đạo, chỉ đạo các chi bộ thực hiện nghiêm túc "
    "việc học tập, quán triệt nghị quyết của Đảng, gắn với nhiệm vụ chính trị của địa phương.</p>"
    for i in range(8)
)


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ('<meta name="author" content="Trần Thu Hà">', "Trần Thu Hà"),
        ('<meta name="author" content="Ban Tuyên Giáo Huyện Ủy">', None),
        ('<meta name="author" content="https://x.vn/tac-gia/ha">', None),
        # Thị and Văn are middle names of millions, and also open organisation names.
        ('<meta name="author" content="Nguyễn Thị Hoa">', "Nguyễn Thị Hoa"),
        ('<meta name="author" content="Lê Văn Thành">', "Lê Văn Thành"),
        ('<meta name="author" content="Trung Tâm Văn Hóa Thông Tin">', None),
        ('<meta name="author" content="Văn Phòng Huyện Ủy">', None),
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", '
            '"author": {"@type": "Person", "name": "Lê Minh Đức"}}</script>',
            "Lê Minh Đức",
        ),
        (
            '<link rel="author" href="/tac-gia/hoa"><a rel="author" href="/t/h">Trần Thu Hà</a>',
            "Trần Thu Hà",
        ),
        (
            '<link rel="authorship" href="/t/h"><a rel="authorship" href="/t/h">Trần Thu Hà</a>',
            None,
        ),
    ],
    ids=[
        "meta-person",
        "meta-organisation",
        "meta-url",
        "meta-thi-middle-name",
        "meta-van-middle-name",
        "meta-trung-tam",
        "meta-van-phong",
        "jsonld-person",
        "rel-author",
        "rel-other",
    ],
)
def test_structured_author_when_the_page_has_no_byline(meta: str, expected: str | None) -> None:
    html = (
        f"<html><head><title>Hội nghị</title>{meta}</head><body><article>"
        f"<h1>Hội nghị sơ kết công tác tuyên giáo</h1>{_LONG_BODY}</article></body></html>"
    )
    page = extract_article(
        parse_html(html.encode()), "http://x.vn/tin/hoi-nghi-1.html", rules=_rules("generic-only")
    )
    assert page.is_article
    assert page.author == expected


@pytest.mark.parametrize(
    "url",
    ["http://x.vn/", "http://x.vn/index.html", "http://x.vn/Default.aspx", "http://x.vn/trang-chu"],
    ids=["root", "index", "aspnet-default", "trang-chu"],
)
def test_a_home_page_is_never_an_article(url: str) -> None:
    # A home page can hold a welcome text long enough to pass for an article.
    html = f"<html><head><title>Huyện ủy</title></head><body><h1>Chào mừng</h1>{_LONG_BODY}</body></html>"
    page = extract_article(parse_html(html.encode()), url, rules=_rules("generic-only"))
    assert (page.is_article, page.kind_reason) == (False, "listing: the site's home page")


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<div><p>a</p><p>b</p></div>", ["p", "p"]),
        ("<div>a <b>b</b></div>", ["div"]),
        ("<div><ul><li>a</li></ul></div>", ["li"]),
        ("<div><ul><span>a</span></ul></div>", []),
        ("<table><tr><td>a</td><td><div>b</div></td></tr></table>", ["td", "div"]),
        ("<div><span><p>a</p></span><!-- c --><center>b</center></div>", ["p", "center"]),
    ],
    ids=["paragraphs", "inline-only", "list-item", "list-without-items", "nested-cell", "deep"],
)
def test_leaves_are_blocks_without_inner_blocks(html: str, expected: list[str]) -> None:
    # _leaves replaced a quadratic XPath; it must pick the same blocks, in document order,
    # because captions, bylines and our own serialiser read the page leaf by leaf.
    from crawler.extract import _leaves

    root = lxml.html.fragment_fromstring(html)
    assert [el.tag for el in _leaves(root)] == expected
