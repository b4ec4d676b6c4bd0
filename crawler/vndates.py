"""Vietnamese dateline grammar: every day-first date (and its time, zone and label) in a string.

Our own patterns find the dates; python-dateutil, with a Vietnamese ``parserinfo`` that is always
day-first, turns each match into a datetime. Nothing here reads the clock: ``today`` is passed in
when two-digit years, dates without a year or dates in the future need resolving or flagging.

Examples the grammar reads (see tests/test_vndates.py for the full table)::

    Thứ sáu - 08/07/2022 04:06 161 0        -> 2022-07-08T04:06+07:00 (the counters are ignored)
    23:44 - 01/01/2018                      -> 2018-01-01T23:44+07:00 (time before the date)
    [ Cập nhật vào ngày (22/01/2021) ]      -> 2021-01-22, label "updated"
    Thứ Sáu, ngày 19 tháng 7 năm 2024       -> 2024-07-19
    Mon, 01 Jan 2018 03:00:00 +0000         -> 2018-01-01T10:00+07:00 (feeds: converted to Vietnam)
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo

from dateutil import parser as du_parser

from crawler.timezone import VN_TZ

__all__ = [
    "ParsedDate",
    "VietnameseParserInfo",
    "dateline_json",
    "fold_same_length",
    "parse_dateline",
    "parse_dates",
]

#: Oldest and newest year we read as a date at all; anything else is a number, not a date.
MIN_YEAR = 1900
MAX_YEAR = 2099


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """One date read from a text."""

    #: aware datetime in VN_TZ; midnight for day precision
    value: datetime
    #: "minute" when the text gives a time of day, else "day"
    precision: str
    #: the matched substring, exactly as in the text (time and zone included)
    raw: str
    #: "published" ("Ngày đăng", "Đăng lúc"), "updated" ("Cập nhật"), "printed" ("Ngày in") or None
    label: str | None
    #: offset of the match in the text
    start: int
    #: offset just after the match
    end: int = 0
    #: True when the text gave no year ("Sáng 27/1") and it was inferred from ``today``
    year_inferred: bool = False
    #: True when ``today`` was given and the date falls after it
    after_today: bool = False

    def iso(self) -> str:
        """ISO 8601: ``YYYY-MM-DD`` for day precision, ``YYYY-MM-DDTHH:MM:SS+07:00`` otherwise."""
        if self.precision == "day":
            return self.value.date().isoformat()
        return self.value.astimezone(VN_TZ).replace(microsecond=0).isoformat()


_VN_JUMP = ("|", "(", ")", "[", "]", "ngay", "thang", "nam", "luc", "vao", "gio", "phut", "giay")


class VietnameseParserInfo(du_parser.parserinfo):
    """dateutil vocabulary for Vietnamese datelines: always day-first, Vietnamese fillers skipped.

    Two-digit years are resolved against ``today`` (the crawl date) when given: the year is 20yy
    unless that is more than a year in the future, then 19yy. Without ``today`` the fixed POSIX
    pivot applies (00-68 -> 20yy, 69-99 -> 19yy), so the result never depends on the clock.
    """

    def __init__(self, today: date | None = None) -> None:
        # Set before the base class builds its lookup tables from them.
        # Folded (no diacritics) Vietnamese words that may sit between the parts of a date.
        self.JUMP = [*du_parser.parserinfo.JUMP, *_VN_JUMP]
        # "SA" (sáng) and "CH" (chiều) are how Vietnamese Windows locales print AM and PM.
        self.AMPM = [("am", "sa"), ("pm", "ch")]
        self.TZOFFSET = {"ICT": 7 * 3600}
        super().__init__(dayfirst=True, yearfirst=False)
        self._today = today

    def convertyear(self, year: int, century_specified: bool = False) -> int:
        if year >= 100 or century_specified:
            return year
        return _two_digit_year(year, self._today)


def _two_digit_year(year: int, today: date | None) -> int:
    """The century of a two-digit year: see VietnameseParserInfo."""
    if today is not None:
        return 2000 + year if 2000 + year <= today.year + 1 else 1900 + year
    return 2000 + year if year < 69 else 1900 + year


# ---------------------------------------------------------------- folding


class _FoldTable(dict[int, str]):
    """Code point -> its folded character, filled in on first use (a memo of a pure function:
    str.translate calls __missing__ for a character it has not seen yet)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch in "đĐ":
            folded = "d"
        elif code < 128:
            folded = ch.lower()
        else:
            base = unicodedata.normalize("NFD", ch)[0]
            low = base.lower()
            folded = low if len(low) == 1 else base
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()
# The same, filled in advance for the code points below U+2100 (Latin, Vietnamese, Greek,
# Cyrillic, punctuation: nearly every page): str.translate runs a third faster with a plain dict
# than with a dict subclass. 8,448 entries, built once at import.
_FOLD_LOW_END = 0x2100
_FOLD_LOW_TABLE = {code: _FOLD_TABLE[code] for code in range(_FOLD_LOW_END)}
_BEYOND_LOW_TABLE = re.compile(f"[^\\x00-\\u{_FOLD_LOW_END - 1:04x}]")


