"""The researcher's desk through Datasette's real app: search, canned queries, pages, safety.

The archive is built in tmp_path with crawler.archive's own write functions, from the small,
hand-written set of Vietnamese committee articles below, so every expected row can be checked
by reading the tables here.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import sqlite_utils
import yaml
from datasette.app import Datasette

from crawler import archive, desk, gazetteer
from crawler.datasette_plugin import fold_sql
from crawler.registry import Site

SITES = (
    Site(
        id="tinhuyquangtri",
        name="Tỉnh ủy Quảng Trị",
        level="province",
        province="Quảng Trị",
        url="https://tinhuyquangtri.vn/",
        province_now="Quảng Trị",
        unit_code="p63-45",
    ),
    Site(
        id="huyenuygiolinh",
        name="Huyện ủy Gio Linh",
        level="district",
        province="Quảng Trị",
        url="http://huyenuygiolinh.vn/",
        status="gone",
        province_now="Quảng Trị",
        unit_code="d63-466",
    ),
    Site(
        id="tinhuytiengiang",
        name="Tỉnh ủy Tiền Giang",
        level="province",
        province="Tiền Giang",
        url="https://tinhuytiengiang.vn/",
        status="merged",
        province_now="Đồng Tháp",
        unit_code="p63-82",
    ),
    Site(
        id="tinhuydongthap",
        name="Tỉnh ủy Đồng Tháp",
        level="province",
        province="Đồng Tháp",
        url="https://dongthap.dcs.vn/",
        province_now="Đồng Tháp",
    ),
    Site(
        id="dangcongsan",
        name="Báo điện tử Đảng Cộng sản Việt Nam",
        level="central",
        province="",
        url="https://dangcongsan.vn/",
    ),
)

#: The hostile text: markup that an extraction slip could carry into the archive.
HOSTILE_TEXT = (
    "Huyện ủy Gio Linh thông báo lịch tiếp công dân tháng 3/2024.\n"
    "<script>alert('xss')</script><img src=x onerror=alert(1)>\n"
    "Đồng chí Bí thư Huyện ủy trực tiếp tiếp công dân vào ngày 15 hằng tháng."
)

#: id -> article columns. Ids are given so that copies and versions can refer to them.
ARTICLES: dict[int, dict[str, Any]] = {
    1: {
        "site_id": "tinhuyquangtri",
        "url": "https://tinhuyquangtri.vn/Article/ViewDetail.aspx?aid=1201",
        "title": "Hội nghị tổng kết công tác tuyên giáo năm 2022",
        "published": "2023-01-12T08:30:00+07:00",
        "published_precision": "minute",
        "published_source": "dateline",
        "author": "Minh Hải",
        "text": (
            "Sáng 12/1, Ban Tuyên giáo Tỉnh ủy Quảng Trị tổ chức hội nghị tổng kết công tác "
            "tuyên giáo năm 2022, triển khai nhiệm vụ năm 2023.\n"
            "Năm 2022, công tác tuyên truyền các nghị quyết của Đảng được triển khai kịp thời, "
            "bám sát thực tiễn của địa phương.\n"
            "Phát biểu chỉ đạo, đồng chí Phó Bí thư Thường trực Tỉnh ủy đề nghị tiếp tục đổi mới "
            "nội dung, phương thức tuyên truyền."
        ),
        "first_seen": "2023-01-12T10:02:11+07:00",
    },
    2: {
        "site_id": "tinhuyquangtri",
        "url": "https://tinhuyquangtri.vn/Article/ViewDetail.aspx?aid=1240",
        "title": "Kỷ niệm 93 năm Ngày thành lập Đảng Cộng sản Việt Nam",
        "published": "2023-02-03T07:15:00+07:00",
        "published_precision": "minute",
        "published_source": "dateline",
        "author": None,
        "text": (
            "Tối 3/2, Tỉnh ủy Quảng Trị tổ chức lễ kỷ niệm 93 năm Ngày thành lập Đảng Cộng sản "
            "Việt Nam (3/2/1930 - 3/2/2023).\n"
            "Đảng bộ tỉnh đã lãnh đạo nhân dân vượt qua khó khăn, giữ vững ổn định chính trị."
        ),
        "first_seen": "2023-02-03T09:00:00+07:00",
    },
    3: {
        "site_id": "tinhuyquangtri",
        "url": "https://tinhuyquangtri.vn/Article/ViewDetail.aspx?aid=1388",
        "title": "Tuyên truyền kết quả Hội nghị Trung ương 10",
        "published": "2024-10-02",
        "published_precision": "day",
        "published_source": "listing",
        "author": "Thu Trang",
        "text": (
            "Ban Thường vụ Tỉnh ủy yêu cầu các cấp ủy làm tốt công tác tuyên giáo về kết quả "
            "Hội nghị Trung ương 10 khóa XIII.\n"
            "Các cơ quan báo chí mở chuyên mục phản ánh việc học tập, quán triệt nghị quyết."
        ),
        "first_seen": "2024-10-03T01:00:00+07:00",
    },
    4: {
        "site_id": "dangcongsan",
        "url": "https://dangcongsan.vn/tuyen-giao/quang-tri-tong-ket-cong-tac-tuyen-giao-630101.html",
        "title": "Quảng Trị: Tổng kết công tác tuyên giáo năm 2022",
        "published": "2023-01-14T16:40:00+07:00",
        "published_precision": "minute",
        "published_source": "meta",
        "author": "PV",
        "text": (
            "Ngày 12/1, Ban Tuyên giáo Tỉnh ủy Quảng Trị tổ chức hội nghị tổng kết công tác "
            "tuyên giáo năm 2022, triển khai nhiệm vụ năm 2023.\n"
            "Năm 2022, công tác tuyên truyền các nghị quyết của Đảng được triển khai kịp thời, "
            "bám sát thực tiễn của địa phương."
        ),
        "first_seen": "2023-01-14T18:00:00+07:00",
    },
    5: {
        "site_id": "tinhuytiengiang",
        "url": "https://tinhuytiengiang.vn/tin-tuc/dan-van/trien-khai-nhiem-vu-dan-van-5521.html",
        "title": "Tiền Giang triển khai nhiệm vụ công tác dân vận năm 2023",
        "published": "2023-05-10T14:00:00+07:00",
        "published_precision": "minute",
        "published_source": "jsonld",
        "author": "Ngọc Lan",
        "text": (
            "Chiều 10/5, Ban Dân vận Tỉnh ủy Tiền Giang triển khai nhiệm vụ công tác dân vận.\n"
            "Hội nghị thống nhất xây dựng mô hình dân vận khéo ở cơ sở."
        ),
        "first_seen": "2023-05-10T20:00:00+07:00",
    },
    6: {
        "site_id": "tinhuydongthap",
        "url": "https://dongthap.dcs.vn/tin-tuc/dai-hoi-dang-bo-tinh-lan-thu-i-9001.html",
        "title": "Khai mạc Đại hội đại biểu Đảng bộ tỉnh Đồng Tháp lần thứ I",
        "published": "2025-09-25T08:00:00+07:00",
        "published_precision": "minute",
        "published_source": "dateline",
        "author": "Hoàng Vũ",
        "text": (
            "Sáng 25/9, Đại hội đại biểu Đảng bộ tỉnh Đồng Tháp lần thứ I, nhiệm kỳ 2025 - 2030 "
            "khai mạc trọng thể.\n"
            "Đây là đại hội đầu tiên sau khi hợp nhất hai tỉnh Tiền Giang và Đồng Tháp."
        ),
        "first_seen": "2025-09-25T12:00:00+07:00",
    },
    7: {
        "site_id": "dangcongsan",
        "url": "https://dangcongsan.vn/thoi-su/khai-mac-dai-hoi-dang-bo-tinh-dong-thap-712202.html",
        "title": "Khai mạc Đại hội Đảng bộ tỉnh Đồng Tháp lần thứ I",
        "published": "2025-09-26T09:30:00+07:00",
        "published_precision": "minute",
        "published_source": "meta",
        "author": None,
        "text": (
            "Sáng 25/9, Đại hội đại biểu Đảng bộ tỉnh Đồng Tháp lần thứ I, nhiệm kỳ 2025 - 2030 "
            "khai mạc.\n"
            "Đây là đại hội đầu tiên sau khi hợp nhất hai tỉnh Tiền Giang và Đồng Tháp."
        ),
        "first_seen": "2025-09-26T11:00:00+07:00",
    },
    8: {
        "site_id": "huyenuygiolinh",
        "url": "http://huyenuygiolinh.vn/tin-tuc/lich-tiep-cong-dan-thang-3-2024.html",
        "title": "Lịch tiếp công dân <tháng 3/2024>",
        "published": "2024-03-01",
        "published_precision": "day",
        "published_source": "url",
        "author": None,
        "text": HOSTILE_TEXT,
        "first_seen": "2024-03-01T22:00:00+07:00",
        "gone_at": "2026-11-20T02:00:00+07:00",
    },
    9: {
        "site_id": "tinhuyquangtri",
        "url": "https://tinhuyquangtri.vn/Article/ViewDetail.aspx?aid=9",
        "title": "Giới thiệu Đảng bộ tỉnh Quảng Trị",
        "published": None,
        "published_precision": None,
        "published_source": None,
        "author": None,
        "text": "Đảng bộ tỉnh Quảng Trị được thành lập năm 1930.",
        "first_seen": "2026-10-05T01:30:00+07:00",
    },
    10: {
        "site_id": "tinhuyquangtri",
        "url": "https://tinhuyquangtri.vn/Article/ViewDetail.aspx?aid=1402",
        "title": "Quảng Trị sơ kết 6 tháng thực hiện Nghị quyết Đại hội Đảng bộ",
        "published": "2024-07-19T10:30:00+07:00",
        "published_precision": "minute",
        "published_source": "dateline",
        "author": "Minh Hải",
        "text": (
            "Sáng 19/7, Ban Chấp hành Đảng bộ tỉnh sơ kết 6 tháng thực hiện nghị quyết.\n"
            "Kinh tế của tỉnh tăng trưởng khá, thu ngân sách đạt 58% dự toán."
        ),
        "first_seen": "2024-07-19T12:00:00+07:00",
    },
    11: {
        "site_id": "dangcongsan",
        "url": "https://dangcongsan.vn/thoi-su/quang-tri-so-ket-6-thang-670001.html",
        "title": "Quảng Trị sơ kết 6 tháng thực hiện Nghị quyết Đại hội Đảng bộ tỉnh",
        "published": "2024-07-24T08:00:00+07:00",
        "published_precision": "minute",
        "published_source": "meta",
        "author": None,
        "text": (
            "Ngày 19/7, Ban Chấp hành Đảng bộ tỉnh Quảng Trị sơ kết 6 tháng thực hiện nghị quyết.\n"
            "Kinh tế của tỉnh tăng trưởng khá, thu ngân sách đạt 58% dự toán."
        ),
        "first_seen": "2024-07-24T09:00:00+07:00",
    },
    12: {
        "site_id": "dangcongsan",
        "url": "https://dangcongsan.vn/xay-dung-dang/tuyen-truyen-hoi-nghi-trung-uong-10-680002.html",
        "title": "Quảng Trị tuyên truyền kết quả Hội nghị Trung ương 10",
        "published": "2024-10-05",
        "published_precision": "day",
        "published_source": "meta",
        "author": None,
        "text": (
            "Ban Thường vụ Tỉnh ủy Quảng Trị yêu cầu các cấp ủy làm tốt công tác tuyên giáo về "
            "kết quả Hội nghị Trung ương 10 khóa XIII."
        ),
        "first_seen": "2024-10-05T10:00:00+07:00",
    },
}

#: (copy, original, similarity, delay_days): Quảng Trị -> dangcongsan three times (2, 5, 3 days:
#: median 3), Đồng Tháp -> dangcongsan once (1 day).
COPIES = ((4, 1, 0.91, 2.0), (11, 10, 0.88, 5.0), (12, 3, 0.86, 3.0), (7, 6, 0.95, 1.0))

#: Article 2 was edited: its first title, superseded on 21 November 2026.
OLD_VERSION = archive.StoredArticle(
    id=2,
    url=ARTICLES[2]["url"],
    site_id="tinhuyquangtri",
    title="Kỷ niệm 93 năm thành lập Đảng",
    text="Tối 3/2, Tỉnh ủy tổ chức lễ kỷ niệm.",
    author=None,
    published=ARTICLES[2]["published"],
    content_hash="old",
    first_seen=ARTICLES[2]["first_seen"],
)

#: (started, {site_id: ok}) of three nightly runs.
RUNS = (
    ("2026-10-05T01:00:00+07:00", {s.id: 1 for s in SITES}),
    ("2026-11-20T01:00:00+07:00", {"tinhuyquangtri": 1, "huyenuygiolinh": 0, "dangcongsan": 1}),
    ("2026-11-21T01:00:00+07:00", {"tinhuyquangtri": 1, "huyenuygiolinh": 0, "dangcongsan": 1}),
)


def build_archive(path: Path) -> Path:
    """Write the sample archive above to path with crawler.archive's functions; return path."""
    db = archive.open_archive(path)
    archive.sync_sites(db, SITES, loaded_at="2026-11-21T01:00:00+07:00")
    with archive.transaction(db):
        for article_id, values in ARTICLES.items():
            row = {"id": article_id, "last_seen": "2026-11-21T01:05:00+07:00", **values}
            row.pop("gone_at", None)  # set below by mark_gone, as the crawler does
            row["content_hash"] = desk.text_sha256(values["text"])[:16]
            archive.insert_article(db, row)
            archive.add_urls(db, article_id, [values["url"]], values["first_seen"])
            archive.index_for_search(db, article_id, values["title"], values["text"])
        archive.add_urls(db, 1, [ARTICLES[1]["url"] + "&print=1"], "2023-01-13T00:00:00+07:00")
        for copy_id, original_id, similarity, delay in COPIES:
            archive.link_copy(db, copy_id, original_id, similarity, delay)
        archive.save_version(db, OLD_VERSION, superseded_at="2026-11-21T01:20:00+07:00")
        archive.replace_date_evidence(
            db,
            1,
            [
                {
                    "signal": "dateline",
                    "raw": "08:30 - 12/01/2023",
                    "parsed": ARTICLES[1]["published"],
                    "accepted": 1,
                    "reason": "the article's own dateline",
                },
                {
                    "signal": "header",
                    "raw": "Thứ Bảy, ngày 21 tháng 11 năm 2026",
                    "parsed": "2026-11-21",
                    "accepted": 0,
                    "reason": "crawl date shown in the page header",
                },
            ],
        )
    archive.mark_gone(db, [ARTICLES[8]["url"]], ARTICLES[8]["gone_at"])
    for started, outcomes in RUNS:
        run_id = archive.start_run(db, started, None, "nightly")
        for site_id, ok in outcomes.items():
            archive.record_site_run(
                db, run_id, site_id, started=started, finished=started, requests=10, ok=ok
            )
        archive.finish_run(db, run_id, started.replace("T01:", "T02:"), status="ok")
    archive.sync_units(db, gazetteer.unit_rows())
    desk.create_views(db)
    db.conn.close()
    return path


