"""Throughput and memory of the crawl on a large local corpus, against two ceilings (issue 11).

Usage: .venv/bin/python benchmarks/throughput.py [--articles 20000] [--sites 20] [--seed 1]
       [--workdir DIR] [--keep] [--floor-pages N] [--timeout S]

1. Generates the corpus (benchmarks/corpus.py) into a temporary directory (or --workdir) and
   serves it on 127.0.0.1 with benchmarks/server.py, a keep-alive HTTP proxy.
2. ``fetch_rate``: benchmarks/fetch_spider.py, a Scrapy spider whose callback does nothing,
   fetches every HTML page of the corpus with the crawl's concurrency settings.
3. ``cpu_floor_rate``: ``trafilatura.bare_extraction(body, url=url)`` with its default options
   alone over the same pages, in a multiprocessing pool of one process per core: the rate the
   machine can extract at when nothing else runs.
4. ``pipeline_rate``: the real crawl, ``scrapy crawl party_sites`` over the corpus registry into
   a fresh archive, exactly as the crawl contract runs it (``DOWNLOAD_DELAY=0``, no
   AutoThrottle, ``CONCURRENT_REQUESTS_PER_DOMAIN=8``). The spider discovers the pages itself
   (home page, menus, paginated listings, feeds, sitemaps). ``articles_rate`` counts the rows
   of ``articles`` it stored. The resident memory of the crawl's process tree (the Scrapy
   process and its extraction workers, summed) is sampled four times a second;
   ``rss_mib_at_5k`` is the peak up to the moment the server had sent 5,000 pages, and so on.

Rates are pages (or articles) per second of wall time from the first request the server
answered to the exit of the crawling process, so start-up is left out and the work done after
the last fetch (the extraction queue draining, the finishing passes) is counted. With
``--articles N`` below 20,000 the memory checkpoints scale with N (N/4, N/2, N).

Prints ``name: value`` lines, ``pipeline_vs_cpu_floor`` last. Needs Linux (/proc).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import mmap
import multiprocessing
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from corpus import FORMAT, HTML_TYPE, generate  # noqa: E402
from server import CorpusServer  # noqa: E402

#: the crawl contract's settings for a local run (issue 11); nothing else is overridden
CRAWL_SETTINGS = (
    "DOWNLOAD_DELAY=0",
    "AUTOTHROTTLE_ENABLED=False",
    "CONCURRENT_REQUESTS_PER_DOMAIN=8",
)
#: the same knobs for the fetch-only spider, which runs outside the project (no settings.py):
#: the project's global concurrency and reactor, no robots.txt round trip, no cookies
FETCH_SETTINGS = (
    *CRAWL_SETTINGS,
    "CONCURRENT_REQUESTS=32",
    "ROBOTSTXT_OBEY=False",
    "COOKIES_ENABLED=False",
    "TELNETCONSOLE_ENABLED=False",
    "LOG_LEVEL=INFO",
    "TWISTED_REACTOR=twisted.internet.asyncioreactor.AsyncioSelectorReactor",
)
FULL_ARTICLES = 20000
#: The CPU floor is a rate: a spread sample of this many pages measures it as well as all of
#: them, in a third of the time (the whole benchmark must stay under 15 minutes).
FLOOR_PAGES = 8000
CHECKPOINTS = (5000, 10000, 20000)
SAMPLE_SECONDS = 0.25
MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class PageRef:
    """Where one HTML page of the corpus lives."""

    url: str
    file: str
    offset: int
    length: int


def html_pages(root: Path) -> list[PageRef]:
    """Every HTML page of the corpus, site by site, in the order the generator wrote them."""
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    pages = []
    for host, entry in manifest["hosts"].items():
        for path, (offset, length, ctype) in entry["index"].items():
            if ctype == HTML_TYPE:
                pages.append(PageRef(f"http://{host}{path}", entry["file"], offset, length))
    return pages


# --- memory of a process tree -----------------------------------------------------------------

_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # comm (field 2) may hold spaces and parentheses: the fields after the last ")" are plain.
    return int(stat.rsplit(")", 1)[1].split()[1])


def process_tree(root: int) -> list[int]:
    """root and all its descendants (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            parent = _parent_of(int(entry.name))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one live process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    # After the comm field: state is fields[0], so utime (field 14) is fields[11].
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _start_time(pid: int) -> str:
    """The start time of a live process (field 22 of its stat), "" when it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def rss_bytes(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


@dataclass(frozen=True, slots=True)
class Sample:
    """One look at the crawling process tree."""

    #: HTML pages the server had sent
    pages: int
    #: resident memory of the process we started, and of it and all its descendants (bytes)
    main_rss: int
    tree_rss: int
    processes: int
    #: CPU seconds used so far by the process we started (the Twisted reactor's process)
    main_cpu: float


# --- the three measurements -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunResult:
    #: HTML pages (status 200) the server sent during the run
    pages: int
    #: wall time from the server's first answer to the process's exit
    seconds: float
    #: user + system CPU time of the process and all the children it waited for (its pool)
    cpu_seconds: float
    samples: tuple[Sample, ...]
    returncode: int
    not_found: int
    #: processes of the tree still alive after the crawling process had exited
    orphans: int


def run_measured(
    cmd: list[str],
    server: CorpusServer,
    *,
    cwd: Path,
    env: dict[str, str],
    log: Path,
    timeout: float,
) -> RunResult:
    """Run cmd to its end, sampling its memory; time it from the server's first answer."""
    server.reset()
    samples: list[Sample] = []
    started: dict[int, str] = {}  # every process of the tree seen, with its start time
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            try:
                proc.wait(timeout=SAMPLE_SECONDS)
                break
            except subprocess.TimeoutExpired:
                pass
            tree = process_tree(proc.pid)
            started.update((pid, _start_time(pid)) for pid in tree if pid not in started)
            samples.append(
                Sample(
                    server.stats().html_pages,
                    rss_bytes(proc.pid),
                    sum(rss_bytes(p) for p in tree),
                    len(tree),
                    cpu_seconds(proc.pid),
                )
            )
            if time.monotonic() > deadline:
                for pid in reversed(tree):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                proc.wait()
                break
    ended = time.monotonic()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)

    def survivors() -> list[int]:
        return [p for p, when in started.items() if p != proc.pid and _start_time(p) == when]

    # Pool workers that outlived the crawl (its process was killed, or did not join them) would
    # eat the CPU of the next measurement: count them and end them. Helpers such as
    # multiprocessing's resource tracker notice the exit within a moment, so they get one.
    grace = time.monotonic() + 3.0
    while survivors() and time.monotonic() < grace:
        time.sleep(0.1)
    orphans = survivors()
    for pid in orphans:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    stats = server.stats()
    seconds = ended - (stats.first_at if stats.first_at is not None else ended)
    return RunResult(
        stats.html_pages,
        max(seconds, 1e-9),
        cpu,
        tuple(samples),
        proc.returncode,
        stats.not_found,
        len(orphans),
    )


