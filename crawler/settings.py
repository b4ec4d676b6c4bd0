"""Scrapy settings and the archive's own (ARCHIVE_*), each with the reason it has this value.

Anything here can be overridden on the command line with -s NAME=VALUE.
"""

import os

BOT_NAME = "party_news_archive"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# --- Throughput (benchmarks/throughput.py) ---
# Scrapy starts this many tasks for every response whose callback is an async generator (ours
# is: it awaits the analysis workers); the default 100 cost more reactor time than the page.
# A response yields one item and a handful of requests; our pipelines never wait on I/O.
CONCURRENT_ITEMS = 4

# --- Politeness: obey robots.txt, say who we are, throttle per site. ---
ROBOTSTXT_OBEY = True
# The contact URL lets a site's webmaster reach us; keep it pointing at the project page.
ARCHIVE_CONTACT_URL = "https://github.com/party-news-archive/party-news-archive"
USER_AGENT = f"PartyNewsArchive/0.1 (+{ARCHIVE_CONTACT_URL}; research archive)"
# Small provincial servers: at most 4 requests in flight per site, 1 s between them by default.
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
# Transient failures (503 with Retry-After, dropped connections, slow servers) are retried.
RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 60
# Hostile input: no page we want is larger than 16 MiB; warn at 4 MiB. Gzip bombs hit the same cap.
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
REDIRECT_MAX_TIMES = 10
# Only http(s) is fetched: there is no handler for file://, ftp://, s3:// or data: URLs at all.
DOWNLOAD_HANDLERS = {"file": None, "ftp": None, "s3": None, "data": None}
# Scrapy's defaults, but only the encodings whose truncation CompleteBodyMiddleware can detect.
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
    "Accept-Encoding": "gzip, deflate",
}
# Cookies would let session ids leak into URLs and state; party sites need none to read news.
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# The HTTP cache is not a crawl state: conditional requests are made from the archive itself.
HTTPCACHE_ENABLED = False
# Depth-first per site keeps memory flat: listings are walked before their far pagination.
DEPTH_PRIORITY = 0
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
# One Twisted reactor implementation everywhere (the default of current Scrapy), asyncio based,
# so pipelines can await the extraction process pool.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


ITEM_PIPELINES = {
    # trafilatura + our rules, in a process pool: title, author, text, captions, article or not.
    "pipelines.extract.ExtractPipeline": 100,
    # Chooses the publication date among page, URL, feed, sitemap and listing candidates.
    "pipelines.dates.DatePipeline": 200,
    # Canonical URL, same-site content identity, cross-site near-duplicate fingerprints.
    "pipelines.dedupe.DedupePipeline": 300,
    # Writes articles, URLs, versions, copies and date evidence in one transaction per item.
    "pipelines.store.StorePipeline": 900,
    # Distributed mode (ARCHIVE_SINK=celery) only: sends the items to the archive queue instead.
    "pipelines.enqueue.EnqueuePipeline": 910,
}

DOWNLOADER_MIDDLEWARES = {
    # Refuses non-http(s) URLs, IP addresses and local names before anything (even robots.txt).
    "crawler.middlewares.SafeUrlMiddleware": 90,
    # Just above RetryMiddleware (550): sees every try; stops a site after too many fail in a row.
    "crawler.middlewares.SiteErrorBudgetMiddleware": 555,
    # Above RetryMiddleware: sees every try; pauses the site per Retry-After or backoff.
    "crawler.middlewares.BackoffMiddleware": 560,
    # Above HttpCompressionMiddleware (590): retries gzip/deflate bodies that were cut short.
    "crawler.middlewares.CompleteBodyMiddleware": 595,
}

EXTENSIONS = {
    # Opens a crawl_runs row, records per-site outcomes and closes the row with counts.
    "crawler.extensions.RunLogExtension": 500,
}

