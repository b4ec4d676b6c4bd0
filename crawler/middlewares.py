"""Downloader middlewares that make failure boring: refuse unsafe URLs, back off, verify bodies.

- SafeUrlMiddleware refuses, at request time, every URL that is not plain http(s) to a DNS name:
  other schemes (file://, ftp://, data:), IP addresses in any spelling, single-label and
  `localhost` names, and user names or passwords in the URL. Redirects are requests too, so a
  sitemap or robots.txt that redirects to a cloud metadata address is refused the same way.
- BackoffMiddleware pauses a whole site (its downloader slot) after a transient failure: as long
  as its `Retry-After` says, capped at ARCHIVE_RETRY_AFTER_MAX, or else for an exponential
  backoff from ARCHIVE_BACKOFF_BASE up to ARCHIVE_BACKOFF_MAX. RetryMiddleware still decides
  whether to retry; this middleware only decides when the site may be asked again.
- CompleteBodyMiddleware refuses gzip/deflate bodies whose compressed stream stops short (a
  connection cut inside a body whose Content-Length matched what was sent): Scrapy would
  otherwise decompress "as much as possible" and the archive would store half an article.
- SiteErrorBudgetMiddleware stops asking a site after ARCHIVE_SITE_ERROR_BUDGET tries in a row
  failed (5xx, 429, timeouts, resets, DNS), so a site that dies mid-run costs minutes, not hours,
  while every other site carries on.

The pure helpers (unsafe_url_reason, retry_after_seconds, backoff_seconds, compressed_body_problem)
take plain values, so the policy is tested without a reactor.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import weakref
import zlib
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from time import monotonic
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.misc import load_object

from crawler.timezone import now_vn

logger = logging.getLogger(__name__)

#: Meta key set on a site's requests that were already in the downloader when the site ran out
#: of its error budget: they get one try, no retry and no pause.
OUT_OF_BUDGET = "archive_out_of_budget"

#: Schemes the crawler fetches; everything else is refused before any handler sees it.
ALLOWED_SCHEMES = frozenset({"http", "https"})

# A host spelled only with digits, dots and hex/octal prefixes is an address to a resolver
# (2130706433, 0x7f.1, 0177.0.0.1, 127.1), whatever ipaddress accepts.
_NUMERIC_HOST_RE = re.compile(r"^(?:0x[0-9a-f]*|\d+)(?:\.(?:0x[0-9a-f]*|\d+)){0,3}\.?$", re.I)


def unsafe_url_reason(url: str) -> str | None:
    """Why the crawler must not fetch url, or None when it is http(s) to a DNS host name.

    Reasons: "scheme" (not http/https: file, ftp, data, s3, javascript ...), "malformed",
    "no_host", "ip_address" (v4, v6 or a numeric spelling such as 2130706433 or 0x7f.1),
    "local_name" (a name without a dot, localhost, *.localhost), "credentials" (user:pass@).
    """
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
        _ = parts.port
    except ValueError:
        return "malformed"
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        return "scheme"
    if not host:
        return "no_host"
    if _is_ip_literal(host):
        return "ip_address"
    if "." not in host or host == "localhost" or host.endswith(".localhost"):
        return "local_name"
    if parts.username is not None or parts.password is not None:
        return "credentials"
    return None


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return bool(_NUMERIC_HOST_RE.match(host))
    return True


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds a `Retry-After` header asks us to wait (RFC 9110 10.2.3), or None if unusable.

    Accepts delay-seconds ("120") and an HTTP-date, which is measured from now (aware). A date in
    the past means 0; anything else unreadable (or negative) means None.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def backoff_seconds(failures: int, base: float, cap: float) -> float:
    """Exponential backoff: base after the first failure in a row, doubling, at most cap."""
    if failures <= 0 or base <= 0:
        return 0.0
    return float(min(cap, base * 2 ** min(failures - 1, 32)))


def compressed_body_problem(body: bytes, encodings: list[str], limit: int) -> str | None:
    """Why a gzip/deflate body does not decode to its end ("truncated", "corrupt"), else None.

    encodings are the Content-Encoding values in the order the server applied them. Only bodies
    with a single gzip, x-gzip or deflate layer are checked. Decoding stops after `limit` bytes of
    output (0 = no limit): a bigger body is a decompression bomb, which the size limit of
    HttpCompressionMiddleware refuses, so it is not reported here.
    """
    names = [e.strip().lower() for e in encodings if e.strip()]
    if len(names) != 1 or names[0] not in ("gzip", "x-gzip", "deflate") or not body:
        return None
    if names[0] == "deflate":
        # zlib-wrapped as the RFC says, or raw deflate as some IIS servers send it
        for wbits in (zlib.MAX_WBITS, -zlib.MAX_WBITS):
            try:
                return _stream_problem(wbits, body, limit)
            except zlib.error:
                continue
        return "corrupt"
    try:
        return _stream_problem(16 + zlib.MAX_WBITS, body, limit)
    except zlib.error:
        return "corrupt"


def _stream_problem(wbits: int, body: bytes, limit: int) -> str | None:
    decompressor = zlib.decompressobj(wbits)
    produced = 0
    data = body
    while True:
        produced += len(decompressor.decompress(data, 1 << 16))
        if limit and produced > limit:
            return None
        if decompressor.eof:
            rest = decompressor.unused_data
            # Concatenated gzip members are one body; other bytes after the end are ignored (as
            # Scrapy ignores them), they do not make the body short.
            if wbits > zlib.MAX_WBITS and rest[:2] == b"\x1f\x8b":
                decompressor = zlib.decompressobj(wbits)
                data = rest
                continue
            return None
        data = decompressor.unconsumed_tail
        if not data:
            return "truncated"


def _site_key(request: Request) -> str:
    """The registry site a request belongs to, or its host for requests of no site (robots.txt)."""
    site = request.meta.get("site_id")
    if site:
        return str(site)
    return (urlsplit(request.url).hostname or "").lower()


class SafeUrlMiddleware:
    """Refuses unsafe URLs (see unsafe_url_reason) before any other middleware or handler runs."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SafeUrlMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        reason = unsafe_url_reason(request.url)
        if reason is None:
            return
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(f"archive/refused/{reason}")
        logger.warning(
            "site %s: refused %s (%s)", request.meta.get("site_id", "?"), request.url, reason
        )
        raise IgnoreRequest(f"refused {reason}: {request.url}")


