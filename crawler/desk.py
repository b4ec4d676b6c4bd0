"""The researcher's desk: the views Datasette needs, the `serve` command line, and releases.

Scrapy-free. The SQL here is kept in named constants so that the archive owner can move it into a
numbered migration of `crawler/archive.py` (the views) without touching the logic around it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import re
import shutil
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlite_utils

from crawler.archive import DESK_VIEWS, open_archive, transaction
from crawler.text import fold_vietnamese

logger = logging.getLogger(__name__)

#: The Datasette database name every canned query, template and dashboard refers to; Datasette
#: names a database after its file, so both the live archive and a release are `archive.db`.
DATABASE_NAME = "archive"

_REPO_ROOT = Path(__file__).resolve().parent.parent
#: Titles, descriptions, facets, canned queries and the dashboards (Datasette 0.65 metadata).
METADATA_PATH = _REPO_ROOT / "data" / "metadata.yml"
#: Our Datasette templates: site-wide search box, home page, article page, search results.
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

#: Datasette settings for serving, each with the reason it is set.
SERVE_SETTINGS: dict[str, int | bool] = {
    # One slow ad-hoc query must not hold a worker; canned queries are written to fit in this.
    "sql_time_limit_ms": 3000,
    # Facets on millions of rows are best-effort: give up quietly rather than stall the page.
    "facet_time_limit_ms": 1000,
    # Enough for a month-by-site table of a few hundred sites; larger results go through CSV export.
    "max_returned_rows": 5000,
    # Fifty article titles are a screenful; more through the next-page link or an export.
    "default_page_size": 50,
    # Table pages show the start of long texts; the article page shows all of it.
    "truncate_cells_html": 300,
    # The live archive is never offered as a download: releases are the citable snapshots.
    "allow_download": False,
}

# --- views ------------------------------------------------------------------------------------

#: The views are part of the archive schema (crawler.archive.DESK_VIEWS, created by a migration);
#: create_views re-creates them, for archives made before a definition changed.
VIEWS = DESK_VIEWS


def create_views(db: sqlite_utils.Database) -> list[str]:
    """(Re)create the desk's views in one transaction; return their names.

    Idempotent: each view is dropped and created again, so a changed definition replaces the old
    one. Needs a writable archive whose schema is migrated (crawler.archive.open_archive).
    Raises sqlite3.OperationalError when a table the views read is missing.
    """
    with transaction(db):
        for name, select in VIEWS:
            db.execute(f"DROP VIEW IF EXISTS {name}")
            db.execute(f"CREATE VIEW {name} AS {select.strip()}")
    return [name for name, _ in VIEWS]


def prepare_archive(db_path: str | Path) -> list[str]:
    """Migrate the archive at db_path and (re)create the desk's views; return the view names.

    Run it on the writable archive before serving it (`crawler serve` opens it read-only).
    Raises sqlite3.DatabaseError when the file is not a SQLite database.
    """
    db = open_archive(db_path)
    try:
        return create_views(db)
    finally:
        db.conn.close()


# --- the article page -------------------------------------------------------------------------

#: The article with its site, for the article page and its citation (param: id).
ARTICLE_SQL = """
SELECT a.id, a.url, a.site_id, a.title, a.published, a.published_precision, a.published_source,
       a.updated, a.author, a.text, a.captions, a.copy_of, a.copy_similarity, a.content_hash,
       a.first_seen, a.last_seen, a.last_changed, a.gone_at,
       s.name AS site_name, s.url AS site_url, s.level, s.province,
       COALESCE(NULLIF(s.province_now, ''), NULLIF(s.province, '')) AS province_now
FROM articles AS a LEFT JOIN sites AS s ON s.id = a.site_id
WHERE a.id = :id
"""

#: Superseded versions of the article, newest first (param: id).
VERSIONS_SQL = """
SELECT id, title, author, published, text, first_seen, superseded_at
FROM article_versions WHERE article_id = :id
ORDER BY superseded_at DESC, id DESC
"""

#: Where else this text appears: the original it copies and the copies of it (param: id).
COPIES_SQL = """
SELECT 'original' AS relation, o.id, o.title, o.published, o.site_id, s.name AS site_name,
       c.similarity, c.delay_days