def fold_same_length(text: str) -> str:
    """Lower-case ``text`` without diacritics, one output character per input character.

    "Thứ Sáu" -> "thu sau", "Đăng" -> "dang". Unlike crawler.text.fold_vietnamese it keeps every
    offset, so a match in the folded text is the same span in the original.
    """
    # str.translate runs in C; the per-character loop this replaces was a fifth of the time
    # spent dating a page (benchmarks/throughput.py).
    if _BEYOND_LOW_TABLE.search(text) is None:
        return text.translate(_FOLD_LOW_TABLE)
    return text.translate(_FOLD_TABLE)


# ---------------------------------------------------------------- patterns (on folded text)

# The patterns that start at a digit start with the digit itself and check what precedes it with
# a look-behind placed after it ("\d(?<!X[\s\S])" is "(?<!X)\d"): re then skips from digit to
# digit in C instead of trying every position of the page, most of which is letters.


def _not_after_number(consumed: int) -> str:
    """Not the tail of 1.234.567 or 12/2019/QĐ, checked after ``consumed`` characters."""
    skip = rf"[\s\S]{{{consumed}}}"
    return rf"(?<![\d/.]{skip})(?<!\d-{skip})"


# Not followed by more of a number either; "-10:30" (a glued time) is fine, "-2025" is not.
_NOT_BEFORE_NUMBER = r"(?!\d|[/.]\d|-\d(?!\d?:))"

# The digit-first patterns below are written as what follows their first digit: one scan
# (_DIGIT_SCAN_RE) steps from digit to digit and tries them all there. The group that starts at
# that digit (y, d or H) starts one character later here; _scan_digit_first reads it from the
# digit on. The look-behinds stay where they were, right after the first digit.
_NINETEEN_OR_TWENTY = r"(?:(?<=1)9|(?<=2)0)"  # (?:19|20), its first digit consumed already

