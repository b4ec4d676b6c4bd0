"""The archive's Datasette plugin: fold() for search, safe cells, and the article page's data.

Registered through the `datasette` entry point `party_archive` in pyproject.toml. It reuses
crawler.text.fold_vietnamese so that a query is folded exactly the way ingest folded the text.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

from markupsafe import Markup, escape
from pluggy import HookimplMarker

from crawler import desk
from crawler.text import fold_vietnamese

#: Datasette's own marker, built from pluggy (typed) rather than imported from datasette (untyped).
hookimpl = HookimplMarker("datasette")

#: The plugin's key under `plugins:` in metadata.yml.
PLUGIN_NAME = "party_archive"


def fold_sql(value: object) -> str | None:
    """SQL fold(x): diacritics removed, đ -> d, case folded; NULL stays NULL."""
    if value is None:
        return None
    return fold_vietnamese(str(value))


def excerpt_sql(text: object, query: object) -> str:
    """SQL excerpt(text, query): the passage around the query's words, words marked for <mark>."""
    return desk.excerpt(None if text is None else str(text), None if query is None else str(query))


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    """Register fold(); make the archive's connections refuse writes when so configured."""
    conn.create_function("fold", 1, fold_sql, deterministic=True)
    conn.create_function("excerpt", 2, excerpt_sql, deterministic=True)
    config = datasette.plugin_config(PLUGIN_NAME) or {}
    if config.get("query_only") and database != "_internal":
        conn.execute("PRAGMA query_only = 1")


def highlight(value: object) -> Markup:
    """Escape everything, then turn our snippet markers (and only them) into <mark> elements."""
    escaped = str(escape("" if value is None else value))
    return Markup(escaped.replace(desk.MARK_START, "<mark>").replace(desk.MARK_END, "</mark>"))


def mark_terms(value: object, query: object) -> Markup:
    """A short text (a title) with the query's words marked, escaped: for the search page."""
    text = "" if value is None else str(value)
    return highlight(desk.excerpt(text, None if query is None else str(query), len(text) + 1))


@hookimpl
def prepare_jinja2_environment(env: Any, datasette: Any) -> None:
    """Filters for our templates: `highlight` (snippet markers) and `mark_terms` (titles)."""
    env.filters["highlight"] = highlight
    env.filters["mark_terms"] = mark_terms


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Markup | None:
    """Highlighted search snippets; article titles in views link to the article page."""
    if isinstance(value, str) and desk.MARK_START in value:
        return highlight(value)
    if table == "articles_view" and column == "published" and isinstance(value, str):
        # Every date is Vietnam time (+07:00, see the column note): show "2023-01-12 08:30".
        return Markup("{}").format(value[:16].replace("T", " "))
    if table == "articles_view" and column == "title" and value is not None:
        href = datasette.urls.row(database, "articles", str(row["id"]))
        return Markup('<a href="{}">{}</a>').format(href, value)
    if table == "copies_view" and column in ("copy_title", "original_title") and value:
        key = "copy_id" if column == "copy_title" else "original_id"
        href = datasette.urls.row(database, "articles", str(row[key]))
        return Markup('<a href="{}">{}</a>').format(href, value)
    return None


#: How the article page orders date signals: the chosen one, those naming the same day, the rest.
EVIDENCE_ORDER = ("accepted", "agrees", "rejected")


def group_evidence(rows: list[dict[str, Any]], published: str | None) -> list[dict[str, Any]]:
    """Date evidence as the article page shows it: each distinct signal once, with `count` (a
    date repeated by five listing pages is one line), and a `status`: "accepted" (chosen),
    "agrees" (not chosen, but names the same day as the chosen date) or "rejected"; ordered by
    status, then as found.
    """
    day = (published or "")[:10]
    grouped: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = (row["signal"], row["raw"], row["parsed"], bool(row["accepted"]), row["reason"])
        if key in grouped:
            grouped[key]["count"] += 1
            continue
        if row["accepted"]:
            status = "accepted"
        elif day and str(row["parsed"] or "")[:10] == day:
            status = "agrees"
        else:
            status = "rejected"
        grouped[key] = {**row, "accepted": bool(row["accepted"]), "status": status, "count": 1}
    return sorted(grouped.values(), key=lambda e: EVIDENCE_ORDER.index(e["status"]))


async def _rows(db: Any, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    results = await db.execute(sql, params)
    return [dict(row) for row in results.rows]


async def article_page(datasette: Any, database: str, article_id: int) -> dict[str, Any]:
    """Everything the article page shows beyond the row: site, versions, copies, citation."""
    db = datasette.get_database(database)
    found = await _rows(db, desk.ARTICLE_SQL, {"id": article_id})
    if not found:
        return {}
    article = found[0]
    versions = await _rows(db, desk.VERSIONS_SQL, {"id": article_id})
    for version in versions:
        version["paragraphs"] = desk.paragraphs(version.pop("text"))
    cite = desk.citation(article)
    return {
        "article": article,
        "paragraphs": desk.paragraphs(article["text"]),
        "captions": desk.paragraphs(article["captions"]),
        "original_href": desk.safe_link(article["url"]),
        "site_href": desk.safe_link(article["site_url"]),
        "versions": versions,
        "copies": await _rows(db, desk.COPIES_SQL, {"id": article_id}),
        "urls": await _rows(db, desk.URLS_SQL, {"id": article_id}),
        "date_evidence": group_evidence(
            await _rows(db, desk.DATE_EVIDENCE_SQL, {"id": article_id}), article["published"]
        ),
        "citation": cite,
        "citation_text": cite.as_text(),
        "citation_bibtex": cite.as_bibtex(),
    }


async def _home_page(datasette: Any, request: Any) -> dict[str, Any]:
    if desk.DATABASE_NAME not in datasette.databases:
        return {}
    db = datasette.get_database(desk.DATABASE_NAME)
    overview = (await _rows(db, desk.OVERVIEW_SQL, {}))[0]
    queries = await datasette.get_canned_queries(desk.DATABASE_NAME, request.actor)
    return {
        "overview": overview,
        "canned": [
            {"name": name, "title": q.get("title") or name, "description": q.get("description")}
            for name, q in queries.items()
        ],
    }


@hookimpl
def extra_template_vars(
    template: str,
    database: str | None,
    table: str | None,
    view_name: str,
    request: Any,
    datasette: Any,
) -> Callable[[], Awaitable[dict[str, Any]]]:
    """`desk` in every template: the archive's database name, plus page data where needed."""

    async def inner() -> dict[str, Any]:
        extra: dict[str, Any] = {
            "database_name": desk.DATABASE_NAME,
            "title": datasette.metadata("title") or "Party News Archive",
        }
        if view_name == "row" and table == "articles" and database and request is not None:
            pks = str(request.url_vars.get("pks", ""))
            if pks.isdigit():
                extra.update(await article_page(datasette, database, int(pks)))
        elif view_name == "index" and request is not None:
            extra.update(await _home_page(datasette, request))
        return {"desk": extra}

    return inner
