"""Per-site learned boilerplate: lines that repeat across a site's article texts are chrome.

Menus, counters, login boxes and "Văn bản mới" lists repeat on every page of a site; an article
body does not. After extraction, the pipeline collects a site's texts, asks ``repeated_blocks``
which lines recur on at least ``min_pages`` distinct pages, and strips them with
``strip_blocks``. Both functions are pure.

Two guards keep real prose: numbers are masked before counting ("Số lần xem: 679" and "Số lần
xem: 41" are the same widget line), and a line that reads as prose (a long sentence ending in
punctuation) is never learned, because press releases of one committee legitimately share whole
sentences ("Nguyên nhân chủ yếu là do ...").
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from itertools import islice

_WS_RE = re.compile(r"\s+")
_DIGITS_RE = re.compile(r"\d+")
_WORD_RE = re.compile(r"\w+")
_SENTENCE_END_RE = re.compile(r"[.!?…;\"”»)]$")
#: A line with this many words that ends like a sentence is prose, never boilerplate.
PROSE_MIN_WORDS = 12


def block_key(line: str) -> str:
    """The form a line is counted under: NFC, collapsed spaces, case-folded, digits masked."""
    text = _WS_RE.sub(" ", unicodedata.normalize("NFC", line)).strip().casefold()
    return _DIGITS_RE.sub("0", text)


def is_prose(line: str) -> bool:
    """True for a line that reads as a sentence of an article (long, ends with punctuation)."""
    # The cheap test first, and the words counted only up to the threshold: every line of
    # every article of a site goes through here when its boilerplate is learned.
    if not _SENTENCE_END_RE.search(line.rstrip()):
        return False
    return sum(1 for _ in islice(_WORD_RE.finditer(line), PROSE_MIN_WORDS)) >= PROSE_MIN_WORDS


def repeated_blocks(texts: Iterable[str], min_pages: int = 3) -> frozenset[str]:
    """Keys (see ``block_key``) of the lines found in at least ``min_pages`` distinct texts.

    ``texts`` are one site's extracted article texts (paragraphs separated by blank lines).
    Lines that read as prose are never returned. ``min_pages`` below 2 is raised to 2: a line
    seen once is not evidence of anything.
    """
    threshold = max(2, min_pages)
    counts: Counter[str] = Counter()
    for text in texts:
        keys = {
            block_key(line) for line in text.splitlines() if line.strip() and not is_prose(line)
        }
        counts.update(keys)
    return frozenset(key for key, n in counts.items() if n >= threshold and key)


def strip_blocks(text: str, blocks: frozenset[str]) -> str:
    """Remove every line of ``text`` whose key is in ``blocks``; keep paragraph breaks tidy."""
    if not blocks:
        return text
    paragraphs = []
    for paragraph in text.split("\n\n"):
        lines = [line for line in paragraph.split("\n") if block_key(line) not in blocks]
        kept = "\n".join(line for line in lines if line.strip())
        if kept:
            paragraphs.append(kept)
    return "\n\n".join(paragraphs)
