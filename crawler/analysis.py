"""The CPU-heavy part of handling one page, as one picklable function for a process pool.

Parses the page once and hands the same tree to the extractor and to the date finder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crawler.dating import DateCandidate, page_date_candidates
from crawler.extract import Extracted, extract_article
from crawler.html import UnparsablePage, parse_html
from crawler.rules import Rules


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the page says: extraction result and date candidates; error when unparsable."""

    extracted: Extracted | None
    candidates: tuple[DateCandidate, ...]
    error: str | None = None


def analyse_page(
    body: bytes, content_type: str | None, url: str, fetched_at: datetime, rules: Rules
) -> Analysis:
    """Extract text/title/author and find date candidates of one page. Never raises on bad HTML."""
    try:
        tree = parse_html(body, content_type)
    except UnparsablePage as exc:
        return Analysis(None, (), f"unparsable: {exc}")
    extracted = extract_article(tree, url, rules=rules)
    if not extracted.is_article:
        return Analysis(extracted, ())
    candidates = page_date_candidates(tree, url, fetched_at, title=extracted.title)
    return Analysis(extracted, tuple(candidates))