def measure_fetch(
    server: CorpusServer, pages: list[PageRef], work: Path, timeout: float
) -> RunResult:
    urls = work / "urls.txt"
    urls.write_text("".join(p.url + "\n" for p in pages), encoding="utf-8")
    cmd = [sys.executable, "-m", "scrapy", "runspider", str(HERE / "fetch_spider.py")]
    cmd += ["-a", f"urls={urls}"]
    for setting in FETCH_SETTINGS:
        cmd += ["-s", setting]
    # Run from the work directory: no scrapy.cfg there, so no project pipelines load.
    return run_measured(
        cmd, server, cwd=work, env=_proxy_env(server), log=work / "fetch.log", timeout=timeout
    )


def measure_pipeline(
    server: CorpusServer,
    corpus: Path,
    work: Path,
    timeout: float,
    repo: Path = REPO,
    extra_settings: tuple[str, ...] = (),
) -> tuple[RunResult, int, Path]:
    db = work / "archive.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    scrapy = Path(sys.executable).with_name("scrapy")
    cmd = [str(scrapy), "crawl", "party_sites", "-a", f"sites={corpus / 'sites.csv'}"]
    cmd += ["-s", f"ARCHIVE_DB={db}"]
    for setting in (*CRAWL_SETTINGS, *extra_settings):
        cmd += ["-s", setting]
    # PYTHONPATH puts `repo`'s packages ahead of the editable install of this checkout, so a
    # patched copy of the project can be measured with the same virtualenv.
    env = {**_proxy_env(server), "PYTHONPATH": str(repo)}
    result = run_measured(cmd, server, cwd=repo, env=env, log=work / "crawl.log", timeout=timeout)
    articles = 0
    if db.exists():
        with sqlite3.connect(db) as conn:
            articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        conn.close()
    return result, articles, db


