"""Writing pages into the archive: identity, idempotence, versions, copies, gone, redirects."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from crawler import archive
from crawler.fingerprint import band_keys, content_hash, signature
from crawler.ingest import HintBuffer, ingest_page, ingest_record
from crawler.items import FetchRecord, Hint, Page
from tests.conftest import FETCHED_AT

BODY = "\n\n".join(
    f"Đoạn {n}: Ban Thường vụ Huyện ủy Phước Sơn đã lãnh đạo các chi bộ thực hiện nghiêm túc việc "
    f"học tập, quán triệt nghị quyết của Đảng năm 202{n}, gắn với nhiệm vụ chính trị của địa "
    "phương, tạo chuyển biến rõ nét trong nhận thức và hành động của cán bộ, đảng viên ở cơ sở."
    for n in range(6)
)


def page(
    url: str, *, site: str = "s1", text: str = BODY, title: str = "Hội nghị", days: int = 0
) -> Page:
    sig = signature(text)
    return Page(
        site_id=site, url=url, urls=[url], status=200, body=b"<html></html>",
        headers={"content-type": "text/html"}, fetched_at=FETCHED_AT + timedelta(days=days),
        is_article=True, kind_reason="article", title=title, text=text, author="Lê Thuý",
        published=f"2024-07-{17 + days:02d}", published_source="dateline",
        canonical_url=url, content_hash=content_hash(title, text), signature=sig,
        band_keys=band_keys(sig),
    )  # fmt: skip


def row(db: sqlite_utils.Database, article_id: int | None) -> dict[str, object]:
    assert article_id is not None
    return dict(db.table("articles").get(article_id))


def count(db: sqlite_utils.Database, table: str) -> int:
    return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_ingesting_twice_is_ingesting_once(fresh_db: sqlite_utils.Database) -> None:
    first = ingest_page(fresh_db, page("http://a.vn/1.html"))
    again = ingest_page(fresh_db, page("http://a.vn/1.html", days=1))
    assert (first.status, again.status) == ("new", "unchanged")
    assert again.article_id == first.article_id
    assert count(fresh_db, "articles") == 1
    stored = row(fresh_db, first.article_id)
    # last_seen moves, first_seen stays: the archive knows when it last saw the page alive.
    assert stored["first_seen"] == "2026-11-23T03:00:00+07:00"
    assert stored["last_seen"] == "2026-11-24T03:00:00+07:00"


def test_an_edit_keeps_the_old_version(fresh_db: sqlite_utils.Database) -> None:
    first = ingest_page(fresh_db, page("http://a.vn/1.html"))
    edited = ingest_page(
        fresh_db, page("http://a.vn/1.html", text=BODY + "\n\nĐoạn bổ sung.", title="Sửa", days=1)
    )
    assert edited.status == "updated"
    versions = list(fresh_db.table("article_versions").rows)
    assert [(v["article_id"], v["title"], v["text"]) for v in versions] == [
        (first.article_id, "Hội nghị", BODY)
    ]
    assert row(fresh_db, first.article_id)["title"] == "Sửa"


def test_same_text_under_another_url_of_the_site_is_one_row(
    fresh_db: sqlite_utils.Database,
) -> None:
    first = ingest_page(fresh_db, page("http://a.vn/tin/1.html"))
    alias = ingest_page(fresh_db, page("http://a.vn/in-bai/1.html"))
    assert alias.article_id == first.article_id
    urls = {r["url"] for r in fresh_db.table("article_urls").rows}
    assert urls == {"http://a.vn/tin/1.html", "http://a.vn/in-bai/1.html"}


def test_a_republication_on_another_site_links_to_the_earliest(
    fresh_db: sqlite_utils.Database,
) -> None:
    original = ingest_page(fresh_db, page("http://a.vn/1.html"))
    lead = "Huyện Phước Sơn vừa tổ chức hội nghị, theo tin từ Ban Tuyên giáo Tỉnh ủy."
    copy = ingest_page(
        fresh_db,
        page(
            "http://b.vn/2.html",
            site="s2",
            text=lead + "\n\n" + BODY,
            title="Phước Sơn: Hội nghị",
            days=2,
        ),
    )
    assert copy.copy_of == original.article_id
    assert copy.article_id is not None
    link = fresh_db.table("copies").get(copy.article_id)
    assert (link["original_id"], link["delay_days"]) == (original.article_id, 2.0)
    assert link["similarity"] >= 0.9


def test_an_earlier_copy_found_later_becomes_the_original(fresh_db: sqlite_utils.Database) -> None:
    late = ingest_page(fresh_db, page("http://b.vn/2.html", site="s2", days=3))
    early = ingest_page(fresh_db, page("http://a.vn/1.html", days=0))
    assert early.copy_of is None
    assert row(fresh_db, late.article_id)["copy_of"] == early.article_id


def test_404_flags_gone_and_keeps_the_text(fresh_db: sqlite_utils.Database) -> None:
    first = ingest_page(fresh_db, page("http://a.vn/1.html"))
    gone = ingest_record(
        fresh_db,
        FetchRecord("s1", "http://a.vn/1.html", "gone", 404, FETCHED_AT + timedelta(days=1)),
    )
    assert gone.status == "gone"
    stored = row(fresh_db, first.article_id)
    assert (stored["gone_at"], stored["text"]) == ("2026-11-24T03:00:00+07:00", BODY)


def test_a_redirect_to_an_archived_article_becomes_its_alias(
    fresh_db: sqlite_utils.Database,
) -> None:
    first = ingest_page(fresh_db, page("http://a.vn/2024/07/17/hoi-nghi/"))
    record = FetchRecord("s1", "http://a.vn/?p=12", "redirect", 301, FETCHED_AT)
    ingest_record(fresh_db, replace(record, target="http://a.vn/2024/07/17/hoi-nghi/"))
    assert archive.article_by_urls(fresh_db, ["http://a.vn/?p=12"]) is not None
    assert archive.article_by_urls(fresh_db, ["http://a.vn/?p=12"]).id == first.article_id  # type: ignore[union-attr]


def test_candidates_are_ranked_by_shared_bands(fresh_db: sqlite_utils.Database) -> None:
    archive.add_signature(fresh_db, 1, "s1", b"one", [1])
    archive.add_signature(fresh_db, 2, "s1", b"many", [1, 2, 3])
    archive.add_signature(fresh_db, 3, "s2", b"own-site", [1, 2, 3])
    found = archive.signature_candidates(fresh_db, [1, 2, 3], exclude_site="s2", limit=1)
    assert found == [(2, "s1", b"many")]


def _folded_in_index(db: sqlite_utils.Database, article_id: int | None) -> tuple[str, str]:
    found = db.execute(
        "SELECT title_folded, text_folded FROM articles_fts WHERE rowid = ?", [article_id]
    ).fetchone()
    return found[0], found[1]


def test_search_index_uses_the_workers_folding_only_for_the_same_text(
    fresh_db: sqlite_utils.Database,
) -> None:
    fresh = page("http://a.vn/1.html")
    # Marked strings show which folding reached the index.
    fresh.search_folded = ("worker title", "worker text", fresh.title or "", fresh.text or "")
    stored = ingest_page(fresh_db, fresh)
    assert _folded_in_index(fresh_db, stored.article_id) == ("worker title", "worker text")
    # The text changed after the worker folded it: the store folds it again itself.
    edited = BODY.replace("Đoạn 5", "Đoạn cuối")
    stale = page("http://a.vn/2.html", title="Hội nghị khác", text=edited)
    stale.search_folded = ("worker title", "worker text", stale.title or "", BODY)
    stored = ingest_page(fresh_db, stale)
    assert stored.status == "new"
    title, text = _folded_in_index(fresh_db, stored.article_id)
    assert title == "hoi nghi khac"
    assert "doan cuoi:" in text


def test_merged_link_hints_store_what_hints_written_one_by_one_store(tmp_path: Path) -> None:
    # The store pipeline merges a batch's hints before writing; the table must end as if every
    # hint had been upserted in turn, over hints an earlier batch stored.
    rng = random.Random(7)
    values = [None, "", "12/03/2019", "13/03/2019"]

    def fetches(n: int, day: int) -> list[tuple[str, str, list[tuple[str, Hint]]]]:
        return [
            (
                rng.choice(["s1", "s2"]),
                f"2024-07-{day + i:02d}T08:00:00+07:00",
                [
                    (
                        f"http://a.vn/{rng.randrange(6)}.html",
                        Hint(
                            rng.choice(["listing", "feed"]),
                            rng.choice(values),
                            rng.choice([None, "Tin A", "Tin B"]),
                            rng.choice(values),
                        ),
                    )
                    for _ in range(rng.randrange(4))
                ],
            )
            for i in range(n)
        ]

    def upsert_one_by_one(db: sqlite_utils.Database, batch: list[Any]) -> None:
        for site, seen, link_hints in batch:
            for url, hint in link_hints:
                archive.record_hints(
                    db,
                    [
                        {
                            "url": url,
                            "source": hint.source,
                            "site_id": site,
                            "title": hint.title,
                            "date_raw": hint.date_raw,
                            "updated_raw": hint.updated_raw,
                            "first_seen": seen,
                            "last_seen": seen,
                        }
                    ],
                )

    query = "SELECT * FROM link_hints ORDER BY url, source"
    for run in range(30):
        earlier, batch = fetches(5, 1), fetches(12, 10)
        one_by_one = archive.open_archive(tmp_path / f"one{run}.db")
        merged = archive.open_archive(tmp_path / f"merged{run}.db")
        upsert_one_by_one(one_by_one, earlier + batch)
        upsert_one_by_one(merged, earlier)
        buffer = HintBuffer()
        for site, seen, link_hints in batch:
            buffer.add(site, link_hints, seen)
        buffer.write(merged)
        assert buffer.rows == {}
        assert list(merged.execute(query)) == list(one_by_one.execute(query))
        assert count(merged, "link_hints") > 0
