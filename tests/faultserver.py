"""A hostile little web on 127.0.0.1 for the fault-injection tests (tests/test_faults.py).

`FaultServer` is an HTTP proxy (absolute URI in the request line, as Scrapy sends it when
`http_proxy` is set; the Host-header form works too) for fake party-committee sites whose pages
fail in scripted ways: 5xx with and without Retry-After, 429, slow answers, connections reset
before or inside a body, truncated gzip, a 200 MB page, an endless chunked body, gzip and
deflate bombs, an XML bomb, a sitemap index that loops, redirect loops, endless calendars.

It is bounded in time: it binds in its constructor, every endless or huge body stops by itself
after MAX_STREAM_BYTES or MAX_STREAM_SECONDS (or as soon as the client hangs up), every delay
wakes up when the server closes, and each connection answers one request then closes.

A route is a `Reply`, a sequence of Replies (one per try of that URL; the last one repeats) or
a function of the path and query returning a Reply. Each request is logged as a `Hit` when it
arrives (monotonic time), so tests can check how long the crawler waited between tries.

`FakeResolver` (TWISTED_DNS_RESOLVER) plays DNS for the hosts a test takes out of the proxy
with `no_proxy`: it fails some names (a registry host that does not resolve) and points others
at 127.0.0.1 port 80, where nothing listens (a site that is down: connection refused).

Page builders write small, realistic pages in three CMS styles (NukeViet, WordPress, ASP.NET)
with Vietnamese text composed here, different for every article, so that tests know the truth.
"""

from __future__ import annotations

import gzip
import hashlib
import random
import socket
import struct
import threading
import time
import unicodedata
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.error import DNSLookupError

from crawler.fingerprint import band_keys, content_hash, signature
from crawler.items import Page
from crawler.timezone import VN_TZ

#: Longest body a streaming reply sends before it stops by itself.
MAX_STREAM_BYTES = 256 * 1024 * 1024
#: Longest time a streaming reply or a delay lasts.
MAX_STREAM_SECONDS = 20.0
_BLOCK = 64 * 1024

HTML = "text/html; charset=utf-8"


# --- replies -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reply:
    """One scripted answer."""

    status: int = 200
    body: bytes = b""
    #: Content-Type header, None for none
    content_type: str | None = HTML
    headers: tuple[tuple[str, str], ...] = ()
    #: seconds to wait before answering (a slow server; bounded by MAX_STREAM_SECONDS)
    delay: float = 0.0
    #: reset the connection before answering anything
    drop: bool = False
    #: announce the whole body but send only this many bytes of it, then reset the connection
    cut_at: int | None = None
    #: filler bytes sent after `body` (a huge page), announced in Content-Length
    filler: int = 0
    #: an endless Transfer-Encoding: chunked body (stops only at the server's caps)
    endless: bool = False
    #: label kept in the request log
    fault: str = ""


Route = Reply | Sequence[Reply] | Callable[[str], Reply | None]


def normal_target(target: str) -> str:
    """A path and query with the parameters sorted: the server does not care about their order
    (and the crawler's canonical URLs sort them)."""
    path, _, query = target.partition("?")
    if not query:
        return path or "/"
    return f"{path or '/'}?{urlencode(sorted(parse_qsl(query, keep_blank_values=True)))}"


def page(html: str, *, content_type: str | None = HTML, **kwargs: Any) -> Reply:
    """A 200 answer with an HTML page encoded as UTF-8."""
    return Reply(200, html.encode("utf-8"), content_type, **kwargs)


def status(code: int, *, retry_after: str | None = None, fault: str = "") -> Reply:
    """An error answer with a small body, optionally with a Retry-After header."""
    headers = (("Retry-After", retry_after),) if retry_after is not None else ()
    body = f"<html><body><h1>{code}</h1></body></html>".encode()
    return Reply(code, body, HTML, headers, fault=fault or str(code))


def redirect(location: str, code: int = 301) -> Reply:
    return Reply(code, b"", None, (("Location", location),), fault="redirect")


def gzipped(html: str, *, cut_at: int | None = None, fault: str = "") -> Reply:
    """The page gzip-compressed; with cut_at only that many bytes of the gzip stream, announced
    as the whole body (Content-Length matches what is sent), like a proxy that lost the end."""
    data = gzip.compress(html.encode("utf-8"))
    if cut_at is not None:
        data = data[:cut_at]
    return Reply(200, data, HTML, (("Content-Encoding", "gzip"),), fault=fault)