# 08/07/2022, 19-7-2024, 08.07.2022, 01 - 01 - 2018, 08/07/22: day first, one separator throughout.
_DMY_REST = (
    r"(?P<d>" + _not_after_number(1) + r"\d?)"
    r"(?P<s>[ \t]{0,2}[/.\-][ \t]{0,2})(?P<m>\d{1,2})(?P=s)(?P<y>\d{4}|\d{2})" + _NOT_BEFORE_NUMBER
)
# 2024/07/19, 2024.07.19 (year first is unambiguous with four digits).
_YMD_REST = (
    r"(?P<y>" + _NINETEEN_OR_TWENTY + _not_after_number(2) + r"\d{2})"
    r"(?P<s>[/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})" + _NOT_BEFORE_NUMBER
)
# ISO 8601: 2024-07-19, 2024-07-19T10:30:00+07:00, 2024-07-19 10:30:00Z.
_ISO_REST = (
    r"(?P<y>" + _NINETEEN_OR_TWENTY + r"(?<![\d\-][\s\S]{2})\d{2})-(?P<m>\d{2})-(?P<d>\d{2})"
    r"(?:[t ](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d{1,9})?)?"
    r"(?P<tz>z|[+\-]\d{2}(?::?\d{2})?)?)?(?![\d])"
)
# RFC 822 / 1123 as in RSS: Mon, 01 Jan 2018 03:00:00 +0000 (English month names only here).
_RFC_RE = re.compile(
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s*)?"
    r"(?<!\d)(?P<d>\d{1,2})\s+(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
    r"\s+(?P<y>\d{4})(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
    r"(?:\s*(?P<tz>[+\-]\d{4}|gmt|utc|ut|z|ict|est|edt|cst|cdt|mst|mdt|pst|pdt)\b)?"
)
# What every RFC date holds, digit first (fast to look for): most pages have none, and _RFC_RE,
# which may start at a weekday, is slow to run over a whole page. "\d\s+jan" is found where the
# run of digits holding its digit starts.
_RFC_HINT_REST = r"\d*\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"

# Month words: "tháng Bảy", "tháng mười hai" (folded). Lunar "Giêng"/"Chạp" are left out on purpose,
# and so is "năm" (5): "6 tháng năm 2024" means "six months of 2024", not 6 May.
_MONTH_WORDS = {
    "muoi mot": 11,
    "muoi hai": 12,
    "muoi": 10,
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "tu": 4,
    "bon": 4,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
}
_MONTH_ALT = "|".join(sorted(_MONTH_WORDS, key=len, reverse=True))
# ngày 19 tháng 7 năm 2024, 19 Tháng 7 2024 (Joomla), 19 tháng Bảy, 2024, 19 tháng 07/2024.
_LONG_REST = (
    r"(?P<d>(?<!\d\d)\d?)\s*thang\s*(?P<m>\d{1,2}(?!\d)|(?:" + _MONTH_ALT + r")\b)"
    r"(?:\s*[,/]?\s*(?:nam\s*)?(?P<y>\d{4})(?!\d))?"
)
# Day/month without a year, only after a word that makes it a date: "Sáng 27/1", "ngày 19/7".
# The cue is \b(?:ngay|sang|chieu|toi|trua|dem|hom|thu\s+(?:\d|hai|…)|chu\s+nhat|cn) written with
# its first letter first, so that re can skip to those letters in C: the letter, then the "\b"
# before it as a look-behind, then the rest of each word after a look-behind on its first letter.
_CUE = (
    r"[nsctdh](?<!\w[\s\S])"
    r"(?:(?<=n)gay|(?<=s)ang|(?<=c)hieu|(?<=t)oi|(?<=t)rua|(?<=d)em|(?<=h)om"
    r"|(?<=t)hu\s+(?:\d|hai|ba|tu|nam|sau|bay)|(?<=c)hu\s+nhat|(?<=c)n)"
)
_DM_RE = re.compile(
    _CUE + r"\b[\s,:\-]*(?P<d>\d{1,2})/(?P<m>\d{1,2})" + _NOT_BEFORE_NUMBER + r"(?![/.]\d)"
)
# 04:06, 10h30, 10g30, 10 giờ 30 phút, 10:30:15 SA, 10:30 sáng.
_TIME_REST = (
    # (?<![\d:.,/])(?P<H>[01]?\d|2[0-3]), digit first, the alternatives tried in the same order.
    r"(?P<H>(?<![\d:.,/][\s\S])(?:(?<=[01])\d||(?<=2)[0-3]))\s*(?::|h|g\b|g(?=\d)|gio)\s*(?P<M>[0-5]\d)"
    r"(?:\s*(?::|phut)\s*(?P<S>[0-5]\d)(?!\d))?(?:\s*phut\b)?(?!\d)"
    r"(?:\s*(?P<ampm>am|pm|sa|ch|sang|chieu|toi|trua)\b)?"
)
# (GMT+7), GMT+07:00, UTC+7 right after a time or date.
_ZONE_RE = re.compile(
    r"[ \t]*\(?[ \t]*(?:gmt|utc)[ \t]*(?P<sign>[+\-])[ \t]*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?"
    r"[ \t]*\)?"
)
# What may stand between a date and its time: separators, "lúc", "vào", a weekday, "ngày".
_GAP_RE = re.compile(
    r"[\s,;|\-–—·•()\[\]:/]*"
    r"(?:(?:vao\s+luc|luc|vao|ngay|thu\s+\w+|chu\s+nhat)[\s,;|\-–—·•()\[\]:]*)?"
)
_MAX_GAP = 16

