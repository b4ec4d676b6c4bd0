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
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).casefold()
