"""Writing one processed page into the archive: identity, versions, copies, evidence, page state.

Scrapy-free, so the store pipeline, re-extraction and the distributed writer share it. Every
write is idempotent: ingesting the same page twice leaves the archive as ingesting it once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlite_utils

from crawler import archive
from crawler.fingerprint import estimated_containment, is_republication
from crawler.items import FetchRecord, Page
from crawler.timezone import iso_vn

logger = logging.getLogger(__name__)

#: Below this estimated containment a candidate is not worth the exact comparison; 0.5 keeps
#: copies that took only half of the original.
_CANDIDATE_MIN_ESTIMATE = 0.5


@dataclass(frozen=True, slots=True)
class Outcome:
    """What ingesting did: new, updated, unchanged, gone, not_article or recorded."""

    status: str
    article_id: int | None = None
    copy_of: int | None = None


def page_kind(page: Page) -> str:
    """article, listing or other, from the extractor's verdict."""
    if page.is_article:
        return "article"
    return "listing" if page.kind_reason.startswith("listing") else "other"


def ingest_record(
    db: sqlite_utils.Database, record: FetchRecord, hints: HintBuffer | None = None
) -> Outcome:
    """Store a non-page fetch: page state, feed/sitemap hints, redirects, gone_at for 404/410.

    With ``hints``, the record's link hints are added to that buffer (its owner writes them)
    instead of being written now.
    """
    seen = iso_vn(record.fetched_at)
    with archive.transaction(db):
        if record.status == 304 or record.kind == "unchanged":
            # 304, or a 200 whose body is the one the article was extracted from.
            archive.touch_url(db, record.url, seen)
            return Outcome("unchanged")
        if record.status in (404, 410):
            gone = archive.mark_gone(db, [record.url], seen)
            archive.record_page(
                db,
                record.url,
                record.site_id,
                "gone",
                record.status,
                None,
                None,
                seen,
                record.depth,
            )
            return Outcome("gone" if gone else "recorded")
        article_id = None
        if record.kind == "redirect" and record.target:
            # A shortlink or moved path: an alias of the article it leads to, once archived.
            known = archive.article_by_urls(db, [record.target])
            if known is not None:
                article_id = known.id
                archive.add_urls(db, known.id, [record.url], seen)
        archive.record_page(
            db,
            record.url,
            record.site_id,
            record.kind,
            record.status,
            record.etag,
            record.last_modified,
            seen,
            record.depth,
            is_hub=record.kind in ("feed", "sitemap"),
            article_id=article_id,
            target=record.target,
        )
        _record_hints(db, hints, record.site_id, record.link_hints, seen)
    return Outcome("recorded")


def ingest_page(
    db: sqlite_utils.Database,
    page: Page,
    *,
    keep_response: bool = True,
    hints: HintBuffer | None = None,
) -> Outcome:
    """Store one extracted, dated and fingerprinted page. Returns what it did.

    With ``hints``, the page's link hints are added to that buffer instead of written now.
    """
    seen = iso_vn(page.fetched_at)
    kind = page_kind(page)
    with archive.transaction(db):
        _record_hints(db, hints, page.site_id, page.link_hints, seen)
        archive.record_listing_titles(db, page.url, page.listing_titles, seen)
        if kind != "article":
            gone = 0
            if page.known_article_id is not None and "404" in page.kind_reason:
                gone = archive.mark_gone(db, page.urls, seen)
            _record_fetch(db, page, kind, seen, None)
            return Outcome("gone" if gone else "not_article")
        outcome = _store_article(db, page, seen, keep_response)
        _record_fetch(db, page, kind, seen, outcome.article_id)
    return outcome


def _record_fetch(
    db: sqlite_utils.Database, page: Page, kind: str, seen: str, article_id: int | None
) -> None:
    """Page state for the URL that answered, and a redirect row for each URL that led to it."""
    final = page.url
    for url in page.urls:
        if url != final:
            archive.record_page(
                db,
                url,
                page.site_id,
                "redirect",
                301,
                None,
                None,
                seen,
                page.depth,
                article_id=article_id,
                target=final,
            )
    # The home page is always a hub; other listings are hubs when reached from its menu.
    hub = page.depth == 0 or (kind == "listing" and page.is_hub)
    archive.record_page(
        db,
        final,
        page.site_id,
        kind,
        page.status,
        page.headers.get("etag"),
        page.headers.get("last-modified"),
        seen,
        page.depth,
        is_hub=hub,
        links=page.links if hub else None,
        article_id=article_id,
    )


def _store_article(
    db: sqlite_utils.Database, page: Page, seen: str, keep_response: bool
) -> Outcome:
    canonical = page.canonical_url or page.url
    urls = list(dict.fromkeys([canonical, *page.urls]))
    existing = archive.article_by_urls(db, urls)
    if existing is None and page.content_hash:
        existing = archive.article_by_content(db, page.site_id, page.content_hash)
    response_hash = None
    if keep_response:
        response_hash = archive.store_response(
            db, page.body, page.headers.get("content-type", ""), seen, page.body_gzip
        )
    values = _article_values(page, response_hash)
    if existing is not None:
        archive.add_urls(db, existing.id, urls, seen)
        if existing.content_hash == page.content_hash:
            archive.touch_article(db, existing.id, seen)
            if existing.published is None and page.published:
                archive.update_article(db, existing.id, _date_values(page))
                archive.replace_date_evidence(db, existing.id, page.date_evidence)
            return Outcome("unchanged", existing.id)
        archive.save_version(db, existing, seen)
        keep_date = existing.published and page.published_source in (
            None,
            "listing",
            "sitemap",
            "feed",
        )
        if keep_date:
            values = {k: v for k, v in values.items() if not k.startswith("published")}
        archive.update_article(
            db, existing.id, {**values, "last_seen": seen, "last_changed": seen, "gone_at": None}
        )
        archive.replace_date_evidence(db, existing.id, page.date_evidence)
        archive.index_for_search(
            db, existing.id, page.title or "", page.text or "", _search_folded(page)
        )
        return Outcome("updated", existing.id)
    article_id = archive.insert_article(
        db,
        {
            **values,
            "url": canonical,
            "site_id": page.site_id,
            "first_seen": seen,
            "last_seen": seen,
        },
    )
    archive.add_urls(db, article_id, urls, seen)
    archive.replace_date_evidence(db, article_id, page.date_evidence)
    archive.index_for_search(
        db, article_id, page.title or "", page.text or "", _search_folded(page)
    )
    copy_of = _link_copy(db, article_id, page)
    if page.signature:
        archive.add_signature(db, article_id, page.site_id, page.signature, page.band_keys)
    return Outcome("new", article_id, copy_of)