def _proxy_env(server: CorpusServer) -> dict[str, str]:
    return {
        **os.environ,
        "http_proxy": server.url,
        "HTTP_PROXY": server.url,
        "no_proxy": "",
        "NO_PROXY": "",
    }


_WORKER_FILES: dict[str, Any] = {}


def _floor_init(root: str) -> None:
    import trafilatura  # noqa: F401  (imported before the clock starts)

    for name in os.listdir(root):
        if name.endswith(".bin"):
            with open(os.path.join(root, name), "rb") as fh:
                _WORKER_FILES[name] = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)


def _floor_ready(_: int) -> int:
    return os.getpid()


def _floor_extract(ref: tuple[str, str, int, int]) -> float:
    """Extract one page with trafilatura's defaults; returns the CPU seconds it took."""
    from trafilatura import bare_extraction

    started = time.process_time()
    url, name, offset, length = ref
    body = _WORKER_FILES[name][offset : offset + length]
    bare_extraction(body, url=url)
    return time.process_time() - started


def measure_cpu_floor(
    corpus: Path, pages: list[PageRef], processes: int
) -> tuple[int, float, float]:
    """(pages, wall seconds, CPU seconds) of trafilatura alone over pages, `processes` at once."""
    refs = [(p.url, p.file, p.offset, p.length) for p in pages]
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes, initializer=_floor_init, initargs=(str(corpus),)) as pool:
        pool.map(_floor_ready, range(processes * 4), chunksize=1)
        started = time.perf_counter()
        cpu = sum(pool.imap_unordered(_floor_extract, refs, chunksize=16))
        seconds = time.perf_counter() - started
    return len(refs), seconds, cpu


# --- report -----------------------------------------------------------------------------------


def checkpoints(articles: int) -> list[tuple[str, int]]:
    """(name, pages) of the memory checkpoints, scaled down for a small corpus."""
    scale = min(1.0, articles / FULL_ARTICLES)
    return [(f"rss_mib_at_{n // 1000}k", max(1, round(n * scale))) for n in CHECKPOINTS]


def peak_until(samples: tuple[Sample, ...], pages: int) -> float:
    """Peak tree RSS (MiB) over the samples taken before the server had sent `pages` pages."""
    within = [s.tree_rss for s in samples if s.pages <= pages]
    if not within and samples:
        within = [samples[0].tree_rss]
    return max(within, default=0) / MIB


def spread(pages: list[PageRef], limit: int) -> list[PageRef]:
    """At most limit pages, taken evenly across the corpus (all of them when limit is 0)."""
    if not limit or limit >= len(pages):
        return pages
    step = len(pages) / limit
    return [pages[int(i * step)] for i in range(limit)]


def emit(name: str, value: object) -> None:
    print(f"{name}: {value}", flush=True)


def corpus_for(work: Path, args: argparse.Namespace) -> Path:
    """The corpus under work, generated unless one with the same parameters is there already."""
    corpus = work / "corpus"
    manifest = corpus / "manifest.json"
    wanted = {"format": FORMAT, "articles": args.articles, "sites": args.sites, "seed": args.seed}
    if manifest.exists():
        found = json.loads(manifest.read_text(encoding="utf-8"))
        if all(found.get(k) == v for k, v in wanted.items()):
            emit("corpus_reused", str(corpus))
            return corpus
    started = time.perf_counter()
    info = generate(corpus, articles=args.articles, sites=args.sites, seed=args.seed)
    emit("corpus_articles", info.articles)
    emit("corpus_mib", f"{info.bytes / MIB:.0f}")
    emit("corpus_seconds", f"{time.perf_counter() - started:.1f}")
    return corpus


