"""crawler.html: bytes in any declared or legacy encoding become one NFC lxml tree.

Variants (NFD, missing charset, broken markup) are built here from saved pages, so the saved
pages stay exactly as a server would send them.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from pathlib import Path

import lxml.html
import pytest

from crawler.html import UnparsablePage, parse_html

PAGES = Path(__file__).parent / "fixtures" / "pages"
LEGACY = PAGES / "aspnet" / "huyenuygiolinh_2024-07-19_hoi-nghi-bao-cao-vien-quy-iii.html"
UTF8 = (
    PAGES
    / "nukeviet"
    / "huyenuyvithuy_2021-01-25_tap-trung-trien-khai-nghi-quyet-dai-hoi-xiii.html"
)
LEGACY_TITLE = "Huyện ủy Gio Linh tổ chức hội nghị báo cáo viên quý III năm 2024"
UTF8_TITLE = (
    "Tập trung triển khai, quán triệt Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIII của Đảng"
)
COMBINING_TONES = re.compile("[\u0300\u0301\u0303\u0309\u0323]")


def _text(tree: lxml.html.HtmlElement) -> str:
    return " ".join(tree.text_content().split())


def _h1(tree: lxml.html.HtmlElement) -> str:
    return " ".join(tree.find(".//h1").text_content().split())


def _without_charset(body: bytes) -> bytes:
    return re.sub(rb"<meta[^>]*charset[^>]*>", b"", body, flags=re.IGNORECASE)


# ------------------------------------------------------------------ encodings


def test_saved_legacy_page_really_has_combining_tone_marks() -> None:
    # The fixture must keep the trap it exists for: tone marks as separate code points.
    decoded = LEGACY.read_bytes().decode("cp1258")
    assert COMBINING_TONES.search(decoded)
    assert not unicodedata.is_normalized("NFC", decoded)


@pytest.mark.parametrize(
    "content_type",
    ["text/html; charset=windows-1258", "text/html; charset=WINDOWS-1258", "text/html", None],
    ids=["header-charset", "header-charset-upper-case", "header-without-charset", "no-header"],
)
def test_windows_1258_with_combining_marks_becomes_nfc(content_type: str | None) -> None:
    tree = parse_html(LEGACY.read_bytes(), content_type)
    assert _h1(tree) == LEGACY_TITLE
    assert unicodedata.is_normalized("NFC", _text(tree))
    assert not COMBINING_TONES.search(_text(tree))


def test_windows_1258_without_any_declaration_falls_back_to_cp1258() -> None:
    body = _without_charset(LEGACY.read_bytes())
    tree = parse_html(body, None)
    assert _h1(tree) == LEGACY_TITLE


def test_utf8_without_any_declaration_is_detected() -> None:
    tree = parse_html(_without_charset(UTF8.read_bytes()), None)
    assert _h1(tree) == UTF8_TITLE


def test_nfd_page_parses_to_the_same_text_as_nfc() -> None:
    nfc_tree = parse_html(UTF8.read_bytes(), "text/html; charset=utf-8")
    nfd_body = unicodedata.normalize("NFD", UTF8.read_bytes().decode("utf-8")).encode("utf-8")
    assert nfd_body != UTF8.read_bytes()
    nfd_tree = parse_html(nfd_body, "text/html; charset=utf-8")
    assert _text(nfd_tree) == _text(nfc_tree)
    assert _h1(nfd_tree) == UTF8_TITLE


def test_combining_marks_written_as_character_references_are_composed() -> None:
    body = "<html><body><h1>Huye&#770;&#803;n u&#777;y</h1></body></html>".encode("ascii")
    assert _h1(parse_html(body, "text/html")) == "Huyện ủy"


def test_attribute_values_are_nfc_too() -> None:
    body = '<html><body><img alt="Quang ca\u0309nh"></body></html>'.encode()
    assert parse_html(body, "text/html; charset=utf-8").find(".//img").get("alt") == "Quang cảnh"


def test_utf8_bom_is_honoured() -> None:
    body = "\ufeff<html><body><h1>Đảng bộ</h1></body></html>".encode()
    assert _h1(parse_html(body, None)) == "Đảng bộ"


def test_xml_declaration_with_encoding_is_accepted() -> None:
    body = '<?xml version="1.0" encoding="utf-8"?>\n<html><body><h1>Tỉnh ủy</h1></body></html>'
    assert _h1(parse_html(body.encode(), "application/xhtml+xml")) == "Tỉnh ủy"


def test_nul_and_control_characters_are_dropped() -> None:
    body = b"<html><body><h1>Hu\x00y\x07\xe1\xbb\x87n</h1></body></html>"
    assert _h1(parse_html(body, "text/html; charset=utf-8")) == "Huyện"


# ------------------------------------------------------------------ broken markup


@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: s[: len(s) // 2],
        lambda s: s.replace("</p>", "").replace("</div>", ""),
        lambda s: s.replace("<body>", "<body></div></span></body><p>"),
        lambda s: s.replace("<section>", "</body></html><section>"),
        lambda s: s.replace("<head>", '<head><<<>>></title></html><meta content="a<b">'),
        lambda s: s.replace('class="', "class=").replace("<li>", "<li <b"),
    ],
    ids=[
        "truncated",
        "no-end-tags",
        "stray-end-tags",
        "stray-document-end",
        "garbage-in-head",
        "broken-attributes",
    ],
)
def test_broken_markup_still_parses(mangle) -> None:  # type: ignore[no-untyped-def]
    body = mangle(UTF8.read_text(encoding="utf-8")).encode("utf-8")
    tree = parse_html(body, "text/html; charset=utf-8")
    assert tree.tag == "html"
    assert "Huyện ủy Vị Thủy" in _text(tree)


def test_fragment_gets_a_document_around_it() -> None:
    tree = parse_html("<p>Chỉ một đoạn</p>".encode(), "text/html; charset=utf-8")
    assert tree.tag == "html"
    assert tree.find("body/p").text == "Chỉ một đoạn"


# ------------------------------------------------------------------ hopeless bodies


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"  \r\n\t ", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (gzip.compress(b"<html><body>nen</body></html>"), "binary"),
        (bytes(range(256)) * 8, "binary"),
    ],
    ids=["empty", "whitespace", "pdf", "png", "gzip-without-content-encoding", "random-bytes"],
)
def test_hopeless_body_raises_unparsable(body: bytes, reason: str) -> None:
    with pytest.raises(UnparsablePage, match=reason) as info:
        parse_html(body, "text/html")
    assert info.value.reason == reason
