"""crawler.analysis and crawler.workers: one parse per page, in worker processes that may die."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import random
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest

from crawler.analysis import analyse_page
from crawler.boilerplate import block_key
from crawler.discovery import page_links
from crawler.extract import extract_article
from crawler.html import parse_html
from crawler.rules import load_rules
from crawler.text import _fold_text, fold_vietnamese
from crawler.timezone import VN_TZ
from crawler.workers import AnalysisPool
from crawler.workers import _analyse_in_worker as _analyse_in_worker_saved

PAGES = Path(__file__).parent / "fixtures" / "pages"
FETCHED = datetime(2024, 7, 19, 9, 0, tzinfo=VN_TZ)
CTYPE = "text/html; charset=utf-8"


def _first_article(family: str) -> tuple[bytes, str]:
    for html in sorted(PAGES.glob(f"{family}/*.html")):
        meta = json.loads(html.with_suffix(".json").read_text(encoding="utf-8"))
        if meta["is_article"]:
            return html.read_bytes(), str(meta["url"])
    raise LookupError(family)


ARTICLE = _first_article("nukeviet")


def _listing(links: int) -> bytes:
    items = "".join(
        f'<li><a href="/tin-tuc/bai-{i}.html">Bài viết số {i}</a></li>' for i in range(links)
    )
    return f"<html><body><h1>Tin tức</h1><ul>{items}</ul></body></html>".encode()


def test_article_analysis_matches_the_stages_run_one_by_one() -> None:
    body, url = ARTICLE
    rules = load_rules()
    analysis = analyse_page(body, CTYPE, url, FETCHED, rules)
    tree = parse_html(body, CTYPE)
    assert analysis.extracted == extract_article(tree, url, rules=rules)
    assert analysis.extracted.is_article
    assert analysis.links == tuple(page_links(tree, url))
    assert analysis.candidates, "an article page has date candidates"
    assert analysis.content_hash
    assert analysis.signature
    assert analysis.band_keys
    assert analysis.body_gzip is not None
    assert gzip.decompress(analysis.body_gzip) == body


def test_learned_boilerplate_is_stripped_before_fingerprinting() -> None:
    body, url = ARTICLE
    rules = load_rules()
    plain = analyse_page(body, CTYPE, url, FETCHED, rules)
    assert plain.text is not None
    first_line = plain.text.split("\n\n")[0]
    stripped = analyse_page(body, CTYPE, url, FETCHED, rules, frozenset({block_key(first_line)}))
    assert stripped.text is not None
    assert first_line not in stripped.text
    assert stripped.content_hash != plain.content_hash


def test_listing_keeps_its_links_but_is_not_fingerprinted() -> None:
    analysis = analyse_page(_listing(30), CTYPE, "http://a.vn/tin-tuc", FETCHED, load_rules())
    assert analysis.extracted is not None
    assert not analysis.extracted.is_article
    assert len(analysis.links) == 30
    assert analysis.content_hash is None
    assert analysis.body_gzip is None


def test_page_over_the_link_cap_is_not_extracted() -> None:
    analysis = analyse_page(
        _listing(50), CTYPE, "http://a.vn/dump", FETCHED, load_rules(), max_links=20
    )
    assert analysis.links_capped
    assert analysis.extracted is None
    assert len(analysis.links) == 20
    assert analysis.links[0].url == "http://a.vn/tin-tuc/bai-0.html"


def test_unparsable_body_says_why() -> None:
    analysis = analyse_page(b"%PDF-1.4 binary", CTYPE, "http://a.vn/x", FETCHED, load_rules())
    assert analysis.extracted is None
    assert analysis.links == ()
    assert analysis.error == "unparsable: binary"


def test_worker_pool_gives_the_inline_result() -> None:
    body, url = ARTICLE
    inline = AnalysisPool(0).analyse(body, CTYPE, url, FETCHED)
    pool = AnalysisPool(1)
    try:
        pooled = pool.analyse(body, CTYPE, url, FETCHED)
        assert asyncio.run(pooled) == asyncio.run(inline)
    finally:
        pool.close()


def _die_on_marker(body: bytes, *args: object) -> object:
    """Stands in for the worker function: kills its process on a poisoned page."""
    if b"KILL-THE-WORKER" in body:
        os._exit(1)
    return _analyse_in_worker_saved(body, *args)  # type: ignore[arg-type]


def test_a_worker_that_dies_costs_only_its_page(monkeypatch: pytest.MonkeyPatch) -> None:
    body, url = ARTICLE
    pool = AnalysisPool(1)

    async def scenario() -> tuple[object, object]:
        poisoned = await pool.analyse(b"<html>KILL-THE-WORKER</html>", CTYPE, url, FETCHED)
        after = await pool.analyse(body, CTYPE, url, FETCHED)
        return poisoned, after

    # The poisoned page kills its worker (in a child process: the pool forks no state of ours
    # but imports this module, so the marker check runs there).
    monkeypatch.setattr("crawler.workers._analyse_in_worker", _die_on_marker)
    try:
        poisoned, after = asyncio.run(scenario())
    finally:
        pool.close()
    assert poisoned.extracted is None  # type: ignore[attr-defined]
    assert "worker died" in (poisoned.error or "")  # type: ignore[attr-defined]
    assert after.extracted is not None  # type: ignore[attr-defined]
    assert after.extracted.is_article  # type: ignore[attr-defined]
    assert pool.crashes == 2  # the page was tried twice, each time in a fresh pool


# ------------------------------------------------------------------------- search folding


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Tuyên giáo Đảng", "tuyen giao dang"),
        ("THỨ SÁU, NGÀY 19", "thu sau, ngay 19"),
        ("Nghị quyết", "nghi quyet"),
        ("Nghi\u0323 quye\u0302\u0301t", "nghi quyet"),  # decomposed input
        ("plain ascii", "plain ascii"),
    ],
)
def test_fold_vietnamese(text: str, folded: str) -> None:
    assert fold_vietnamese(text) == folded


def test_fast_fold_equals_the_reference_fold_on_any_text() -> None:
    # The per-character table must agree with NFD -> strip marks -> NFC -> casefold everywhere,
    # including scripts whose letters compose across characters (Hangul jamo, Indic vowels).
    rnd = random.Random(7)
    letters = [chr(c) for c in range(0x20, 0x12000) if unicodedata.category(chr(c))[0] in "LMNPZ"]
    for _ in range(20000):
        text = "".join(rnd.choice(letters) for _ in range(rnd.randrange(1, 8)))
        assert fold_vietnamese(text) == _fold_text(text), ascii(text)
    for text in ("\u1100\u1161\u11a8", "\u0b47\u0b3e", "\u0d46\u0d3e"):
        assert fold_vietnamese(text) == _fold_text(text)