# Labels that say what a date is, read backwards from the date (folded).
_LABEL_WORDS = (
    (
        "updated",
        r"cap\s*nhat(?:\s+lan\s+cuoi)?|ngay\s+sua|sua\s+doi|chinh\s+sua|hieu\s+chinh"
        r"|last\s+updated|updated(?:\s+on)?|modified|last\s+modified",
    ),
    ("printed", r"ngay\s+in|in\s+ngay|in\s+luc|printed(?:\s+on)?"),
    (
        "published",
        r"ngay\s+dang|dang\s+ngay|dang\s+luc|dang\s+vao|dang\s+tai|dang\s+tin|ngay\s+dang\s+tin"
        r"|thoi\s+gian\s+dang|ngay\s+xuat\s+ban|xuat\s+ban(?:\s+ngay|\s+luc)?|ngay\s+phat\s+hanh"
        r"|ngay\s+tao|duoc\s+dang|posted(?:\s+on)?|published(?:\s+on)?|dang\s*:",
    ),
)
_LABEL_TAIL = r"(?:[\s:\-–—(\[,.]|vao|luc|ngay|thu\s+\w+|chu\s+nhat|cn)*$"
_LABEL_RES = tuple(
    (name, re.compile(r"(?:^|\b)(?:" + words + r")" + _LABEL_TAIL)) for name, words in _LABEL_WORDS
)
# Any of them: most dates have no label, settled by one search instead of three.
_ANY_LABEL_RE = re.compile(
    r"(?:^|\b)(?:" + "|".join(words for _, words in _LABEL_WORDS) + r")" + _LABEL_TAIL
)
_LABEL_WINDOW = 48

_MONTHS_EN = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(slots=True)
class _Match:
    start: int
    end: int
    kind: str  # "iso", "rfc", "long", "dmy", "ymd", "dm"
    day: int
    month: int
    year: int | None  # None: not given in the text
    year_text: str
    time: tuple[int, int, int] | None = None
    offset: timedelta | None = None  # UTC offset given in the text
    norm: str = ""  # normalised text handed to dateutil (rfc)


_PRIORITY = {"iso": 0, "rfc": 1, "long": 2, "dmy": 3, "ymd": 4, "dm": 5}

# The patterns that start at a digit, and the RFC dates' digit-first hint, in one scan.
_DIGIT_FIRST = (
    ("iso", _ISO_REST),
    ("long", _LONG_REST),
    ("dmy", _DMY_REST),
    ("ymd", _YMD_REST),
    ("time", _TIME_REST),
    ("rfc", _RFC_HINT_REST),
)


def _prefixed(kind: str, pattern: str) -> str:
    """``pattern`` with its group names (and back-references) prefixed by ``kind_``."""
    return re.sub(r"\(\?P([<=])(\w+)", rf"(?P\1{kind}_\2", pattern)