def run(args: argparse.Namespace) -> int:
    stages = set(args.stages.split(","))
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        # Other work on the machine slows every rate down; say how busy it was.
        emit("load_average_at_start", f"{os.getloadavg()[0]:.2f}")
        emit("cpus", os.cpu_count())
        corpus = corpus_for(work, args)
        pages = html_pages(corpus)
        emit("corpus_pages", len(pages))
        floor_rate = pipeline_rate = None
        with CorpusServer(corpus) as server:
            if "fetch" in stages:
                fetch = measure_fetch(server, pages, work, args.timeout)
                if fetch.returncode != 0:
                    print(f"fetch spider failed ({fetch.returncode}), see {work / 'fetch.log'}")
                    return 1
                emit("fetch_pages", fetch.pages)
                emit("fetch_cpu_ms_per_page", f"{1000 * fetch.cpu_seconds / fetch.pages:.2f}")
                emit("fetch_rate", f"{fetch.pages / fetch.seconds:.1f}")
            if "floor" in stages:
                chosen = spread(pages, args.floor_pages)
                n, seconds, cpu = measure_cpu_floor(corpus, chosen, args.processes)
                floor_rate = n / seconds
                floor_cpu = 1000 * cpu / n
                emit("cpu_floor_processes", args.processes)
                emit("cpu_floor_pages", n)
                emit("cpu_floor_cpu_ms_per_page", f"{floor_cpu:.2f}")
                emit("cpu_floor_rate", f"{floor_rate:.1f}")
            if "pipeline" in stages:
                crawl, articles, _db = measure_pipeline(
                    server,
                    corpus,
                    work,
                    args.timeout,
                    Path(args.repo).resolve(),
                    tuple(args.setting),
                )
                if crawl.returncode != 0:
                    print(f"crawl failed ({crawl.returncode}), see {work / 'crawl.log'}")
                    print(f"crawl_pages_before_failure: {crawl.pages}")
                    return 1
                pipeline_rate = crawl.pages / crawl.seconds
                pipeline_cpu = 1000 * crawl.cpu_seconds / max(crawl.pages, 1)
                emit("pipeline_pages", crawl.pages)
                emit("pipeline_not_found", crawl.not_found)
                emit("pipeline_orphaned_processes", crawl.orphans)
                emit("pipeline_seconds", f"{crawl.seconds:.1f}")
                emit("pipeline_cpu_ms_per_page", f"{pipeline_cpu:.2f}")
                emit("pipeline_rate", f"{pipeline_rate:.1f}")
                emit("articles_stored", articles)
                emit("articles_rate", f"{articles / crawl.seconds:.1f}")
                peak_main = max((s.main_rss for s in crawl.samples), default=0) / MIB
                emit("rss_mib_peak_scrapy_process", f"{peak_main:.0f}")
                peak_rest = max((s.tree_rss - s.main_rss for s in crawl.samples), default=0)
                emit("rss_mib_peak_worker_processes", f"{peak_rest / MIB:.0f}")
                main_cpu = max((s.main_cpu for s in crawl.samples), default=0.0)
                # The reactor's process (spider, pipelines, SQLite) is one thread of work: when
                # its CPU per page approaches the wall time per page, it is the bottleneck.
                emit("pipeline_reactor_cpu_ms_per_page", f"{1000 * main_cpu / crawl.pages:.2f}")
                emit("crawl_processes", max((s.processes for s in crawl.samples), default=0))
                for name, at in checkpoints(args.articles):
                    emit(name, f"{peak_until(crawl.samples, at):.0f}")
        if floor_rate is not None and pipeline_rate is not None:
            # What the ratio would be if the crawl kept every core busy: the CPU it spends per
            # page against trafilatura's. Unlike the rates, other load on the machine moves it
            # little.
            emit("pipeline_vs_cpu_floor_by_cpu_time", f"{floor_cpu / pipeline_cpu:.2f}")
            emit("pipeline_vs_cpu_floor", f"{pipeline_rate / floor_rate:.2f}")
        return 0
    finally:
        if args.keep or args.workdir:
            print(f"work directory kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=FULL_ARTICLES, help="article pages")
    parser.add_argument("--sites", type=int, default=20, help="number of sites")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed")
    parser.add_argument("--workdir", help="keep corpus, logs and archive here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--floor-pages",
        type=int,
        default=FLOOR_PAGES,
        help="pages for the CPU floor, spread over the corpus (0: all)",
    )
    parser.add_argument(
        "--processes", type=int, default=os.cpu_count() or 1, help="CPU floor processes"
    )
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per crawl")
    parser.add_argument(
        "--stages", default="fetch,floor,pipeline", help="comma-separated subset to run"
    )
    parser.add_argument(
        "--repo", default=str(REPO), help="checkout whose crawl to measure (a patched copy)"
    )
    parser.add_argument(
        "-s",
        "--setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="one more Scrapy setting for the measured crawl (repeatable)",
    )
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