# --- a Datasette app as `crawler serve` builds it ---------------------------------------------


class Desk:
    """Datasette's real app over an archive, with a private event loop for its async client."""

    def __init__(self, db_path: Path) -> None:
        self.loop = asyncio.new_event_loop()
        metadata = yaml.safe_load(desk.METADATA_PATH.read_text(encoding="utf-8"))
        self.ds = Datasette(
            [str(db_path)],
            metadata=metadata,
            template_dir=str(desk.TEMPLATES_DIR),
            settings=dict(desk.SERVE_SETTINGS),
        )
        self.loop.run_until_complete(self.ds.invoke_startup())

    def get(self, path: str, **params: str) -> Any:
        query = ("&" if "?" in path else "?") + urlencode(params) if params else ""
        return self.loop.run_until_complete(self.ds.client.get(path + query))

    def rows(self, path: str, **params: str) -> list[dict[str, Any]]:
        response = self.get(path, _shape="array", **params)
        assert response.status_code == 200, response.text
        rows: list[dict[str, Any]] = response.json()
        return rows

    def close(self) -> None:
        for database in self.ds.databases.values():
            database.close()
        self.loop.close()


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("desk") / "archive.db")


@pytest.fixture(scope="module")
def app(archive_path: Path) -> Iterator[Desk]:
    served = Desk(archive_path)
    yield served
    served.close()