def _digit_scan_pattern() -> str:
    # At the first digit of a run of digits (every pattern starts at one: each looks behind for
    # a digit before it), each pattern is tried in a look-ahead of its own, captured as a group
    # named after its kind; the conditionals at the end fail the position when none matched.
    # Starting with the digit itself lets re skip from digit to digit in C.
    lookaheads = "".join(
        f"(?:(?=(?P<{kind}>{_prefixed(kind, tail)})))?" for kind, tail in _DIGIT_FIRST
    )
    none_matched = "(?!)"
    for kind, _ in reversed(_DIGIT_FIRST):
        none_matched = f"(?({kind})|{none_matched})"
    return r"\d(?<!\d\d)" + lookaheads + none_matched


_DIGIT_SCAN_RE = re.compile(_digit_scan_pattern())


# A time as _TIME_REST found it: start, end, hour, minute, second or None, am/pm word or None.
_FoundTime = tuple[int, int, str, str, str | None, str | None]


@dataclass(slots=True)
class _Found:
    """What the digit-first patterns match in a text, each as its own finditer would."""

    dates: list[_Match]
    times: list[_FoundTime]
    #: _RFC_HINT_REST matched: an RFC 822 date may be present
    rfc_hint: bool


def _scan_digit_first(folded: str) -> _Found:
    """The matches of ISO, long, D/M/Y and Y/M/D dates and of times, in one pass.

    A pattern's finditer skips the positions inside its previous match; so does this, per kind.
    """
    found = _Found([], [], False)
    ends = dict.fromkeys(("iso", "long", "dmy", "ymd", "time"), 0)
    for m in _DIGIT_SCAN_RE.finditer(folded):
        pos = m.start()
        if m["iso"] is not None and pos >= ends["iso"]:
            ends["iso"] = end = m.end("iso")
            y = folded[pos : m.end("iso_y")]
            found.dates.append(_Match(pos, end, "iso", int(m["iso_d"]), int(m["iso_m"]), int(y), y))
        if m["long"] is not None and pos >= ends["long"]:
            ends["long"] = end = m.end("long")
            mon = m["long_m"]
            month = int(mon) if mon.isdigit() else _MONTH_WORDS[re.sub(r"\s+", " ", mon)]
            y = m["long_y"]
            year = int(y) if y else None
            day = int(folded[pos : m.end("long_d")])
            found.dates.append(_Match(pos, end, "long", day, month, year, y or ""))
        if m["dmy"] is not None and pos >= ends["dmy"]:
            ends["dmy"] = end = m.end("dmy")
            y = m["dmy_y"]
            day = int(folded[pos : m.end("dmy_d")])
            found.dates.append(_Match(pos, end, "dmy", day, int(m["dmy_m"]), int(y), y))
        if m["ymd"] is not None and pos >= ends["ymd"]:
            ends["ymd"] = end = m.end("ymd")
            y = folded[pos : m.end("ymd_y")]
            found.dates.append(_Match(pos, end, "ymd", int(m["ymd_d"]), int(m["ymd_m"]), int(y), y))
        if m["time"] is not None and pos >= ends["time"]:
            ends["time"] = end = m.end("time")
            hour = folded[pos : m.end("time_H")]
            found.times.append((pos, end, hour, m["time_M"], m["time_S"], m["time_ampm"]))
        if m["rfc"] is not None:
            found.rfc_hint = True
    return found


