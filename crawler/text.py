"""Decoding and normalising page text: bytes to NFC str, and the diacritic folding search uses."""

from __future__ import annotations

import re
import unicodedata

from w3lib.encoding import html_body_declared_encoding, html_to_unicode

_WS_RE = re.compile(r"[ \t\u00a0\u200b\u202f\ufeff]+")
_BLANKS_RE = re.compile(r"\n{3,}")

# Legacy declarations seen on old Vietnamese sites, mapped to what Python can decode.
_CHARSET_ALIASES = {"windows-1258": "cp1258", "x-viet-vps": "cp1258", "vn3": "cp1258"}


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode a response body by its declared charset (header, BOM, <meta>), then NFC.

    Servers lie about charsets: a body that is valid UTF-8 with non-ASCII bytes is read as UTF-8
    whatever the header says (a single-byte charset never fails, so it cannot be trusted over
    it), and a body the declared charset cannot decode is retried with its <meta> declaration,
    then windows-1258. Never raises on bad bytes (undecodable bytes become U+FFFD).
    """
    if not body.isascii():
        try:
            return nfc(body.decode("utf-8"))
        except UnicodeDecodeError:
            pass
    header = content_type or ""
    for legacy, codec in _CHARSET_ALIASES.items():
        header = re.sub(legacy, codec, header, flags=re.IGNORECASE)
    _encoding, text = html_to_unicode(header or None, body, auto_detect_fun=_guess_encoding)
    if "\ufffd" in text:
        declared = html_body_declared_encoding(body) or "cp1258"
        codec = _CHARSET_ALIASES.get(declared.lower(), declared)
        try:
            text = body.decode(codec, errors="replace")
        except LookupError:
            text = body.decode("cp1258", errors="replace")
    return nfc(text)


def _guess_encoding(body: bytes) -> str:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1258"
    return "utf-8"


def nfc(text: str) -> str:
    """Return text in Unicode NFC: decomposed (NFD) Vietnamese becomes precomposed letters."""
    return unicodedata.normalize("NFC", text)


def clean_whitespace(text: str) -> str:
    """Collapse runs of spaces per line, strip lines, keep paragraph breaks (one blank line)."""
    lines = [_WS_RE.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n")]
    return _BLANKS_RE.sub("\n\n", "\n".join(lines)).strip()


def fold_vietnamese(text: str) -> str:
    """Lower-case text with every diacritic removed and đ/Đ folded to d.

    "Tuyên giáo Đảng" -> "tuyen giao dang". Used for search, so that queries typed with or
    without diacritics find the same articles; SQLite's remove_diacritics does not fold đ.
    """
    if _COMPOSES_WITH_PREVIOUS_RE.search(text):
        # A few letters compose with the character before them although they are not combining
        # marks (Hangul jamo, some Indic vowel signs): one character at a time cannot fold them.
        return _fold_text(text)
    # str.translate runs in C over a table filled one code point at a time (it holds at most
    # the distinct characters ever seen): the archive folds every article's text when indexing.
    return text.translate(_FOLD_TABLE)


def _fold_text(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).casefold()


class _FoldTable(dict[int, str]):
    """Code point -> fold_vietnamese of that one character, computed on first use."""

    def __missing__(self, code: int) -> str:
        folded = _fold_text(chr(code))
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()
# Starters that are the second half of a canonical composition (from the Unicode data:
# unicodedata.decomposition pairs whose second character has combining class 0), and the jamo.
_COMPOSES_WITH_PREVIOUS_RE = re.compile(
    "[\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff\u09be\u09d7\u0b3e\u0b56\u0b57\u0bbe"
    "\u0bd7\u0cc2\u0cd5\u0cd6\u0d3e\u0d57\u0dcf\u0ddf\u102e\u1b35\U00011127"
    "\U0001133e\U00011357\U000114b0\U000114ba\U000114bd\U000115af\U00011930]"
)