def gzip_bomb(size: int = 1 << 30) -> Reply:
    """About 1 MB of gzip that inflates to `size` bytes of zeros (a valid gzip stream)."""
    raw, crc, _adler = _zero_deflate(size)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    body = header + raw + struct.pack("<II", crc, size & 0xFFFFFFFF)
    return Reply(200, body, HTML, (("Content-Encoding", "gzip"),), fault="gzip_bomb")


def deflate_bomb(size: int = 1 << 30) -> Reply:
    """About 1 MB of zlib-wrapped deflate that inflates to `size` bytes of zeros."""
    raw, _crc, adler = _zero_deflate(size)
    body = b"\x78\xda" + raw + struct.pack(">I", adler)
    return Reply(200, body, HTML, (("Content-Encoding", "deflate"),), fault="deflate_bomb")


def _zero_deflate(size: int) -> tuple[bytes, int, int]:
    """Raw deflate of `size` zero bytes (a multiple of 1 MiB), built by repeating one fully
    flushed block: fast to build, and byte for byte what a compressor would send."""
    mib = 1 << 20
    count = max(1, size // mib)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = compressor.compress(bytes(mib)) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.flush()
    zeros = bytes(mib)
    crc, adler = 0, 1
    for _ in range(count):
        crc = zlib.crc32(zeros, crc)
        adler = zlib.adler32(zeros, adler)
    return block * count + tail, crc, adler


def xml_bomb() -> Reply:
    """A "billion laughs" sitemap: ten nested entities that would expand to 10^9 copies."""
    lines = ['<?xml version="1.0"?>', "<!DOCTYPE urlset [", '<!ENTITY lol "lol">']
    for level in range(1, 10):
        refs = f"&lol{level - 1};" if level > 1 else "&lol;"
        lines.append(f'<!ENTITY lol{level} "{refs * 10}">')
    lines += [
        "]>",
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        "<url><loc>/&lol9;.html</loc></url>",
        "</urlset>",
    ]
    return Reply(200, "\n".join(lines).encode(), "application/xml", fault="xml_bomb")


def sitemap(urls: Sequence[str], *, index: bool = False) -> Reply:
    """A sitemap (or a sitemap index) listing urls."""
    tag, item = ("sitemapindex", "sitemap") if index else ("urlset", "url")
    body = "".join(f"<{item}><loc>{escape(u)}</loc></{item}>" for u in urls)
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{tag} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</{tag}>'
    )
    return Reply(200, xml.encode(), "application/xml; charset=utf-8")


# --- the log -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Hit:
    """One request the server received, logged as it arrives (so a test never misses one whose
    answer is still on its way); `sent` grows while the answer is written."""

    #: time.monotonic() when the request line arrived
    at: float
    host: str
    #: path and query as requested
    target: str
    #: the status of the scripted answer (0 for a connection reset before any answer)
    status: int
    #: the Reply's fault label
    fault: str
    #: body bytes written so far
    sent: int = 0
    #: the Accept-Encoding the client sent
    accept_encoding: str = ""


# --- sites -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FakeArticle:
    """The truth about one article a fake site serves."""

    url: str
    title: str
    paragraphs: tuple[str, ...]
    #: the publication date the page states, ISO (minute precision, +07:00)
    published: str
    author: str