@dataclass(slots=True)
class _Pause:
    """A site's slot while paused: until when, and the delay and jitter to restore afterwards."""

    until: float
    delay: float
    jitter: float


class BackoffMiddleware:
    """Pauses a site's downloader slot after a transient failure (Retry-After, or backoff).

    The pause is the slot's own delay, so the waiting requests sit in the site's queue and hold
    no concurrency of other sites. It starts when the failure arrives and ends with the first
    good answer after it; AutoThrottle may tune the delay in between, and is overruled while a
    pause lasts.
    """

    def __init__(
        self,
        crawler: Crawler,
        *,
        statuses: frozenset[int],
        exceptions: tuple[type[BaseException], ...],
        retry_after_max: float,
        base: float,
        cap: float,
        slots: Callable[[], Mapping[str, Any]] | None = None,
        clock: Callable[[], float] = monotonic,
    ) -> None:
        self.crawler = crawler
        #: the downloader's slots by key (the engine's, unless a test gives its own)
        self.slots = slots or self._engine_slots
        self.clock = clock
        self.statuses = statuses
        self.exceptions = exceptions
        self.retry_after_max = retry_after_max
        self.base = base
        self.cap = cap
        #: consecutive transient failures per downloader slot
        self.failures: Counter[str] = Counter()
        self.pauses: dict[str, _Pause] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffMiddleware:
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured("retries are off: nothing to pace")
        exceptions = tuple(
            load_object(e) if isinstance(e, str) else e
            for e in settings.getlist("RETRY_EXCEPTIONS")
        )
        middleware = cls(
            crawler,
            statuses=frozenset(int(s) for s in settings.getlist("RETRY_HTTP_CODES")),
            exceptions=exceptions,
            retry_after_max=settings.getfloat("ARCHIVE_RETRY_AFTER_MAX"),
            base=settings.getfloat("ARCHIVE_BACKOFF_BASE"),
            cap=settings.getfloat("ARCHIVE_BACKOFF_MAX"),
        )
        # response_downloaded fires before the slot picks its next request, so a pause set here
        # already delays that request.
        crawler.signals.connect(middleware.response_downloaded, signal=signals.response_downloaded)
        return middleware

    def wait_for(self, key: str, retry_after: str | None) -> tuple[float, str]:
        """Seconds to pause slot `key` after one more failure, and why: retry_after or backoff.

        Failures that arrive while the slot is already paused were requests sent before the
        pause (one outage, seen by every request in flight): they do not double the backoff.
        """
        pause = self.pauses.get(key)
        if pause is None or self.clock() >= pause.until:
            self.failures[key] += 1
        asked = retry_after_seconds(retry_after, now_vn())
        if asked is not None:
            return min(asked, self.retry_after_max), "retry_after"
        return backoff_seconds(max(1, self.failures[key]), self.base, self.cap), "backoff"

    def response_downloaded(self, response: Response, request: Request, spider: Any) -> None:
        key = request.meta.get("download_slot")
        if key is None or request.meta.get(OUT_OF_BUDGET):
            return
        if response.status in self.statuses:
            header = response.headers.get(b"Retry-After")
            wait, why = self.wait_for(key, header.decode("latin-1") if header else None)
            self.pause(key, wait, why, request.url, response.status)
            return
        pause = self.pauses.get(key)
        if pause is not None and self.clock() < pause.until:
            self.hold(key, pause)  # an answer from before the pause: the pause still stands
            return
        self.failures[key] = 0
        if pause is not None:
            self.resume(key, pause)

    def process_exception(self, request: Request, exception: Exception) -> None:
        """A network failure (timeout, reset, refused, DNS): back off like a 503 without a date."""
        key = request.meta.get("download_slot")
        if key is None or request.meta.get(OUT_OF_BUDGET):
            return
        if not isinstance(exception, self.exceptions):
            return
        wait, why = self.wait_for(key, None)
        self.pause(key, wait, why, request.url, type(exception).__name__)

    def pause(self, key: str, wait: float, why: str, url: str, cause: object) -> None:
        slot = self._slot(key)
        if slot is None or wait <= 0:
            return
        now = self.clock()
        pause = self.pauses.get(key)
        if pause is None:
            pause = _Pause(now + wait, slot.delay, slot.jitter)
            self.pauses[key] = pause
        pause.until = max(pause.until, now + wait)
        self.hold(key, pause)
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(f"archive/backoff/{why}")
        logger.info(
            "slot %s: %s after %s for %s: pausing %.1f s", key, why, cause, url, pause.until - now
        )

    def hold(self, key: str, pause: _Pause) -> None:
        """Make the slot wait until the pause ends, counting from now (no jitter)."""
        slot = self._slot(key)
        if slot is None:
            return
        now = self.clock()
        slot.delay = max(pause.until - now, pause.delay)
        slot.jitter = 0.0
        slot.lastseen = now

    def resume(self, key: str, pause: _Pause) -> None:
        del self.pauses[key]
        slot = self._slot(key)
        if slot is None:
            return
        slot.delay, slot.jitter = pause.delay, pause.jitter
        # Drop the wake-up call computed with the pause's delay; the downloader plans the next
        # request right after this signal, with the restored delay.
        slot.close()
        logger.info("slot %s: answering again, pause over", key)

    def _slot(self, key: str) -> Any:
        return self.slots().get(key)

    def _engine_slots(self) -> Mapping[str, Any]:
        engine = self.crawler.engine
        if engine is None or engine.downloader is None:
            return {}
        return engine.downloader.slots


