"""Bytes to one lxml tree: decode by the declared charset, NFC, parse once; typed errors."""

from __future__ import annotations

import re
import unicodedata

import lxml.etree
import lxml.html

from crawler.text import decode_html

# Signatures of bodies that are not HTML at all although a server called them text/html:
# PDF, ZIP/DOCX/XLSX, OLE2 (.doc/.xls), GIF, PNG, JPEG, gzip sent without Content-Encoding.
_BINARY_MAGIC = (
    b"%PDF-",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",
    b"GIF8",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"\x1f\x8b",
)
# Characters lxml refuses in a str (NUL and the C0 controls except tab, newline, carriage return).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# lxml refuses a str that still carries an XML declaration with an encoding (XHTML pages send one).
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_TAG_RE = re.compile(r"<[a-zA-Z!/]")
# libxml2 stops at a stray </html> (and may at </body>) and drops the rest of the page; browsers
# carry on. Templates that paste a whole document into a page leave such end tags mid-body.
_DOCUMENT_END_RE = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)


class UnparsablePage(ValueError):
    """The body cannot be read as an HTML page: empty, binary, or no document after parsing."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        #: short machine-friendly reason: "empty", "binary", "no-document"
        self.reason = reason


def parse_html(body: bytes, content_type: str | None = None) -> lxml.html.HtmlElement:
    """Decode ``body`` (charset from ``content_type``, BOM or <meta>), NFC it, and parse it once.

    Returns the document's root element (``<html>``); broken markup is repaired by libxml2's
    HTML parser. Text nodes and attribute values are NFC even when the page spelled combining
    marks as character references. Raises ``UnparsablePage`` for an empty or whitespace-only
    body, a binary body (PDF, image, archive, or mostly undecodable bytes), or markup from which
    no document element can be built.
    """
    if not body or not body.strip():
        raise UnparsablePage("empty")
    if body.lstrip()[:8].startswith(_BINARY_MAGIC):
        raise UnparsablePage("binary")
    text = decode_html(body, content_type)
    if _looks_binary(text):
        raise UnparsablePage("binary")
    text = _CONTROL_RE.sub("", _XML_DECL_RE.sub("", text, count=1))
    text = _DOCUMENT_END_RE.sub("", text)
    if not text.strip():
        raise UnparsablePage("empty")
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (lxml.etree.ParserError, ValueError) as err:
        raise UnparsablePage("no-document") from err
    if root is None:
        raise UnparsablePage("no-document")
    _nfc_tree(root)
    return root


def _looks_binary(text: str) -> bool:
    """True when a decoded body is mostly replacement characters and has no markup."""
    sample = text[:4096]
    if not sample:
        return False
    bad = sample.count("\ufffd") + len(_CONTROL_RE.findall(sample))
    return bad > len(sample) * 0.1 and not _TAG_RE.search(sample)


def _nfc_tree(root: lxml.html.HtmlElement) -> None:
    """NFC every text, tail and attribute value that is not NFC yet (e.g. from ``e&#769;``)."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.text and not unicodedata.is_normalized("NFC", el.text):
            el.text = unicodedata.normalize("NFC", el.text)
        if el.tail and not unicodedata.is_normalized("NFC", el.tail):
            el.tail = unicodedata.normalize("NFC", el.tail)
        for name, value in el.attrib.items():
            if not unicodedata.is_normalized("NFC", value):
                el.set(name, unicodedata.normalize("NFC", value))