@dataclass
class FakeSite:
    """One fake host: exact routes (path with query) and an optional fallback for the rest."""

    host: str
    routes: dict[str, Route] = field(default_factory=dict)
    fallback: Callable[[str], Reply | None] | None = None
    server: str = "Apache/2.4.41 (Ubuntu)"
    articles: list[FakeArticle] = field(default_factory=list)
    #: the plain HTML of each article, by article number
    html: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.host}/"

    @property
    def case_insensitive(self) -> bool:
        """IIS treats paths and parameter names case-insensitively; so does this site then."""
        return "iis" in self.server.lower()

    def key(self, target: str) -> str:
        """How this site tells requests apart: sorted parameters, case folded on IIS."""
        normal = normal_target(target)
        return normal.lower() if self.case_insensitive else normal

    def path(self, number: int) -> str:
        """The path and query of article `number` (parameters sorted, as routes are keyed)."""
        parts = urlsplit(self.articles[number].url)
        return normal_target(parts.path + (f"?{parts.query}" if parts.query else ""))

    def fail(self, number: int, *replies: Reply, then: Reply | None = None) -> None:
        """Article `number` answers `replies` on its first tries, then `then` (default: itself)."""
        final = then if then is not None else page(self.html[number])
        self.routes[self.path(number)] = [*replies, final]


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: FaultServer


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    #: a client that stops reading must not block a writing thread for ever
    timeout = 10
    #: headers and body go out as separate writes: without TCP_NODELAY each answer would wait
    #: for the client's delayed ACK
    disable_nagle_algorithm = True
    _server_header = "FaultServer"
    _hit: Hit

    def do_GET(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer()

    def version_string(self) -> str:
        return self._server_header

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: FaultServer.hits is the log."""

    def _answer(self) -> None:
        owner = self.server.owner
        arrived = time.monotonic()
        target = self.path
        if target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            host = (parts.hostname or "").lower()
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        else:
            host = (urlsplit("//" + self.headers.get("Host", "")).hostname or "").lower()
        site = owner.sites.get(host)
        self._server_header = site.server if site else "FaultServer"
        reply = owner.reply_for(site, target)
        self._hit = Hit(
            arrived,
            host,
            target,
            0 if reply.drop else reply.status,
            reply.fault,
            accept_encoding=self.headers.get("Accept-Encoding", ""),
        )
        owner.record(self._hit)
        try:
            if reply.delay and owner.closing.wait(min(reply.delay, MAX_STREAM_SECONDS)):
                return
            if reply.drop:
                self._reset()
                return
            self._send(reply)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError):
            self.close_connection = True

    def _send(self, reply: Reply) -> None:
        self.close_connection = True
        etag = _etag(reply)
        if etag and etag in (self.headers.get("If-None-Match") or ""):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Connection", "close")
            self.end_headers()
            return
        self.send_response(reply.status)
        if etag:
            self.send_header("ETag", etag)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Connection", "close")
        body = b"" if self.command == "HEAD" else reply.body
        if reply.endless:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self._stream_chunked(body)
            return
        total = len(reply.body) + reply.filler
        self.send_header("Content-Length", str(total))
        self.end_headers()
        if self.command == "HEAD":
            return
        if reply.cut_at is not None:
            self._write(body[: reply.cut_at])
            self._reset()
            return
        self._write(body)
        self._stream_filler(reply.filler)

    def _write(self, data: bytes) -> None:
        self.wfile.write(data)
        self._hit.sent += len(data)

    def _stream_filler(self, size: int) -> None:
        started = time.monotonic()
        block = b"<p>" + b"x" * (_BLOCK - 8) + b"</p>\n\n"
        left = min(size, MAX_STREAM_BYTES)
        while left > 0 and not self._too_long(started):
            chunk = block[:left]
            self._write(chunk)
            left -= len(chunk)

    def _stream_chunked(self, first: bytes) -> None:
        started = time.monotonic()
        block = first or b"<p>" + "Lịch công tác ".encode() * 4000 + b"</p>\n"
        while self._hit.sent < MAX_STREAM_BYTES and not self._too_long(started):
            self.wfile.write(b"%x\r\n" % len(block))
            self._write(block)
            self.wfile.write(b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def _too_long(self, started: float) -> bool:
        owner = self.server.owner
        return owner.closing.is_set() or time.monotonic() - started > MAX_STREAM_SECONDS

    def _reset(self) -> None:
        """Close with a TCP reset (SO_LINGER 0): what a crashed server or a cut cable looks like."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()


def _etag(reply: Reply) -> str | None:
    """A strong ETag for plain, complete 200 answers (so conditional requests get 304, as from
    a real CMS); none for failures and streamed bodies."""
    if reply.status != 200 or reply.filler or reply.endless or reply.cut_at is not None:
        return None
    return '"' + hashlib.sha1(reply.body, usedforsecurity=False).hexdigest()[:16] + '"'


class FaultServer:
    """The fake sites on 127.0.0.1, bound in the constructor (port 0 = any free port).

    As a context manager it serves in a background thread and closes everything on exit.
    """

    def __init__(self, sites: Sequence[FakeSite], *, port: int = 0) -> None:
        self.sites: dict[str, FakeSite] = {s.host: s for s in sites}
        self.hits: list[Hit] = []
        self.closing = threading.Event()
        self._tries: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._httpd = _HTTPServer(("127.0.0.1", port), _Handler)
        self._httpd.owner = self

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """http://127.0.0.1:PORT, the value for http_proxy."""
        return f"http://127.0.0.1:{self.port}"

    def proxy_env(self, *, direct: Sequence[str] = ()) -> dict[str, str]:
        """Environment that sends a subprocess's http requests here, except to `direct` hosts
        (which go to FakeResolver: DNS failure or connection refused)."""
        bypass = ",".join(direct)
        return {
            "http_proxy": self.url,
            "HTTP_PROXY": self.url,
            "https_proxy": "",
            "HTTPS_PROXY": "",
            "no_proxy": bypass,
            "NO_PROXY": bypass,
        }

    def start(self) -> FaultServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"FaultServer:{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def close(self) -> None:
        self.closing.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def reply_for(self, site: FakeSite | None, target: str) -> Reply:
        """The scripted answer to this try of target on site (counts the try)."""
        if site is None:
            return status(404, fault="unknown_host")
        with self._lock:
            tries = self._tries.get((site.host, site.key(target)), 0)
            self._tries[(site.host, site.key(target))] = tries + 1
        route = site.routes.get(target)
        if route is None:
            wanted = site.key(target)
            route = next((r for k, r in site.routes.items() if site.key(k) == wanted), None)
        if route is None and site.fallback is not None:
            route = site.fallback(target)
        if route is None:
            return status(404, fault="not_found")
        if isinstance(route, Reply):
            return route
        if callable(route):
            found = route(target)
            return found if found is not None else status(404, fault="not_found")
        replies = list(route)
        return replies[min(tries, len(replies) - 1)]

    def record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def hits_of(self, host: str, target: str | None = None) -> list[Hit]:
        """The requests to host (and to target on it, however spelled), in arrival order."""
        site = self.sites.get(host)
        wanted = site.key(target) if site and target else target
        with self._lock:
            hits = sorted((h for h in self.hits if h.host == host), key=lambda h: h.at)
        if target is None:
            return hits
        return [h for h in hits if (site.key(h.target) if site else h.target) == wanted]


# --- DNS for the hosts that bypass the proxy ----------------------------------------------------


class FakeResolver(CachingThreadedResolver):
    """A resolver for tests: FAULT_DNS_FAIL names do not resolve, FAULT_DNS_LOOPBACK names are
    127.0.0.1 (port 80 there is closed: connection refused); any other name is resolved as usual
    (only the proxy's 127.0.0.1 is looked up in the tests, and that needs no DNS)."""

    def __init__(self, reactor: Any, cache_size: int, timeout: float, settings: Any) -> None:
        super().__init__(reactor, 0, timeout)
        self.failing = frozenset(settings.getlist("FAULT_DNS_FAIL"))
        self.loopback = frozenset(settings.getlist("FAULT_DNS_LOOPBACK"))

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> FakeResolver:
        settings = crawler.settings
        return cls(reactor, 0, settings.getfloat("DNS_TIMEOUT"), settings)

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Any:
        if name in self.failing:
            return defer.fail(DNSLookupError(f"{name}: no such host (FakeResolver)"))
        if name in self.loopback:
            return defer.succeed("127.0.0.1")
        return super().getHostByName(name, timeout)


# --- pages -------------------------------------------------------------------------------------

_SUBJECTS = (
    "Ban Thường vụ Huyện ủy",
    "Đảng ủy xã Hòa Sơn",
    "Ủy ban Kiểm tra Tỉnh ủy",
    "Ban Tuyên giáo Tỉnh ủy",
    "Ủy ban Mặt trận Tổ quốc huyện",
    "Huyện đoàn",
    "Hội Nông dân tỉnh",
    "Chi bộ khu phố 3",
    "Đảng ủy Khối các cơ quan tỉnh",
    "Hội Liên hiệp Phụ nữ huyện",
    "Ban Dân vận Huyện ủy",
    "Thường trực Tỉnh ủy",
)
_ACTIONS = (
    "tổ chức hội nghị sơ kết",
    "triển khai kế hoạch thực hiện",
    "kiểm tra, giám sát việc thực hiện",
    "đẩy mạnh tuyên truyền về",
    "đánh giá kết quả",
    "ban hành chương trình hành động về",
    "tập huấn nghiệp vụ về",
    "làm việc với các cơ sở về",
)
_TOPICS = (
    "công tác xây dựng Đảng",
    "chuyển đổi số",
    "cải cách hành chính",
    "xây dựng nông thôn mới",
    "phòng, chống thiên tai",
    "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "phát triển kinh tế tập thể",
    "bảo vệ nền tảng tư tưởng của Đảng",
    "công tác dân vận chính quyền",
    "an sinh xã hội",
    "phát triển đảng viên mới",
    "giảm nghèo bền vững",
)
_PLACES = (
    "xã Tân Mẫu",
    "thị trấn Sơn Mẫu",
    "xã Hòa Sơn",
    "phường Đông Thành",
    "xã Phước Lộc",
    "thôn Đồng Tâm",
    "xã Bình Minh",
    "khu phố 5",
    "xã Quảng Phú",
    "xã Ea Tu",
)
_PEOPLE = (
    ("Nguyễn Văn Thành", "Bí thư Huyện ủy"),
    ("Trần Thị Hoa", "Phó Bí thư Thường trực Tỉnh ủy"),
    ("Lê Minh Đức", "Trưởng Ban Tuyên giáo"),
    ("Phạm Quốc Hùng", "Chủ nhiệm Ủy ban Kiểm tra"),
    ("Võ Thị Lan", "Chủ tịch Ủy ban nhân dân huyện"),
    ("Đặng Văn Tâm", "Trưởng Ban Dân vận"),
    ("Huỳnh Ngọc Ánh", "Bí thư Đảng ủy xã"),
    ("Bùi Thanh Sơn", "Phó Chủ tịch Hội đồng nhân dân tỉnh"),
)
_WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")


def compose_article(seed: str) -> tuple[str, tuple[str, ...], datetime, str]:
    """(title, paragraphs, published, author) of a made-up article, the same for the same seed.

    Every sentence carries its own numbers, names and places, so no two articles share a
    paragraph (learned boilerplate would strip one) or read as re-publications of each other.
    """
    rng = random.Random(seed)
    subject, action, topic = rng.choice(_SUBJECTS), rng.choice(_ACTIONS), rng.choice(_TOPICS)
    place = rng.choice(_PLACES)
    year = rng.randint(2019, 2025)
    published = datetime(year, rng.randint(1, 12), rng.randint(1, 28), rng.randint(7, 17),
                         rng.choice((0, 15, 30, 45)), tzinfo=VN_TZ)  # fmt: skip
    title = f"{subject} {action} {topic} tại {place} năm {year}"
    paragraphs = []
    for number in range(rng.randint(4, 6)):
        sentences = []
        for _ in range(rng.randint(2, 3)):
            person, role = rng.choice(_PEOPLE)
            kind = rng.randrange(5)
            if kind == 0:
                sentences.append(
                    f"{rng.choice(_SUBJECTS)} {rng.choice(_ACTIONS)} {rng.choice(_TOPICS)} tại "
                    f"{rng.choice(_PLACES)} với sự tham gia của {rng.randint(12, 480)} cán bộ, "
                    f"đảng viên và {rng.randint(3, 90)} đại biểu khách mời."
                )
            elif kind == 1:
                sentences.append(
                    f"Đến tháng {rng.randint(1, 12)}, {rng.choice(_PLACES)} đạt "
                    f"{rng.randint(41, 99)},{rng.randint(1, 9)}% chỉ tiêu về "
                    f"{rng.choice(_TOPICS)}, tăng {rng.randint(2, 19)} điểm phần trăm so với "
                    f"cùng kỳ năm {rng.randint(2015, 2024)}."
                )
            elif kind == 2:
                sentences.append(
                    f"Phát biểu tại buổi làm việc thứ {rng.randint(2, 40)}, đồng chí {person}, "
                    f"{role} đề nghị {rng.choice(_SUBJECTS).lower()} tiếp tục "
                    f"{rng.choice(_ACTIONS)} {rng.choice(_TOPICS)} trong quý {rng.randint(1, 4)}."
                )
            elif kind == 3:
                sentences.append(
                    f"Trong {rng.randint(2, 11)} tháng, toàn Đảng bộ {rng.choice(_PLACES)} đã "
                    f"kết nạp {rng.randint(5, 160)} đảng viên mới, hoàn thành "
                    f"{rng.randint(60, 140)}% kế hoạch, trong đó {rng.randint(1, 40)} đảng viên "
                    f"là đoàn viên ưu tú."
                )
            else:
                sentences.append(
                    f"Kinh phí {rng.randint(120, 9800)} triệu đồng được bố trí cho "
                    f"{rng.randint(3, 45)} công trình về {rng.choice(_TOPICS)} ở "
                    f"{rng.choice(_PLACES)}, dự kiến hoàn thành trước ngày "
                    f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/{rng.randint(2025, 2027)}."
                )
        if number == 0:
            sentences.insert(0, f"Ngày {published.day}/{published.month}, {subject} {action} "
                                f"{topic} tại {place}.")  # fmt: skip
        paragraphs.append(" ".join(sentences))
    author = rng.choice(_PEOPLE)[0]
    return title, tuple(paragraphs), published, author


def dateline(published: datetime) -> str:
    """NukeViet's dateline: "Thứ sáu - 08/07/2022 04:06"."""
    return f"{_WEEKDAYS[published.weekday()]} - {published:%d/%m/%Y %H:%M}"


def article_html(
    style: str,
    site_name: str,
    title: str,
    paragraphs: Sequence[str],
    published: datetime,
    author: str,
    *,
    body_extra: str = "",
    head_extra: str = "",
    charset_meta: str | None = "utf-8",
) -> str:
    """An article page in one of the CMS styles: "nukeviet", "wordpress", "aspnet"."""
    text = "".join(f"<p>{escape(p)}</p>\n" for p in paragraphs)
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    name = escape(site_name)
    if style == "wordpress":
        iso = published.isoformat()
        return (
            f'<!doctype html><html lang="vi"><head>{meta}<title>{escape(title)} &#8211; {name}'
            f'</title><meta property="article:published_time" content="{iso}">{head_extra}'
            f'</head><body class="single single-post"><header id="masthead"><p class="site-title">'
            f'<a href="/">{name}</a></p><nav class="main-navigation"><ul class="menu">'
            f'<li><a href="/">Trang chủ</a></li><li><a href="/gioi-thieu/">Giới thiệu</a></li>'
            f'</ul></nav></header><main id="primary"><article class="post type-post">'
            f'<header class="entry-header"><h1 class="entry-title">{escape(title)}</h1>'
            f'<div class="entry-meta"><time class="entry-date published" datetime="{iso}">'
            f'{published:%d/%m/%Y}</time> bởi <span class="author vcard">{escape(author)}'
            f'</span></div></header><div class="entry-content">{text}{body_extra}</div>'
            f'</article></main><footer id="colophon"><div class="site-info">Trang thông tin điện '
            f"tử {name} - Giấy phép số 08/GP-TTĐT</div></footer></body></html>"
        )
    if style == "aspnet":
        return (
            f"<!DOCTYPE html><html><head>{meta}<title>{escape(title)}</title>{head_extra}</head>"
            f'<body><form method="post" action="./ViewDetail.aspx" id="form1">'
            f'<div id="header"><a href="/">{name}</a></div><div id="menu"><ul>'
            f'<li><a href="/">Trang chủ</a></li></ul></div><div id="content">'
            f'<div class="ArticleDetail"><h1 class="Title">{escape(title)}</h1>'
            f'<div class="PostDate">Cập nhật lúc {published:%H:%M, %d/%m/%Y}</div>'
            f'<div class="ArticleContent">{text}{body_extra}'
            f'<p class="Author" style="text-align:right"><strong>{escape(author)}</strong></p>'
            f'</div></div></div><div id="footer">Bản quyền thuộc {name}</div></form>'
            f"</body></html>"
        )
    return (
        f'<!DOCTYPE html><html lang="vi"><head>{meta}<title>{escape(title)} - {name}</title>'
        f'{head_extra}</head><body><div id="header"><div class="logo"><a href="/">{name}</a></div>'
        f'<div id="menu-site-default" class="nav"><ul><li><a href="/">Trang nhất</a></li>'
        f'<li><a href="/tin-tuc/">Tin tức</a></li></ul></div></div><div id="body">'
        f'<div class="news_column"><div class="detail"><h1>{escape(title)}</h1>'
        f'<span class="time">{dateline(published)}</span>'
        f'<div id="news-bodyhtml" class="bodytext">{text}{body_extra}</div>'
        f'<p class="author"><strong>Tác giả: {escape(author)}</strong></p></div></div></div>'
        f'<div id="footer">© {name}. Ghi rõ nguồn khi phát hành lại thông tin từ website này.'
        f"</div></body></html>"
    )


def listing_html(site_name: str, links: Sequence[tuple[str, str, str]], extra: str = "") -> str:
    """A home/listing page: (href, title, date dd/mm/yyyy) teasers, plus raw extra HTML."""
    items = "".join(
        f'<li class="teaser"><a href="{escape(href)}">{escape(title)}</a> '
        f'<span class="date">({date})</span></li>\n'
        for href, title, date in links
    )
    name = escape(site_name)
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{name}</title>'
        f'</head><body><div id="header"><a href="/">{name}</a></div><div id="main">'
        f'<h2>Tin mới</h2><ul class="news-list">{items}</ul>{extra}</div>'
        f'<div id="footer">© {name}</div></body></html>'
    )


