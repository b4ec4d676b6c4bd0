"""Re-extracting stored responses into the archive after the extraction rules improved."""

from __future__ import annotations

import logging
from collections import Counter

from tqdm import tqdm

from crawler import archive
from crawler.analysis import analyse_page
from crawler.boilerplate import strip_blocks
from crawler.extract import EXTRACTOR_VERSION
from crawler.fingerprint import content_hash
from crawler.rules import load_rules

logger = logging.getLogger(__name__)


def reextract_archive(
    db_path: str, *, site_id: str | None = None, progress: bool = False
) -> Counter[str]:
    """Run the current extractor over every stored article response; update what changed.

    The superseded text is not a new version of the article (the page did not change, our
    reading of it did), so it is overwritten; the extractor_version column says which rules ran.
    Returns counts: changed, unchanged, missing (no stored body), not_article.
    """
    db = archive.open_archive(db_path)
    rules = load_rules()
    blocks = archive.all_site_blocks(db)
    counts: Counter[str] = Counter()
    try:
        rows = archive.articles_with_responses(db, site_id)
        for article_id, site, url, digest in tqdm(rows, disable=not progress, unit="article"):
            stored = archive.load_response(db, digest)
            if stored is None:
                counts["missing"] += 1
                continue
            body, content_type = stored
            fetched = archive.response_time(db, digest)
            analysis = analyse_page(body, content_type, url, fetched, rules)
            extracted = analysis.extracted
            if extracted is None or not extracted.is_article:
                counts["not_article"] += 1
                continue
            text = strip_blocks(extracted.text, blocks.get(site, frozenset()))
            old = archive.article_by_id(db, article_id)
            if old is not None and old.text == text and old.title == extracted.title:
                counts["unchanged"] += 1
                continue
            with archive.transaction(db):
                archive.update_article(
                    db,
                    article_id,
                    {
                        "title": extracted.title,
                        "author": extracted.author,
                        "text": text,
                        "captions": "\n".join(extracted.captions) or None,
                        "content_hash": content_hash(extracted.title, text),
                        "extractor_version": EXTRACTOR_VERSION,
                    },
                )
                archive.index_for_search(db, article_id, extracted.title or "", text)
            counts["changed"] += 1
    finally:
        db.conn.close()
    return counts
