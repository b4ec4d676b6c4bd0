"""The Vietnamese dateline grammar, one fact per row: what a dateline says, or that it is none."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

import pytest

from crawler.vndates import (
    ParsedDate,
    dateline_json,
    fold_same_length,
    parse_dateline,
    parse_dates,
)

#: The crawl date every row is read against (two-digit years, missing years, future dates).
TODAY = date(2025, 3, 14)

# (id, dateline as printed, ISO 8601 expected from parse_dateline, or None)
DATELINES = [
    # NukeViet eGov: weekday, date, time, then unlabelled view and comment counters.
    ("nukeviet-egov", "Thứ sáu - 08/07/2022 04:06", "2022-07-08T04:06:00+07:00"),
    ("nukeviet-counters-glued", "Thứ sáu - 08/07/2022 04:06 161 0", "2022-07-08T04:06:00+07:00"),
    ("nukeviet-lowercase-weekday", "thứ hai - 10/02/2025 15:42 248 0", "2025-02-10T15:42:00+07:00"),
    (
        "nukeviet-capnhat-day",
        "[ Cập nhật vào ngày (22/01/2021) ] - [ Số lần xem: 679 ]",
        "2021-01-22",
    ),
    ("plain-date-time", "08/07/2022 04:06", "2022-07-08T04:06:00+07:00"),
    # Liferay.
    ("liferay-ngay-dang-pipe-time", "Ngày đăng 07/08/2018 | 17:07", "2018-08-07T17:07:00+07:00"),
    ("liferay-luot-xem", "08/07/2022 04:06 Số lượt xem: 41", "2022-07-08T04:06:00+07:00"),
    # SharePoint: time before the date.
    ("sharepoint-time-first", "23:44 - 01/01/2018", "2018-01-01T23:44:00+07:00"),
    # WordPress local theme: spaced hyphens.
    ("wordpress-spaced-hyphens", "Ngày đăng : 01 - 01 - 2018", "2018-01-01"),
    (
        "wordpress-spaced-hyphens-time",
        "Ngày đăng : 20 - 05 - 2019 02:15",
        "2019-05-20T02:15:00+07:00",
    ),
    # Bespoke ASP.NET: "Cập nhật lúc" with the time first and a comma.
    ("aspnet-cap-nhat-luc", "Cập nhật lúc 10:30, 19/07/2024", "2024-07-19T10:30:00+07:00"),
    # Long Vietnamese forms.
    ("long-form-weekday", "Thứ Sáu, ngày 19 tháng 7 năm 2024", "2024-07-19"),
    ("long-form-no-weekday", "ngày 19 tháng 7 năm 2024", "2024-07-19"),
    ("long-form-month-word", "Ngày 19 tháng Bảy năm 2024", "2024-07-19"),
    ("long-form-month-word-12", "ngày 2 tháng mười hai năm 2023", "2023-12-02"),
    ("long-form-no-diacritics", "Thu Sau, ngay 19 thang 7 nam 2024", "2024-07-19"),
    ("joomla-tháng-no-năm", "Thứ bảy, 01 Tháng 7 2023 03:05", "2023-07-01T03:05:00+07:00"),
    ("long-form-comma-year", "19 tháng 7, 2024", "2024-07-19"),
    (
        "long-form-time-words",
        "10 giờ 30 phút sáng ngày 19 tháng 7 năm 2024",
        "2024-07-19T10:30:00+07:00",
    ),
    # Numeric forms and separators.
    ("ngay-slash-single-digit-month", "ngày 19/7/2024", "2024-07-19"),
    ("hyphens", "19-7-2024", "2024-07-19"),
    ("dots", "08.07.2022", "2022-07-08"),
    (
        "dots-weekday-no-diacritics-h-time",
        "Thu tu, 29.06.2016 - 06h43 962 luot xem",
        "2016-06-29T06:43:00+07:00",
    ),
    ("weekday-number-date-then-time", "Thứ 2, 19/07/2024 - 10:30", "2024-07-19T10:30:00+07:00"),
    ("weekday-cn", "CN, 21/07/2024 08:00", "2024-07-21T08:00:00+07:00"),
    ("chu-nhat", "Chủ nhật, 21/07/2024", "2024-07-21"),
    ("gmt-plus-7", "19/07/2024 10:30 (GMT+7)", "2024-07-19T10:30:00+07:00"),
    ("gmt-plus-0-converted", "19/07/2024 20:30 GMT+0", "2024-07-20T03:30:00+07:00"),
    ("seconds", "Ngày đăng: 27-01-2016 17:06:00", "2016-01-27T17:06:00+07:00"),
    ("time-glued-with-hyphen", "19/07/2024-10:30", "2024-07-19T10:30:00+07:00"),
    ("h-separator", "lúc 10h30 ngày 19/7/2024", "2024-07-19T10:30:00+07:00"),
    ("g-separator", "Đăng lúc 9g05, 19/7/2024", "2024-07-19T09:05:00+07:00"),
    ("time-before-with-luc", "Cập nhật lúc 08:15 ngày 02/03/2025", "2025-03-02T08:15:00+07:00"),
    ("am-pm-before-date", "3:17 PM 11/04/2017 | Lượt xem: 2919", "2017-04-11T15:17:00+07:00"),
    ("sa-windows-locale", "10:30 SA 19/07/2024", "2024-07-19T10:30:00+07:00"),
    ("ch-windows-locale", "03:30 CH, 19/07/2024", "2024-07-19T15:30:00+07:00"),
    ("twelve-am-is-midnight", "12:10 AM 19/07/2024", "2024-07-19T00:10:00+07:00"),
    ("brackets", "(22/01/2021)", "2021-01-22"),
    ("listing-weekday-in-brackets", "(Thứ hai 12/03/2019)", "2019-03-12"),
    ("related-ngay", "(Ngày 28/12/2017)", "2017-12-28"),
    ("leading-zeros-both", "05/01/2024", "2024-01-05"),
    ("day-first-even-when-both-under-13", "03/04/2020", "2020-04-03"),
    ("day-31", "31/12/2020", "2020-12-31"),
    ("leap-day", "29/02/2024", "2024-02-29"),
    ("two-digit-year", "08/07/22", "2022-07-08"),
    ("two-digit-year-last-century", "15/05/98", "1998-05-15"),
    ("year-first-slashes", "2024/07/19", "2024-07-19"),
    # Machine formats.
    ("iso-date", "2024-07-19", "2024-07-19"),
    ("iso-local-offset", "2024-07-19T10:30:00+07:00", "2024-07-19T10:30:00+07:00"),
    ("iso-utc-z-next-day-in-vietnam", "2023-06-30T20:05:00Z", "2023-07-01T03:05:00+07:00"),
    ("iso-no-offset-is-vietnam", "2024-07-19T10:30:00", "2024-07-19T10:30:00+07:00"),
    ("iso-space-fraction", "2024-07-19 10:30:15.123+07:00", "2024-07-19T10:30:15+07:00"),
    ("rfc822-utc", "Mon, 01 Jan 2018 03:00:00 +0000", "2018-01-01T10:00:00+07:00"),
    (
        "rfc822-utc-evening-is-next-day",
        "Sun, 31 Dec 2017 20:30:00 +0000",
        "2018-01-01T03:30:00+07:00",
    ),
    ("rfc822-gmt", "Thu, 19 Jul 2024 20:30:00 GMT", "2024-07-20T03:30:00+07:00"),
    ("rfc822-vietnam-offset", "Fri, 08 Jul 2022 04:06:00 +0700", "2022-07-08T04:06:00+07:00"),
    (
        "nfd-input",
        unicodedata.normalize("NFD", "Cập nhật lúc 10:30, 19/07/2024"),
        "2024-07-19T10:30:00+07:00",
    ),
    # Published wins over updated in one dateline; an update alone is still read.
    ("dang-and-cap-nhat", "Ngày đăng: 01/01/2018 | Cập nhật: 02/01/2018 10:00", "2018-01-01"),
    (
        "cap-nhat-then-dang",
        "Cập nhật: 02/01/2018 10:00 - Đăng: 01/01/2018 09:00",
        "2018-01-01T09:00:00+07:00",
    ),
    # Nothing to read: must give None.
    ("neg-impossible-day", "31/02/2024", None),
    ("neg-month-13", "12/13/2024", None),
    ("neg-year-range", "giai đoạn 2012 - 2016", None),
    ("neg-school-year", "năm học 2024-2025", None),
    ("neg-date-range-continued", "01/02/2024-2025", None),
    ("neg-month-slash-year", "hoàn thành trong tháng 12/2021", None),
    ("neg-fraction", "hoàn thành 32/32 chương trình", None),
    ("neg-fraction-small", "thực hiện 8/8 đầu việc", None),
    ("neg-document-number", "Quyết định số 12/2019/QĐ-UBND", None),
    ("neg-thousands", "1.234.567 đồng", None),
    ("neg-phone", "Điện thoại: 0233.3852.123", None),
    ("neg-counter-only", "Số lần xem: 679", None),
    ("neg-time-only", "04:06 161 0", None),
    ("neg-year-only-copyright", "Bản quyền © 2018 Tỉnh ủy", None),
    ("neg-month-year", "tháng 7 năm 2024", None),
    ("neg-six-months-of-year", "sơ kết công tác 6 tháng năm 2024", None),
    ("neg-print-stamp", "Ngày in: 14/03/2025", None),
    ("neg-no-year-no-today", "Sáng 27/1, Huyện ủy tổ chức hội nghị", None),
    ("neg-empty", "", None),
    ("neg-far-past", "ngày 01/01/1850", None),
]


@pytest.mark.parametrize(
    ("text", "expected"), [r[1:] for r in DATELINES], ids=[r[0] for r in DATELINES]
)
def test_dateline_reading(text: str, expected: str | None) -> None:
    found = parse_dateline(text, today=TODAY)
    assert (found.iso() if found else None) == expected


def test_enough_rows() -> None:
    # The issue asks for at least 60 real-looking dateline strings.
    assert len(DATELINES) >= 60
    assert len({r[0] for r in DATELINES}) == len(DATELINES)


# (id, text, label of the first date)
LABELS = [
    ("ngay-dang", "Ngày đăng 07/08/2018 | 17:07", "published"),
    ("dang-luc", "Đăng lúc 09:00, 20/03/2025", "published"),
    ("dang-colon", "Đăng: 01/01/2018", "published"),
    ("xuat-ban", "Xuất bản ngày 01/01/2018", "published"),
    ("ngay-tao-joomla", "Ngày tạo: Thứ bảy, 01 Tháng 7 2023 03:05", "published"),
    ("cap-nhat-vao-ngay", "[ Cập nhật vào ngày (22/01/2021) ]", "updated"),
    ("cap-nhat-luc-time-first", "Cập nhật lúc 10:30, 19/07/2024", "updated"),
    ("cap-nhat-lan-cuoi", "Cập nhật lần cuối: 13/03/2025", "updated"),
    ("ngay-in", "Ngày in: 14/03/2025", "printed"),
    ("unlabelled", "Thứ sáu - 08/07/2022 04:06", None),
    # "cập nhật" far from the date in a sentence is not a label.
    ("cap-nhat-in-sentence", "Bài viết đã được cập nhật, bổ sung thông tin ngày 23/11/2026", None),
]


@pytest.mark.parametrize(("text", "label"), [r[1:] for r in LABELS], ids=[r[0] for r in LABELS])
def test_label(text: str, label: str | None) -> None:
    assert parse_dates(text, today=date(2030, 1, 1))[0].label == label


def test_counters_are_not_part_of_the_date() -> None:
    (found,) = parse_dates("Thứ sáu - 08/07/2022 04:06 161 0")
    assert found.raw == "08/07/2022 04:06"
    assert found.precision == "minute"


def test_every_date_in_order_with_offsets() -> None:
    text = "Ngày đăng: 01/01/2018 | Cập nhật: 02/01/2018 10:00"
    first, second = parse_dates(text)
    assert (first.iso(), first.label) == ("2018-01-01", "published")
    assert (second.iso(), second.label) == ("2018-01-02T10:00:00+07:00", "updated")
    assert text[first.start : first.end] == "01/01/2018"
    assert text[second.start : second.end] == "02/01/2018 10:00"


def test_day_precision_is_midnight_vietnam() -> None:
    found = parse_dateline("ngày 19/7/2024")
    assert found is not None
    assert found.value.isoformat() == "2024-07-19T00:00:00+07:00"
    assert found.precision == "day"


def test_missing_year_is_inferred_from_today_and_flagged() -> None:
    # "Sáng 27/1" read on 14 March 2025 is 27 January 2025; the flag keeps it out of datelines.
    (found,) = parse_dates("Sáng 27/1, Huyện ủy tổ chức hội nghị", today=TODAY)
    assert found.value.date() == date(2025, 1, 27)
    assert found.year_inferred is True
    assert parse_dateline("Sáng 27/1, Huyện ủy tổ chức hội nghị", today=TODAY) is None


def test_missing_year_after_today_falls_in_last_year() -> None:
    (found,) = parse_dates("Chiều 20/12, hội nghị", today=TODAY)
    assert found.value.date() == date(2024, 12, 20)


def test_future_dates_are_flagged() -> None:
    (found,) = parse_dates("Đăng lúc 09:00, 20/03/2025", today=TODAY)
    assert found.after_today is True
    (past,) = parse_dates("Đăng lúc 09:00, 13/03/2025", today=TODAY)
    assert past.after_today is False


def test_two_digit_year_follows_today() -> None:
    # Read in 2025, "26" cannot be 2026 only if that is more than a year ahead: it is 2026.
    assert parse_dates("01/01/26", today=TODAY)[0].value.year == 2026
    assert parse_dates("01/01/27", today=TODAY)[0].value.year == 1927
    # Without today the fixed POSIX pivot applies: the answer never depends on the clock.
    assert parse_dates("01/01/68")[0].value.year == 2068
    assert parse_dates("01/01/69")[0].value.year == 1969


def test_body_sentence_keeps_every_full_date() -> None:
    text = "Nghị quyết số 35-NQ/TW ngày 22/10/2018 của Bộ Chính trị, hoàn thành 32/32 chỉ tiêu"
    assert [d.iso() for d in parse_dates(text)] == ["2018-10-22"]


def test_dateline_json_shape() -> None:
    assert dateline_json("Thứ sáu - 08/07/2022 04:06 161 0", today=TODAY) == {
        "text": "Thứ sáu - 08/07/2022 04:06 161 0",
        "published": "2022-07-08T04:06:00+07:00",
        "precision": "minute",
    }
    assert dateline_json("không có ngày", today=TODAY) == {
        "text": "không có ngày",
        "published": None,
        "precision": None,
    }
    assert dateline_json("[ Cập nhật vào ngày (22/01/2021) ]")["precision"] == "day"


def test_fold_keeps_offsets() -> None:
    text = "Thứ Sáu, ngày 19 tháng 7 — Đăng"
    folded = fold_same_length(text)
    assert len(folded) == len(text)
    assert folded == "thu sau, ngay 19 thang 7 — dang"


def test_parsed_date_is_frozen() -> None:
    found = parse_dateline("19/07/2024")
    assert isinstance(found, ParsedDate)
    with pytest.raises(AttributeError):
        found.precision = "minute"  # type: ignore[misc]


def test_day_first_agrees_with_dateutil() -> None:
    # Day-first dates are built without dateutil for speed; they must read exactly as dateutil
    # reads "D/M/Y H:MM:SS" (impossible days, months over 12, two-digit years by the crawl date).
    from dateutil import parser as du_parser

    from crawler.vndates import VietnameseParserInfo, _day_first

    info = VietnameseParserInfo(TODAY)
    for year_text in ("24", "27", "68", "99", "0024", "1900", "2024", "2100"):
        for day in range(0, 34):
            for month in range(0, 15):
                for hms in (None, (23, 5, 9)):
                    text = f"{day}/{month}/{year_text}"
                    if hms is not None:
                        text += " {}:{:02d}:{:02d}".format(*hms)
                    want: datetime | None
                    try:
                        want = du_parser.parse(text, parserinfo=info)
                        if (want.day, want.month) != (day, month):
                            want = None
                    except (ValueError, OverflowError):
                        want = None
                    assert _day_first(day, month, year_text, hms, TODAY) == want, text


def test_day_month_search_near_slashes_finds_what_a_whole_text_scan_finds() -> None:
    # _dm_matches searches only just before each "digit/digit": it must agree with scanning the
    # whole text with _DM_RE, including long runs of white space inside and after the cue.
    import random

    from crawler.vndates import _DM_RE, _dm_matches

    pieces = ["ngay", "sang", "thu", "chu", "nhat", "cn", " ", "     ", "\n", ",", ":", "-", "/"]
    pieces += ["1", "2", "12", "123", "hai", "bay", "x", "toi", "trua", ".", "\u00a0"]
    rng = random.Random(11)
    texts = ["thu      hai   ,: - 12/5", "chu   nhat 1/2/3", "sang 27/1, toi 28/1", "cn 1/2 cn 3/4"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 14))) for _ in range(20000)]
    for text in texts:
        expected = [(m.start("d"), m.end(), m["d"], m["m"]) for m in _DM_RE.finditer(text)]
        assert [(m.start("d"), m.end(), m["d"], m["m"]) for m in _dm_matches(text)] == expected


def test_fold_beyond_the_prefilled_table() -> None:
    # Text with a character from U+2100 on is folded by the table filled in on first use: the
    # same folding, character by character (Ohm sign -> ω, fullwidth Ａ -> ａ).
    text = "Ngày Ω ＡB 19/7 ▶ Đăng 😀 ầ"
    folded = fold_same_length(text)
    assert folded == "".join(fold_same_length(ch) for ch in text)
    assert folded == "ngay ω ａb 19/7 ▶ dang 😀 a"


def test_one_digit_scan_finds_what_each_pattern_finds_alone() -> None:
    # _scan_digit_first tries every digit-first pattern at each run of digits in one pass; each
    # kind must come out as that pattern's own finditer over the whole text would find it.
    import random

    from crawler.vndates import _DIGIT_FIRST, _scan_digit_first

    alone = {kind: re.compile(r"\d" + rest) for kind, rest in _DIGIT_FIRST}
    pieces = ["1", "2", "19", "20", "2024", "07", "31", "12", "/", ".", "-", ":", " ", "  ", "t"]
    pieces += ["thang", "bay", "muoi hai", "nam", "h", "g", "gio", "phut", "sa", "ch", "z", "+07"]
    pieces += ["jan", "mon, ", "\n", "x", "_", ",", "1.234.567", "2024-07-19t10:30:00+07:00"]
    rng = random.Random(5)
    texts = ["19/07/2024 10:30", "2024.07.19", "ngay 19 thang 7 nam 2024", "01 jan 2018 03:00"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 14))) for _ in range(20000)]
    for text in texts:
        found = _scan_digit_first(text)
        for kind in ("iso", "long", "dmy", "ymd"):
            want = [m.span() for m in alone[kind].finditer(text)]
            got = [(d.start, d.end) for d in found.dates if d.kind == kind]
            assert got == want, (kind, text)
        # The hour group starts at the run's first digit: the pattern alone starts it after.
        want_times = [
            (m.start(), m.end(), text[m.start() : m.end("H")], m["M"], m["S"], m["ampm"])
            for m in alone["time"].finditer(text)
        ]
        assert found.times == want_times, text
        assert found.rfc_hint == (_RFC_DIGIT_FIRST.search(text) is not None), text


# What every RFC 822 date holds: a digit, white space, an English month.
_RFC_DIGIT_FIRST = re.compile(r"\d\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)")