class CompleteBodyMiddleware:
    """Retries (then refuses) gzip/deflate responses whose compressed stream ends too early."""

    def __init__(self, crawler: Crawler, limit: int) -> None:
        self.crawler = crawler
        self.limit = limit

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CompleteBodyMiddleware:
        if not crawler.settings.getbool("COMPRESSION_ENABLED"):
            raise NotConfigured("no decompression, nothing to verify")
        return cls(crawler, crawler.settings.getint("DOWNLOAD_MAXSIZE"))

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.method == "HEAD":
            return response
        encodings = [
            part.decode("latin-1")
            for value in response.headers.getlist(b"Content-Encoding")
            for part in value.split(b",")
        ]
        problem = compressed_body_problem(response.body, encodings, self.limit)
        if problem is None:
            return response
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(f"archive/body/{problem}")
        site = request.meta.get("site_id", "?")
        spider = self.crawler.spider
        assert spider is not None
        retry = get_retry_request(request, spider=spider, reason=f"{problem}_compressed_body")
        if retry is not None:
            logger.warning(
                "site %s: %s compressed body from %s, retrying", site, problem, request.url
            )
            return retry
        logger.error("site %s: %s compressed body from %s, giving up", site, problem, request.url)
        raise IgnoreRequest(f"{problem} compressed body: {request.url}")


