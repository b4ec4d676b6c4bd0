"""Per-site finishing passes after a crawl: learned boilerplate, and dates from hints.

Both need a view of many pages of a site at once, which a page-at-a-time pipeline lacks.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

import sqlite_utils

from crawler import archive
from crawler.boilerplate import repeated_blocks, strip_blocks
from crawler.dating import choose_publication_date, hint_candidates
from crawler.fingerprint import content_hash
from crawler.timezone import iso_vn, now_vn

logger = logging.getLogger(__name__)


def finalise_sites(
    db: sqlite_utils.Database, site_ids: Sequence[str], now: datetime | None = None
) -> None:
    """Run the finishing passes for each site crawled in this run."""
    moment = now or now_vn()
    for site_id in site_ids:
        alias_redirects(db, site_id, moment)
        strip_learned_boilerplate(db, site_id, moment)
        date_from_hints(db, site_id, moment)


def alias_redirects(db: sqlite_utils.Database, site_id: str, now: datetime) -> int:
    """Record every redirect whose target became an archived article as that article's URL.

    A chain (a -> b -> article) resolves one hop per round, so rounds repeat until nothing new
    is learned (bounded like the redirect middleware: 10 hops). Returns the URLs added.
    """
    added = 0
    for _round in range(10):
        with archive.transaction(db):
            new = sum(
                archive.add_url_if_new(db, article_id, url, iso_vn(now))
                for url, article_id in archive.redirect_aliases(db, site_id)
            )
        added += new
        if not new:
            break
    return added


def strip_learned_boilerplate(db: sqlite_utils.Database, site_id: str, now: datetime) -> int:
    """Learn blocks that repeat across the site's articles, strip them from every text.

    Returns how many articles changed. The blocks are kept so later runs strip them at
    extraction time, before the text is fingerprinted.
    """
    # Two passes over the site's texts, read in chunks: a site's history can be large.
    learned = repeated_blocks(text for _id, _title, text in archive.site_article_texts(db, site_id))
    blocks = learned | archive.site_blocks(db, site_id)
    if not blocks:
        return 0
    changed = 0
    with archive.transaction(db):
        archive.save_site_blocks(db, site_id, learned, iso_vn(now))
        for article_id, title, text in archive.site_article_texts(db, site_id):
            cleaned = strip_blocks(text, blocks)
            if cleaned != text:
                archive.update_article(
                    db, article_id, {"text": cleaned, "content_hash": content_hash(title, cleaned)}
                )
                archive.index_for_search(db, article_id, title or "", cleaned)
                changed += 1
    if changed:
        logger.info("site %s: stripped learned boilerplate from %d articles", site_id, changed)
    return changed


def date_from_hints(db: sqlite_utils.Database, site_id: str, now: datetime) -> int:
    """Date undated articles from what feeds, sitemaps and listings said of their URLs."""
    dated = 0
    with archive.transaction(db):
        for article_id, urls in archive.undated_articles(db, site_id):
            stored = archive.stored_hints(db, urls)
            hints = [(source, raw) for _u, source, _t, raw, _updated in stored if raw]
            if not hints:
                continue
            choice = choose_publication_date(hint_candidates(hints, now), now)
            if choice.published is None:
                continue
            archive.update_article(
                db,
                article_id,
                {
                    "published": choice.published,
                    "published_precision": choice.precision,
                    "published_source": choice.source,
                    "published_raw": choice.raw,
                },
            )
            archive.replace_date_evidence(db, article_id, [dict(r) for r in choice.evidence])
            dated += 1
    return dated