def ids(rows: list[dict[str, Any]]) -> list[int]:
    return [row["id"] for row in rows]


# --- search -----------------------------------------------------------------------------------

#: Articles 1, 3, 4 and 12 say "tuyên giáo"; article 1 and its copy 4 have it in the title.
TUYEN_GIAO = [1, 3, 4, 12]


@pytest.mark.parametrize("query", ["tuyen giao", "tuyên giáo", "TUYÊN GIÁO", "Tuyen Giao"])
def test_table_search_ignores_diacritics_and_case(app: Desk, query: str) -> None:
    rows = app.rows("/archive/articles_view.json", _search=query, _sort="id")
    assert ids(rows) == TUYEN_GIAO


@pytest.mark.parametrize("query", ["Đảng", "đảng", "dang", "DANG"])
def test_dang_with_or_without_the_stroke_finds_the_same_articles(app: Desk, query: str) -> None:
    # FTS5's remove_diacritics never folds đ; the folded columns make "dang" find "Đảng".
    rows = app.rows("/archive/articles_view.json", _search=query, _sort="id")
    assert ids(rows) == [1, 2, 4, 6, 7, 9, 10, 11]


def test_the_articles_table_searches_the_same_way(app: Desk) -> None:
    rows = app.rows("/archive/articles.json", _search="dang", _sort="id", _col="title")
    assert ids(rows) == [1, 2, 4, 6, 7, 9, 10, 11]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param('"tuyên giáo Tỉnh ủy"', [1, 4], id="phrase-with-diacritics"),
        pytest.param('"tuyen giao tinh uy"', [1, 4], id="phrase-folded"),
        pytest.param('"giáo tuyên"', [], id="phrase-word-order-matters"),
        pytest.param('"Đại hội Đảng bộ"', [7, 10, 11], id="phrase-with-d-stroke"),
        pytest.param('"dai hoi dang bo"', [7, 10, 11], id="phrase-with-d-stroke-folded"),
    ],
)
def test_phrase_search(app: Desk, query: str, expected: list[int]) -> None:
    rows = app.rows("/archive/articles_view.json", _search=query, _sort="id")
    assert ids(rows) == expected


