"""The finishing passes over a site's archived articles (crawler.finalise)."""

from __future__ import annotations

import sqlite_utils

from crawler import archive
from crawler.finalise import strip_learned_boilerplate
from crawler.fingerprint import content_hash
from crawler.ingest import ingest_page
from tests.conftest import FETCHED_AT
from tests.test_ingest import page

PROSE = (
    "Ban Thường vụ Huyện ủy đã lãnh đạo các chi bộ thực hiện nghiêm túc việc học tập, quán "
    "triệt nghị quyết của Đảng, gắn với nhiệm vụ chính trị của địa phương số {n}."
)


def store(db: sqlite_utils.Database, site: str, n: int, widget: bool) -> int:
    text = PROSE.format(n=n) + (f"\n\nSố lần xem: {100 + n}" if widget else "")
    outcome = ingest_page(
        db, page(f"http://{site}.vn/{n}.html", site=site, text=text, title=f"Tin {n}")
    )
    assert outcome.article_id is not None
    return outcome.article_id


def test_site_texts_are_read_in_chunks_in_id_order(fresh_db: sqlite_utils.Database) -> None:
    ids = [store(fresh_db, "a", n, widget=False) for n in range(7)]
    store(fresh_db, "b", 99, widget=False)
    read = list(archive.site_article_texts(fresh_db, "a", chunk=2))
    assert [r[0] for r in read] == sorted(ids)
    assert [r[1] for r in read] == [f"Tin {n}" for n in range(7)]


def test_learned_widget_lines_leave_every_article_of_the_site_only(
    fresh_db: sqlite_utils.Database,
) -> None:
    ids = [store(fresh_db, "a", n, widget=True) for n in range(1200)]
    other = store(fresh_db, "b", 5000, widget=True)  # one page of another site: not learned
    assert strip_learned_boilerplate(fresh_db, "a", FETCHED_AT) == 1200
    for n in (0, 499, 500, 1199):  # both sides of a chunk boundary
        row = fresh_db.table("articles").get(ids[n])
        assert row["text"] == PROSE.format(n=n)
        assert row["content_hash"] == content_hash(f"Tin {n}", PROSE.format(n=n))
    assert "Số lần xem" in fresh_db.table("articles").get(other)["text"]
    assert archive.site_blocks(fresh_db, "a") == frozenset({"số lần xem: 0"})
    # Learned once: the next run has nothing left to strip.
    assert strip_learned_boilerplate(fresh_db, "a", FETCHED_AT) == 0
