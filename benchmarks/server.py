"""A fast static server for the benchmark corpus: asyncio, HTTP/1.1 keep-alive, proxy form.

`CorpusServer(root)` memory-maps the `<host>.bin` files that benchmarks/corpus.py wrote and
answers on 127.0.0.1, both to clients that use it as an HTTP proxy (absolute URI in the request
line, as Scrapy sends it when `http_proxy` is set) and to clients that name the site in the Host
header. Each host answers with its CMS's `Server` header, IIS hosts match paths without regard to
case, every response carries an ETag and a Last-Modified date and `If-None-Match` is answered
304. The server counts what it sent (`stats()`), so the benchmark can time a crawl from its first
request and tell how many pages a crawl had fetched when it sampled its memory.

crawler.demo.SampleServer opens a thread and a connection per request (HTTP/1.0), which caps
it well below what Scrapy can fetch; this one keeps connections open and runs in one thread.

    with CorpusServer("/tmp/corpus") as server:
        env = {**os.environ, "http_proxy": server.url}
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import mmap
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

_LAST_MODIFIED = "Fri, 30 Oct 2026 02:30:00 GMT"
_NOT_FOUND = (
    '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"/><title>Không tìm thấy trang'
    "</title></head><body><h1>404 - Không tìm thấy trang</h1>"
    '<p>Trang bạn yêu cầu không tồn tại. <a href="/">Về trang chủ</a></p></body></html>'
).encode()


@dataclass(frozen=True, slots=True)
class ServerStats:
    """What the server has sent since the last reset."""

    #: responses sent, of any status
    responses: int
    #: responses with status 200 and an HTML body
    html_pages: int
    #: responses with status 404 (a link of the corpus to nowhere, or a guessed URL)
    not_found: int
    #: bytes of response bodies sent
    body_bytes: int
    #: time.monotonic() of the first and the last request since the reset (None before any)
    first_at: float | None
    last_at: float | None


@dataclass(frozen=True, slots=True)
class _Host:
    data: mmap.mmap
    server: str
    iis: bool
    index: dict[str, tuple[int, int, str]]


class CorpusServer:
    """Serves a corpus directory on 127.0.0.1 (port 0 = a free port), bound in the constructor.

    Use as a context manager: entering starts the event loop thread, leaving stops it and
    unmaps the files.
    """

    def __init__(self, root: str | Path, *, host: str = "127.0.0.1", port: int = 0) -> None:
        root = Path(root)
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        self._files = []
        self.hosts: dict[str, _Host] = {}
        for name, entry in manifest["hosts"].items():
            fh = (root / entry["file"]).open("rb")
            self._files.append(fh)
            data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            iis = bool(entry["iis"])
            # IIS answers a path in any case: look it up lower-cased.
            index = {
                path.lower() if iis else path: (int(o), int(n), str(t))
                for path, (o, n, t) in entry["index"].items()
            }
            self.hosts[name] = _Host(data, entry["server"], iis, index)
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._serve, host, port, backlog=512)
        )
        self._bind_host = host
        self._thread: threading.Thread | None = None
        self.reset()

    @property
    def port(self) -> int:
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        """http://127.0.0.1:PORT, the value for http_proxy."""
        return f"http://{self._bind_host}:{self.port}"

    def reset(self) -> None:
        """Start counting afresh (before each measured run)."""
        with self._lock:
            self._responses = self._html = self._bytes = self._404 = 0
            self._first: float | None = None
            self._last: float | None = None

    def stats(self) -> ServerStats:
        with self._lock:
            return ServerStats(
                self._responses, self._html, self._404, self._bytes, self._first, self._last
            )

    def start(self) -> CorpusServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._loop.run_forever, name=f"CorpusServer:{self.port}", daemon=True
            )
            self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is not None:

            async def stop() -> None:
                self._server.close()
                await self._server.wait_closed()

            with contextlib.suppress(TimeoutError, RuntimeError):
                asyncio.run_coroutine_threadsafe(stop(), self._loop).result(timeout=5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._thread = None
        self._loop.close()
        for host in self.hosts.values():
            host.data.close()
        for fh in self._files:
            fh.close()

    def __enter__(self) -> CorpusServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- serving -----------------------------------------------------------------------------

    def respond(
        self, method: str, target: str, host_header: str, etags: str
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Status, headers and body for one request (the body is dropped for HEAD)."""
        if target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            host = parts.hostname or ""
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        else:
            host = urlsplit("//" + host_header).hostname or ""
            path = target or "/"
        site = self.hosts.get(host.lower().rstrip("."))
        if site is None:
            return 404, [("Content-Type", "text/plain")], b"unknown host\n"
        key = unquote(path)
        if site.iis:
            key = key.lower()
        found = site.index.get(key)
        headers = [("Server", site.server)]
        if found is None:
            headers.append(("Content-Type", "text/html; charset=utf-8"))
            return 404, headers, _NOT_FOUND
        offset, length, ctype = found
        body = site.data[offset : offset + length]
        etag = '"' + hashlib.blake2b(key.encode(), digest_size=8).hexdigest() + '"'
        headers += [("ETag", etag), ("Last-Modified", _LAST_MODIFIED)]
        if etags and etag in etags:
            return 304, headers, b""
        headers.append(("Content-Type", ctype))
        if site.iis:
            headers.append(("X-Powered-By", "ASP.NET"))
        return 200, headers, body

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                try:
                    method, target, version = lines[0].split(" ", 2)
                except ValueError:
                    return
                fields = {}
                for line in lines[1:]:
                    name, sep, value = line.partition(":")
                    if sep:
                        fields[name.strip().lower()] = value.strip()
                length = int(fields.get("content-length") or 0)
                if length:
                    await reader.readexactly(length)
                now = time.monotonic()
                status, headers, body = self.respond(
                    method, target, fields.get("host", ""), fields.get("if-none-match", "")
                )
                with self._lock:
                    self._responses += 1
                    self._bytes += len(body)
                    if status == 200 and "html" in dict(headers).get("Content-Type", ""):
                        self._html += 1
                    elif status == 404:
                        self._404 += 1
                    if self._first is None:
                        self._first = now
                    self._last = now
                keep = version == "HTTP/1.1" and fields.get("connection", "").lower() != "close"
                head_lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}"]
                head_lines += [f"{k}: {v}" for k, v in headers]
                head_lines.append(f"Content-Length: {len(body)}")
                head_lines.append("Connection: keep-alive" if keep else "Connection: close")
                writer.write(("\r\n".join(head_lines) + "\r\n\r\n").encode("latin-1"))
                if method != "HEAD" and body:
                    writer.write(body)
                await writer.drain()
                if not keep:
                    return
        except (ConnectionError, OSError):
            return
        finally:
            writer.close()


_REASONS = {200: "OK", 304: "Not Modified", 404: "Not Found"}