def test_ranked_search_puts_title_matches_first(app: Desk) -> None:
    rows = app.rows("/archive/search.json", q="tuyen giao")
    # Titles 1 and 4 say "tuyên giáo"; 3 and 12 say it only in the text.
    assert sorted(row["id"] for row in rows[:2]) == [1, 4]
    assert sorted(row["id"] for row in rows) == TUYEN_GIAO


def test_ranked_search_marks_matches_in_the_original_spelling(app: Desk) -> None:
    rows = app.rows("/archive/search.json", q="dang")
    snippet = next(row["snippet"] for row in rows if row["id"] == 9)
    assert snippet == "\x02Đảng\x03 bộ tỉnh Quảng Trị được thành lập năm 1930."


def test_search_page_shows_highlighted_results(app: Desk) -> None:
    html = app.get("/archive/search", q="tuyen giao").text
    assert "4</b> articles for “tuyen giao”" in html
    assert "<mark>tuyên</mark> <mark>giáo</mark>" in html
    assert 'href="/archive/articles_view?_search=tuyen+giao"' in html


@pytest.mark.parametrize("query", ["", '"', "   "])
def test_blank_search_is_empty_not_an_error(app: Desk, query: str) -> None:
    assert app.rows("/archive/search.json", q=query) == []


def test_fold_sql_function(app: Desk) -> None:
    rows = app.rows("/archive.json", sql="select fold('Tuyên giáo Đảng') as folded")
    assert rows == [{"folded": "tuyen giao dang"}]
    assert fold_sql(None) is None