class SiteErrorBudgetMiddleware:
    """After `budget` tries of a site in a row failed, refuse the site's requests for this run.

    A failed try is a 5xx or 429 answer or a network error (RETRY_EXCEPTIONS); any other answer
    resets the count. The middleware sits just above RetryMiddleware, so it sees every try
    (retries included) and can stop the retry of the try that used the budget up. Requests of
    the site that already wait in the downloader (they passed here before) are marked
    OUT_OF_BUDGET: one try each, no retry, no backoff pause. Other sites are not touched.
    """

    def __init__(
        self, crawler: Crawler, budget: int, exceptions: tuple[type[BaseException], ...]
    ) -> None:
        self.crawler = crawler
        self.budget = budget
        self.exceptions = exceptions
        self.failures: Counter[str] = Counter()
        self.exhausted: set[str] = set()
        #: requests of each site that passed this middleware and may still be downloading
        self.passed: dict[str, weakref.WeakSet[Request]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteErrorBudgetMiddleware:
        budget = crawler.settings.getint("ARCHIVE_SITE_ERROR_BUDGET")
        if budget <= 0:
            raise NotConfigured("no per-site error budget")
        exceptions = tuple(
            load_object(e) if isinstance(e, str) else e
            for e in crawler.settings.getlist("RETRY_EXCEPTIONS")
        )
        return cls(crawler, budget, exceptions)

    def process_request(self, request: Request) -> None:
        key = _site_key(request)
        if key not in self.exhausted:
            self.passed.setdefault(key, weakref.WeakSet()).add(request)
            return
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("archive/budget/refused")
        stats.inc_value(f"archive/budget/refused/{key}")
        raise IgnoreRequest(f"site {key} is out of its error budget: {request.url}")

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status >= 500 or response.status == 429:
            self.failed(request, f"HTTP {response.status}")
        else:
            self.failures[_site_key(request)] = 0
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, self.exceptions):
            self.failed(request, type(exception).__name__)

    def failed(self, request: Request, cause: str) -> None:
        key = _site_key(request)
        self.failures[key] += 1
        if key in self.exhausted:
            request.meta["dont_retry"] = True
            return
        if self.failures[key] < self.budget:
            return
        self.exhausted.add(key)
        request.meta["dont_retry"] = True
        for waiting in self.passed.pop(key, weakref.WeakSet()):
            waiting.meta[OUT_OF_BUDGET] = True
            waiting.meta["dont_retry"] = True
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("archive/budget/exhausted_sites")
        logger.error(
            "site %s: %d tries in a row failed (last: %s at %s); no more requests to it this run",
            key,
            self.failures[key],
            cause,
            request.url,
        )
