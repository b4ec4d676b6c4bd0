"""The archive database: schema, migrations, WAL, and every read and write the crawler makes.

This is the only module that writes SQL. Every statement takes its values as parameters; table
and column names come from this module's own constants, never from page content.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from crawler.registry import Site
from crawler.text import fold_vietnamese
from crawler.timezone import VN_TZ

logger = logging.getLogger(__name__)

#: (name, SELECT) of every view the desk needs. Facets and search on articles need the site's
#: level and provinces next to each article, and year/month as columns Datasette can facet on.
DESK_VIEWS: tuple[tuple[str, str], ...] = (
    (
        "articles_view",
        """
        SELECT
            a.id,
            a.published,
            a.title,
            s.name AS site_name,
            a.author,
            s.level,
            s.province,
            COALESCE(NULLIF(s.province_now, ''), NULLIF(s.province, '')) AS province_now,
            substr(a.published, 1, 4) AS year,
            substr(a.published, 1, 7) AS month,
            a.copy_of,
            a.gone_at,
            a.site_id,
            a.first_seen,
            a.url
        FROM articles AS a
        LEFT JOIN sites AS s ON s.id = a.site_id
        """,
    ),
    (
        "copies_view",
        """
        SELECT
            c.copy_id,
            cp.title AS copy_title,
            cp.site_id AS copy_site,
            cp.published AS copy_published,
            c.original_id,
            op.title AS original_title,
            op.site_id AS original_site,
            op.published AS original_published,
            c.similarity,
            c.delay_days
        FROM copies AS c
        JOIN articles AS cp ON cp.id = c.copy_id
        JOIN articles AS op ON op.id = c.original_id
        """,
    ),
)


def _desk_view_ddl() -> str:
    return "".join(
        f"CREATE VIEW IF NOT EXISTS {name} AS {select.strip()};\n" for name, select in DESK_VIEWS
    )


#: Each entry is one migration, applied once, in order; the index is the schema version.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS sites (
        id TEXT PRIMARY KEY, name TEXT, level TEXT, province TEXT, province_now TEXT,
        url TEXT, host TEXT, status TEXT, feeds TEXT, sitemaps TEXT, extra TEXT,
        loaded_at TEXT
    );
    CREATE TABLE IF NOT EXISTS articles (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        site_id TEXT NOT NULL REFERENCES sites(id),
        title TEXT,
        published TEXT,
        published_raw TEXT,
        published_source TEXT,
        published_precision TEXT,
        updated TEXT,
        author TEXT,
        text TEXT,
        captions TEXT,
        copy_of INTEGER REFERENCES articles(id),
        copy_similarity REAL,
        content_hash TEXT,
        response_hash TEXT,
        extractor_version TEXT,
        first_seen TEXT,
        last_seen TEXT,
        last_changed TEXT,
        gone_at TEXT
    );
    CREATE INDEX IF NOT EXISTS articles_site_hash ON articles(site_id, content_hash);
    CREATE INDEX IF NOT EXISTS articles_site_published ON articles(site_id, published);
    CREATE INDEX IF NOT EXISTS articles_copy_of ON articles(copy_of);
    CREATE TABLE IF NOT EXISTS article_urls (
        url TEXT PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id),
        first_seen TEXT
    );
    CREATE INDEX IF NOT EXISTS article_urls_article ON article_urls(article_id);
    CREATE TABLE IF NOT EXISTS article_versions (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id),
        title TEXT, author TEXT, published TEXT, text TEXT, content_hash TEXT,
        first_seen TEXT, superseded_at TEXT
    );
    CREATE INDEX IF NOT EXISTS article_versions_article ON article_versions(article_id);
    CREATE TABLE IF NOT EXISTS copies (
        copy_id INTEGER PRIMARY KEY REFERENCES articles(id),
        original_id INTEGER NOT NULL REFERENCES articles(id),
        similarity REAL,
        delay_days REAL
    );
    CREATE INDEX IF NOT EXISTS copies_original ON copies(original_id);
    CREATE TABLE IF NOT EXISTS date_evidence (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id),
        signal TEXT, raw TEXT, parsed TEXT, accepted INTEGER, reason TEXT
    );
    CREATE INDEX IF NOT EXISTS date_evidence_article ON date_evidence(article_id);
    CREATE TABLE IF NOT EXISTS responses (
        hash TEXT PRIMARY KEY, content_type TEXT, body_gzip BLOB, fetched_at TEXT
    );
    CREATE TABLE IF NOT EXISTS pages (
        url TEXT PRIMARY KEY,
        site_id TEXT,
        kind TEXT,
        status INTEGER,
        etag TEXT,
        last_modified TEXT,
        body_hash TEXT,
        article_id INTEGER,
        is_hub INTEGER DEFAULT 0,
        depth INTEGER,
        links TEXT,
        fetched_at TEXT
    );
    CREATE INDEX IF NOT EXISTS pages_site_kind ON pages(site_id, kind);
    CREATE TABLE IF NOT EXISTS link_hints (
        url TEXT NOT NULL,
        source TEXT NOT NULL,
        site_id TEXT,
        title TEXT,
        date_raw TEXT,
        first_seen TEXT,
        last_seen TEXT,
        PRIMARY KEY (url, source)
    );
    CREATE TABLE IF NOT EXISTS lsh_buckets (
        band_key INTEGER NOT NULL,
        article_id INTEGER NOT NULL,
        PRIMARY KEY (band_key, article_id)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS signatures (
        article_id INTEGER PRIMARY KEY, site_id TEXT, signature BLOB
    );
    CREATE TABLE IF NOT EXISTS crawl_runs (
        id INTEGER PRIMARY KEY,
        started TEXT, finished TEXT, site_filter TEXT, mode TEXT,
        pages_fetched INTEGER, articles_new INTEGER, articles_updated INTEGER,
        articles_gone INTEGER, errors INTEGER, site_errors TEXT, status TEXT
    );
    CREATE TABLE IF NOT EXISTS site_runs (
        run_id INTEGER NOT NULL, site_id TEXT NOT NULL, started TEXT, finished TEXT,
        requests INTEGER, articles_new INTEGER, errors INTEGER, ok INTEGER,
        PRIMARY KEY (run_id, site_id)
    );
    CREATE TABLE IF NOT EXISTS site_boilerplate (
        site_id TEXT NOT NULL, block TEXT NOT NULL, pages INTEGER, learned_at TEXT,
        PRIMARY KEY (site_id, block)
    );
    CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
        title, text, title_folded, text_folded,
        tokenize = 'unicode61 remove_diacritics 2'
    );
    """,
    # 2: the gazetteer (administrative units before and after 1 July 2025) and site columns.
    """
    CREATE TABLE IF NOT EXISTS units (
        code TEXT PRIMARY KEY, name TEXT, kind TEXT, valid_from TEXT, valid_to TEXT,
        successor_code TEXT, full_name TEXT, designation TEXT, official_code TEXT,
        parent_code TEXT, aliases TEXT
    );
    ALTER TABLE sites ADD COLUMN org_type TEXT;
    ALTER TABLE sites ADD COLUMN unit_code TEXT;
    ALTER TABLE sites ADD COLUMN successor TEXT;
    ALTER TABLE sites ADD COLUMN verified INTEGER;
    """,
    # 3: where a redirecting URL leads, so shortlinks and moved paths become article aliases.
    """
    ALTER TABLE pages ADD COLUMN target TEXT;
    ALTER TABLE sites ADD COLUMN crawl_state TEXT;
    ALTER TABLE sites ADD COLUMN last_alive TEXT;
    ALTER TABLE sites ADD COLUMN failing_runs INTEGER DEFAULT 0;
    ALTER TABLE link_hints ADD COLUMN updated_raw TEXT;
    """,
    # 4: the title each listing page gave each link: a changed one is the edit signal.
    """
    CREATE TABLE IF NOT EXISTS listing_titles (
        url TEXT NOT NULL, page TEXT NOT NULL, title TEXT, seen TEXT,
        PRIMARY KEY (url, page)
    ) WITHOUT ROWID;
    """,
    # 5: the researcher's desk: views with site level and provinces, and the indexes its
    # default sort, coverage calendar and edits/deletions queries need at a million articles.
    _desk_view_ddl()
    + """
    CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
    CREATE INDEX IF NOT EXISTS articles_site_first_seen ON articles(site_id, first_seen);
    CREATE INDEX IF NOT EXISTS articles_gone_at ON articles(gone_at) WHERE gone_at IS NOT NULL;
    CREATE INDEX IF NOT EXISTS article_versions_superseded ON article_versions(superseded_at);
    """,
)


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """The archive's view of one article row, as the store stage needs it."""

    id: int
    url: str
    site_id: str
    title: str | None
    text: str | None
    author: str | None
    published: str | None
    content_hash: str | None
    first_seen: str | None