def _find_date_matches(folded: str) -> tuple[list[_Match], list[_FoundTime]]:
    """The dates of ``folded``, overlaps resolved, in order; and the times found there."""
    scanned = _scan_digit_first(folded)
    found = scanned.dates
    for m in _RFC_RE.finditer(folded) if scanned.rfc_hint else ():
        month = _MONTHS_EN.index(m["mon"]) + 1
        norm = f"{m['d']} {m['mon']} {m['y']}"
        if m["H"]:
            norm += f" {m['H']}:{m['M']}:{m['S'] or '00'}"
        if m["tz"]:
            norm += " " + m["tz"].upper()
        found.append(
            _Match(m.start(), m.end(), "rfc", int(m["d"]), month, int(m["y"]), m["y"], norm=norm)
        )
    for m in _dm_matches(folded):
        found.append(_Match(m.start("d"), m.end(), "dm", int(m["d"]), int(m["m"]), None, ""))
    # Keep the strongest reading of each stretch of text: longer and more explicit forms win.
    found.sort(key=lambda x: (_PRIORITY[x.kind], -(x.end - x.start), x.start))
    kept: list[_Match] = []  # disjoint, by start
    kept_starts: list[int] = []
    for cand in found:
        # Only the kept match starting last before cand ends can overlap it.
        i = bisect_left(kept_starts, cand.end)
        if i and kept[i - 1].end > cand.start:
            continue
        kept.insert(i, cand)
        kept_starts.insert(i, cand.start)
    return kept, scanned.times


# Every day/month match holds "digit/digit"; "/" is a literal re finds fast, unlike the cue
# letters _DM_RE starts with, which are everywhere in Vietnamese text. The day is one or two
# digits after a space, comma, colon or hyphen (the cue, a word, cannot touch it: no \b there);
# the month is not followed by "/digit" (08/07/2022 is no day/month date).
_DM_SLASH = re.compile(r"/(?:(?<=[\s,:\-]\d/)|(?<=[\s,:\-]\d\d/))(?=\d)(?!\d\d?[/.]\d)")
_DM_SEPARATORS = frozenset(",:-")


def _dm_matches(folded: str) -> Iterator[re.Match[str]]:
    """``_DM_RE.finditer(folded)``, searching only just before each "digit/digit".

    A match ends right after its one "/" (the cue holds none), so each "/" has at most one
    match, whose day group is the digits just before it whatever cue matched. The cue starts
    at most two words (the second at most 4 letters, the first 5) before the run of spaces,
    commas, colons and hyphens that precedes those digits; the search starts there and stops
    far enough past the "/" for the look-aheads to see what they would in the whole text.
    """
    pos = 0
    n = len(folded)
    for slash in _DM_SLASH.finditer(folded):
        q = slash.start()
        i = q - 1
        while i > 0 and folded[i - 1].isdigit() and q - i < 2:
            i -= 1
        while i > 0 and (folded[i - 1].isspace() or folded[i - 1] in _DM_SEPARATORS):
            i -= 1
        j = i - 4
        while j > 0 and folded[j].isspace():
            j -= 1
        lo = max(pos, j - 5, 0)
        if lo >= q:
            continue
        m = _DM_RE.search(folded, lo, min(n, q + 12))
        while m is not None and m.end("d") < q:
            m = _DM_RE.search(folded, m.end(), min(n, q + 12))
        if m is not None and m.end("d") == q:
            pos = m.end()
            yield m


@dataclass(slots=True)
class _Time:
    start: int
    end: int
    hms: tuple[int, int, int]
    used: bool = False


def _find_times(found: list[_FoundTime], dates: list[_Match]) -> list[_Time]:
    """The times among ``found`` (_TIME_REST matches) that do not overlap a date."""
    times: list[_Time] = []
    for start, end, h, mi, sec, ampm in found:
        if any(start < d.end and end > d.start for d in dates):
            continue
        hour, minute = int(h), int(mi)
        second = int(sec) if sec else 0
        # "trưa" (noon) covers 11-13 h: only 1, 2 ... written for 13, 14 move to the afternoon.
        afternoon = ampm in ("pm", "ch", "chieu", "toi") or (ampm == "trua" and hour < 6)
        if afternoon and hour < 12:
            hour += 12
        elif ampm in ("am", "sa", "sang") and hour == 12:
            hour = 0
        times.append(_Time(start, end, (hour, minute, second)))
    return times


