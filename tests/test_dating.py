"""Choosing a page's publication date: whole pages, one per trap, under tests/fixtures/dates/.

Every fixture page is fetched on Friday 14 March 2025 at 08:00 (Vietnam) and carries what real
party-committee pages carry: a header widget printing that day, related-news and document lists
with their own dates, event dates in the lead and body, copyright years.
"""

from __future__ import annotations

import pickle
import unicodedata
from datetime import datetime
from pathlib import Path

import lxml.html
import pytest

from crawler.dating import (
    DateCandidate,
    DateChoice,
    choose_publication_date,
    hint_candidates,
    page_date_candidates,
)
from crawler.html import parse_html
from crawler.timezone import VN_TZ

FIXTURES = Path(__file__).parent / "fixtures" / "dates"
FETCHED_AT = datetime(2025, 3, 14, 8, 0, tzinfo=VN_TZ)
ARTICLE_URL = "http://tinhuy.example.vn/tin-tuc/xay-dung-dang/bai-viet-1024.html"


def load(name: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring((FIXTURES / f"{name}.html").read_text(encoding="utf-8"))


def choose(name: str, url: str = ARTICLE_URL, title: str | None = None) -> DateChoice:
    candidates = page_date_candidates(load(name), url, FETCHED_AT, title=title)
    return choose_publication_date(candidates, FETCHED_AT)


def reason_for(choice: DateChoice, raw_part: str) -> list[object]:
    return [e["reason"] for e in choice.evidence if raw_part in str(e["raw"])]


# (id, fixture, url, published, source, updated)
PAGES = [
    # Meta and the eGov dateline agree; the header widget and the lists are rejected.
    (
        "nukeviet-meta-and-dateline-agree",
        "nukeviet_egov",
        ARTICLE_URL,
        "2025-02-10T15:42:00+07:00",
        "meta",
        None,
    ),
    # The page's only date is labelled "Cập nhật": it counts as the publication date.
    (
        "nukeviet-update-label-only",
        "nukeviet_capnhat_only",
        ARTICLE_URL,
        "2024-01-05",
        "dateline",
        "2024-01-05",
    ),
    # "Ngày đăng" is the publication, the "Cập nhật" below the text the update.
    (
        "liferay-published-and-updated",
        "liferay_dang_capnhat",
        ARTICLE_URL,
        "2018-08-07T17:07:00+07:00",
        "dateline",
        "2018-08-09T08:00:00+07:00",
    ),
    # SharePoint prints the dateline above the title, time first.
    (
        "sharepoint-dateline-above-title",
        "sharepoint_above_title",
        ARTICLE_URL,
        "2018-01-01T23:44:00+07:00",
        "dateline",
        None,
    ),
    # Meta written in UTC but labelled +07:00: 7 h off the visible dateline, which wins.
    (
        "wordpress-meta-time-zone-error",
        "wordpress_tz_error",
        "http://danguykhoidn.example.vn/2019/05/20/hoi-nghi-bao-cao-vien-thang-5/",
        "2019-05-20T02:15:00+07:00",
        "dateline",
        None,
    ),
    # No date on the page at all: the /YYYY/MM/DD/ URL dates it, to the day.
    (
        "wordpress-url-only",
        "wordpress_url_only",
        "http://huyenuydoluong.example.vn/2021/09/03/do-luong-ra-quan-tong-ve-sinh-moi-truong/",
        "2021-09-03",
        "url",
        None,
    ),
    # JSON-LD in UTC: 20:05Z on 30 June is 03:05 on 1 July in Vietnam.
    (
        "joomla-jsonld-utc",
        "joomla_jsonld",
        ARTICLE_URL,
        "2023-07-01T03:05:00+07:00",
        "jsonld",
        "2023-07-02T08:00:00+07:00",
    ),
    # A print page: stamped with the print date, nothing else. Never the crawl date.
    ("print-page-stamp", "aspnet_print", ARTICLE_URL, None, None, None),
    # Only event dates in the body, a related list, a document list, a footer "update".
    ("body-and-list-dates-only", "aspnet_body_dates_only", ARTICLE_URL, None, None, None),
    # The dateline says 20 March, the page was fetched on 14 March.
    ("dateline-after-fetch", "bespoke_future", ARTICLE_URL, None, None, None),
    # Meta stamped at render time (the fetch day) against a visible 11 March dateline.
    (
        "meta-render-stamp",
        "meta_render_stamp",
        ARTICLE_URL,
        "2025-03-11T14:20:00+07:00",
        "dateline",
        None,
    ),
    # No date of its own; a short dated line in a poll block below the text is not a dateline.
    ("nodate-dated-widget-below-text", "nukeviet_nodate_poll", ARTICLE_URL, None, None, None),
    # Date and time in adjacent spans above the title; a left column of dated teasers before it.
    (
        "dateline-spans-above-title-beside-dated-sidebar",
        "bespoke_left_sidebar",
        ARTICLE_URL,
        "2025-02-25T19:55:00+07:00",
        "dateline",
        None,
    ),
    # The same page without its dateline: the teaser dates just above the title are no dateline.
    ("dated-sidebar-only", "bespoke_left_sidebar_nodate", ARTICLE_URL, None, None, None),
    # A short notice: no paragraph is long, the dated schedule lines are no list of teasers.
    (
        "short-notice-unclassed-dateline",
        "bespoke_short_notice",
        ARTICLE_URL,
        "2025-02-10T15:42:00+07:00",
        "dateline",
        None,
    ),
    # Old table layout: the date set inside the title block, no h1, no <title> match.
    ("date-inside-title-block", "heading_span_date", ARTICLE_URL, "2024-07-19", "dateline", None),
]


@pytest.mark.parametrize(
    ("fixture", "url", "published", "source", "updated"),
    [p[1:] for p in PAGES],
    ids=[p[0] for p in PAGES],
)
def test_page_publication_date(
    fixture: str, url: str, published: str | None, source: str | None, updated: str | None
) -> None:
    choice = choose(fixture, url)
    assert (choice.published, choice.source, choice.updated) == (published, source, updated)


# (id, fixture, raw text of a trap date, reason it must be rejected with)
TRAPS = [
    (
        "header-widget-long-form",
        "nukeviet_egov",
        "ngày 14 tháng 3 năm 2025",
        "header widget: crawl date",
    ),
    (
        "header-widget-hom-nay",
        "nukeviet_capnhat_only",
        "Hôm nay: 14/03/2025",
        "header widget: crawl date",
    ),
    ("header-widget-numeric", "bespoke_future", "Thứ sáu, 14/03/2025", "header widget: crawl date"),
    (
        "print-stamp",
        "aspnet_print",
        "Ngày in: 14/03/2025",
        "print stamp: the date the page was printed",
    ),
    (
        "related-list-in-links",
        "nukeviet_egov",
        "(03/02/2025)",
        "in a link: a teaser or related-article list",
    ),
    ("related-list-beside-links", "sharepoint_above_title", "(Ngày 28/12/2017)", "in related list"),
    ("related-list-liferay", "liferay_dang_capnhat", "(28/05/2018)", "in related list"),
    (
        "document-list",
        "sharepoint_above_title",
        "Thông báo số 94-TB/TU",
        "in a link: a teaser or related-article list",
    ),
    (
        "cited-resolution",
        "aspnet_body_dates_only",
        "22/10/2018",
        "date of a cited document (số …/…)",
    ),
    ("event-date-no-year", "aspnet_body_dates_only", "27/1", "no year stated"),
    (
        "event-date-in-body",
        "aspnet_body_dates_only",
        "Ngày 19/01/2019",
        "in body text: a date the article is about",
    ),
    (
        "deadline-in-body",
        "liferay_dang_capnhat",
        "30/9/2018",
        "in body text: a date the article is about",
    ),
    ("footer-last-update", "aspnet_body_dates_only", "Cập nhật lần cuối", "page footer"),
    ("after-fetch", "bespoke_future", "Đăng lúc 09:00, 20/03/2025", "after fetch time"),
    ("event-after-fetch", "bespoke_future", "27/3/2025", "after fetch time"),
    (
        "dated-line-below-text",
        "nukeviet_nodate_poll",
        "Kết quả tính đến 10/03/2025",
        "after the article text: not the article's dateline",
    ),
    ("dated-teaser-list", "bespoke_left_sidebar_nodate", "20/01/2025", "in a list of dated items"),
    ("microdata-in-related-item", "joomla_jsonld", "2023-06-28T08:00:00+07:00", "in related list"),
    (
        "render-stamp",
        "meta_render_stamp",
        "2025-03-14T00:05:31",
        "states the fetch day; the visible dateline disagrees",
    ),
    (
        "utc-as-local",
        "wordpress_tz_error",
        "2019-05-19T19:15",
        "7 h off the visible dateline: time-zone error",
    ),
]


@pytest.mark.parametrize(
    ("fixture", "raw_part", "reason"), [t[1:] for t in TRAPS], ids=[t[0] for t in TRAPS]
)
def test_trap_rejected_with_reason(fixture: str, raw_part: str, reason: str) -> None:
    choice = choose(fixture)
    assert reason in reason_for(choice, raw_part)


def test_copyright_years_are_no_candidates() -> None:
    # "© 2015 - 2025" is a year range, not a date: it never reaches the evidence.
    choice = choose("nukeviet_egov")
    assert reason_for(choice, "2015 - 2025") == []


def test_no_crawl_date_ever_chosen() -> None:
    for fixture in sorted(p.stem for p in FIXTURES.glob("*.html")):
        choice = choose(fixture)
        assert (choice.published or "")[:10] != "2025-03-14", fixture


def test_title_locates_the_heading() -> None:
    title = "Hội nghị sơ kết công tác kiểm tra, giám sát 6 tháng đầu năm"
    choice = choose("heading_span_date", title=title)
    assert (choice.published, choice.source) == ("2024-07-19", "dateline")


def test_evidence_has_one_row_per_candidate_and_one_winner() -> None:
    tree = load("liferay_dang_capnhat")
    candidates = page_date_candidates(tree, ARTICLE_URL, FETCHED_AT)
    choice = choose_publication_date(candidates, FETCHED_AT)
    assert len(choice.evidence) == len(candidates)
    assert {"signal", "raw", "parsed", "accepted", "reason"} == set(choice.evidence[0])
    winners = [e for e in choice.evidence if e["reason"] == "chosen as published"]
    assert winners == [
        {
            "signal": "dateline",
            "raw": "Ngày đăng 07/08/2018 | 17:07",
            "parsed": "2018-08-07T17:07:00+07:00",
            "accepted": 1,
            "reason": "chosen as published",
        }
    ]


def test_nfd_page_reads_the_same() -> None:
    # Generated variant: the same page in decomposed Unicode (as some sites serve it).
    html = (FIXTURES / "liferay_dang_capnhat.html").read_text(encoding="utf-8")
    tree = lxml.html.document_fromstring(unicodedata.normalize("NFD", html))
    choice = choose_publication_date(
        page_date_candidates(tree, ARTICLE_URL, FETCHED_AT), FETCHED_AT
    )
    assert (choice.published, choice.raw) == (
        "2018-08-07T17:07:00+07:00",
        "Ngày đăng 07/08/2018 | 17:07",
    )


def test_tree_is_not_modified() -> None:
    # The extractor parses the same tree after us: reading dates must leave it byte-identical.
    for fixture in ("nukeviet_egov", "joomla_jsonld", "sharepoint_above_title"):
        tree = load(fixture)
        before = lxml.html.tostring(tree, encoding="unicode")
        page_date_candidates(tree, ARTICLE_URL, FETCHED_AT)
        assert lxml.html.tostring(tree, encoding="unicode") == before


def test_metadata_stamped_at_fetch_time_is_no_date() -> None:
    # No visible dateline to contradict it, but the value is the fetch moment itself.
    html = (
        '<html><head><meta property="article:published_time" content="2025-03-14T07:58:40+07:00">'
        "</head><body><h1>Tin hoạt động của Huyện ủy</h1><p>" + "Nội dung bài viết. " * 20 + "</p>"
        "</body></html>"
    )
    tree = lxml.html.document_fromstring(html)
    (cand,) = page_date_candidates(tree, ARTICLE_URL, FETCHED_AT)
    assert cand.rejected == "equals the fetch time: stamped when the page was served"
    assert choose_publication_date([cand], FETCHED_AT).published is None


def test_url_month_only_is_evidence_not_a_date() -> None:
    tree = lxml.html.document_fromstring("<html><body><h1>Tin</h1></body></html>")
    (cand,) = page_date_candidates(tree, "http://example.vn/2023/07/bai-viet/", FETCHED_AT)
    assert (cand.signal, cand.value, cand.rejected) == (
        "url",
        None,
        "month only: no day in the URL",
    )


def test_empty_page_gives_none() -> None:
    tree = lxml.html.document_fromstring("<html><body><p>Không tìm thấy trang</p></body></html>")
    choice = choose_publication_date(
        page_date_candidates(tree, ARTICLE_URL, FETCHED_AT), FETCHED_AT
    )
    assert (choice.published, choice.source, choice.evidence) == (None, None, ())


# ---------------------------------------------------------------- hints


# (id, source, raw, value, rejected)
HINTS = [
    (
        "feed-utc-evening-next-day",
        "feed",
        "Sun, 31 Dec 2017 20:30:00 +0000",
        "2018-01-01T03:30:00+07:00",
        None,
    ),
    ("feed-atom-z", "feed", "2024-06-18T20:51:00Z", "2024-06-19T03:51:00+07:00", None),
    ("sitemap-lastmod-day", "sitemap", "2018-08-07", "2018-08-07", None),
    ("listing-weekday", "listing", "(Thứ hai 12/03/2019)", "2019-03-12", None),
    ("listing-teaser-prefix", "listing", "(19/07/2024) ", "2024-07-19", None),
    ("listing-after-fetch", "listing", "20/03/2025", "2025-03-20", "after fetch time"),
    ("unreadable", "feed", "không rõ", None, "no date found"),
    ("unknown-source", "http", "Mon, 01 Jan 2018 03:00:00 GMT", None, "unknown hint source"),
]


@pytest.mark.parametrize(
    ("source", "raw", "value", "rejected"), [h[1:] for h in HINTS], ids=[h[0] for h in HINTS]
)
def test_hint_candidate(source: str, raw: str, value: str | None, rejected: str | None) -> None:
    (cand,) = hint_candidates([(source, raw)], FETCHED_AT)
    assert (cand.signal, cand.value, cand.rejected) == (source, value, rejected)


# ---------------------------------------------------------------- choosing


def cand(
    signal: str,
    value: str | None,
    *,
    update: bool = False,
    rejected: str | None = None,
    rank: int = 0,
) -> DateCandidate:
    precision = None if value is None else ("day" if len(value) == 10 else "minute")
    return DateCandidate(signal, f"raw {value}", value, precision, update, rejected, rank)


# (id, candidates, published, source, updated)
CHOICES = [
    (
        "structured-beats-dateline-when-they-disagree-without-reason",
        [cand("dateline", "2020-01-02"), cand("meta", "2020-01-05T09:00:00+07:00")],
        "2020-01-05T09:00:00+07:00",
        "meta",
        None,
    ),
    (
        "dateline-time-refines-day-only-metadata",
        [cand("meta", "2020-01-02"), cand("dateline", "2020-01-02T09:30:00+07:00")],
        "2020-01-02T09:30:00+07:00",
        "dateline",
        None,
    ),
    (
        "jsonld-beats-meta",
        [cand("meta", "2020-01-03"), cand("jsonld", "2020-01-02")],
        "2020-01-02",
        "jsonld",
        None,
    ),
    (
        "dateline-beats-url",
        [cand("url", "2020-01-01"), cand("dateline", "2020-01-02")],
        "2020-01-02",
        "dateline",
        None,
    ),
    (
        "url-beats-feed-beats-sitemap-beats-listing",
        [
            cand("listing", "2020-01-04"),
            cand("sitemap", "2020-01-03"),
            cand("feed", "2020-01-02T10:00:00+07:00"),
            cand("url", "2020-01-01"),
        ],
        "2020-01-01",
        "url",
        None,
    ),
    (
        "feed-beats-sitemap-and-listing",
        [cand("listing", "2020-01-04"), cand("sitemap", "2020-01-03"), cand("feed", "2020-01-02")],
        "2020-01-02",
        "feed",
        None,
    ),
    (
        "listing-when-alone",
        [cand("listing", "2020-01-04")],
        "2020-01-04",
        "listing",
        None,
    ),
    (
        "better-ranked-dateline-wins",
        [cand("dateline", "2020-01-09", rank=2), cand("dateline", "2020-01-02", rank=0)],
        "2020-01-02",
        "dateline",
        None,
    ),
    (
        "update-dateline-beats-url-when-only-page-date",
        [cand("url", "2020-01-01"), cand("dateline", "2020-01-05", update=True)],
        "2020-01-05",
        "dateline",
        "2020-01-05",
    ),
    (
        "published-dateline-beats-update-dateline",
        [cand("dateline", "2020-01-05", update=True), cand("dateline", "2020-01-02")],
        "2020-01-02",
        "dateline",
        "2020-01-05",
    ),
    (
        "date-modified-alone-is-last-resort",
        [cand("meta", "2020-01-05", update=True)],
        "2020-01-05",
        "meta",
        "2020-01-05",
    ),
    (
        "date-modified-after-hints",
        [cand("meta", "2020-01-05", update=True), cand("sitemap", "2020-01-03")],
        "2020-01-03",
        "sitemap",
        "2020-01-05",
    ),
    (
        "update-before-publication-ignored",
        [cand("meta", "2020-01-05"), cand("meta", "2019-12-01", update=True)],
        "2020-01-05",
        "meta",
        None,
    ),
    (
        "rejected-are-never-chosen",
        [cand("dateline", "2025-03-14", rejected="header widget: crawl date")],
        None,
        None,
        None,
    ),
    ("nothing", [], None, None, None),
]


@pytest.mark.parametrize(
    ("candidates", "published", "source", "updated"),
    [c[1:] for c in CHOICES],
    ids=[c[0] for c in CHOICES],
)
def test_choice(
    candidates: list[DateCandidate], published: str | None, source: str | None, updated: str | None
) -> None:
    choice = choose_publication_date(candidates, FETCHED_AT)
    assert (choice.published, choice.source, choice.updated) == (published, source, updated)


def test_outranked_candidates_say_by_what() -> None:
    choice = choose_publication_date(
        [cand("url", "2020-01-02"), cand("dateline", "2020-01-02")], FETCHED_AT
    )
    assert [(e["signal"], e["accepted"], e["reason"]) for e in choice.evidence] == [
        ("url", 0, "usable; outranked by dateline"),
        ("dateline", 1, "chosen as published"),
    ]


def test_results_pickle() -> None:
    # Results cross process boundaries (re-extraction runs in a pool): they must pickle.
    candidates = page_date_candidates(load("liferay_dang_capnhat"), ARTICLE_URL, FETCHED_AT)
    choice = choose_publication_date(candidates, FETCHED_AT)
    assert pickle.loads(pickle.dumps(candidates)) == candidates
    assert pickle.loads(pickle.dumps(choice)) == choice


def test_element_classes_are_lxml_html_ones_after_dating() -> None:
    # Dating reads the tree only: its readers afterwards get lxml.html's own classes.
    body = (
        "<html><body><h1>Tiêu đề bài viết thử nghiệm</h1><p>Ngày đăng 07/08/2018</p>"
        "<form action='/s'><input name='q'><select name='c'><option>1</option></select></form>"
        "<p>" + "Nội dung bài viết rất dài. " * 10 + "</p></body></html>"
    ).encode()
    tree = parse_html(body, "text/html; charset=utf-8")
    page_date_candidates(tree, ARTICLE_URL, FETCHED_AT)
    form = tree.find(".//form")
    assert isinstance(form, lxml.html.FormElement)
    assert isinstance(form.find("input"), lxml.html.InputElement)
    assert sorted(form.fields.keys()) == ["c", "q"]
