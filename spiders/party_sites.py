"""PartySitesSpider: discovery and routing for every site of the registry, no per-site code.

It finds pages through home pages, menus, listings and their pagination, feeds (including
<link rel=alternate> autodiscovery), robots.txt sitemaps and registry-declared feeds/sitemaps.
It yields Page items for HTML pages and FetchRecord items for everything else; it does not
clean, date or store anything.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler import archive
from crawler.crawlstate import SiteCrawl
from crawler.discovery import (
    Link,
    feed_entries,
    is_feed_or_sitemap,
    robots_sitemaps,
    sitemap_entries,
)
from crawler.extract import EXTRACTOR_VERSION
from crawler.items import FetchRecord, Hint, Page
from crawler.registry import RegistryError, Site, load_registry
from crawler.timezone import now_vn
from crawler.urls import UrlPolicy, is_asset, is_print_variant
from crawler.workers import AnalysisPool

logger = logging.getLogger(__name__)

_KEPT_HEADERS = ("content-type", "etag", "last-modified", "server")
_GONE = (404, 410)
_REDIRECTS = (301, 302, 303, 307, 308)
_MAX_HOPS = 10


class PartySitesSpider(scrapy.Spider):
    """Crawls the sites of a registry CSV: `scrapy crawl party_sites -a sites=PATH [-a site=ID]`."""

    name = "party_sites"

    def __init__(
        self,
        sites: str | None = None,
        site: str | None = None,
        full: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sites_path = sites
        self.site_filter = site
        self.full_arg = full
        self.registry: list[Site] = []
        self.crawls: dict[str, SiteCrawl] = {}
        # Set from the crawler's settings in from_crawler.
        self.db_path = "data/archive.db"
        self.full = False
        self.max_pages = 20000
        self.max_query_variants = 200
        self.pagination_margin = 0
        self.revisit_budget = 0
        self.registry_errors = 0
        self.max_sitemaps = 1000
        self.max_links = 2000
        self.dead_retry_every = 7
        self._idle_rounds = 0
        self.extract_processes = 2
        self.disabled_families: list[str] = []
        self._pool: AnalysisPool | None = None
        #: boilerplate blocks learned per site on earlier runs (crawler.finalise), read at start
        self.site_blocks: dict[str, frozenset[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PartySitesSpider:
        spider: PartySitesSpider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.sites_path = spider.sites_path or settings.get("ARCHIVE_SITES")
        spider.db_path = settings.get("ARCHIVE_DB")
        spider.full = settings.getbool("ARCHIVE_FULL") or spider.full_arg in ("1", "true", "yes")
        spider.max_pages = settings.getint("ARCHIVE_MAX_PAGES_PER_SITE")
        spider.max_query_variants = settings.getint("ARCHIVE_MAX_QUERY_VARIANTS")
        spider.pagination_margin = settings.getint("ARCHIVE_PAGINATION_MARGIN")
        spider.revisit_budget = settings.getint("ARCHIVE_REVISIT_BUDGET")
        spider.max_sitemaps = settings.getint("ARCHIVE_MAX_SITEMAPS_PER_SITE")
        spider.max_links = settings.getint("ARCHIVE_MAX_LINKS_PER_PAGE")
        spider.dead_retry_every = settings.getint("ARCHIVE_DEAD_RETRY_EVERY")
        spider.extract_processes = settings.getint("ARCHIVE_EXTRACT_PROCESSES")
        spider.disabled_families = settings.getlist("ARCHIVE_DISABLED_FAMILIES")
        # Loads the rules now: a misspelt family in ARCHIVE_DISABLED_FAMILIES stops the crawl
        # before anything is fetched (the workers themselves start with the crawl).
        spider._pool = AnalysisPool(spider.extract_processes, spider.disabled_families)
        spider.registry = spider.load_sites()
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    # --- start -------------------------------------------------------------------------------

    def load_sites(self) -> list[Site]:
        """Read the registry; bad rows are logged with their line numbers and skipped."""
        try:
            sites, errors = load_registry(self.sites_path or "data/sites.csv")
        except RegistryError as exc:
            logger.error("%s", exc)
            return []
        for error in errors:
            logger.warning("registry %s: skipped %s", self.sites_path, error)
        # Stats exist only once the crawl starts; start() counts these.
        self.registry_errors = len(errors)
        if self.site_filter:
            sites = [s for s in sites if s.id == self.site_filter]
            if not sites:
                logger.error("registry %s has no site %r", self.sites_path, self.site_filter)
        # Sites of abolished or merged committees stay in the crawl: their old articles are the
        # history the archive keeps for as long as the host still serves them.
        return sites

    async def start(self) -> AsyncIterator[Any]:
        if self.registry_errors:
            self.crawler.stats.inc_value("archive/registry/row_errors", self.registry_errors)
        self.analysis_pool().warm_up()
        db = archive.open_archive(self.db_path)
        try:
            self.site_blocks = archive.all_site_blocks(db)
            for site in self.registry:
                if not self.site_filter and not archive.site_due(
                    db, site.id, self.dead_retry_every
                ):
                    logger.info(
                        "site %s: dead (no answer for many runs), not due for a retry", site.id
                    )
                    self.crawler.stats.inc_value("archive/sites/dead_skipped")
                    continue
                crawl = SiteCrawl.for_site(
                    site,
                    mode=self.site_mode(db, site),
                    max_pages=self.max_pages,
                    max_query_variants=self.max_query_variants,
                )
                self.crawls[site.id] = crawl
                for request in self.seed_requests(crawl, db):
                    yield request
        finally:
            db.conn.close()

    def site_mode(self, db: Any, site: Site) -> str:
        """nightly after a completed run, resume after an interrupted one, else first (full)."""
        if self.full or not archive.site_has_pages(db, site.id):
            return "first"
        return "nightly" if archive.site_completed(db, site.id) else "resume"

    def seed_requests(self, crawl: SiteCrawl, db: Any) -> Iterator[scrapy.Request]:
        site = crawl.site
        seeds = archive.site_seeds(db, site.id) if crawl.incremental else []
        if not seeds:
            yield self.page_request(crawl, site.url, depth=0, hub=True, force=True)
            robots = urljoin(site.url, "/robots.txt")
            yield self.fetch_request(crawl, robots, "robots", self.parse_robots)
        for seed in seeds:
            callback = {"feed": self.parse_feed, "sitemap": self.parse_sitemap}.get(seed["kind"])
            validators = {"etag": seed["etag"], "last_modified": seed["last_modified"]}
            if callback is not None:
                yield self.fetch_request(crawl, seed["url"], seed["kind"], callback, validators)
            else:
                previous = json.loads(seed["links"] or "[]")
                yield self.page_request(
                    crawl,
                    seed["url"],
                    depth=seed["depth"] or 0,
                    hub=True,
                    force=True,
                    validators=validators,
                    previous_links=previous,
                )
        for url in (*site.feeds, *site.sitemaps):
            kind = "feed" if url in site.feeds else "sitemap"
            callback = self.parse_feed if kind == "feed" else self.parse_sitemap
            yield self.fetch_request(crawl, url, kind, callback)
        if crawl.incremental and self.revisit_budget:
            for url, article_id in archive.revisit_sample(db, site.id, self.revisit_budget):
                yield self.page_request(
                    crawl, url, depth=2, known_article_id=article_id, force=True
                )

    # --- request builders --------------------------------------------------------------------

    def page_request(
        self,
        crawl: SiteCrawl,
        url: str,
        *,
        depth: int,
        hub: bool = False,
        force: bool = False,
        validators: dict[str, str | None] | None = None,
        previous_links: list[str] | None = None,
        known_article_id: int | None = None,
        hints: list[Hint] | None = None,
        priority: int = 0,
    ) -> scrapy.Request:
        canonical = crawl.canonical(url)
        crawl.scheduled.add(canonical)
        if force:
            crawl.requests += 1
        return scrapy.Request(
            canonical if not force else url,
            callback=self.parse_page,
            errback=self.on_error,
            headers=_conditional_headers(validators),
            priority=priority,
            dont_filter=force,
            meta={
                "site_id": crawl.site.id,
                "page_depth": depth,
                "hub": hub,
                "previous_links": previous_links,
                "known_article_id": known_article_id,
                "hints": hints or [],
                # Redirects are followed by parse_page itself, so that the URL that redirected
                # (a shortlink, an old path) is recorded as an alias of the article it leads to.
                "handle_httpstatus_list": [301, 302, 303, 307, 308, 304, 404, 410],
            },
        )

    def fetch_request(
        self,
        crawl: SiteCrawl,
        url: str,
        kind: str,
        callback: Any,
        validators: dict[str, str | None] | None = None,
    ) -> scrapy.Request:
        crawl.scheduled.add(crawl.canonical(url))
        crawl.requests += 1
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            headers=_conditional_headers(validators),
            dont_filter=True,
            priority=10,
            meta={
                "site_id": crawl.site.id,
                "kind": kind,
                "page_depth": 0,
                "handle_httpstatus_list": [304, 404, 410],
            },
        )

    # --- callbacks ---------------------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[Any]:
        crawl = self.crawls[response.meta["site_id"]]
        crawl.answered += 1
        yield self.record(response, "robots")
        if response.status != 200:
            return
        for url in robots_sitemaps(response.body, response.url):
            if crawl.owns(url):
                yield self.fetch_request(crawl, url, "sitemap", self.parse_sitemap)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        crawl = self.crawls[response.meta["site_id"]]
        crawl.answered += 1
        if response.status != 200:
            yield self.record(response, "feed")
            return
        entries = feed_entries(response.body, response.url)
        record = self.record(response, "feed")
        for entry in entries:
            hint = Hint("feed", entry.date_raw, entry.title, entry.updated_raw)
            record.link_hints.append((crawl.canonical(entry.url), hint))
        yield record
        for entry in entries:
            yield from self.follow(
                crawl,
                entry.url,
                depth=1,
                hint=Hint("feed", entry.date_raw, entry.title, entry.updated_raw),
            )

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        crawl = self.crawls[response.meta["site_id"]]
        crawl.answered += 1
        if response.status != 200:
            yield self.record(response, "sitemap")
            return
        entries, nested = sitemap_entries(response.body, response.url)
        record = self.record(response, "sitemap")
        for entry in entries:
            record.link_hints.append(
                (crawl.canonical(entry.url), Hint("sitemap", entry.date_raw, None, entry.date_raw))
            )
        yield record
        for url in nested:
            if crawl.sitemaps >= self.max_sitemaps:
                # A sitemap index that loops or lists tens of thousands of indexes ends here.
                self.crawler.stats.inc_value("archive/spider/sitemaps_capped")
                break
            if crawl.owns(url) and crawl.admit(crawl.canonical(url)):
                crawl.sitemaps += 1
                yield self.fetch_request(crawl, url, "sitemap", self.parse_sitemap)
        for entry in entries:
            yield from self.follow(
                crawl,
                entry.url,
                depth=1,
                hint=Hint("sitemap", entry.date_raw, None, entry.date_raw),
            )

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        crawl = self.crawls[response.meta["site_id"]]
        crawl.answered += 1
        depth = int(response.meta.get("page_depth", 0))
        hub = bool(response.meta.get("hub"))
        self.learn_site(crawl, response)
        if response.status == 304:
            yield self.record(response, "unchanged", hub=hub)
            return
        if response.status in _REDIRECTS:
            for out in self.follow_redirect(crawl, response, depth, hub):
                yield out
            return
        if response.status in _GONE:
            yield self.record(response, "gone")
            return
        kind = is_feed_or_sitemap(response.body[:2048])
        if kind in ("feed", "sitemap"):
            parse = self.parse_feed if kind == "feed" else self.parse_sitemap
            for out in parse(response):
                yield out
            return
        if not isinstance(response, TextResponse) or not _is_html(response):
            yield self.record(response, "other")
            return
        if crawl.skips_known and self.same_as_archived(crawl, response):
            # The server ignored our validators but sent the very body the article was made
            # from: nothing to extract again (the 304 of servers without ETags).
            self.crawler.stats.inc_value("archive/spider/same_body")
            yield self.record(response, "unchanged", hub=hub)
            return
        # Parsing, links, extraction, dates and fingerprints: one pass in a worker process.
        fetched_at = now_vn()
        analysis = await self.analysis_pool().analyse(
            response.body,
            _header(response, b"Content-Type"),
            response.url,
            fetched_at,
            self.site_blocks.get(crawl.site.id, frozenset()),
            self.max_links,
        )
        if analysis.links_capped:
            # Tens of thousands of links: a dump or a trap, never an article. It is told a listing
            # by its links alone; the extractor would spend seconds and hundreds of MB on it.
            self.crawler.stats.inc_value("archive/spider/links_capped")
            yield self.record(response, "listing")
            candidates = self.candidate_links(crawl, analysis.links)
            for request in self.follow_links(crawl, response, candidates, depth, None):
                yield request
            return
        page = self.page_item(crawl, response, analysis.declared_url, depth, hub, fetched_at)
        page.analysis = analysis
        candidates = self.candidate_links(crawl, analysis.links)
        page.links = [canonical for canonical, _link in candidates]
        is_listing = hub or bool(response.meta.get("listing"))
        if is_listing:
            crawl.linked.update(page.links)
            page.listing_titles = [(c, link.text) for c, link in candidates if link.text]
        page.link_hints = [
            (canonical, Hint("listing", link.date_raw, link.text or None))
            for canonical, link in candidates
            if link.date_raw or link.text
        ]
        yield page
        for feed in analysis.feeds:
            if crawl.owns(feed) and crawl.admit(crawl.canonical(feed)):
                yield self.fetch_request(crawl, feed, "feed", self.parse_feed)
        listing = page.url if is_listing else None
        for request in self.follow_links(crawl, response, candidates, depth, listing):
            yield request

    def same_as_archived(self, crawl: SiteCrawl, response: Response) -> bool:
        """True when the archived article at this URL was extracted from this very body."""
        digest = hashlib.sha1(response.body).hexdigest()
        url = crawl.canonical(response.url)
        return archive.same_response(self.state_db(), url, digest, EXTRACTOR_VERSION)

    def follow_redirect(
        self, crawl: SiteCrawl, response: Response, depth: int, hub: bool
    ) -> Iterator[Any]:
        """Record a redirect as an alias of its target, and follow it on the same site."""
        location = _header(response, b"Location")
        via = [*response.meta.get("via", []), crawl.canonical(response.url)]
        if not location or len(via) > _MAX_HOPS:
            yield self.record(response, "other")
            return
        target_url = urljoin(response.url, location)
        if depth == 0:
            crawl.adopt_host(target_url)
        if not crawl.owns(target_url):
            yield self.record(response, "other")
            return
        target = crawl.canonical(target_url)
        record = self.record(response, "redirect")
        record.target = target
        yield record
        if target in via:
            return
        if target in crawl.scheduled and depth > 0:
            return
        request = self.page_request(
            crawl,
            target_url if depth == 0 else target,
            depth=depth,
            hub=hub,
            force=depth == 0,
            known_article_id=response.meta.get("known_article_id"),
            hints=response.meta.get("hints"),
            previous_links=response.meta.get("previous_links"),
            validators=None,
        )
        request.meta["via"] = via
        yield request

    def page_item(
        self,
        crawl: SiteCrawl,
        response: Response,
        declared: str | None,
        depth: int,
        hub: bool,
        fetched_at: datetime,
    ) -> Page:
        urls = [*response.meta.get("via", []), response.url]
        canonical_urls = [crawl.canonical(u) for u in urls]
        hints = list(response.meta.get("hints") or [])
        for url in canonical_urls:
            # Handed to the page now; later sightings are stored with the listing's link hints.
            hints.extend(crawl.hints.pop(url, []))
        return Page(
            site_id=crawl.site.id,
            url=crawl.canonical(response.url),
            urls=list(dict.fromkeys(canonical_urls)),
            status=response.status,
            body=response.body,
            headers=_headers(response),
            fetched_at=fetched_at,
            hints=hints,
            known_article_id=response.meta.get("known_article_id"),
            depth=depth,
            is_hub=hub,
            declared_url=crawl.canonical(declared) if declared and crawl.owns(declared) else None,
        )

    def candidate_links(self, crawl: SiteCrawl, links: Iterable[Link]) -> list[tuple[str, Link]]:
        """Same-site links worth considering, canonicalised, once each, traps and assets out."""
        seen: dict[str, Link] = {}
        for link in links:
            canonical, is_trap = crawl.link_verdict(link.url)
            if is_trap:
                crawl.traps += 1
                self.crawler.stats.inc_value("archive/spider/trap_links")
                continue
            if canonical is None:
                continue
            if canonical not in seen or (link.date_raw and not seen[canonical].date_raw):
                seen[canonical] = link
        return list(seen.items())

    def follow_links(
        self,
        crawl: SiteCrawl,
        response: Response,
        candidates: list[tuple[str, Link]],
        depth: int,
        listing: str | None,
    ) -> Iterator[scrapy.Request]:
        """Schedule the links of a page; nightly runs skip what the archive already has."""
        new_articles = 0
        pagers: list[tuple[str, Link]] = []
        db = self.state_db()
        for canonical, link in candidates:
            hint = Hint("listing", link.date_raw, link.text or None) if link.date_raw else None
            if hint is not None:
                crawl.add_hint(canonical, hint)
            if link.is_pager:
                pagers.append((canonical, link))
                continue
            if canonical in crawl.scheduled:
                continue
            known = archive.known_url(db, canonical) if crawl.skips_known else None
            if known is not None and (crawl.incremental or known.article_id is not None):
                if (
                    known.kind == "article"
                    and listing
                    and self.retitled(db, canonical, listing, link)
                ):
                    yield from self.revisit(crawl, canonical, known.article_id, depth + 1)
                continue
            new_articles += 1
            if crawl.admit(canonical):
                yield self.page_request(
                    crawl, canonical, depth=depth + 1, hub=depth == 0 and link.in_nav
                )
        previous = response.meta.get("previous_links")
        if previous and crawl.incremental:
            articles = {}
            for url in previous:
                found = archive.known_url(db, url)
                if found is not None and found.article_id is not None and not found.gone:
                    articles[url] = found.article_id
            current = {c for c, _ in candidates}
            for url in vanished_from_middle(list(articles), current):
                crawl.dropped.setdefault(url, articles[url])
        # Nightly: walk on to the next listing page only while pages still hold new links, plus
        # ARCHIVE_PAGINATION_MARGIN pages more (older items shift pages when new ones arrive).
        left = response.meta.get("margin")
        margin = int(left) if left is not None else self.pagination_margin
        if crawl.incremental and new_articles == 0:
            if margin <= 0:
                return
            margin -= 1
        else:
            margin = self.pagination_margin
        for canonical, _link in pagers:
            if crawl.admit(canonical):
                request = self.page_request(crawl, canonical, depth=depth + 1)
                request.meta["margin"] = margin
                request.meta["listing"] = True
                yield request

    def follow(
        self, crawl: SiteCrawl, url: str, *, depth: int, hint: Hint
    ) -> Iterator[scrapy.Request]:
        """Follow a feed/sitemap entry; nightly runs re-check a known article whose date moved."""
        if not crawl.owns(url) or is_asset(url) or is_print_variant(url):
            return
        canonical = crawl.canonical(url)
        crawl.add_hint(canonical, hint)
        if canonical in crawl.scheduled:
            return
        db = self.state_db()
        known = archive.known_url(db, canonical) if crawl.skips_known else None
        if known is not None and (crawl.incremental or known.article_id is not None):
            if known.kind == "article" and self.date_changed(db, canonical, hint):
                yield from self.revisit(crawl, canonical, known.article_id, depth)
            return
        if crawl.admit(canonical):
            yield self.page_request(crawl, canonical, depth=depth, hints=[hint])

    def revisit(
        self, crawl: SiteCrawl, url: str, article_id: int | None, depth: int
    ) -> Iterator[scrapy.Request]:
        if crawl.admit(url):
            self.crawler.stats.inc_value("archive/spider/revisits")
            logger.info("site %s: re-checking %s", crawl.site.id, url)
            yield self.page_request(crawl, url, depth=depth, known_article_id=article_id)

    def retitled(self, db: Any, url: str, listing: str, link: Link) -> bool:
        """True when this listing now gives a known article another title than last time."""
        before = archive.listing_title(db, url, listing)
        if before is None or not link.text or before == link.text:
            return False
        logger.info("listing %s retitled %s: %r -> %r", listing, url, before, link.text)
        return True

    def date_changed(self, db: Any, url: str, hint: Hint) -> bool:
        """True when a feed or sitemap now gives a known article another update date (an edit)."""
        for _url, source, _title, _date, updated in archive.stored_hints(db, [url]):
            moved = updated and hint.updated_raw and updated != hint.updated_raw
            if source == hint.source and moved:
                logger.info("%s: update date of %s moved to %s", source, url, hint.updated_raw)
                return True
        return False

    # --- site learning, state, errors --------------------------------------------------------

    def learn_site(self, crawl: SiteCrawl, response: Response) -> None:
        """Learn from a response's headers: an IIS server means case-insensitive paths."""
        if crawl.policy.case_insensitive:
            return  # learned already (and the link verdicts made under it stay valid)
        server = (response.headers.get(b"Server") or b"").decode("latin-1").lower()
        if (
            "iis" in server
            or "asp.net" in (response.headers.get(b"X-Powered-By") or b"").decode("latin-1").lower()
        ):
            crawl.policy = UrlPolicy(case_insensitive=True)

    def analysis_pool(self) -> AnalysisPool:
        """The worker pool that parses and extracts pages (started on the first page)."""
        if self._pool is None:
            self._pool = AnalysisPool(self.extract_processes, self.disabled_families)
        return self._pool

    def state_db(self) -> Any:
        if getattr(self, "_state_db", None) is None:
            self._state_db = archive.open_archive(self.db_path)
        return self._state_db

    def record(self, response: Response, kind: str, *, hub: bool = False) -> FetchRecord:
        return FetchRecord(
            site_id=response.meta["site_id"],
            url=self.crawls[response.meta["site_id"]].canonical(response.url),
            kind=kind,
            status=response.status,
            fetched_at=now_vn(),
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
            depth=int(response.meta.get("page_depth", 0)),
            is_hub=hub,
        )

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        site_id = request.meta.get("site_id", "?")
        logger.warning("site %s: failed %s: %s", site_id, request.url, failure.getErrorMessage())
        self.crawler.stats.inc_value(f"archive/site_errors/{site_id}")
        self.crawler.stats.inc_value("archive/spider/errors")

    def on_idle(self) -> None:
        """When everything else is done, re-check known articles that vanished from a hub."""
        if self._idle_rounds > 2:
            return
        self._idle_rounds += 1
        scheduled = False
        db = self.state_db()
        for crawl in self.crawls.values():
            dropped, crawl.dropped = crawl.dropped, {}
            for url, article_id in dropped.items():
                # Still linked from a page of this run (it moved to page 2): not a vanishing.
                if url in crawl.scheduled or url in crawl.linked:
                    continue
                if archive.known_url(db, url) is None:
                    continue
                for request in self.revisit(crawl, url, article_id, depth=2):
                    self.crawler.engine.crawl(request)
                    scheduled = True
        if scheduled:
            raise DontCloseSpider

    def closed(self, reason: str) -> None:
        if self._pool is not None:
            if self._pool.crashes:
                self.crawler.stats.set_value("archive/spider/worker_crashes", self._pool.crashes)
            self._pool.close()
        db = getattr(self, "_state_db", None)
        if db is not None:
            db.conn.close()


