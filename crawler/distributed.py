"""Scale-out crawl on Celery with a Redis broker: one crawl task per site, one archive writer.

    crawler schedule --broker redis://HOST:6379/0            # on the archive machine
    celery -A crawler.distributed -b redis://HOST:6379/0 worker -Q crawl --pool solo   # N machines
    celery -A crawler.distributed -b redis://HOST:6379/0 worker -Q archive --pool solo \\
        --archive-db data/archive.db                          # exactly one, beside the SQLite file

The site is the unit of work. `crawl_site` runs the same spider and the same extract, date and
dedupe pipelines as the single-machine crawl (`scrapy crawl party_sites -a site=ID`) in a
subprocess whose store stage is replaced by `pipelines.enqueue.EnqueuePipeline`
(`-s ARCHIVE_SINK=celery`): processed items travel in batches to the `archive` queue, where
`store_batch` writes them with `crawler.ingest` (the single-machine store's code) and
`finish_site` runs `crawler.finalise` and records the site's `site_runs` line. Late
acknowledgement plus Redis's visibility timeout re-deliver the task of a killed worker; idempotent
ingestion makes the re-run harmless. A site whose task fails `max_attempts` times ends as a
`site_runs` row with ok=0, like a site that failed in the nightly crawl. docs/distributed.md
describes the deployment and its limits.

Only distributed mode imports this module (and with it Celery); the single-machine crawl needs
neither Celery nor Redis.
"""

from __future__ import annotations

import base64
import csv
import ctypes
import io
import json
import logging
import signal
import sqlite3
import subprocess
import sys
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click
import sqlite_utils
from celery import Celery, Task, bootsteps

from crawler import archive
from crawler import settings as crawl_settings
from crawler.boilerplate import strip_blocks
from crawler.finalise import finalise_sites
from crawler.fingerprint import content_hash
from crawler.gazetteer import unit_rows
from crawler.ingest import Outcome, ingest_page, ingest_record
from crawler.items import FetchRecord, Hint, Page
from crawler.registry import (
    RegistryError,
    RegistryRowFault,
    Site,
    load_registry,
    read_registry_rows,
    site_from_row,
)
from crawler.timezone import iso_vn, now_vn

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent

#: Queues: crawl tasks go to any number of crawl workers, archive tasks to the one writer.
CRAWL_QUEUE = "crawl"
ARCHIVE_QUEUE = "archive"

#: The broker when neither `celery -b`, CELERY_BROKER_URL nor `crawler schedule --broker` names one.
DEFAULT_BROKER = "redis://127.0.0.1:6379/0"

#: Version of the item encoding in archive-queue messages; bumped on incompatible changes.
WIRE_VERSION = 1

#: Redis key prefix of the per-site attempt counters (the only state we keep in the broker).
_ATTEMPTS_KEY = "party-archive:attempts"
#: Attempt counters outlive any run; a week is longer than any run lasts.
_ATTEMPTS_TTL = 7 * 24 * 3600
#: Seconds before a batch that met a database fault (disk full, locked file) is tried again.
_DB_RETRY_DELAY = 30

app = Celery("crawler.distributed", set_as_current=False)
app.conf.update(
    broker_url=DEFAULT_BROKER,
    broker_connection_retry_on_startup=True,
    # Acknowledge a task only when it has finished, and re-queue it when its worker process
    # dies: a killed crawl worker's site is crawled again, a killed writer's batch stored again.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    # One reserved message per worker process: a site waits in the queue for a free worker
    # instead of behind a busy one.
    worker_prefetch_multiplier=1,
    # JSON only: a pickled message is code the writer would run for anyone who reaches Redis.
    task_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    task_routes={
        "crawler.distributed.crawl_site": {"queue": CRAWL_QUEUE},
        "crawler.distributed.store_batch": {"queue": ARCHIVE_QUEUE},
        "crawler.distributed.finish_site": {"queue": ARCHIVE_QUEUE},
    },
    task_default_queue=CRAWL_QUEUE,
    worker_hijack_root_logger=False,
    # The project's own knobs, set per worker from the command-line options below.
    #: the archive the writer stores into (only the archive worker has it)
    archive_db=None,
    #: a local replica of the archive the spider reads its nightly state from (None: a fresh,
    #: empty state per task, so every site is walked as on its first crawl)
    archive_state_db=None,
    #: extra Scrapy settings for the crawl subprocess, NAME=VALUE
    archive_crawl_settings=(),
    #: hard cap on one site's crawl (CLOSESPIDER_TIMEOUT); must stay below the visibility timeout
    archive_site_time_limit=4 * 3600,
    #: how often a site's task may start (deliveries after a lost worker count too) before the
    #: site is recorded as failed for the run
    archive_max_attempts=3,
    #: seconds before a failed crawl task is tried again
    archive_retry_delay=300,
    #: the single-machine crawl's site health rules (crawler/settings.py)
    archive_dead_after=crawl_settings.ARCHIVE_DEAD_AFTER,
    archive_dead_retry_every=crawl_settings.ARCHIVE_DEAD_RETRY_EVERY,
)