@pytest.mark.parametrize(
    ("text", "query", "width", "expected"),
    [
        pytest.param("Đảng bộ tỉnh", "dang", 300, "\x02Đảng\x03 bộ tỉnh", id="stroke-folded"),
        pytest.param(
            "Ban Tuyên giáo",
            '"tuyen giao"',
            300,
            "Ban \x02Tuyên\x03 \x02giáo\x03",
            id="phrase-words",
        ),
        pytest.param("dân vận khéo", "dan", 300, "\x02dân\x03 vận khéo", id="whole-words-only"),
        pytest.param("nhân dân", "nhan dan", 300, "\x02nhân\x03 \x02dân\x03", id="two-words"),
        pytest.param(
            "mở đầu " * 20 + "cuối cùng",
            "cuoi",
            40,
            "… đầu mở đầu \x02cuối\x03 cùng",
            id="window-moves-to-match",
        ),
        pytest.param("một hai ba bốn năm", "không", 10, "một hai …", id="no-match-opening"),
        pytest.param(None, "x", 10, "", id="none"),
    ],
)
def test_excerpt(text: str | None, query: str, width: int, expected: str) -> None:
    assert desk.excerpt(text, query, width) == expected


# --- facets, dates, sorting -------------------------------------------------------------------


def test_facets_on_province_then_and_now_level_year(app: Desk) -> None:
    data = app.get("/archive/articles_view.json", _facet="province_now").json()
    counts = {f["value"]: f["count"] for f in data["facet_results"]["province_now"]["results"]}
    # Today's Đồng Tháp includes the former Tiền Giang's article (5) and the new province's (6).
    assert counts == {"Quảng Trị": 6, "Đồng Tháp": 2}
    data = app.get(
        "/archive/articles_view.json", province_now="Đồng Tháp", _facet="province"
    ).json()
    counts = {f["value"]: f["count"] for f in data["facet_results"]["province"]["results"]}
    assert counts == {"Tiền Giang": 1, "Đồng Tháp": 1}


def test_default_facets_are_the_documented_ones(app: Desk) -> None:
    html = app.get("/archive/articles_view").text
    for facet in ("site_name", "province_now", "province", "level", "year", "month", "author"):
        assert f'data-column="{facet}"' in html, facet


def test_date_range_and_newest_first(app: Desk) -> None:
    rows = app.rows(
        "/archive/articles_view.json", published__gte="2024-01-01", published__lt="2025-01-01"
    )
    assert ids(rows) == [12, 3, 11, 10, 8]


# --- canned queries ---------------------------------------------------------------------------


def test_articles_per_site_month(app: Desk) -> None:
    rows = app.rows(
        "/archive/articles_per_site_month.json", site="tinhuyquangtri", start="", end="2024-07-19"
    )
    assert [(r["month"], r["articles"]) for r in rows] == [
        ("2023-01", 1),
        ("2023-02", 1),
        ("2024-07", 1),
    ]
    assert {r["site_name"] for r in rows} == {"Tỉnh ủy Quảng Trị"}


def test_most_active_sites_in_a_period(app: Desk) -> None:
    rows = app.rows(
        "/archive/most_active_sites.json", start="2023-01-01", end="2023-12-31", top="2"
    )
    assert [(r["site_id"], r["articles"], r["first_published"]) for r in rows] == [
        ("tinhuyquangtri", 2, "2023-01-12T08:30:00+07:00"),
        ("dangcongsan", 1, "2023-01-14T16:40:00+07:00"),
    ]