# --- The archive's own settings. ---
# Where the archive lives; the crawl command's contract: -s ARCHIVE_DB=PATH.
ARCHIVE_DB = "data/archive.db"
# The registry of sites; the spider argument -a sites=PATH wins over it.
ARCHIVE_SITES = "data/sites.csv"
# Analysis workers (parse, links, extraction, dates, fingerprints; crawler.workers): one per
# core keeps every core busy while the reactor only fetches and stores (0 = inline, for tests).
ARCHIVE_EXTRACT_PROCESSES = os.cpu_count() or 2
# CMS families whose rules are switched off (to measure the generic layer alone), e.g. nukeviet.
ARCHIVE_DISABLED_FAMILIES: list[str] = []
# Hard cap on pages fetched per site in one run: a trap we did not recognise ends here.
ARCHIVE_MAX_PAGES_PER_SITE = 20000
# Distinct query strings allowed under one path before the rest are treated as a trap.
ARCHIVE_MAX_QUERY_VARIANTS = 200
# Keep a gzip copy of every article response so text can be re-extracted without re-crawling.
ARCHIVE_KEEP_RESPONSES = True
# Items written per SQLite transaction (or what arrived within the seconds, or at idle/close): a
# commit per page cost more than the page's rows. A kill loses at most one batch, refetched
# by the next run.
ARCHIVE_STORE_BATCH = 200
# ... and a batch is never held longer than this, so a quiet crawl still commits promptly.
ARCHIVE_STORE_BATCH_SECONDS = 2.0
# Nightly runs: walk this many listing pages past the last one that held a new article.
ARCHIVE_PAGINATION_MARGIN = 0
# Nightly runs: re-check this many of a site's least recently seen articles (a rotating sample
# that finds silent edits and deletions; conditional GETs make an unchanged one cheap).
ARCHIVE_REVISIT_BUDGET = 1
# A site that answered nothing for this many runs in a row is marked dead (sites.crawl_state)...
ARCHIVE_DEAD_AFTER = 5
# ...and is then tried only every this many runs, so closed district sites cost almost nothing.
ARCHIVE_DEAD_RETRY_EVERY = 7
# Re-walk every site completely instead of the incremental nightly discovery.
ARCHIVE_FULL = False
# Minimum characters of body text for a page to count as an article.
ARCHIVE_MIN_ARTICLE_CHARS = 200
# Longest Retry-After (s) we honour; a longer one is cut to this so no site stalls the night.
ARCHIVE_RETRY_AFTER_MAX = 120.0
# Pause (s) after a site's first failure without Retry-After; it doubles per failure in a row.
ARCHIVE_BACKOFF_BASE = 1.0
# Longest backoff pause (s).
ARCHIVE_BACKOFF_MAX = 60.0
# Tries of a site that may fail in a row (a good answer resets) before it gets no more this run.
ARCHIVE_SITE_ERROR_BUDGET = 20
# Links read from one page: real listings hold hundreds; 50k links is a trap that would only
# cost memory.
ARCHIVE_MAX_LINKS_PER_PAGE = 2000
# Nested sitemaps followed per site: a sitemap index that loops or lists 60k indexes ends here.
ARCHIVE_MAX_SITEMAPS_PER_SITE = 1000

# --- Distributed mode (docs/distributed.md); the single-machine crawl needs none of this. ---
# Where processed items go: "archive" (StorePipeline writes ARCHIVE_DB) or "celery" (the crawl
# task of crawler.distributed sets it: EnqueuePipeline sends them to the archive writer's queue).
ARCHIVE_SINK = "archive"
# The Celery broker the items are sent through (the crawl task passes its own).
ARCHIVE_BROKER_URL = "redis://127.0.0.1:6379/0"
# The crawl_runs id the items belong to (set by the crawl task from `crawler schedule`).
ARCHIVE_RUN_ID = 0
# Items per archive-queue message: enough to amortise a message, few enough that a lost worker
# loses little and that Redis, which holds the queue in memory, is not flooded.
ARCHIVE_ENQUEUE_BATCH = 20
# Where the enqueue pipeline writes its end-of-crawl report for the crawl task ("" = nowhere).
ARCHIVE_ENQUEUE_REPORT = ""
