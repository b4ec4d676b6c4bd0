"""`crawler <cmd>` and `python -m crawler <cmd>`: the archive's command line."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import click

from crawler import archive

ROOT = Path(__file__).resolve().parent.parent


@click.group()
def main() -> None:
    """Archive of Vietnamese Communist Party committee news."""


def scrapy_command(sites: str, db: str, *extra: str) -> list[str]:
    """The crawl contract: scrapy crawl party_sites -a sites=PATH -s ARCHIVE_DB=PATH [extra]."""
    scrapy = Path(sys.executable).with_name("scrapy")
    program = [str(scrapy)] if scrapy.exists() else [sys.executable, "-m", "scrapy"]
    return [
        *program,
        "crawl",
        "party_sites",
        "-a",
        f"sites={sites}",
        "-s",
        f"ARCHIVE_DB={db}",
        *extra,
    ]


def run_crawl(sites: str, db: str, *extra: str, env: dict[str, str] | None = None) -> int:
    """Run the crawl command from the project root; return its exit code."""
    return subprocess.call(scrapy_command(sites, db, *extra), cwd=ROOT, env=env)


def network_available(host: str = "dangcongsan.vn", timeout: float = 3.0) -> bool:
    """True when a registry host resolves and answers on port 80 within timeout."""
    try:
        with socket.create_connection((host, 80), timeout=timeout):
            return True
    except OSError:
        return False


@main.command()
@click.option("--offline", is_flag=True, help="Always use the bundled sample sites.")
@click.option(
    "--db", default=None, help="Archive path (default data/archive.db, offline data/demo.db)."
)
def demo(offline: bool, db: str | None) -> None:
    """The main job: crawl the registry, or offline the bundled sample sites, then summarise."""
    if not offline and network_available():
        target = db or str(ROOT / "data" / "archive.db")
        code = run_crawl(str(ROOT / "data" / "sites.csv"), target)
    else:
        from crawler.demo import SampleServer, proxy_env

        target = db or str(ROOT / "data" / "demo.db")
        click.echo("No network (or --offline): crawling the bundled sample sites on 127.0.0.1.")
        with SampleServer(ROOT / "data" / "sample_sites") as server:
            env = {**os.environ, **proxy_env(server)}
            code = run_crawl(
                str(ROOT / "data" / "sample_sites" / "sites.csv"),
                target,
                "-s",
                "DOWNLOAD_DELAY=0",
                "-s",
                "AUTOTHROTTLE_ENABLED=False",
                "-s",
                "LOG_LEVEL=WARNING",
                env=env,
            )
    summarise(target)
    if code != 0:
        raise SystemExit(code)


def summarise(db_path: str) -> None:
    """Print sites, articles and the date range of an archive, and how to open it."""
    db = archive.open_archive(db_path, read_only=True)
    try:
        sites, articles, first, last, copies = db.execute(
            "SELECT (SELECT count(DISTINCT site_id) FROM articles), count(*), min(published),"
            " max(published), count(copy_of) FROM articles"
        ).fetchone()
    finally:
        db.conn.close()
    click.echo(f"archive: {db_path}")
    click.echo(f"sites with articles: {sites}")
    click.echo(f"articles: {articles} (re-publications linked: {copies})")
    click.echo(f"published: {first or '-'} .. {last or '-'}")
    click.echo(f"open it: make serve DB={db_path}  (Datasette, read-only, http://127.0.0.1:8001/)")


@main.command()
@click.argument("text", nargs=-1, required=True)
@click.option("--today", default=None, help="The crawl date, YYYY-MM-DD.")
def dateline(text: tuple[str, ...], today: str | None) -> None:
    """Print what our parser reads from each dateline TEXT, as one JSON line each."""
    from crawler.vndates import dateline_json

    day = date.fromisoformat(today) if today else None
    for item in text:
        click.echo(json.dumps(dateline_json(item, today=day), ensure_ascii=False))


@main.command()
@click.option("--sites", default=str(ROOT / "data" / "sites.csv"), show_default=True)
@click.option("--db", default=str(ROOT / "data" / "archive.db"), show_default=True)
@click.option("--full", is_flag=True, help="Re-walk every site instead of the incremental run.")
@click.option("--fail-after", default=3, show_default=True, help="Nights a working site may fail.")
def nightly(sites: str, db: str, full: bool, fail_after: int) -> None:
    """The nightly incremental crawl; exit 1 when a site that used to work failed N nights."""
    extra = ["-s", "ARCHIVE_FULL=True"] if full else []
    code = run_crawl(sites, db, *extra)
    from crawler.health import failing_sites

    conn = archive.open_archive(db)
    try:
        failing = failing_sites(conn, fail_after)
        status = archive.last_run_status(conn)
    finally:
        conn.conn.close()
    for site_id, nights in failing:
        click.echo(f"ERROR site {site_id}: failed {nights} nights running", err=True)
    # Scrapy exits 0 after closing a crawl for a write failure (disk full): the run's own
    # status says whether it ran to its end.
    if status not in (None, "finished"):
        click.echo(f"ERROR crawl ended early: {status}", err=True)
    if code != 0 or failing or status not in (None, "finished"):
        raise SystemExit(1)


@main.command()
@click.argument("db", default=str(ROOT / "data" / "archive.db"))
@click.option("--site", default=None, help="Only this site id.")
def reextract(db: str, site: str | None) -> None:
    """Re-extract stored responses into the archive after the rules improved."""
    from crawler.reextract import reextract_archive

    counts = reextract_archive(db, site_id=site, progress=True)
    click.echo(" ".join(f"{k}={v}" for k, v in sorted(counts.items())))


@main.command()
@click.argument("db", default=str(ROOT / "data" / "archive.db"))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True)
def serve(db: str, host: str, port: int) -> None:
    """Open the archive read-only in Datasette."""
    from crawler.desk import prepare_archive, serve_command

    prepare_archive(db)
    raise SystemExit(subprocess.call(serve_command(db, host, port), cwd=ROOT))


@main.command()
@click.argument("db", default=str(ROOT / "data" / "archive.db"))
@click.option("--out", default=str(ROOT / "data" / "releases"), show_default=True)
def release(db: str, out: str) -> None:
    """Write a versioned snapshot with JSON Lines, Parquet, checksums and CITATION.cff."""
    from crawler.desk import ReleaseError
    from crawler.desk import release as make_release

    try:
        click.echo(str(make_release(db, out)))
    except ReleaseError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.pass_context
def schedule(ctx: click.Context) -> None:
    """Enqueue one crawl task per due site for Celery crawl workers (docs/distributed.md)."""
    # Imported here: only distributed mode needs Celery (the `distributed` extra).
    from crawler.distributed import schedule_cli

    schedule_cli.main(args=ctx.args, prog_name="crawler schedule")


def _add_registry_commands() -> None:
    from crawler.registry_check import registry_cli

    main.add_command(registry_cli)


_add_registry_commands()