def _search_folded(page: Page) -> tuple[str, str] | None:
    """The worker's folded title and text, when they are those of the page as it stands."""
    folded = page.search_folded
    if folded is None or folded[2:] != (page.title or "", page.text or ""):
        return None
    return folded[0], folded[1]


def _article_values(page: Page, response_hash: str | None) -> dict[str, Any]:
    return {
        "title": page.title,
        "author": page.author,
        "text": page.text,
        "captions": "\n".join(page.captions) or None,
        "content_hash": page.content_hash,
        "response_hash": response_hash,
        "extractor_version": page.extractor_version,
        **_date_values(page),
    }


def _date_values(page: Page) -> dict[str, Any]:
    return {
        "published": page.published,
        "published_raw": page.published_raw,
        "published_source": page.published_source,
        "published_precision": page.published_precision,
        "updated": page.updated,
    }


def _link_copy(db: sqlite_utils.Database, article_id: int, page: Page) -> int | None:
    """Link a new article to the earliest copy of the same text on another site, if any."""
    if not page.signature or not page.band_keys:
        return None
    best: tuple[float, archive.StoredArticle] | None = None
    for other_id, _site, other_sig in archive.signature_candidates(
        db, page.band_keys, page.site_id
    ):
        if estimated_containment(page.signature, other_sig) < _CANDIDATE_MIN_ESTIMATE:
            continue
        other = archive.article_by_id(db, other_id)
        if other is None or not other.text:
            continue
        same, score = is_republication(page.text or "", other.text)
        if same and (best is None or score > best[0]):
            best = (score, other)
    if best is None:
        return None
    score, other = best
    root = _original_of(db, other)
    new_date = _sort_date(page.published, iso_vn(page.fetched_at))
    root_date = _sort_date(root.published, root.first_seen)
    if new_date < root_date:
        # The newly found article is the earlier one: it becomes the original of the group.
        archive.move_copies(db, root.id, article_id)
        archive.link_copy(
            db, root.id, article_id, score, _delay_days(page.published, root.published)
        )
        return None
    archive.link_copy(db, article_id, root.id, score, _delay_days(root.published, page.published))
    return root.id


def _original_of(
    db: sqlite_utils.Database, article: archive.StoredArticle
) -> archive.StoredArticle:
    original_id = archive.copy_of(db, article.id)
    if original_id is not None:
        original = archive.article_by_id(db, original_id)
        if original is not None:
            return original
    return article


def _sort_date(published: str | None, fallback: str | None) -> str:
    return (published or fallback or "9999")[:19]


def _delay_days(original: str | None, copy: str | None) -> float | None:
    if not original or not copy:
        return None
    try:
        a, b = _as_datetime(original), _as_datetime(copy)
    except ValueError:
        return None
    return round((b - a).total_seconds() / 86400, 3)


def _as_datetime(value: str) -> datetime:
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), datetime.min.time())
    return datetime.fromisoformat(value).replace(tzinfo=None)


class HintBuffer:
    """Link hints of many fetches, merged per (url, source), to be written in one statement.

    A site's menus and sidebars name the same links on every page: a batch of 200 pages holds
    ~20,000 hints for a few thousand links. Merged, each link is written once, with the same
    result as writing the hints one by one in order: the first sighting's site and time on
    insert, the last title, the last date given (an earlier one when the last gave none), the
    last sighting's time.
    """

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], dict[str, Any]] = {}

    def add(self, site_id: str, link_hints: list[tuple[str, Any]], seen: str) -> None:
        for url, hint in link_hints:
            row = self.rows.get((url, hint.source))
            if row is None:
                self.rows[(url, hint.source)] = {
                    "url": url,
                    "source": hint.source,
                    "site_id": site_id,
                    "title": hint.title,
                    "date_raw": hint.date_raw,
                    "updated_raw": hint.updated_raw,
                    "first_seen": seen,
                    "last_seen": seen,
                }
                continue
            row["title"] = hint.title
            if hint.date_raw is not None:
                row["date_raw"] = hint.date_raw
            if hint.updated_raw is not None:
                row["updated_raw"] = hint.updated_raw
            row["last_seen"] = seen

    def write(self, db: sqlite_utils.Database) -> None:
        archive.record_hints(db, list(self.rows.values()))
        self.rows.clear()


def _record_hints(
    db: sqlite_utils.Database,
    buffer: HintBuffer | None,
    site_id: str,
    link_hints: list[tuple[str, Any]],
    seen: str,
) -> None:
    if buffer is not None:
        buffer.add(site_id, link_hints, seen)
        return
    own = HintBuffer()
    own.add(site_id, link_hints, seen)
    own.write(db)
