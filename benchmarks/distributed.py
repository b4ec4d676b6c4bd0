"""Throughput of the distributed crawl (issue 12): pages/s with 1 and 2 crawl workers, and the
ceiling of the single archive writer in articles/s.

Usage: .venv/bin/python benchmarks/distributed.py [--articles 600] [--sites 4] [--seed 1]

Generates the benchmark corpus (benchmarks/corpus.py) and serves it with benchmarks/server.py on
127.0.0.1, starts a private redis-server on a free port, then runs, each into a fresh archive:

1. ``single_pages_per_s``: the single-machine crawl (the crawl contract), for reference;
2. ``workers_1_pages_per_s`` and ``workers_2_pages_per_s``: `crawler schedule --all`, N Celery
   crawl workers (``--pool solo``) and the archive writer, from the schedule to the run's end;
3. ``writer_articles_per_s``: the crawl again with 2 workers but no writer, so that every batch
   waits in Redis; then the writer alone drains the queue, timed from its first batch to the
   run's end: what one writer can store when nothing else holds it back.

Pages are the HTML responses the server sent. Prints ``name: value`` lines. Everything runs on
this one machine, so crawl workers, their extraction processes and the writer share its cores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from corpus import generate  # noqa: E402
from server import CorpusServer  # noqa: E402

#: the crawl contract's settings for a local run, as in benchmarks/throughput.py
CRAWL_SETTINGS = (
    "DOWNLOAD_DELAY=0",
    "AUTOTHROTTLE_ENABLED=False",
    "CONCURRENT_REQUESTS_PER_DOMAIN=8",
    "LOG_LEVEL=WARNING",
)
#: seconds one site's crawl may take, and when a lost worker's task returns
SITE_LIMIT = 1800
VISIBILITY = 2400


def wait_until(condition: Callable[[], bool], deadline: float, every: float = 0.2) -> bool:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(every)
    return condition()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_finished(db: Path) -> bool:
    if not db.exists():
        return False
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            rows = conn.execute("SELECT status FROM crawl_runs").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return bool(rows) and all(r[0] == "finished" for r in rows)


def count_articles(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    finally:
        conn.close()


class Cluster:
    """A writer and N crawl workers, each a `celery worker` in its own process group."""

    def __init__(self, broker: str, proxy: str, logs: Path) -> None:
        self.broker = broker
        self.proxy = proxy
        self.logs = logs
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *args: str) -> None:
        command = [
            sys.executable, "-m", "celery", "-A", "crawler.distributed", "-b", self.broker,
            "worker", "--pool", "solo", "-n", f"{name}@%h", "--without-mingle",
            "--without-gossip", "--visibility-timeout", str(VISIBILITY), "-l", "WARNING", *args,
        ]  # fmt: skip
        env = {**os.environ, "http_proxy": self.proxy, "no_proxy": ""}
        with (self.logs / f"{name}.log").open("ab") as log:
            self.processes.append(
                subprocess.Popen(
                    command,
                    cwd=REPO,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )

    def crawlers(self, count: int) -> None:
        args = ["-Q", "crawl", "--site-time-limit", str(SITE_LIMIT)]
        for setting in CRAWL_SETTINGS:
            args += ["--crawl-setting", setting]
        for number in range(1, count + 1):
            self.start(f"crawl{number}", *args)

    def writer(self, db: Path) -> None:
        self.start("writer", "-Q", "archive", "--archive-db", str(db))

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes = []


def schedule(broker: str, sites: Path, db: Path) -> None:
    command = [sys.executable, "-m", "crawler", "schedule", "--all", "--sites", str(sites),
               "--db", str(db), "--broker", broker]  # fmt: skip
    subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL)


def single_machine(server: CorpusServer, sites: Path, db: Path) -> float:
    server.reset()
    command = [sys.executable, "-m", "scrapy", "crawl", "party_sites", "-a", f"sites={sites}",
               "-s", f"ARCHIVE_DB={db}"]  # fmt: skip
    for setting in CRAWL_SETTINGS:
        command += ["-s", setting]
    env = {**os.environ, "http_proxy": server.url, "no_proxy": ""}
    start = time.monotonic()
    subprocess.run(command, cwd=REPO, env=env, check=True, timeout=3600)
    return server.stats().html_pages / (time.monotonic() - start)


def distributed_run(
    server: CorpusServer, broker: str, sites: Path, db: Path, workers: int, logs: Path
) -> float:
    server.reset()
    cluster = Cluster(broker, server.url, logs)
    try:
        cluster.writer(db)
        cluster.crawlers(workers)
        start = time.monotonic()
        schedule(broker, sites, db)
        if not wait_until(lambda: run_finished(db), deadline=3600, every=0.25):
            raise SystemExit(f"the run with {workers} workers did not finish; see {logs}")
        elapsed = time.monotonic() - start
    finally:
        cluster.stop()
    return server.stats().html_pages / elapsed


def writer_ceiling(server: CorpusServer, broker: str, sites: Path, db: Path, logs: Path) -> float:
    import redis

    client = redis.Redis.from_url(broker)
    cluster = Cluster(broker, server.url, logs)
    try:
        cluster.crawlers(2)
        schedule(broker, sites, db)

        def crawled() -> bool:
            return client.llen("crawl") == 0 and not client.hlen("unacked")

        if not wait_until(crawled, deadline=3600, every=0.5):
            raise SystemExit(f"the crawl without a writer did not finish; see {logs}")
        queued = int(client.llen("archive"))
        cluster.writer(db)
        if not wait_until(lambda: client.llen("archive") < queued, deadline=120, every=0.01):
            raise SystemExit(f"the writer did not start; see {logs}")
        start = time.monotonic()
        if not wait_until(lambda: run_finished(db), deadline=3600, every=0.05):
            raise SystemExit(f"the writer did not drain the queue; see {logs}")
        elapsed = time.monotonic() - start
    finally:
        cluster.stop()
        client.close()
    return count_articles(db) / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=600, help="article pages in all")
    parser.add_argument("--sites", type=int, default=4, help="number of sites (units of work)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed (make system-deps)")
    with tempfile.TemporaryDirectory(prefix="bench-distributed-") as tmp:
        work = Path(tmp)
        info = generate(work / "corpus", articles=args.articles, sites=args.sites, seed=args.seed)
        sites = work / "corpus" / "sites.csv"
        port = free_port()
        redis_server = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
             "no", "--dir", tmp],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        broker = f"redis://127.0.0.1:{port}/0"
        try:
            with CorpusServer(work / "corpus") as server:
                print(f"corpus_sites: {args.sites}")
                print(f"corpus_articles: {info.articles}")
                rate = single_machine(server, sites, work / "single.db")
                print(f"single_pages_per_s: {rate:.1f}")
                for workers in (1, 2):
                    db = work / f"workers{workers}.db"
                    rate = distributed_run(server, broker, sites, db, workers, work)
                    print(f"workers_{workers}_pages_per_s: {rate:.1f}")
                    print(f"workers_{workers}_articles: {count_articles(db)}")
                ceiling = writer_ceiling(server, broker, sites, work / "writer.db", work)
                print(f"writer_articles_per_s: {ceiling:.1f}")
        finally:
            redis_server.terminate()
            redis_server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