def test_keyword_over_time_is_folded(app: Desk) -> None:
    with_marks = app.rows("/archive/keyword_over_time.json", keyword="Tuyên giáo", site="")
    without = app.rows("/archive/keyword_over_time.json", keyword="tuyen giao", site="")
    assert with_marks == without
    assert [(r["month"], r["articles_mentioning"], r["articles_total"]) for r in with_marks] == [
        ("2023-01", 2, 2),
        ("2023-02", 0, 1),
        ("2023-05", 0, 1),
        ("2024-03", 0, 1),
        ("2024-07", 0, 2),
        ("2024-10", 2, 2),
        ("2025-09", 0, 2),
    ]
    assert with_marks[0]["percent"] == 100.0


def test_republication_pairs_with_median_delay(app: Desk) -> None:
    rows = app.rows("/archive/republication_pairs.json", start="", end="")
    assert [
        (
            r["original_site"],
            r["copy_site"],
            r["copies"],
            r["median_delay_days"],
            r["mean_similarity"],
        )
        for r in rows
    ] == [
        ("tinhuyquangtri", "dangcongsan", 3, 3.0, 0.883),
        ("tinhuydongthap", "dangcongsan", 1, 1.0, 0.95),
    ]
    assert rows[0]["copy_site_name"] == "Báo điện tử Đảng Cộng sản Việt Nam"


def test_edits_and_deletions_in_the_last_n_days(app: Desk) -> None:
    rows = app.rows("/archive/edits_and_deletions.json", days="7", as_of="2026-11-23")
    assert [(r["change"], r["article_id"], r["previous_title"]) for r in rows] == [
        ("edited", 2, "Kỷ niệm 93 năm thành lập Đảng"),
        ("gone", 8, None),
    ]
    assert app.rows("/archive/edits_and_deletions.json", days="1", as_of="2026-11-23") == []


def test_sites_that_stopped_publishing(app: Desk) -> None:
    rows = app.rows("/archive/stopped_publishing.json", as_of="2026-11-23", quiet_days="500")
    assert [(r["site_id"], r["status"], r["days_silent"], r["last_crawl_says"]) for r in rows] == [
        ("tinhuytiengiang", "merged", 1293, "reachable: nothing new"),
        ("huyenuygiolinh", "gone", 997, "failing: last crawl did not reach it"),
        ("tinhuyquangtri", "active", 782, "reachable: nothing new"),
    ]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        pytest.param(
            "2024-01-01",
            [
                # Gio Linh district (d63-466) counts for its province, Quảng Trị (p63-45).
                ("Quảng Trị", "p63-45", "Quảng Trị", 2, 6),
                # dangcongsan, a central organ, has no province in the registry.
                ("(no province)", None, None, 1, 4),
                ("Tiền Giang", "p63-82", "Tiền Giang", 1, 1),
                # Matched by name (no unit_code): the 63-map Đồng Tháp, valid on that day.
                ("Đồng Tháp", "p63-87", "Đồng Tháp", 1, 1),
            ],
            id="before-the-merger-63-provinces",
        ),
        pytest.param(
            "2025-06-30",
            [
                ("Quảng Trị", "p63-45", "Quảng Trị", 2, 6),
                ("(no province)", None, None, 1, 4),
                ("Tiền Giang", "p63-82", "Tiền Giang", 1, 1),
                ("Đồng Tháp", "p63-87", "Đồng Tháp", 1, 1),
            ],
            id="last-day-of-the-63-map",
        ),
        pytest.param(
            "2026-01-01",
            [
                # The new Quảng Trị (p34-44, with the former Quảng Bình).
                ("Quảng Trị", "p34-44", "Quảng Trị", 2, 6),
                ("(no province)", None, None, 1, 4),
                # Today's Đồng Tháp includes the former Tiền Giang.
                ("Đồng Tháp", "p34-82", "Tiền Giang, Đồng Tháp", 2, 2),
            ],
            id="after-the-merger-34-provinces",
        ),
    ],
)
def test_articles_by_province_as_of_a_date(
    app: Desk, as_of: str, expected: list[tuple[str, str | None, str | None, int, int]]
) -> None:
    rows = app.rows("/archive/articles_by_province_as_of.json", as_of=as_of, start="", end="")
    assert [
        (r["province"], r["unit_code"], r["registry_provinces"], r["sites"], r["articles"])
        for r in rows
    ] == expected


def test_sites_per_province_active_and_gone(app: Desk) -> None:
    rows = app.rows("/archive/sites_per_province.json", level="")
    assert [
        (
            r["province_now"],
            r["founded_in"],
            r["sites"],
            r["active"],
            r["merged"],
            r["gone"],
            r["articles"],
        )
        for r in rows
    ] == [
        ("(no province)", None, 1, 1, 0, 0, 4),
        ("Quảng Trị", "Quảng Trị", 2, 1, 0, 1, 6),
        ("Đồng Tháp", "Tiền Giang, Đồng Tháp", 2, 1, 1, 0, 2),
    ]