FROM copies AS c JOIN articles AS o ON o.id = c.original_id LEFT JOIN sites AS s ON s.id = o.site_id
WHERE c.copy_id = :id
UNION ALL
SELECT 'copy' AS relation, k.id, k.title, k.published, k.site_id, s.name AS site_name,
       c.similarity, c.delay_days
FROM copies AS c JOIN articles AS k ON k.id = c.copy_id LEFT JOIN sites AS s ON s.id = k.site_id
WHERE c.original_id = :id
ORDER BY relation DESC, published
"""

#: Every URL the article was seen under (param: id).
URLS_SQL = (
    "SELECT url, first_seen FROM article_urls WHERE article_id = :id ORDER BY first_seen, url"
)

#: Why the article carries its date: each signal, what it said and whether it was accepted.
DATE_EVIDENCE_SQL = """
SELECT signal, raw, parsed, accepted, reason FROM date_evidence WHERE article_id = :id
ORDER BY accepted DESC, id
"""

#: Headline figures for the home page.
OVERVIEW_SQL = """
SELECT (SELECT count(*) FROM articles) AS articles,
       (SELECT count(*) FROM sites) AS sites,
       (SELECT min(published) FROM articles) AS first_published,
       (SELECT max(published) FROM articles) AS last_published
"""


#: snippet markers: excerpt() wraps each matched word in them, the Datasette plugin turns them into
#: <mark> after escaping everything else. Control characters never occur in cleaned page text.
MARK_START = "\x02"
MARK_END = "\x03"
_WORD_RE = re.compile(r"\w+")


def query_terms(query: str | None) -> list[str]:
    """The folded words of a search query, in order, without repeats ("Đảng bộ" -> dang, bo)."""
    return list(dict.fromkeys(_WORD_RE.findall(fold_vietnamese(query or ""))))


def _folded_positions(text: str) -> tuple[str, list[int]]:
    """text folded for search, and for each folded character the index of its source character."""
    folded = fold_vietnamese(text)
    if len(folded) == len(text):  # NFC Vietnamese folds letter for letter: the common case
        return folded, list(range(len(text)))
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        piece = fold_vietnamese(char)
        pieces.append(piece)
        origin.extend([index] * len(piece))
    return "".join(pieces), origin


def excerpt(text: str | None, query: str | None, width: int = 300) -> str:
    """A window of about width characters of text around the first match of the query's words,
    with each matched word (diacritics and case ignored) between MARK_START and MARK_END.

    "Đảng bộ tỉnh ...", "dang" -> "\x02Đảng\x03 bộ tỉnh ...". Without a match: the opening of the
    text. Never raises; None gives "".
    """
    if not text:
        return ""
    terms = query_terms(query)
    folded, origin = _folded_positions(text)
    spans: list[tuple[int, int]] = []
    if terms:
        pattern = re.compile(
            r"(?<!\w)(?:"
            + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
            + r")(?!\w)"
        )
        spans = [(origin[m.start()], origin[m.end() - 1] + 1) for m in pattern.finditer(folded)]
    first = spans[0][0] if spans else 0
    if len(text) <= width or first < width // 3:
        start = 0
    else:
        start = text.rfind(" ", 0, first - width // 4) + 1
    end = len(text) if start + width >= len(text) else text.rfind(" ", start, start + width)
    if end <= start:
        end = min(len(text), start + width)
    pieces = ["… " if start > 0 else ""]
    cursor = start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        pieces += [text[cursor:span_start], MARK_START, text[span_start:span_end], MARK_END]
        cursor = span_end
    pieces.append(text[cursor:end])
    if end < len(text):
        pieces.append(" …")
    return " ".join("".join(pieces).split("\n")).strip()


def paragraphs(text: str | None) -> list[str]:
    """Split stored article text into paragraphs: one per non-empty line, stripped."""
    return [line.strip() for line in (text or "").split("\n") if line.strip()]


def text_sha256(text: str | None) -> str:
    """SHA-256 (hex) of the article text as stored (NFC, UTF-8): what a citation pins."""
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


def safe_link(url: str | None) -> str | None:
    """The URL when it is http(s) and so safe in an href; None otherwise (javascript:, data:)."""
    if url and url.lower().startswith(("http://", "https://")):
        return url
    return None


@dataclass(frozen=True, slots=True)
class Citation:
    """What a researcher needs to cite one archived article."""

    #: article title as archived
    title: str
    #: the publishing committee's site name (or its registry id)
    committee: str
    #: publication date, YYYY-MM-DD, or "n.d."
    published: str
    #: the original URL
    url: str
    #: the archive's article id
    archive_id: int
    #: SHA-256 of the archived text
    text_sha256: str
    #: when the archive first retrieved it, YYYY-MM-DD
    retrieved: str

    def as_text(self) -> str:
        """One line in author-date style."""
        return (
            f"{self.committee} ({self.published}). {self.title.rstrip('.')}. {self.url} "
            f"(retrieved {self.retrieved}; Party News Archive article {self.archive_id}, "
            f"text SHA-256 {self.text_sha256[:16]})."
        )

    def as_bibtex(self) -> str:
        """A BibTeX @misc entry keyed by the archive id."""

        def field(value: str) -> str:
            return value.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}")

        year = self.published[:4] if self.published[:4].isdigit() else ""
        return (
            f"@misc{{partyarchive{self.archive_id},\n"
            f"  title = {{{field(self.title)}}},\n"
            f"  author = {{{{{field(self.committee)}}}}},\n"
            f"  year = {{{year}}},\n"
            f"  date = {{{field(self.published)}}},\n"
            f"  url = {{{field(self.url)}}},\n"
            f"  urldate = {{{field(self.retrieved)}}},\n"
            f"  note = {{Party News Archive article {self.archive_id}, "
            f"text SHA-256 {self.text_sha256}}}\n"
            f"}}"
        )


def citation(article: dict[str, Any]) -> Citation:
    """Build the citation of an ARTICLE_SQL row (as a dict)."""
    published = str(article.get("published") or "")[:10] or "n.d."
    return Citation(
        title=str(article.get("title") or "(untitled)"),
        committee=str(article.get("site_name") or article.get("site_id") or ""),
        published=published,
        url=str(article.get("url") or ""),
        archive_id=int(article["id"]),
        text_sha256=text_sha256(article.get("text")),
        retrieved=str(article.get("first_seen") or "")[:10] or "unknown",
    )


# --- serving ----------------------------------------------------------------------------------


def _setting_value(value: int | bool) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def serve_command(
    db_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 8001,
    *,
    immutable: bool = False,
    metadata: Path = METADATA_PATH,
    template_dir: Path = TEMPLATES_DIR,
) -> list[str]:
    """The Datasette command line that serves the archive read-only.

    The live archive (written by the nightly crawl, in WAL mode) is opened by Datasette with
    `?mode=ro`: it sees each new commit and cannot write. A release snapshot, which never changes,
    is served with `-i` (immutable), which also lets Datasette count rows once. Datasette 0.65 has
    no write API, no canned query here writes, and the plugin sets `PRAGMA query_only`.
    """
    command = [sys.executable, "-m", "datasette", "serve"]
    command += ["-i", str(db_path)] if immutable else [str(db_path)]
    command += ["--host", host, "--port", str(port)]
    command += ["--metadata", str(metadata), "--template-dir", str(template_dir)]
    for name, value in SERVE_SETTINGS.items():
        command += ["--setting", name, _setting_value(value)]
    return command


# --- releases ---------------------------------------------------------------------------------


class ReleaseError(Exception):
    """A release cannot be made (empty archive, existing version, missing Parquet support)."""


#: The newest moment the archive knows about: the data date a release is versioned by.
DATA_DATE_SQL = """
SELECT max(x) FROM (
    SELECT max(finished) AS x FROM crawl_runs
    UNION ALL SELECT max(last_seen) FROM articles
    UNION ALL SELECT max(first_seen) FROM articles
)
"""

#: One row per article for JSON Lines and Parquet, with its site and every URL it was seen under.
EXPORT_SQL = """
SELECT a.id, a.url, a.site_id, s.name AS site_name, s.level, s.province,
       COALESCE(NULLIF(s.province_now, ''), NULLIF(s.province, '')) AS province_now,
       a.title, a.published, a.published_precision, a.author, a.text,
       a.copy_of, a.copy_similarity, a.content_hash, a.first_seen, a.last_seen, a.gone_at,
       (SELECT json_group_array(u.url) FROM article_urls AS u WHERE u.article_id = a.id) AS urls