class ArchiveDamagedError(sqlite3.DatabaseError):
    """The archive file exists but is not a sound SQLite database; it is left untouched."""


def open_archive(
    path: str | Path, *, read_only: bool = False, check: bool = False
) -> sqlite_utils.Database:
    """Open (creating and migrating when writable) the archive at path, in WAL mode.

    With check, an existing file is verified first (PRAGMA quick_check): a truncated or
    overwritten archive raises ArchiveDamagedError and is never written to.
    Raises sqlite3.DatabaseError when the file is not a SQLite database.
    """
    if check and Path(path).exists():
        verify_archive(path)
    if read_only:
        conn = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True, check_same_thread=False)
        return sqlite_utils.Database(conn)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 30000")
    db = sqlite_utils.Database(conn)
    db.enable_wal()
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = OFF")
    migrate(db)
    if check:
        probe_writable(db)
    return db


def probe_writable(db: sqlite_utils.Database) -> None:
    """Fail now, before any page is fetched, when the archive cannot be written (read-only file
    or file system): raises sqlite3.OperationalError ("attempt to write a readonly database")."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        db.conn.execute("INSERT INTO crawl_runs (status) VALUES ('write probe')")
    finally:
        db.conn.execute("ROLLBACK")


def verify_archive(path: str | Path) -> None:
    """Raise ArchiveDamagedError unless the archive at path passes SQLite's quick_check."""
    try:
        conn = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)
        try:
            result = [row[0] for row in conn.execute("PRAGMA quick_check")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise ArchiveDamagedError(f"archive {path} is damaged: {exc}") from exc
    if result != ["ok"]:
        raise ArchiveDamagedError(f"archive {path} is damaged: {'; '.join(result[:5])}")


def migrate(db: sqlite_utils.Database) -> int:
    """Apply the migrations this archive has not seen yet; return the schema version."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        with transaction(db):
            for statement in _statements(script):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {int(number)}")
        version = number
    return version


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";\n") if s.strip()]


class transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception; nests as a no-op."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.conn = db.conn
        self.outer = False

    def __enter__(self) -> None:
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")
            self.outer = True

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if not self.outer:
            return
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")


# --- sites and runs ---------------------------------------------------------------------------


def sync_sites(db: sqlite_utils.Database, sites: Iterable[Site], loaded_at: str) -> None:
    """Upsert the registry as loaded into the sites table (rows not in it are kept)."""
    rows = [
        {
            "id": s.id,
            "name": s.name,
            "level": s.level,
            "province": s.province,
            "province_now": s.province_now or None,
            "url": s.url,
            "host": s.host,
            "status": s.status or "active",
            "org_type": s.org_type or None,
            "unit_code": s.unit_code or None,
            "successor": s.successor or None,
            "verified": int(s.verified),
            "feeds": " ".join(s.feeds) or None,
            "sitemaps": " ".join(s.sitemaps) or None,
            "extra": json.dumps(s.extra, ensure_ascii=False) if s.extra else None,
            "loaded_at": loaded_at,
        }
        for s in sites
    ]
    with transaction(db):
        db.table("sites").upsert_all(rows, pk="id", alter=True)


def sync_units(db: sqlite_utils.Database, rows: Iterable[dict[str, Any]]) -> None:
    """Upsert the gazetteer's administrative units (crawler.gazetteer.unit_rows())."""
    with transaction(db):
        db.table("units").upsert_all(list(rows), pk="code", alter=True)


def start_run(db: sqlite_utils.Database, started: str, site_filter: str | None, mode: str) -> int:
    """Insert a crawl_runs row for a run that has just started; return its id."""
    with transaction(db):
        cursor = db.execute(
            "INSERT INTO crawl_runs (started, site_filter, mode, status) VALUES (?, ?, ?, ?)",
            [started, site_filter, mode, "running"],
        )
    return int(cursor.lastrowid or 0)


def finish_run(db: sqlite_utils.Database, run_id: int, finished: str, **counts: Any) -> None:
    """Record a run's end with its counts (pages_fetched, articles_new, ..., site_errors)."""
    allowed = {
        "pages_fetched",
        "articles_new",
        "articles_updated",
        "articles_gone",
        "errors",
        "site_errors",
        "status",
    }
    values = {k: v for k, v in counts.items() if k in allowed}
    values["finished"] = finished
    with transaction(db):
        db.table("crawl_runs").update(run_id, values)


def record_site_run(db: sqlite_utils.Database, run_id: int, site_id: str, **values: Any) -> None:
    """Upsert the per-site line of a run (requests, articles_new, errors, ok)."""
    with transaction(db):
        db.table("site_runs").upsert(
            {"run_id": run_id, "site_id": site_id, **values}, pk=("run_id", "site_id")
        )


# --- page state (what was fetched, for conditional requests and incremental runs) ------------


def page_states(db: sqlite_utils.Database, site_id: str) -> dict[str, dict[str, Any]]:
    """Every fetched page of a site: url -> {kind, status, etag, last_modified, ...}."""
    rows = db.execute(
        "SELECT url, kind, status, etag, last_modified, body_hash, article_id, is_hub"
        " FROM pages WHERE site_id = ?",
        [site_id],
    ).fetchall()
    keys = ("kind", "status", "etag", "last_modified", "body_hash", "article_id", "is_hub")
    return {row[0]: dict(zip(keys, row[1:], strict=True)) for row in rows}


@dataclass(frozen=True, slots=True)
class KnownPage:
    """What the archive knows of a URL: the page kind and the article it belongs to."""

    kind: str | None
    article_id: int | None
    gone: bool = False


def known_url(db: sqlite_utils.Database, url: str) -> KnownPage | None:
    """What the archive knows of url (as a fetched page or as an article URL), or None."""
    row = db.execute(
        "SELECT p.kind, COALESCE(p.article_id, u.article_id), a.gone_at FROM (SELECT ? AS url) q"
        " LEFT JOIN pages p ON p.url = q.url LEFT JOIN article_urls u ON u.url = q.url"
        " LEFT JOIN articles a ON a.id = COALESCE(p.article_id, u.article_id)"
        " WHERE p.url IS NOT NULL OR u.url IS NOT NULL",
        [url],
    ).fetchone()
    if row is None:
        return None
    article_id = int(row[1]) if row[1] is not None else None
    kind = "article" if article_id is not None else row[0]
    return KnownPage(kind, article_id, row[2] is not None)


def site_seeds(db: sqlite_utils.Database, site_id: str) -> list[dict[str, Any]]:
    """The hub pages, feeds and sitemaps of a site with their validators and last links."""
    rows = db.execute(
        "SELECT url, kind, etag, last_modified, links, depth FROM pages"
        " WHERE site_id = ? AND status = 200"
        " AND (is_hub = 1 OR kind IN ('feed', 'sitemap')) AND kind NOT IN ('redirect', 'gone')"
        " ORDER BY depth, url",
        [site_id],
    ).fetchall()
    keys = ("url", "kind", "etag", "last_modified", "links", "depth")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def revisit_sample(db: sqlite_utils.Database, site_id: str, limit: int) -> list[tuple[str, int]]:
    """(url, article_id) of live articles of a site checked least recently, oldest first."""
    rows = db.execute(
        "SELECT url, id FROM articles WHERE site_id = ? AND gone_at IS NULL"
        " ORDER BY last_seen, id LIMIT ?",
        [site_id, limit],
    ).fetchall()
    return [(r[0], int(r[1])) for r in rows]


def site_has_pages(db: sqlite_utils.Database, site_id: str) -> bool:
    """True when an earlier run fetched pages of the site (so a nightly run can be incremental)."""
    return (
        db.execute("SELECT 1 FROM pages WHERE site_id = ? LIMIT 1", [site_id]).fetchone()
        is not None
    )


def record_page(
    db: sqlite_utils.Database,
    url: str,
    site_id: str,
    kind: str,
    status: int,
    etag: str | None,
    last_modified: str | None,
    seen: str,
    depth: int,
    *,
    is_hub: bool = False,
    links: list[str] | None = None,
    article_id: int | None = None,
    target: str | None = None,
) -> None:
    """Upsert the crawl state of one URL: kind, validators, hub flag, links, article, target."""
    db.execute(
        "INSERT INTO pages (url, site_id, kind, status, etag, last_modified, article_id, is_hub,"
        " depth, links, target, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (url) DO UPDATE SET kind = excluded.kind, status = excluded.status,"
        " etag = excluded.etag, last_modified = excluded.last_modified,"
        " article_id = COALESCE(excluded.article_id, pages.article_id),"
        " is_hub = MAX(pages.is_hub, excluded.is_hub),"
        " depth = MIN(COALESCE(pages.depth, 99), excluded.depth),"
        " links = COALESCE(excluded.links, pages.links), target = excluded.target,"
        " fetched_at = excluded.fetched_at",
        [
            url,
            site_id,
            kind,
            status,
            etag,
            last_modified,
            article_id,
            int(is_hub),
            depth,
            json.dumps(links) if links is not None else None,
            target,
            seen,
        ],
    )


def touch_url(db: sqlite_utils.Database, url: str, seen: str) -> None:
    """Note that the page at url answered 304: its state and its article are still current."""
    db.execute("UPDATE pages SET fetched_at = ? WHERE url = ?", [seen, url])
    db.execute(
        "UPDATE articles SET last_seen = ?"
        " WHERE id = (SELECT article_id FROM article_urls WHERE url = ?)",
        [seen, url],
    )


def same_response(db: sqlite_utils.Database, url: str, digest: str, extractor: str) -> bool:
    """True when the article at url was made, by this extractor version, from a response whose
    body had SHA-1 ``digest``: fetching it again brought nothing new to extract."""
    row = db.execute(
        "SELECT 1 FROM article_urls u JOIN articles a ON a.id = u.article_id"
        " WHERE u.url = ? AND a.response_hash = ? AND a.extractor_version = ?",
        [url, digest, extractor],
    ).fetchone()
    return row is not None


def site_completed(db: sqlite_utils.Database, site_id: str) -> bool:
    """True when a run crawled the site to its end (a killed run leaves no finished row)."""
    row = db.execute(
        "SELECT 1 FROM site_runs WHERE site_id = ? AND finished IS NOT NULL LIMIT 1", [site_id]
    ).fetchone()
    return row is not None


def record_pages(db: sqlite_utils.Database, rows: Sequence[dict[str, Any]]) -> None:
    """Upsert page-state rows (url, site_id, kind, status, etag, last_modified, ...)."""
    if rows:
        with transaction(db):
            db.table("pages").upsert_all(rows, pk="url", alter=True)


def record_hints(db: sqlite_utils.Database, rows: Sequence[dict[str, Any]]) -> None:
    """Upsert what listings, feeds and sitemaps said about links.

    Rows hold url, source, site_id, title, date_raw, updated_raw, first_seen and last_seen;
    first_seen and site_id count only when the link is new.
    """
    if not rows:
        return
    with transaction(db):
        db.conn.executemany(
            "INSERT INTO link_hints"
            " (url, source, site_id, title, date_raw, updated_raw, first_seen, last_seen)"
            " VALUES (:url, :source, :site_id, :title, :date_raw, :updated_raw, :first_seen,"
            " :last_seen)"
            " ON CONFLICT (url, source) DO UPDATE SET title = excluded.title,"
            " date_raw = COALESCE(excluded.date_raw, link_hints.date_raw),"
            " updated_raw = COALESCE(excluded.updated_raw, link_hints.updated_raw),"
            " last_seen = excluded.last_seen",
            rows,
        )


def stored_hints(
    db: sqlite_utils.Database, urls: Sequence[str]
) -> list[tuple[str, str, str | None, str | None, str | None]]:
    """(url, source, title, date_raw, updated_raw) of the stored hints for any of urls."""
    if not urls:
        return []
    marks = ",".join("?" for _ in urls)
    return [
        (r[0], r[1], r[2], r[3], r[4])
        for r in db.execute(
            "SELECT url, source, title, date_raw, updated_raw FROM link_hints"
            f" WHERE url IN ({marks})",
            list(urls),
        ).fetchall()
    ]


# --- articles ---------------------------------------------------------------------------------


_ARTICLE_COLUMNS = "id, url, site_id, title, text, author, published, content_hash, first_seen"


def _stored(row: Sequence[Any] | None) -> StoredArticle | None:
    return StoredArticle(*row) if row else None


def article_by_urls(db: sqlite_utils.Database, urls: Sequence[str]) -> StoredArticle | None:
    """The archived article any of urls already belongs to, or None."""
    if not urls:
        return None
    marks = ",".join("?" for _ in urls)
    row = db.execute(
        f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ("
        f" SELECT article_id FROM article_urls WHERE url IN ({marks}) LIMIT 1)",
        list(urls),
    ).fetchone()
    return _stored(row)


def article_by_content(
    db: sqlite_utils.Database, site_id: str, content_hash: str
) -> StoredArticle | None:
    """The archived article of site_id with the same normalised-text fingerprint, or None."""
    row = db.execute(
        f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE site_id = ? AND content_hash = ?"
        " ORDER BY id LIMIT 1",
        [site_id, content_hash],
    ).fetchone()
    return _stored(row)


def article_by_id(db: sqlite_utils.Database, article_id: int) -> StoredArticle | None:
    row = db.execute(
        f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", [article_id]
    ).fetchone()
    return _stored(row)


#: the articles columns a new article is inserted with (crawler.ingest), in a fixed order
_NEW_ARTICLE_COLUMNS = (
    "url", "site_id", "first_seen", "last_seen", "title", "author", "text", "captions",
    "content_hash", "response_hash", "extractor_version", "published", "published_raw",
    "published_source", "published_precision", "updated",
)  # fmt: skip
_INSERT_ARTICLE_SQL = (
    "INSERT INTO articles ("
    + ", ".join(_NEW_ARTICLE_COLUMNS)
    + ") VALUES ("
    + ", ".join("?" for _ in _NEW_ARTICLE_COLUMNS)
    + ")"
)


def insert_article(db: sqlite_utils.Database, values: dict[str, Any]) -> int:
    """Insert a new article row; return its id. values holds articles columns."""
    if set(values) != set(_NEW_ARTICLE_COLUMNS):
        # Another set of columns (perhaps one this archive lacks): sqlite-utils adds what is
        # missing. The hot path below skips its schema lookups, a third of a page's store time.
        return int(db.table("articles").insert(values, alter=True).last_pk or 0)
    cursor = db.conn.execute(_INSERT_ARTICLE_SQL, [values[c] for c in _NEW_ARTICLE_COLUMNS])
    return int(cursor.lastrowid or 0)


def update_article(db: sqlite_utils.Database, article_id: int, values: dict[str, Any]) -> None:
    """Overwrite columns of an existing article."""
    db.table("articles").update(article_id, values, alter=True)


def save_version(db: sqlite_utils.Database, old: StoredArticle, superseded_at: str) -> None:
    """Keep the superseded text and title of an edited article in article_versions."""
    db.table("article_versions").insert(
        {
            "article_id": old.id,
            "title": old.title,
            "author": old.author,
            "published": old.published,
            "text": old.text,
            "content_hash": old.content_hash,
            "first_seen": old.first_seen,
            "superseded_at": superseded_at,
        }
    )


def add_urls(db: sqlite_utils.Database, article_id: int, urls: Iterable[str], seen: str) -> None:
    """Record every URL the article was seen under (existing mappings are kept)."""
    for url in dict.fromkeys(urls):
        db.execute(
            "INSERT OR IGNORE INTO article_urls (url, article_id, first_seen) VALUES (?, ?, ?)",
            [url, article_id, seen],
        )


def add_url_if_new(db: sqlite_utils.Database, article_id: int, url: str, seen: str) -> int:
    """Record url as the article's when it is not known yet; return 1 if it was added."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO article_urls (url, article_id, first_seen) VALUES (?, ?, ?)",
        [url, article_id, seen],
    )
    return int(cursor.rowcount or 0)


def mark_gone(db: sqlite_utils.Database, urls: Sequence[str], when: str) -> int:
    """Set gone_at on the live articles behind urls (the rows are kept); return how many."""
    if not urls:
        return 0
    marks = ",".join("?" for _ in urls)
    with transaction(db):
        cursor = db.execute(
            f"UPDATE articles SET gone_at = ? WHERE gone_at IS NULL AND id IN ("
            f" SELECT article_id FROM article_urls WHERE url IN ({marks}))",
            [when, *urls],
        )
    return int(cursor.rowcount or 0)


def touch_article(db: sqlite_utils.Database, article_id: int, seen: str) -> None:
    """Note that an article was seen alive again (clears gone_at)."""
    db.execute("UPDATE articles SET last_seen = ?, gone_at = NULL WHERE id = ?", [seen, article_id])


def replace_date_evidence(
    db: sqlite_utils.Database, article_id: int, rows: Sequence[dict[str, Any]]
) -> None:
    """Replace the date_evidence rows of one article."""
    db.execute("DELETE FROM date_evidence WHERE article_id = ?", [article_id])
    db.conn.executemany(
        "INSERT INTO date_evidence (article_id, signal, raw, parsed, accepted, reason)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                article_id,
                r.get("signal"),
                r.get("raw"),
                r.get("parsed"),
                r.get("accepted"),
                r.get("reason"),
            )
            for r in rows
        ],
    )


def index_for_search(
    db: sqlite_utils.Database,
    article_id: int,
    title: str,
    text: str,
    folded: tuple[str, str] | None = None,
) -> None:
    """(Re)index an article for full-text search, with a diacritic-folded copy (đ -> d).

    ``folded`` is (fold_vietnamese(title), fold_vietnamese(text)) when an analysis worker has
    computed it already.
    """
    title_folded, text_folded = folded or (fold_vietnamese(title), fold_vietnamese(text))
    db.execute("DELETE FROM articles_fts WHERE rowid = ?", [article_id])
    db.execute(
        "INSERT INTO articles_fts (rowid, title, text, title_folded, text_folded)"
        " VALUES (?, ?, ?, ?, ?)",
        [article_id, title, text, title_folded, text_folded],
    )


def store_response(
    db: sqlite_utils.Database,
    body: bytes,
    content_type: str,
    fetched_at: str,
    body_gzip: bytes | None = None,
) -> str:
    """Keep a compressed copy of a response body for re-extraction; return its SHA-1.

    ``body_gzip`` is the body already compressed (by an analysis worker), else it is done here.
    """
    digest = hashlib.sha1(body).hexdigest()
    db.execute(
        "INSERT OR IGNORE INTO responses (hash, content_type, body_gzip, fetched_at)"
        " VALUES (?, ?, ?, ?)",
        [digest, content_type, body_gzip or gzip.compress(body, compresslevel=6), fetched_at],
    )
    return digest


def load_response(db: sqlite_utils.Database, digest: str) -> tuple[bytes, str] | None:
    """The stored body and content type of a response, or None."""
    row = db.execute(
        "SELECT body_gzip, content_type FROM responses WHERE hash = ?", [digest]
    ).fetchone()
    return (gzip.decompress(row[0]), row[1] or "") if row else None


# --- near-duplicate index ---------------------------------------------------------------------


def add_signature(
    db: sqlite_utils.Database,
    article_id: int,
    site_id: str,
    signature: bytes,
    band_keys: Iterable[int],
) -> None:
    """Index an article's MinHash signature under its LSH band keys."""
    db.execute(
        "INSERT OR REPLACE INTO signatures (article_id, site_id, signature) VALUES (?, ?, ?)",
        [article_id, site_id, signature],
    )
    db.conn.executemany(
        "INSERT OR IGNORE INTO lsh_buckets (band_key, article_id) VALUES (?, ?)",
        [(key, article_id) for key in band_keys],
    )


def signature_candidates(
    db: sqlite_utils.Database, band_keys: Sequence[int], exclude_site: str, limit: int = 50
) -> list[tuple[int, str, bytes]]:
    """(article_id, site_id, signature) of other sites' articles sharing band keys, most first.

    A re-publication shares many of the bands, a look-alike on a popular template one or two,
    so ranking by shared bands keeps the true original inside the limit.
    """
    if not band_keys:
        return []
    marks = ",".join("?" for _ in band_keys)
    return [
        (int(r[0]), r[1], r[2])
        for r in db.execute(
            "SELECT s.article_id, s.site_id, s.signature FROM ("
            f" SELECT article_id, count(*) AS hits FROM lsh_buckets WHERE band_key IN ({marks})"
            " GROUP BY article_id) b JOIN signatures s ON s.article_id = b.article_id"
            " WHERE s.site_id != ? ORDER BY b.hits DESC, s.article_id LIMIT ?",
            [*band_keys, exclude_site, limit],
        ).fetchall()
    ]


def link_copy(
    db: sqlite_utils.Database,
    copy_id: int,
    original_id: int,
    similarity: float,
    delay_days: float | None,
) -> None:
    """Record that copy_id re-publishes original_id (articles.copy_of and the copies table)."""
    db.execute(
        "UPDATE articles SET copy_of = ?, copy_similarity = ? WHERE id = ?",
        [original_id, similarity, copy_id],
    )
    db.execute(
        "INSERT OR REPLACE INTO copies (copy_id, original_id, similarity, delay_days)"
        " VALUES (?, ?, ?, ?)",
        [copy_id, original_id, similarity, delay_days],
    )


# --- per-site finishing passes ----------------------------------------------------------------


def site_article_texts(
    db: sqlite_utils.Database, site_id: str, chunk: int = 500
) -> Iterator[tuple[int, str | None, str]]:
    """(id, title, text) of every article of a site, in id order, read ``chunk`` at a time.

    A site's whole history never sits in memory at once, and the caller may update the
    articles it has been given while it reads on.
    """
    after = -1
    while True:
        rows = db.execute(
            "SELECT id, title, text FROM articles WHERE site_id = ? AND id > ? ORDER BY id LIMIT ?",
            [site_id, after, chunk],
        ).fetchall()
        for article_id, title, text in rows:
            yield int(article_id), title, text or ""
        if len(rows) < chunk:
            return
        after = int(rows[-1][0])


def undated_articles(db: sqlite_utils.Database, site_id: str) -> list[tuple[int, list[str]]]:
    """(id, every URL) of the site's articles that have no publication date."""
    rows = db.execute(
        "SELECT a.id, u.url FROM articles a JOIN article_urls u ON u.article_id = a.id"
        " WHERE a.site_id = ? AND a.published IS NULL ORDER BY a.id",
        [site_id],
    ).fetchall()
    found: dict[int, list[str]] = {}
    for article_id, url in rows:
        found.setdefault(int(article_id), []).append(url)
    return list(found.items())


def site_blocks(db: sqlite_utils.Database, site_id: str) -> frozenset[str]:
    """The boilerplate blocks learned for a site."""
    rows = db.execute("SELECT block FROM site_boilerplate WHERE site_id = ?", [site_id])
    return frozenset(r[0] for r in rows)


def save_site_blocks(
    db: sqlite_utils.Database, site_id: str, blocks: Iterable[str], learned_at: str
) -> None:
    """Add learned boilerplate blocks of a site (earlier ones are kept)."""
    db.conn.executemany(
        "INSERT OR IGNORE INTO site_boilerplate (site_id, block, learned_at) VALUES (?, ?, ?)",
        [(site_id, block, learned_at) for block in blocks],
    )


def all_site_blocks(db: sqlite_utils.Database) -> dict[str, frozenset[str]]:
    """Learned boilerplate blocks of every site."""
    found: dict[str, set[str]] = {}
    for site_id, block in db.execute("SELECT site_id, block FROM site_boilerplate"):
        found.setdefault(site_id, set()).add(block)
    return {site_id: frozenset(blocks) for site_id, blocks in found.items()}


def last_site_runs(db: sqlite_utils.Database) -> dict[str, tuple[str | None, str | None]]:
    """Per site, (started, finished) of its latest site_runs line (None where not recorded)."""
    rows = db.execute(
        "SELECT r.site_id, r.started, r.finished FROM site_runs r JOIN ("
        " SELECT site_id, max(run_id) AS run_id FROM site_runs GROUP BY site_id) m"
        " ON m.site_id = r.site_id AND m.run_id = r.run_id"
    ).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def run_site_runs(db: sqlite_utils.Database, run_id: int) -> dict[str, dict[str, Any]]:
    """The site_runs lines of one run: site_id -> started, finished, requests, articles_new,
    errors, ok (ok is NULL while a distributed run's site is pending)."""
    keys = ("started", "finished", "requests", "articles_new", "errors", "ok")
    rows = db.execute(
        "SELECT site_id, started, finished, requests, articles_new, errors, ok FROM site_runs"
        " WHERE run_id = ? ORDER BY site_id",
        [run_id],
    ).fetchall()
    return {r[0]: dict(zip(keys, r[1:], strict=True)) for r in rows}


def site_outcomes(db: sqlite_utils.Database) -> dict[str, list[bool]]:
    """Per site, whether each run went ok, oldest run first."""
    found: dict[str, list[bool]] = {}
    for site_id, ok in db.execute("SELECT site_id, ok FROM site_runs ORDER BY run_id"):
        found.setdefault(site_id, []).append(bool(ok))
    return found


def articles_with_responses(
    db: sqlite_utils.Database, site_id: str | None
) -> list[tuple[int, str, str, str]]:
    """(id, site_id, url, response_hash) of articles whose response body is stored."""
    sql = "SELECT id, site_id, url, response_hash FROM articles WHERE response_hash IS NOT NULL"
    params: list[Any] = []
    if site_id:
        sql += " AND site_id = ?"
        params.append(site_id)
    return [(int(r[0]), r[1], r[2], r[3]) for r in db.execute(sql + " ORDER BY id", params)]


def response_time(db: sqlite_utils.Database, digest: str) -> datetime:
    """When a stored response was fetched (Vietnam time)."""
    row = db.execute("SELECT fetched_at FROM responses WHERE hash = ?", [digest]).fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else datetime.now(VN_TZ)


def article_title(db: sqlite_utils.Database, url: str) -> str | None:
    """The stored title of the article url belongs to, or None."""
    row = db.execute(
        "SELECT a.title FROM article_urls u JOIN articles a ON a.id = u.article_id WHERE u.url = ?",
        [url],
    ).fetchone()
    return row[0] if row else None


def redirect_aliases(db: sqlite_utils.Database, site_id: str) -> list[tuple[str, int]]:
    """(redirecting URL, article id) for redirects of a site whose target is an archived article."""
    rows = db.execute(
        "SELECT p.url, u.article_id FROM pages p JOIN article_urls u ON u.url = p.target"
        " WHERE p.site_id = ? AND p.kind = 'redirect'",
        [site_id],
    ).fetchall()
    return [(r[0], int(r[1])) for r in rows]


def copy_of(db: sqlite_utils.Database, article_id: int) -> int | None:
    """The article id that article_id re-publishes, or None."""
    row = db.execute("SELECT copy_of FROM articles WHERE id = ?", [article_id]).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def move_copies(db: sqlite_utils.Database, old_original: int, new_original: int) -> None:
    """Re-point every copy of old_original to new_original (an earlier copy was found)."""
    db.execute("UPDATE articles SET copy_of = ? WHERE copy_of = ?", [new_original, old_original])
    db.execute(
        "UPDATE copies SET original_id = ? WHERE original_id = ?", [new_original, old_original]
    )


def listing_title(db: sqlite_utils.Database, url: str, page: str) -> str | None:
    """The title listing page `page` gave the link to url on the last visit, or None."""
    row = db.execute(
        "SELECT title FROM listing_titles WHERE url = ? AND page = ?", [url, page]
    ).fetchone()
    return row[0] if row else None


def record_listing_titles(
    db: sqlite_utils.Database, page: str, titles: Sequence[tuple[str, str]], seen: str
) -> None:
    """Remember the title a listing page gives each of its links."""
    db.conn.executemany(
        "INSERT INTO listing_titles (url, page, title, seen) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (url, page) DO UPDATE SET title = excluded.title, seen = excluded.seen",
        [(url, page, title, seen) for url, title in titles],
    )


def update_site_health(
    db: sqlite_utils.Database, site_id: str, finished: str, dead_after: int
) -> None:
    """After a run: alive (with the date) when the site answered, dead after dead_after failures."""
    row = db.execute(
        "SELECT ok FROM site_runs WHERE site_id = ? ORDER BY run_id DESC LIMIT 1", [site_id]
    ).fetchone()
    if row is None:
        return
    with transaction(db):
        if row[0]:
            db.execute(
                "UPDATE sites SET crawl_state = 'alive', last_alive = ?, failing_runs = 0"
                " WHERE id = ?",
                [finished, site_id],
            )
        else:
            db.execute(
                "UPDATE sites SET failing_runs = COALESCE(failing_runs, 0) + 1,"
                " crawl_state = CASE WHEN COALESCE(failing_runs, 0) + 1 >= ? THEN 'dead'"
                " ELSE 'failing' END WHERE id = ?",
                [dead_after, site_id],
            )


def site_due(db: sqlite_utils.Database, site_id: str, retry_every: int) -> bool:
    """False for a dead site until retry_every runs have passed since it was last tried."""
    row = db.execute("SELECT crawl_state FROM sites WHERE id = ?", [site_id]).fetchone()
    if row is None or row[0] != "dead":
        return True
    skipped = db.execute(
        "SELECT count(*) FROM crawl_runs WHERE id > COALESCE("
        " (SELECT max(run_id) FROM site_runs WHERE site_id = ?), 0) AND finished IS NOT NULL",
        [site_id],
    ).fetchone()[0]
    return int(skipped) >= retry_every - 1


def last_run_status(db: sqlite_utils.Database) -> str | None:
    """How the newest crawl run ended ("finished", "archive_write_failed", ...), or None."""
    row = db.execute("SELECT status FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else None