def test_coverage_calendar_tells_silence_from_not_looking(app: Desk) -> None:
    rows = app.rows(
        "/archive/coverage_calendar.json",
        site="huyenuygiolinh",
        start_month="2024-02",
        end_month="2024-03",
    )
    assert [(r["month"], r["published"], r["crawl_days"], r["coverage"]) for r in rows] == [
        ("2024-02", 0, 0, "not crawled"),
        ("2024-03", 1, 0, "found by a later crawl"),
    ]
    rows = app.rows(
        "/archive/coverage_calendar.json",
        site="huyenuygiolinh",
        start_month="2026-10",
        end_month="2026-11",
    )
    assert [
        (r["month"], r["crawl_days"], r["failed_days"], r["failed_on"], r["coverage"]) for r in rows
    ] == [
        ("2026-10", 1, 0, None, "crawled, nothing published"),
        ("2026-11", 2, 2, "20,21", "unreachable"),
    ]


def test_every_canned_query_runs_with_blank_parameters(app: Desk) -> None:
    queries = app.ds.metadata("queries", database="archive")
    assert len(queries) == 10
    for name, query in queries.items():
        # Researchers read titles and descriptions, not SQL.
        assert query["title"], name
        assert query["description"], name
        assert query["hide_sql"] is True, name
        response = app.get(f"/archive/{name}.json", _shape="array")
        assert response.status_code == 200, (name, response.text)


# --- charts -----------------------------------------------------------------------------------


def test_dashboard_charts_query_cleanly_with_default_filters(app: Desk) -> None:
    config = app.ds.plugin_config("datasette-dashboards")["overview"]
    for slug, chart in config["charts"].items():
        sql = chart["query"].replace("[[", "").replace("]]", "")
        params = {"keyword": "tuyen giao", "site": "tinhuyquangtri"}
        params |= {"date_start": "2023-01-01", "date_end": "2024-12-31"}
        response = app.get("/archive.json", sql=sql, _shape="array", **params)
        assert response.status_code == 200, (slug, response.text)
    per_month = config["charts"]["per-month"]["query"]
    sql = per_month.replace("[[ AND site_id = :site ]]", "").replace("[[", "").replace("]]", "")
    rows = app.rows("/archive.json", sql=sql, date_start="2024-01-01", date_end="2024-12-31")
    assert rows == [
        {"month": "2024-03-01", "articles": 1},
        {"month": "2024-07-01", "articles": 2},
        {"month": "2024-10-01", "articles": 2},
    ]


def test_dashboard_loads_vega_from_this_server_only(app: Desk) -> None:
    html = app.get("/-/dashboards/overview?keyword=tuyen+giao").text
    assert "/-/static-plugins/datasette_dashboards/vega.min.js" in html
    assert "/-/static-plugins/datasette_dashboards/vega-lite.min.js" in html
    assert 'src="http' not in html
    assert "cdn" not in html.lower()
    assert app.get("/-/static-plugins/datasette_dashboards/vega-embed.min.js").status_code == 200


# --- pages ------------------------------------------------------------------------------------


def test_article_page_reads_well(app: Desk) -> None:
    html = app.get("/archive/articles/1").text
    assert "<h1>Hội nghị tổng kết công tác tuyên giáo năm 2022</h1>" in html
    assert '<time datetime="2023-01-12T08:30:00+07:00">12/01/2023 08:30</time>' in html
    assert (
        '<a href="https://tinhuyquangtri.vn/Article/ViewDetail.aspx?aid=1201" '
        'rel="noopener noreferrer nofollow">Original page ↗</a>'
    ) in html
    assert html.count("<p>Năm 2022, công tác tuyên truyền") == 1  # a paragraph, once
    assert "Copies on other sites (1)" in html
    assert "Báo điện tử Đảng Cộng sản Việt Nam</a>, 2023-01-14 (+2.0 d), 91% similar" in html
    assert "✘ header: “Thứ Bảy, ngày 21 tháng 11 năm 2026”" in html
    assert "Addresses seen (2)" in html


def test_article_page_offers_a_citation(app: Desk) -> None:
    html = app.get("/archive/articles/4").text
    sha = desk.text_sha256(ARTICLES[4]["text"])
    expected = (
        "Báo điện tử Đảng Cộng sản Việt Nam (2023-01-14). Quảng Trị: Tổng kết công tác tuyên "
        "giáo năm 2022. https://dangcongsan.vn/tuyen-giao/quang-tri-tong-ket-cong-tac-tuyen-"
        f"giao-630101.html (retrieved 2023-01-14; Party News Archive article 4, text SHA-256 "
        f"{sha[:16]})."
    )
    assert expected in html
    assert f"<code>{sha}</code>" in html
    assert 'Re-published from <a href="/archive/articles/1">' in html