FROM articles AS a LEFT JOIN sites AS s ON s.id = a.site_id
ORDER BY a.id
"""

#: (column, Parquet type name) of EXPORT_SQL rows, plus the text's SHA-256.
EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "int64"),
    ("url", "string"),
    ("site_id", "string"),
    ("site_name", "string"),
    ("level", "string"),
    ("province", "string"),
    ("province_now", "string"),
    ("title", "string"),
    ("published", "string"),
    ("published_precision", "string"),
    ("author", "string"),
    ("text", "string"),
    ("copy_of", "int64"),
    ("copy_similarity", "float64"),
    ("content_hash", "string"),
    ("first_seen", "string"),
    ("last_seen", "string"),
    ("gone_at", "string"),
    ("urls", "list<string>"),
    ("text_sha256", "string"),
)

SNAPSHOT_NAME = f"{DATABASE_NAME}.db"
JSONL_NAME = "articles.jsonl.gz"
PARQUET_NAME = "articles.parquet"
MANIFEST_NAME = "manifest.json"
CITATION_NAME = "CITATION.cff"
CHECKSUMS_NAME = "SHA256SUMS"
_BATCH = 2000


def data_date(db_path: str | Path) -> str:
    """The archive's data date (YYYY-MM-DD): its newest crawl or sighting. Raises ReleaseError."""
    conn = _connect_ro(db_path)
    try:
        row = conn.execute(DATA_DATE_SQL).fetchone()
    finally:
        conn.close()
    if not row or not row[0]:
        raise ReleaseError(f"{db_path}: the archive holds no articles or crawl runs")
    return str(row[0])[:10]


