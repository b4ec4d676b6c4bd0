"""The crawl's process pool: page analysis (crawler.analysis) off the Twisted reactor.

Parsing and extraction cost ten times what fetching a page does; in the reactor thread they
would stall every download. Workers are spawned, not forked (they do not inherit the reactor's
memory, threads or signal handlers, and die with the crawl), and each loads the rules once.
Memory stays bounded without a queue of our own: Scrapy stops downloading while the responses
awaiting their callbacks exceed SCRAPER_SLOT_MAX_ACTIVE_SIZE.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime

from crawler.analysis import Analysis, analyse_page
from crawler.rules import Rules, load_rules

logger = logging.getLogger(__name__)

#: the rules of this worker process, loaded once by _start_worker
_worker_rules: Rules | None = None


def _start_worker(disabled_families: tuple[str, ...]) -> None:
    global _worker_rules
    _worker_rules = load_rules(disabled_families=disabled_families)
    # trafilatura logs a WARNING for every listing page it declines; our stats count those.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)


def _analyse_in_worker(
    body: bytes,
    content_type: str | None,
    url: str,
    fetched_at: datetime,
    site_blocks: frozenset[str],
    max_links: int,
) -> Analysis:
    assert _worker_rules is not None, "_start_worker loads the rules"
    return analyse_page(body, content_type, url, fetched_at, _worker_rules, site_blocks, max_links)


class AnalysisPool:
    """analyse_page in ``processes`` worker processes, or inline in the caller when 0."""

    def __init__(self, processes: int, disabled_families: Iterable[str] = ()) -> None:
        self.processes = processes
        self.disabled_families = tuple(disabled_families)
        # Loaded here too: a typo in ARCHIVE_DISABLED_FAMILIES fails the crawl at once, and the
        # inline mode needs them.
        self.rules = load_rules(disabled_families=self.disabled_families)
        logging.getLogger("trafilatura").setLevel(logging.ERROR)
        self.executor: ProcessPoolExecutor | None = None
        #: worker processes that died under a page (and were replaced)
        self.crashes = 0

    def _executor(self) -> ProcessPoolExecutor:
        if self.executor is None:
            self.executor = ProcessPoolExecutor(
                max_workers=self.processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(self.disabled_families,),
            )
        return self.executor

    def warm_up(self) -> None:
        """Start the workers now (imports, rules), while the first requests are in flight:
        otherwise the first pages wait seconds for them and then arrive all at once."""
        if self.processes > 0:
            executor = self._executor()
            for _ in range(self.processes):
                executor.submit(int)  # a no-op; each submit without an idle worker spawns one

    async def analyse(
        self,
        body: bytes,
        content_type: str | None,
        url: str,
        fetched_at: datetime,
        site_blocks: frozenset[str] = frozenset(),
        max_links: int = 0,
    ) -> Analysis:
        """The page's Analysis. A worker that dies under a page (a crash in libxml2, the OOM
        killer) costs that page only: it comes back as unparsable and the pool is replaced."""
        if self.processes <= 0:
            return analyse_page(
                body, content_type, url, fetched_at, self.rules, site_blocks, max_links
            )
        loop = asyncio.get_running_loop()
        # Every page in flight fails when one of them kills a worker: each is tried once more
        # in a fresh pool, so only the page that kills it twice is lost (as unparsable).
        for attempt in (1, 2):
            executor = self._executor()
            try:
                return await loop.run_in_executor(
                    executor,
                    _analyse_in_worker,
                    body,
                    content_type,
                    url,
                    fetched_at,
                    site_blocks,
                    max_links,
                )
            except BrokenProcessPool:
                if self.executor is executor:
                    self.crashes += 1
                    logger.error("an analysis worker died (handling %s or a neighbour)", url)
                    executor.shutdown(wait=False, cancel_futures=False)
                    self.executor = None
                if attempt == 2:
                    break
        return Analysis(None, error="unparsable: the analysis worker died on this page")

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