def vanished_from_middle(previous: list[str], current: set[str]) -> list[str]:
    """Links of a hub's last visit that are gone now although a link after them is still there.

    New items push old ones off the end of a listing (they shift to page 2); an item missing
    from the middle was taken down or moved, and is worth a re-check.
    """
    still = [i for i, url in enumerate(previous) if url in current]
    if not still:
        return []
    last = still[-1]
    return [url for url in previous[:last] if url not in current]


def _conditional_headers(validators: dict[str, str | None] | None) -> dict[str, str]:
    headers = {}
    if validators:
        if validators.get("etag"):
            headers["If-None-Match"] = str(validators["etag"])
        if validators.get("last_modified"):
            headers["If-Modified-Since"] = str(validators["last_modified"])
    return headers


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _headers(response: Response) -> dict[str, str]:
    found = {}
    for name in _KEPT_HEADERS:
        value = response.headers.get(name.encode())
        if value:
            found[name] = value.decode("latin-1")
    return found


def _is_html(response: TextResponse) -> bool:
    ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    if ctype and "html" not in ctype and "xml" not in ctype:
        return False
    head = response.body[:1024].lstrip().lower()
    return not head.startswith((b"%pdf", b"\x89png", b"gif8", b"\xff\xd8", b"pk\x03\x04"))