def release(
    db_path: str | Path,
    out_dir: str | Path,
    *,
    version: str | None = None,
    parquet: bool = True,
) -> Path:
    """Write a versioned, citable release of the archive into out_dir/<version>/; return that dir.

    The release holds a consistent snapshot made with `VACUUM INTO` (the live file is never
    copied, so a crawl may keep writing), JSON Lines (gzip) and Parquet of the articles exported
    from that snapshot, a manifest, a CITATION.cff and a SHA256SUMS file (`sha256sum -c`).
    version defaults to the archive's data date (its newest crawl), so the same archive always
    gives the same version. The release is built in a hidden directory and renamed into place.
    Raises ReleaseError when the archive is empty, the version exists, or pyarrow is missing
    while parquet is True.
    """
    version = version or data_date(db_path)
    target = Path(out_dir) / version
    if target.exists():
        raise ReleaseError(f"release {version} already exists at {target}")
    if parquet:
        _require_pyarrow()
    staging = Path(out_dir) / f".{version}.partial"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    try:
        snapshot = staging / SNAPSHOT_NAME
        snapshot_archive(db_path, snapshot)
        counts = _write_jsonl(snapshot, staging / JSONL_NAME)
        if parquet:
            _write_parquet(snapshot, staging / PARQUET_NAME)
        manifest = {"version": version, **counts, "files": _file_names(parquet)}
        (staging / MANIFEST_NAME).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        (staging / CITATION_NAME).write_text(citation_cff(version, counts), encoding="utf-8")
        write_checksums(staging)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    logger.info("release %s written to %s: %s articles", version, target, counts["articles"])
    return target


def _file_names(parquet: bool) -> list[str]:
    names = [SNAPSHOT_NAME, JSONL_NAME, MANIFEST_NAME, CITATION_NAME]
    return [*names, PARQUET_NAME] if parquet else names


def _connect_ro(path: str | Path) -> sqlite3.Connection:
    if not Path(path).is_file():
        raise ReleaseError(f"{path}: no such archive")
    return sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)