def close_grace(time_limit: int) -> int:
    """Seconds a crawl subprocess gets past its CLOSESPIDER_TIMEOUT to close before it is killed."""
    return max(5, min(60, time_limit // 4))


def configure_broker(visibility_timeout: int) -> None:
    """Set Redis's visibility timeout: when an unacknowledged task of a lost worker comes back.

    It must be longer than the longest crawl task (archive_site_time_limit), or a site still
    being crawled is handed to a second worker. The sweep that brings tasks back runs every
    quarter of it (at most once a minute), so a lost site returns within 1.25 timeouts.
    """
    app.conf.broker_transport_options = {
        "visibility_timeout": visibility_timeout,
        "unacked_restore_interval": max(1, min(60, visibility_timeout // 4)),
        "unacked_restore_throttle": 1,
    }


configure_broker(5 * 3600)


# --- worker command-line options ----------------------------------------------------------------


def _options() -> list[click.Option]:
    return [
        click.Option(
            ["--archive-db"],
            default=None,
            help="Archive worker: the SQLite archive to store into (run exactly one such worker).",
        ),
        click.Option(
            ["--state-db"],
            default=None,
            help="Crawl worker: a local read-only replica of the archive for incremental crawls "
            "(default: walk every site in full).",
        ),
        click.Option(
            ["--crawl-setting"],
            multiple=True,
            help="Crawl worker: NAME=VALUE passed to the spider as -s NAME=VALUE (repeatable).",
        ),
        click.Option(
            ["--site-time-limit"],
            type=int,
            default=None,
            help="Crawl worker: seconds one site's crawl may take (default 14400).",
        ),
        click.Option(
            ["--visibility-timeout"],
            type=int,
            default=None,
            help="Seconds before the task of a lost worker is delivered again (default 18000); "
            "give every worker the same value.",
        ),
        click.Option(
            ["--max-attempts"],
            type=int,
            default=None,
            help="Crawl worker: tries per site before it is recorded as failed (default 3).",
        ),
        click.Option(
            ["--retry-delay"],
            type=float,
            default=None,
            help="Crawl worker: seconds before a failed site is tried again (default 300).",
        ),
    ]


for _option in _options():
    app.user_options["worker"].add(_option)


class ArchiveOptions(bootsteps.Step):  # type: ignore[misc]  # celery.bootsteps is untyped
    """Copies the worker's archive options into the app's configuration before it consumes."""

    def __init__(
        self,
        parent: Any,
        archive_db: str | None = None,
        state_db: str | None = None,
        crawl_setting: Sequence[str] = (),
        site_time_limit: int | None = None,
        visibility_timeout: int | None = None,
        max_attempts: int | None = None,
        retry_delay: float | None = None,
        **options: Any,
    ) -> None:
        super().__init__(parent, **options)
        conf = parent.app.conf
        if archive_db:
            solo = "solo" in str(getattr(parent, "pool_cls", "")).lower()
            if not solo and int(getattr(parent, "concurrency", 1) or 1) != 1:
                raise click.UsageError("the archive worker writes alone: use --pool solo or -c 1")
            conf.archive_db = archive_db
        if state_db:
            conf.archive_state_db = state_db
        for setting in crawl_setting:
            if "=" not in setting:
                raise click.BadParameter(
                    f"{setting!r} is not NAME=VALUE", param_hint="--crawl-setting"
                )
        conf.archive_crawl_settings = tuple(crawl_setting)
        if site_time_limit is not None:
            conf.archive_site_time_limit = site_time_limit
        if visibility_timeout is not None:
            configure_broker(visibility_timeout)
        if max_attempts is not None:
            conf.archive_max_attempts = max_attempts
        if retry_delay is not None:
            conf.archive_retry_delay = retry_delay
        visibility = int(conf.broker_transport_options["visibility_timeout"])
        limit = int(conf.archive_site_time_limit)
        if not archive_db and limit + close_grace(limit) >= visibility:
            raise click.UsageError(
                f"--site-time-limit ({limit} s) plus {close_grace(limit)} s must "
                f"stay below --visibility-timeout ({visibility} s): a site still being crawled "
                "would be handed to a second worker"
            )


app.steps["worker"].add(ArchiveOptions)

#: app.task under a type mypy accepts (Celery's own decorator is untyped)
_task: Callable[..., Callable[[Callable[..., Any]], Any]] = app.task


# --- items on the wire --------------------------------------------------------------------------

#: Page fields the archive queue does not carry: the date candidates are consumed by DatePipeline
#: on the crawl side (the store keeps date_evidence); the body travels compressed as body_z, and
#: the analysis and the worker's gzip copy of the body stay on the crawl side.
_NOT_SENT = frozenset({"body", "date_candidates", "analysis", "body_gzip", "search_folded"})


def item_to_wire(item: Page | FetchRecord, *, keep_body: bool = True) -> dict[str, Any]:
    """A processed item as a JSON-ready dict for the archive queue.

    The response body is sent (zlib-compressed, base64) only for articles and only when
    keep_body, since the store needs it only to keep the gzip copy of an article's response.
    """
    wire: dict[str, Any] = {"v": WIRE_VERSION}
    if isinstance(item, Page):
        wire["type"] = "page"
        send_body = keep_body and bool(item.is_article)
        wire["body_z"] = _b64(zlib.compress(item.body, 1)) if send_body else None
    else:
        wire["type"] = "record"
    for f in fields(item):
        if f.name in _NOT_SENT:
            continue
        value = getattr(item, f.name)
        if f.name == "fetched_at":
            value = value.isoformat()
        elif f.name == "signature":
            value = _b64(value)
        elif f.name == "hints":
            value = [_hint_to_wire(h) for h in value]
        elif f.name == "link_hints":
            value = [[url, _hint_to_wire(h)] for url, h in value]
        elif f.name == "listing_titles":
            value = [[url, title] for url, title in value]
        wire[f.name] = value
    return wire


def item_from_wire(wire: Mapping[str, Any]) -> Page | FetchRecord:
    """The item item_to_wire encoded. A page sent without its body has body b"".

    Raises ValueError for another wire version or an unknown item type, TypeError for fields
    this version of the item classes does not have.
    """
    if wire.get("v") != WIRE_VERSION:
        raise ValueError(f"wire version {wire.get('v')!r}, expected {WIRE_VERSION}")
    values = {k: v for k, v in wire.items() if k not in ("v", "type", "body_z")}
    values["fetched_at"] = datetime.fromisoformat(values["fetched_at"])
    values["link_hints"] = [(url, _hint_from_wire(h)) for url, h in values["link_hints"]]
    if wire.get("type") == "record":
        return FetchRecord(**values)
    if wire.get("type") != "page":
        raise ValueError(f"unknown item type {wire.get('type')!r}")
    body_z = wire.get("body_z")
    values["body"] = zlib.decompress(base64.b64decode(body_z)) if body_z else b""
    values["signature"] = base64.b64decode(values["signature"])
    values["hints"] = [_hint_from_wire(h) for h in values["hints"]]
    values["listing_titles"] = [(url, title) for url, title in values["listing_titles"]]
    return Page(**values)


def has_body(wire: Mapping[str, Any]) -> bool:
    """True when a wire page carries its response body (so the writer keeps the response)."""
    return bool(wire.get("body_z"))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _hint_to_wire(hint: Hint) -> dict[str, Any]:
    return {f.name: getattr(hint, f.name) for f in fields(Hint)}


def _hint_from_wire(data: Mapping[str, Any]) -> Hint:
    return Hint(**data)


# --- what is due --------------------------------------------------------------------------------


def due_sites(
    sites: Iterable[Site],
    last_runs: Mapping[str, tuple[str | None, str | None]],
    now: datetime,
    min_age: timedelta,
) -> list[Site]:
    """The sites to crawl now, from each site's last site_runs line (started, finished).

    Due: a site that never ran; one whose last run finished min_age ago or more; one whose last
    run is still unfinished (queued, or lost with its writer) and was started min_age ago or
    more. A run without any time is due. `now` is aware.
    """
    due = []
    for site in sites:
        started, finished = last_runs.get(site.id, (None, None))
        moment = finished or started
        if moment is None or datetime.fromisoformat(moment) <= now - min_age:
            due.append(site)
    return due


def registry_rows(path: str | Path, site_ids: Iterable[str]) -> dict[str, str]:
    """Each site's registry as CSV text: the header and that site's row, as in the file.

    A crawl task carries its site's row, so workers need no copy of the registry and a row added
    after they started is crawled like any other. Raises RegistryError when the file cannot be
    read.
    """
    wanted = set(site_ids)
    header, rows = read_registry_rows(path)
    found: dict[str, str] = {}
    for line, row in rows:
        try:
            site_id = site_from_row(row, line).id
        except RegistryRowFault:
            continue
        if site_id in wanted and site_id not in found:
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
            writer.writeheader()
            writer.writerow({k: v for k, v in row.items() if k in header})
            found[site_id] = out.getvalue()
    return found


@dataclass(frozen=True, slots=True)
class Scheduled:
    """What `schedule` did: the run it opened and the sites it enqueued."""

    run_id: int | None
    site_ids: tuple[str, ...]


def schedule(
    db: sqlite_utils.Database,
    sites_path: str | Path,
    now: datetime,
    *,
    min_age: timedelta = timedelta(hours=20),
    only: Sequence[str] = (),
    every: bool = False,
    broker_url: str | None = None,
) -> Scheduled:
    """Open a crawl run in the archive and enqueue one crawl task per due site.

    Each site gets a pending site_runs line (started; ok NULL) that its finish_site task
    completes. Dead sites wait for their retry as in the nightly crawl. `only` limits the run
    to those site ids (dead or not); `every` takes every site, due or not. The tasks
    go to broker_url (default: the app's broker). Raises RegistryError when the registry cannot
    be read; its bad rows are logged and skipped.
    """
    sites, errors = load_registry(sites_path)
    for error in errors:
        logger.warning("registry %s: skipped %s", sites_path, error)
    if only:
        sites = [s for s in sites if s.id in set(only)]
    chosen = sites
    if not every:
        chosen = due_sites(sites, archive.last_site_runs(db), now, min_age)
    if not every and not only:
        # A dead site (silent for many runs) is tried only every few runs, as in the nightly crawl.
        retry_every = int(app.conf.archive_dead_retry_every)
        chosen = [s for s in chosen if archive.site_due(db, s.id, retry_every)]
    if not chosen:
        return Scheduled(None, ())
    started = iso_vn(now)
    rows = registry_rows(sites_path, [s.id for s in chosen])
    archive.sync_sites(db, sites, started)
    archive.sync_units(db, unit_rows())
    run_id = archive.start_run(db, started, ",".join(only) or None, "distributed")
    for site in chosen:
        archive.record_site_run(db, run_id, site.id, started=started)
    with app.connection_for_write(broker_url) as connection:
        for site in chosen:
            blocks = sorted(archive.site_blocks(db, site.id))
            crawl_site.apply_async(
                (site.id, rows[site.id], run_id), {"blocks": blocks}, connection=connection
            )
    logger.info("run %s: enqueued %d sites", run_id, len(chosen))
    return Scheduled(run_id, tuple(s.id for s in chosen))


# --- the crawl task -----------------------------------------------------------------------------


class CrawlFailed(Exception):
    """One attempt at crawling a site failed: the subprocess failed or reported no crawl."""


def crawl_command(
    site_id: str,
    sites_path: Path,
    state_db: str,
    run_id: int,
    broker_url: str,
    report_path: Path,
    time_limit: int,
    extra_settings: Sequence[str] = (),
) -> list[str]:
    """The crawl contract for one site with the store stage replaced by the archive queue."""
    from crawler.cli import scrapy_command

    settings = [
        "ARCHIVE_SINK=celery",
        f"ARCHIVE_BROKER_URL={broker_url}",
        f"ARCHIVE_RUN_ID={run_id}",
        f"ARCHIVE_ENQUEUE_REPORT={report_path}",
        f"CLOSESPIDER_TIMEOUT={time_limit}",
        *extra_settings,
    ]
    extra = ["-a", f"site={site_id}"]
    for setting in settings:
        extra += ["-s", setting]
    return scrapy_command(str(sites_path), state_db, *extra)


def _die_with_parent() -> None:
    """In the crawl subprocess: be killed when the worker that started it dies (Linux)."""
    pr_set_pdeathsig = 1
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return
    libc.prctl(pr_set_pdeathsig, signal.SIGKILL)


def run_site_crawl(
    site_id: str,
    registry: str,
    run_id: int,
    *,
    blocks: Sequence[str],
    broker_url: str,
    state_db: str | None,
    time_limit: int,
    extra_settings: Sequence[str] = (),
) -> dict[str, Any]:
    """Crawl one site in a subprocess; return the EnqueuePipeline's report of it.

    Raises CrawlFailed when the registry text lacks the site, the subprocess fails or overruns
    time_limit, or the report says the items did not all reach the archive queue.
    """
    with tempfile.TemporaryDirectory(prefix=f"crawl-{site_id}-") as tmp:
        sites_path = Path(tmp) / "sites.csv"
        sites_path.write_text(registry, encoding="utf-8")
        try:
            sites, _errors = load_registry(sites_path)
        except RegistryError as exc:
            raise CrawlFailed(f"unreadable registry row: {exc}") from exc
        if site_id not in {s.id for s in sites}:
            raise CrawlFailed(f"the registry row sent for {site_id} is not a valid site")
        if state_db is None:
            # A fresh state holding only the boilerplate the archive learned for the site, so
            # extraction strips what the single-machine crawl would strip.
            state_db = str(Path(tmp) / "state.db")
            state = archive.open_archive(state_db)
            try:
                with archive.transaction(state):
                    archive.save_site_blocks(state, site_id, blocks, iso_vn(now_vn()))
            finally:
                state.conn.close()
        report_path = Path(tmp) / "report.json"
        command = crawl_command(
            site_id,
            sites_path,
            state_db,
            run_id,
            broker_url,
            report_path,
            time_limit,
            extra_settings,
        )
        try:
            completed = subprocess.run(
                command,
                cwd=ROOT,
                timeout=time_limit + close_grace(time_limit),
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise CrawlFailed(f"crawl overran {time_limit + close_grace(time_limit)} s") from exc
        if completed.returncode != 0:
            raise CrawlFailed(f"crawl exited with status {completed.returncode}")
        try:
            report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CrawlFailed(f"the crawl left no report: {exc}") from exc
    if not report.get("ok"):
        raise CrawlFailed(f"the crawl did not deliver its items: {report.get('reason')}")
    return report


def _attempt(run_id: int, site_id: str) -> int:
    """Count one more start of a site's task in this run (re-deliveries included)."""
    key = f"{_ATTEMPTS_KEY}:{run_id}:{site_id}"
    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        count = int(client.incr(key))
        client.expire(key, _ATTEMPTS_TTL)
    return count


def attempts(run_id: int, site_id: str, broker_url: str | None = None) -> int:
    """How often a site's task has started in a run (0 when never)."""
    with app.connection_for_write(broker_url) as conn:
        value = conn.default_channel.client.get(f"{_ATTEMPTS_KEY}:{run_id}:{site_id}")
    return int(value or 0)


@_task(bind=True, name="crawler.distributed.crawl_site", max_retries=None)
def crawl_site(
    self: Task,
    site_id: str,
    registry: str,
    run_id: int,
    blocks: Sequence[str] = (),
) -> dict[str, Any]:
    """Crawl one site (registry: CSV text of the header and its row) for crawl run run_id.

    Its items go to the archive queue in batches, then a finish_site task. A failure is tried
    again after archive_retry_delay; the archive_max_attempts-th start (a task re-delivered
    after its worker died counts too) that fails records the site as failed instead.
    """
    conf = self.app.conf
    attempt = _attempt(run_id, site_id)
    if attempt > conf.archive_max_attempts:
        logger.error("site %s: run %s: given up after %d attempts", site_id, run_id, attempt - 1)
        return _give_up(run_id, site_id, f"gave up after {attempt - 1} attempts")
    logger.info("site %s: run %s: crawl attempt %d", site_id, run_id, attempt)
    try:
        report = run_site_crawl(
            site_id,
            registry,
            run_id,
            blocks=blocks,
            broker_url=self.app.conf.broker_url,
            state_db=conf.archive_state_db,
            time_limit=int(conf.archive_site_time_limit),
            extra_settings=conf.archive_crawl_settings,
        )
    except CrawlFailed as exc:
        logger.error("site %s: run %s: attempt %d failed: %s", site_id, run_id, attempt, exc)
        if attempt >= conf.archive_max_attempts:
            return _give_up(run_id, site_id, str(exc))
        raise self.retry(countdown=conf.archive_retry_delay, exc=exc) from exc
    finish_site.apply_async((run_id, site_id, report))
    return report


def _give_up(run_id: int, site_id: str, reason: str) -> dict[str, Any]:
    report = {"ok": False, "reason": reason, "sites": {}, "items": 0, "pages": 0}
    finish_site.apply_async((run_id, site_id, report))
    return report


# --- the archive writer -------------------------------------------------------------------------


class ArchiveTask(Task):  # type: ignore[misc]  # Celery ships no type information
    """A task of the archive worker: one connection to the archive per worker process."""

    _db: sqlite_utils.Database | None = None

    @property
    def db(self) -> sqlite_utils.Database:
        if self._db is None:
            path = self.app.conf.archive_db
            if not path:
                raise RuntimeError("archive tasks need a worker started with --archive-db")
            type(self)._db = archive.open_archive(path)
        assert self._db is not None
        return self._db


def store_item(
    db: sqlite_utils.Database, item: Page | FetchRecord, *, keep_response: bool
) -> Outcome:
    """Store one item through crawler.ingest, as StorePipeline does.

    An article is first stripped of the boilerplate the archive has learned for its site since
    the crawl began: a batch delivered again after its site's finishing pass then stores as
    unchanged instead of as an edit.
    """
    if isinstance(item, FetchRecord):
        return ingest_record(db, item)
    if item.is_article and item.text:
        blocks = archive.site_blocks(db, item.site_id)
        cleaned = strip_blocks(item.text, blocks) if blocks else item.text
        if cleaned != item.text:
            item.text = cleaned
            item.content_hash = content_hash(item.title, cleaned)
    return ingest_page(db, item, keep_response=keep_response)


def store_wire_items(db: sqlite_utils.Database, items: Sequence[Mapping[str, Any]]) -> Counter[str]:
    """Store a batch of wire items; return counts: outcomes, `new:<site>` and `errors`.

    An item that cannot be decoded or stored is logged and counted, and the others are stored
    (as Scrapy does with an item whose pipeline raised). A database fault (sqlite3.OperationalError:
    disk full, read-only or locked file) is raised: it is not the item's fault.
    """
    counts: Counter[str] = Counter()
    for wire in items:
        try:
            item = item_from_wire(wire)
            outcome = store_item(db, item, keep_response=has_body(wire))
        except sqlite3.OperationalError:
            raise
        except Exception:  # the per-item boundary: log, count, carry on with the batch
            logger.exception(
                "site %s: cannot store %s", wire.get("site_id", "?"), wire.get("url", "?")
            )
            counts["errors"] += 1
            continue
        counts[outcome.status] += 1
        if outcome.status == "new":
            counts[f"new:{item.site_id}"] += 1
    return counts


def add_new_articles(db: sqlite_utils.Database, run_id: int, counts: Counter[str]) -> None:
    """Add a batch's new articles to the site_runs lines of the run."""
    runs = archive.run_site_runs(db, run_id)
    for key, new in counts.items():
        if key.startswith("new:") and new:
            site_id = key.removeprefix("new:")
            before = int(runs.get(site_id, {}).get("articles_new") or 0)
            archive.record_site_run(db, run_id, site_id, articles_new=before + new)


@_task(bind=True, base=ArchiveTask, name="crawler.distributed.store_batch", max_retries=None)
def store_batch(self: ArchiveTask, run_id: int, items: list[dict[str, Any]]) -> dict[str, int]:
    """Store a batch of processed items (item_to_wire dicts) into the archive."""
    try:
        counts = store_wire_items(self.db, items)
        add_new_articles(self.db, run_id, counts)
    except sqlite3.OperationalError as exc:
        logger.error("run %s: database fault, batch kept for a retry: %s", run_id, exc)
        raise self.retry(countdown=_DB_RETRY_DELAY, exc=exc) from exc
    return dict(counts)


def finish_site_run(
    db: sqlite_utils.Database, run_id: int, site_id: str, report: Mapping[str, Any], now: datetime
) -> bool:
    """After a site's last batch: finishing passes, its site_runs line and health, the run's end.

    report is the EnqueuePipeline's, or a given-up task's (ok false). As in the single-machine
    run log, the line is `finished` only when the crawl ran to its end (so the next crawl of a
    site cut short resumes it) and ok when the site answered at all; ok stays NULL only while
    the site is pending. Returns True when this closed the run's crawl_runs row.
    """
    delivered = bool(report.get("ok"))
    site = report.get("sites", {}).get(site_id, {})
    if delivered and report.get("pages"):
        finalise_sites(db, [site_id], now)
    moment = iso_vn(now)
    completed = delivered and report.get("reason") == "finished"
    errors = int(site.get("errors", 0)) + (0 if delivered else 1)
    runs = archive.run_site_runs(db, run_id)
    archive.record_site_run(
        db,
        run_id,
        site_id,
        finished=moment if completed else None,
        requests=int(site.get("requests", 0)),
        articles_new=int(runs.get(site_id, {}).get("articles_new") or 0),
        errors=errors,
        ok=int(delivered and int(site.get("answered", 0)) > 0),
    )
    archive.update_site_health(db, site_id, moment, int(app.conf.archive_dead_after))
    runs = archive.run_site_runs(db, run_id)
    if any(row.get("ok") is None for row in runs.values()):
        return False
    site_errors = {s: int(r.get("errors") or 0) for s, r in runs.items() if r.get("errors")}
    archive.finish_run(
        db,
        run_id,
        moment,
        pages_fetched=sum(int(r.get("requests") or 0) for r in runs.values()),
        articles_new=sum(int(r.get("articles_new") or 0) for r in runs.values()),
        errors=sum(site_errors.values()),
        site_errors=json.dumps(site_errors, sort_keys=True),
        status="finished",
    )
    return True


@_task(bind=True, base=ArchiveTask, name="crawler.distributed.finish_site", max_retries=None)
def finish_site(self: ArchiveTask, run_id: int, site_id: str, report: dict[str, Any]) -> bool:
    """Close a site's crawl in the archive (after all its batches: one queue, in order)."""
    try:
        return finish_site_run(self.db, run_id, site_id, report, now_vn())
    except sqlite3.OperationalError as exc:
        logger.error("site %s: run %s: database fault, retrying: %s", site_id, run_id, exc)
        raise self.retry(countdown=_DB_RETRY_DELAY, exc=exc) from exc


# --- `crawler schedule` -------------------------------------------------------------------------


@click.command("schedule")
@click.option("--sites", default=str(ROOT / "data" / "sites.csv"), show_default=True)
@click.option("--db", default=str(ROOT / "data" / "archive.db"), show_default=True)
@click.option(
    "--broker",
    default=None,
    help=f"Celery broker URL (default: CELERY_BROKER_URL, else {DEFAULT_BROKER}).",
)
@click.option("--site", "only", multiple=True, help="Only this site id (repeatable).")
@click.option("--all", "every", is_flag=True, help="Enqueue every site, due or not.")
@click.option(
    "--min-age",
    default=20.0,
    show_default=True,
    help="Hours since a site's last run before it is due again.",
)
def schedule_cli(
    sites: str, db: str, broker: str | None, only: tuple[str, ...], every: bool, min_age: float
) -> None:
    """Enqueue one crawl task per due site for the Celery crawl workers (docs/distributed.md)."""
    conn = archive.open_archive(db)
    try:
        done = schedule(
            conn,
            sites,
            now_vn(),
            min_age=timedelta(hours=min_age),
            only=only,
            every=every,
            broker_url=broker,
        )
    except RegistryError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        conn.conn.close()
    if done.run_id is None:
        click.echo("no site is due")
        return
    click.echo(f"run {done.run_id}: enqueued {len(done.site_ids)} sites on queue {CRAWL_QUEUE}")