def _is_gap(folded: str, start: int, end: int) -> bool:
    if end < start or end - start > _MAX_GAP:
        return False
    gap = folded[start:end]
    if gap.count("\n") > 1:
        return False
    return _GAP_RE.fullmatch(gap) is not None


def _attach_times(folded: str, dates: list[_Match], times: list[_Time]) -> None:
    """Give each date the time written right after it, else right before it (23:44 - 01/01/2018)."""
    for d in dates:
        if d.kind in ("iso", "rfc"):
            continue
        after = next((t for t in times if not t.used and t.start >= d.end), None)
        before = next((t for t in reversed(times) if not t.used and t.end <= d.start), None)
        chosen: _Time | None = None
        if after is not None and _is_gap(folded, d.end, after.start):
            nxt = next((x for x in dates if x.start >= d.end), None)
            if nxt is None or nxt.start >= after.end:
                chosen = after
        if chosen is None and before is not None and _is_gap(folded, before.end, d.start):
            chosen = before
        if chosen is None:
            continue
        chosen.used = True
        d.time = chosen.hms
        d.start = min(d.start, chosen.start)
        d.end = max(d.end, chosen.end)


def _attach_zone(folded: str, d: _Match) -> None:
    m = _ZONE_RE.match(folded, d.end)
    if m is None:
        return
    sign = -1 if m["sign"] == "-" else 1
    hours, minutes = int(m["h"]), int(m["m"] or 0)
    if hours > 14 or minutes > 59:
        return
    d.offset = sign * timedelta(hours=hours, minutes=minutes)
    d.end = m.end()


def _label_before(folded: str, start: int, floor: int) -> str | None:
    lo = max(floor, start - _LABEL_WINDOW)
    prefix = folded[lo:start]
    if "\n" in prefix:
        prefix = prefix[prefix.rindex("\n") + 1 :]
    if _ANY_LABEL_RE.search(prefix) is None:
        return None
    for name, pattern in _LABEL_RES:
        if pattern.search(prefix):
            return name
    return None


_TZINFOS: dict[str, int] = {
    "GMT": 0,
    "UTC": 0,
    "UT": 0,
    "Z": 0,
    "ICT": 7 * 3600,
    "EST": -5 * 3600,
    "EDT": -4 * 3600,
    "CST": -6 * 3600,
    "CDT": -5 * 3600,
    "MST": -7 * 3600,
    "MDT": -6 * 3600,
    "PST": -8 * 3600,
    "PDT": -7 * 3600,
}


def _to_datetime(d: _Match, raw: str, today: date | None) -> datetime | None:
    """Build the aware datetime of a match; None for impossible values.

    ISO and RFC strings go through dateutil. Day-first matches already hold their numbers: the
    datetime is built directly, as dateutil (parsing "D/M/Y H:MM:SS" with VietnameseParserInfo
    and refusing a day/month swap) would, at a hundredth of the cost (dateutil was half the time
    spent reading the dates of a page). tests/test_vndates.py checks the two agree.
    """
    try:
        if d.kind == "iso":
            value = du_parser.isoparse(raw.strip().upper().replace(" ", "T", 1))
        elif d.kind == "rfc":
            info = VietnameseParserInfo(today)
            value = du_parser.parse(d.norm, parserinfo=info, tzinfos=_TZINFOS)
        else:
            day_first = _day_first(d.day, d.month, d.year_text, d.time, today)
            if day_first is None:
                return None
            value = day_first
    except (ValueError, OverflowError):
        return None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return None
    if value.tzinfo is None:
        zone: tzinfo = timezone(d.offset) if d.offset is not None else VN_TZ
        value = value.replace(tzinfo=zone)
    return value.astimezone(VN_TZ)