def article_path(style: str, number: int, title: str, published: datetime) -> str:
    """Where an article of this style lives: /tin-tuc/.../slug-N.html, /YYYY/MM/DD/slug/, ..."""
    slug = "-".join(_ascii_words(title)[:8]) or f"bai-{number}"
    if style == "wordpress":
        return f"/{published:%Y/%m/%d}/{slug}-{number}/"
    if style == "aspnet":
        return f"/Article/ViewDetail.aspx?mid=12&aid={1000 + number}"
    return f"/tin-tuc/thoi-su/{slug}-{number}.html"


def _ascii_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return [w for w in "".join(c if c.isalnum() else " " for c in plain).split() if w]


def news_site(
    host: str,
    name: str,
    *,
    style: str = "nukeviet",
    articles: int = 4,
    extra_links: Sequence[tuple[str, str]] = (),
    routes: Mapping[str, Route] | None = None,
    robots: str = "User-agent: *\nDisallow: /admin/\n",
    server: str = "Apache/2.4.41 (Ubuntu)",
) -> FakeSite:
    """A small news site: a home page listing `articles` articles and the extra links.

    Articles are numbered from 0; make one fail with `site.fail(n, ...)`. `routes` adds or
    overrides paths.
    """
    site = FakeSite(host, server=server)
    links = []
    for number in range(articles):
        title, paragraphs, published, author = compose_article(f"{host}/{number}")
        path = article_path(style, number, title, published)
        url = f"http://{host}{path}"
        site.articles.append(FakeArticle(url, title, paragraphs, published.isoformat(), author))
        html = article_html(style, name, title, paragraphs, published, author)
        site.html.append(html)
        site.routes[normal_target(path)] = page(html)
        links.append((path, title, f"{published:%d/%m/%Y}"))
    extra = "".join(f'<p><a href="{escape(h)}">{escape(t)}</a></p>' for h, t in extra_links)
    site.routes["/"] = page(listing_html(name, links, extra))
    site.routes["/robots.txt"] = Reply(200, robots.encode(), "text/plain")
    site.routes.update(routes or {})
    return site