def snapshot_archive(db_path: str | Path, dest: Path) -> None:
    """VACUUM INTO dest (a consistent copy), then make it a self-contained, checked release file.

    The snapshot gets the desk's views, rollback-journal mode (no -wal/-shm beside it), and
    must pass PRAGMA integrity_check. Raises ReleaseError when it does not.
    """
    source = _connect_ro(db_path)
    try:
        source.execute("VACUUM INTO ?", [str(dest)])
    finally:
        source.close()
    conn = sqlite3.connect(str(dest), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
        create_views(sqlite_utils.Database(conn))
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    if check != "ok":
        raise ReleaseError(f"snapshot of {db_path} failed integrity_check: {check}")


def _export_rows(snapshot: Path) -> Iterator[dict[str, Any]]:
    conn = sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        for row in conn.execute(EXPORT_SQL):
            record = dict(row)
            record["urls"] = json.loads(record["urls"] or "[]")
            record["text_sha256"] = text_sha256(record["text"])
            yield record
    finally:
        conn.close()


def _write_jsonl(snapshot: Path, path: Path) -> dict[str, Any]:
    """Write articles as gzip JSON Lines (mtime 0: equal data, equal bytes); return counts."""
    articles = 0
    sites: set[str] = set()
    dates: list[str] = []
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as handle,
    ):
        for record in _export_rows(snapshot):
            handle.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
            articles += 1
            sites.add(record["site_id"])
            if record["published"]:
                dates.append(record["published"][:10])
    return {
        "articles": articles,
        "sites": len(sites),
        "first_published": min(dates) if dates else None,
        "last_published": max(dates) if dates else None,
    }


def _require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401 - only checks that it is installed
    except ImportError as exc:
        raise ReleaseError(
            "Parquet needs pyarrow: pip install 'party-news-archive[release]' "
            "(or release without Parquet)"
        ) from exc


def _write_parquet(snapshot: Path, path: Path) -> None:
    # pyarrow is an optional dependency (the release extra): imported only when writing Parquet.
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {
        "int64": pa.int64(),
        "string": pa.string(),
        "float64": pa.float64(),
        "list<string>": pa.list_(pa.string()),
    }
    schema = pa.schema([(name, types[kind]) for name, kind in EXPORT_COLUMNS])
    with pq.ParquetWriter(str(path), schema, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for record in _export_rows(snapshot):
            batch.append(record)
            if len(batch) >= _BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))


def _yaml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def citation_cff(version: str, counts: dict[str, Any]) -> str:
    """The CITATION.cff (format 1.2.0) of a release."""
    span = ""
    if counts.get("first_published"):
        span = f", published {counts['first_published']} to {counts['last_published']}"
    abstract = (
        f"{counts['articles']} news articles from {counts['sites']} websites of Communist Party "
        f"of Vietnam committees{span}, with their dates, authors, edit history and "
        "re-publication links. The texts belong to their publishers; the archive keeps them "
        "for research."
    )
    lines = [
        "cff-version: 1.2.0",
        'message: "If you use this archive, please cite it as below, and cite each article '
        'by its original URL and archive id."',
        "type: dataset",
        'title: "Party News Archive: Vietnamese Communist Party committee news"',
        f"version: {_yaml_string(version)}",
        f"date-released: {_yaml_string(date.fromisoformat(version[:10]).isoformat())}",
        "authors:",
        '  - name: "The party-news-archive contributors"',
        f"abstract: {_yaml_string(abstract)}",
        "keywords:",
        "  - Vietnam",
        "  - Communist Party of Vietnam",
        "  - news",
        "  - web archive",
    ]
    return "\n".join(lines) + "\n"


def file_sha256(path: Path) -> str:
    """SHA-256 (hex) of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_checksums(directory: Path, names: Sequence[str] | None = None) -> Path:
    """Write SHA256SUMS (`<hex>  <name>` lines, sorted) for the files of directory; return it."""
    files = sorted(names or (p.name for p in directory.iterdir() if p.is_file()))
    files = [name for name in files if name != CHECKSUMS_NAME]
    body = "".join(f"{file_sha256(directory / name)}  {name}\n" for name in files)
    path = directory / CHECKSUMS_NAME
    path.write_text(body, encoding="utf-8")
    return path


def verify_checksums(directory: Path) -> list[str]:
    """Names whose SHA-256 differs from SHA256SUMS (empty when the release is intact)."""
    bad = []
    for line in (directory / CHECKSUMS_NAME).read_text(encoding="utf-8").splitlines():
        expected, name = line.split("  ", 1)
        if not (directory / name).is_file() or file_sha256(directory / name) != expected:
            bad.append(name)
    return bad
