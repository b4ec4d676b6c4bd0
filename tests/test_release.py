"""`make release`: a versioned, consistent snapshot, JSON Lines, Parquet, checksums, citation."""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from crawler import archive, desk
from tests.test_desk import ARTICLES, build_archive


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("live") / "archive.db")


@pytest.fixture(scope="module")
def released(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return desk.release(source, tmp_path_factory.mktemp("releases"))


def test_release_is_named_by_the_archives_data_date(released: Path) -> None:
    # The newest crawl finished on 2026-11-21: the same archive always gives the same version.
    assert released.name == "2026-11-21"
    assert sorted(p.name for p in released.iterdir()) == [
        "CITATION.cff",
        "SHA256SUMS",
        "archive.db",
        "articles.jsonl.gz",
        "articles.parquet",
        "manifest.json",
    ]
    assert not list(released.parent.glob(".*partial"))


def test_checksums_verify_with_sha256sum(released: Path) -> None:
    assert desk.verify_checksums(released) == []
    lines = (released / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert [line.split("  ")[1] for line in lines] == [
        "CITATION.cff",
        "archive.db",
        "articles.jsonl.gz",
        "articles.parquet",
        "manifest.json",
    ]
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=released, check=True)


def test_a_changed_file_fails_verification(released: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(released, tmp_path / "copy")
    (copy / "manifest.json").write_text("{}", encoding="utf-8")
    assert desk.verify_checksums(copy) == ["manifest.json"]


def test_snapshot_is_self_contained_and_complete(released: Path) -> None:
    conn = sqlite3.connect(f"file:{released / 'archive.db'}?mode=ro", uri=True)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert conn.execute("SELECT count(*) FROM articles").fetchone() == (12,)
    assert conn.execute("SELECT count(*) FROM articles_view").fetchone() == (12,)
    assert conn.execute("SELECT count(*) FROM copies_view").fetchone() == (4,)
    conn.close()
    assert not (released / "archive.db-wal").exists()


def test_json_lines_hold_every_article_with_its_site_and_urls(released: Path) -> None:
    with gzip.open(released / "articles.jsonl.gz", "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    assert [r["id"] for r in records] == list(range(1, 13))
    first = records[0]
    assert first["title"] == ARTICLES[1]["title"]
    assert first["site_name"] == "Tỉnh ủy Quảng Trị"
    assert first["province_now"] == "Quảng Trị"
    assert first["urls"] == [ARTICLES[1]["url"], ARTICLES[1]["url"] + "&print=1"]
    assert first["text_sha256"] == desk.text_sha256(ARTICLES[1]["text"])
    assert records[3]["copy_of"] == 1
    assert records[7]["gone_at"] == "2026-11-20T02:00:00+07:00"
    assert records[8]["published"] is None


def test_parquet_matches_the_json_lines(released: Path) -> None:
    table = pq.read_table(released / "articles.parquet")
    assert table.num_rows == 12
    assert str(table.schema.field("id").type) == "int64"
    assert str(table.schema.field("urls").type) == "list<element: string>"
    rows = table.to_pylist()
    assert [r["id"] for r in rows] == list(range(1, 13))
    assert rows[5]["title"] == ARTICLES[6]["title"]
    assert rows[3]["copy_similarity"] == pytest.approx(0.91)


def test_manifest_and_citation(released: Path) -> None:
    manifest = json.loads((released / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["articles"] == 12
    assert manifest["sites"] == 5
    assert manifest["first_published"] == "2023-01-12"
    assert manifest["last_published"] == "2025-09-26"
    cff = yaml.safe_load((released / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert cff["type"] == "dataset"
    assert cff["version"] == "2026-11-21"
    assert str(cff["date-released"]) == "2026-11-21"
    assert cff["abstract"].startswith(
        "12 news articles from 5 websites of Communist Party of Vietnam committees, "
        "published 2023-01-12 to 2025-09-26"
    )


def test_snapshot_excludes_a_write_still_in_progress(source: Path, tmp_path: Path) -> None:
    live = Path(shutil.copy(source, tmp_path / "archive.db"))
    writer = archive.open_archive(live)
    writer.execute("BEGIN IMMEDIATE")
    archive.insert_article(
        writer, {"id": 13, "url": "https://x.vn/13", "site_id": "dangcongsan", "title": "Mới"}
    )
    try:
        out = desk.release(live, tmp_path / "releases", version="2026-11-22", parquet=False)
    finally:
        writer.execute("COMMIT")
    snapshot = sqlite3.connect(str(out / "archive.db"))
    assert snapshot.execute("SELECT max(id) FROM articles").fetchone() == (12,)
    assert writer.execute("SELECT max(id) FROM articles").fetchone() == (13,)
    assert not (out / "articles.parquet").exists()


def test_equal_data_gives_equal_json_lines(source: Path, released: Path, tmp_path: Path) -> None:
    again = desk.release(source, tmp_path, version="2026-11-30", parquet=False)
    sums = {
        path.parent.name: desk.file_sha256(path)
        for path in (released / "articles.jsonl.gz", again / "articles.jsonl.gz")
    }
    assert sums["2026-11-21"] == sums["2026-11-30"]


def test_an_existing_version_is_never_overwritten(source: Path, released: Path) -> None:
    before = desk.file_sha256(released / "SHA256SUMS")
    with pytest.raises(desk.ReleaseError, match="release 2026-11-21 already exists"):
        desk.release(source, released.parent)
    assert desk.file_sha256(released / "SHA256SUMS") == before


def test_a_failed_release_leaves_nothing_behind(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_parquet(snapshot: Path, path: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(desk, "_write_parquet", broken_parquet)
    with pytest.raises(OSError, match="disk full"):
        desk.release(source, tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(
            lambda p: archive.open_archive(p).conn.close(), "holds no articles", id="empty"
        ),
        pytest.param(lambda p: None, "no such archive", id="missing"),
    ],
)
def test_release_refuses_an_empty_or_missing_archive(
    tmp_path: Path, make: object, message: str
) -> None:
    path = tmp_path / "archive.db"
    make(path)  # type: ignore[operator]
    with pytest.raises(desk.ReleaseError, match=message):
        desk.release(path, tmp_path / "releases")