def _day_first(
    day: int, month: int, year_text: str, hms: tuple[int, int, int] | None, today: date | None
) -> datetime | None:
    """The naive datetime of day, month, year as printed ("24" or "2024") and time; None if none."""
    year = int(year_text)
    if len(year_text) == 2:
        year = _two_digit_year(year, today)
    try:
        # Naive on purpose, as dateutil returns it: _to_datetime applies the stated zone.
        return datetime(year, month, day, *(hms or (0, 0, 0)))  # noqa: DTZ001
    except ValueError:
        return None


def _infer_year(day: int, month: int, today: date) -> int:
    """The most recent (day, month) on or before ``today``."""
    return today.year if (month, day) <= (today.month, today.day) else today.year - 1


def parse_dates(
    text: str, *, today: date | None = None, folded: str | None = None
) -> list[ParsedDate]:
    """Return every date in ``text``, in order of appearance.

    Input: any string (NFC; other forms are NFC-normalised first and offsets refer to that form).
    ``today`` (the crawl date, Vietnam) resolves two-digit years, reads day/month dates without a
    year ("Sáng 27/1", only after a cue word) as the latest such day not after ``today``, and sets
    ``after_today``. Without ``today`` dates lacking a year are skipped. Day-first always; a time
    written next to a date (before or after, "lúc", "|", "-" between) joins it; "(GMT+7)" is
    honoured; numbers glued after a time ("04:06 161 0") are ignored. Impossible dates (31/02,
    month 13, hour 25) are skipped, never raised. A caller holding ``fold_same_length(text)`` of an
    NFC ``text`` passes it as ``folded`` (dating folds the page's text once for several uses).
    """
    if folded is None:
        text = unicodedata.normalize("NFC", text)
        folded = fold_same_length(text)
    matches, found_times = _find_date_matches(folded)
    times = _find_times(found_times, matches)
    _attach_times(folded, matches, times)
    results: list[ParsedDate] = []
    prev_end = 0
    for d in matches:
        if d.kind not in ("iso", "rfc"):
            _attach_zone(folded, d)
        year_inferred = False
        if d.year is None:
            if today is None:
                continue
            d.year = _infer_year(d.day, d.month, today)
            d.year_text = str(d.year)
            year_inferred = True
        raw = text[d.start : d.end]
        value = _to_datetime(d, raw, today)
        if value is None:
            continue
        has_time = d.time is not None or (d.kind in ("iso", "rfc") and _has_clock(folded, d))
        precision = "minute" if has_time else "day"
        if precision == "day":
            value = datetime(value.year, value.month, value.day, tzinfo=VN_TZ)
        label = _label_before(folded, d.start, prev_end)
        after = today is not None and value.date() > today
        results.append(
            ParsedDate(
                value=value,
                precision=precision,
                raw=raw.strip(),
                label=label,
                start=d.start,
                end=d.end,
                year_inferred=year_inferred,
                after_today=after,
            )
        )
        prev_end = d.end
    return results


def _has_clock(folded: str, d: _Match) -> bool:
    return ":" in folded[d.start : d.end]


def parse_dateline(text: str, *, today: date | None = None) -> ParsedDate | None:
    """Read ``text`` as one dateline and return its publication date, or None.

    The first date labelled as published wins; else the first unlabelled date; else the first
    date labelled as updated (a page whose only date is an update counts it as published).
    Print stamps ("Ngày in") and dates without a stated year are never the dateline.
    """
    dates = [
        d for d in parse_dates(text, today=today) if d.label != "printed" and not d.year_inferred
    ]
    for wanted in ("published", None, "updated"):
        for d in dates:
            if d.label == wanted:
                return d
    return None


def dateline_json(text: str, *, today: date | None = None) -> dict[str, object]:
    """``{"text", "published", "precision"}`` for the ``crawler dateline`` command.

    ``published`` is ISO 8601 (``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM:SS+07:00``) or None.
    """
    found = parse_dateline(text, today=today)
    return {
        "text": text,
        "published": found.iso() if found else None,
        "precision": found.precision if found else None,
    }