def test_article_page_shows_versions_and_takedown(app: Desk) -> None:
    html = app.get("/archive/articles/2").text
    assert "Earlier versions (1)" in html
    assert "Replaced 2026-11-21 01:20: “Kỷ niệm 93 năm thành lập Đảng”" in html
    assert "<p>Tối 3/2, Tỉnh ủy tổ chức lễ kỷ niệm.</p>" in html
    assert "taken down (2026-11-20)" in app.get("/archive/articles/8").text


@pytest.mark.parametrize(
    "path",
    [
        "/archive/articles/8",
        "/archive/articles?id=8",
        "/archive/articles_view?id=8",
        "/archive/search?q=tiep+cong+dan",
    ],
)
def test_page_markup_is_shown_escaped(app: Desk, path: str) -> None:
    html = app.get(path).text
    assert "Gio Linh" in html
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<tháng 3/2024>" not in html
    assert "&lt;tháng 3/2024&gt;" in html


def test_only_http_links_become_hrefs() -> None:
    assert desk.safe_link("javascript:alert(1)") is None
    assert desk.safe_link("HTTPS://x.vn/a") == "HTTPS://x.vn/a"


def test_home_page_has_search_figures_and_questions(app: Desk) -> None:
    html = app.get("/").text
    assert '<form action="/archive/search" method="get" role="search">' in html
    assert "<b>12</b> articles" in html
    assert "<b>5</b> committee sites" in html
    assert 'href="/archive/republication_pairs">Who re-publishes whom</a>' in html


# --- served read-only -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "delete from articles",
        "update articles set title = 'x'",
        "select 1; delete from articles",
        "pragma query_only = 0",
    ],
)
def test_sql_endpoint_refuses_writes(app: Desk, sql: str) -> None:
    response = app.get("/archive.json", sql=sql)
    assert response.status_code == 400
    assert app.rows("/archive.json", sql="select count(*) as n from articles") == [{"n": 12}]


def test_connections_cannot_write_even_from_a_plugin(app: Desk) -> None:
    database = app.ds.get_database("archive")
    with pytest.raises(sqlite3.OperationalError, match=r"readonly|query_only"):
        app.loop.run_until_complete(database.execute_write("delete from articles"))
    assert app.rows("/archive.json", sql="select count(*) as n from articles") == [{"n": 12}]


# --- views and the command line ---------------------------------------------------------------


def test_create_views_is_idempotent(tmp_path: Path) -> None:
    path = build_archive(tmp_path / "archive.db")
    db = sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))
    assert desk.create_views(db) == ["articles_view", "copies_view"]
    assert desk.create_views(db) == ["articles_view", "copies_view"]
    assert sorted(db.view_names()) == ["articles_view", "copies_view"]
    assert db.execute("select count(*) from articles_view").fetchone()[0] == 12
    assert db.execute("select copy_title from copies_view where copy_id = 7").fetchone() == (
        "Khai mạc Đại hội Đảng bộ tỉnh Đồng Tháp lần thứ I",
    )


def test_prepare_archive_adds_the_views_to_a_crawled_archive(tmp_path: Path) -> None:
    db = archive.open_archive(tmp_path / "archive.db")
    db.conn.close()
    assert desk.prepare_archive(tmp_path / "archive.db") == ["articles_view", "copies_view"]
    conn = sqlite3.connect(str(tmp_path / "archive.db"))
    assert conn.execute("SELECT count(*) FROM articles_view").fetchone() == (0,)
    conn.close()


def test_serve_command_is_read_only_and_limited() -> None:
    command = desk.serve_command(Path("data/archive.db"), "0.0.0.0", 8080)
    assert command[1:5] == ["-m", "datasette", "serve", "data/archive.db"]
    assert "-i" not in command
    assert command[command.index("--host") + 1] == "0.0.0.0"
    assert command[command.index("--port") + 1] == "8080"
    assert command[command.index("--metadata") + 1] == str(desk.METADATA_PATH)
    assert command[command.index("--template-dir") + 1] == str(desk.TEMPLATES_DIR)
    pairs = [tuple(command[i + 1 : i + 3]) for i, arg in enumerate(command) if arg == "--setting"]
    assert ("sql_time_limit_ms", "3000") in pairs
    assert ("allow_download", "off") in pairs
    release_command = desk.serve_command(Path("r/archive.db"), immutable=True)
    assert release_command[4:6] == ["-i", "r/archive.db"]


def test_serve_command_runs_datasette_for_real(archive_path: Path) -> None:
    # Datasette's own --get runs one request through the CLI-built app without a server.
    command = desk.serve_command(archive_path, "127.0.0.1", 8001)
    command += ["--get", "/archive/articles_view.json?_search=dang&_shape=array&_col=id"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    assert sorted(row["id"] for row in json.loads(result.stdout)) == [1, 2, 4, 6, 7, 9, 10, 11]