# --- pages as the pipelines hand them to the store ---------------------------------------------

#: When storage_pages were fetched.
STORED_AT = datetime(2026, 11, 23, 3, 0, tzinfo=VN_TZ)


def storage_pages(total: int, fetched_at: datetime = STORED_AT) -> list[Page]:
    """`total` extracted, dated and fingerprinted article pages of one made-up site."""
    pages = []
    for number in range(total):
        title, paragraphs, published, author = compose_article(f"store/{number}")
        text = "\n\n".join(paragraphs)
        sig = signature(text)
        url = f"http://huyenuy-mau.vn/tin-tuc/bai-{number}.html"
        pages.append(
            Page(
                site_id="huyenuymau", url=url, urls=[url, url + "?utm_source=fb"], status=200,
                body=article_html("nukeviet", "Huyện ủy Mẫu", title, paragraphs, published,
                                  author).encode(),
                headers={"content-type": "text/html; charset=utf-8"}, fetched_at=fetched_at,
                depth=1, is_article=True, kind_reason="article", title=title, author=author,
                text=text, published=published.isoformat(), published_source="dateline",
                published_precision="minute", canonical_url=url,
                content_hash=content_hash(title, text), signature=sig, band_keys=band_keys(sig),
                date_evidence=[{"signal": "dateline", "raw": "x", "parsed": published.isoformat(),
                                "accepted": 1, "reason": "test"}],
            )
        )  # fmt: skip
    return pages
