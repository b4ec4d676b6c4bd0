"""Serves the bundled sample sites (data/sample_sites/) on 127.0.0.1 for the offline demo.

`SampleServer` plays back the static pages listed in `routes.json`, both to clients that use it
as an HTTP proxy (absolute URI in the request line, as a crawler sends it when `http_proxy` is
set) and to clients that name the site in the Host header. Per site it honours the `Server`
header of the CMS it imitates, case-insensitive paths (IIS), ASP.NET `(S(...))` session
segments, redirects, ignored query parameters, and an endless dynamic calendar. Every response
carries an ETag and a Last-Modified header and conditional requests are answered 304. Each
request is recorded in memory and, optionally, in a JSON-lines file.

    with SampleServer() as server:
        subprocess.run([...], env={**os.environ, **proxy_env(server)})
        server.requests  # [RequestRecord(method, host, path, status, form), ...]

`python -m crawler.demo serve --port 8899` runs it by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

#: where the sample sites live in a checkout
DEFAULT_ROOT = Path(__file__).resolve().parent.parent / "data" / "sample_sites"

# An ASP.NET cookieless session segment: /(S(k3v1x0yq2m4nzsb5ht0rjw55))/Default.aspx
_SESSION_RE = re.compile(r"/\(S\([A-Za-z0-9]+\)\)(?=/|$)", re.IGNORECASE)

_DEFAULT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


class SampleSiteError(Exception):
    """The sample sites cannot be loaded: routes.json missing or malformed, a file missing."""


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the server answered."""

    #: HTTP method, upper case
    method: str
    #: the site host the request named (URI or Host header), lower case, without port
    host: str
    #: path and query exactly as requested ("/Article/ViewList.aspx?mid=1&pagenumber=2")
    path: str
    #: status code sent
    status: int
    #: "proxy" for an absolute URI in the request line, "host" for the Host-header form
    form: str


@dataclass(frozen=True, slots=True)
class Response:
    """What the server sends for one request (the body is dropped for HEAD)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    #: the Server header of the site (or of the sample server for unknown hosts)
    server: str


@dataclass(frozen=True, slots=True)
class _Resource:
    body: bytes
    content_type: str
    etag: str
    last_modified: datetime


@dataclass(frozen=True, slots=True)
class _Calendar:
    path: str  # normalised like every resource key
    param: str
    start: date
    template: str
    weekdays: tuple[str, ...]
    items: tuple[tuple[str, str, str], ...]
    per_day: int
    weekend: str


@dataclass(frozen=True, slots=True)
class SiteRoutes:
    """How one sample host answers: its resources and its server's habits."""

    host: str
    site_id: str
    server: str
    headers: tuple[tuple[str, str], ...]
    case_insensitive: bool
    slash_redirect: bool
    ignored_params: frozenset[str]
    session_segment: str | None
    session_redirect_from: str | None
    session_target: str | None
    not_found: bytes
    redirects: Mapping[str, tuple[int, str]]
    resources: Mapping[str, _Resource]
    calendar: _Calendar | None

    def key(self, path: str, query: str) -> str:
        """The lookup key of a request path and query on this host."""
        return resource_key(
            path, query, case_insensitive=self.case_insensitive, ignored=self.ignored_params
        )


def resource_key(
    path: str, query: str, *, case_insensitive: bool = False, ignored: frozenset[str] = frozenset()
) -> str:
    """Normalise a request path and query for lookup: percent-decoded path, sorted parameters.

    On case-insensitive (IIS) hosts the path and the parameter names are lower-cased, as
    ASP.NET treats them. Parameters named in `ignored` are dropped (Liferay's `redirect`).
    """
    path = unquote(path or "/")
    params = parse_qsl(query, keep_blank_values=True)
    if case_insensitive:
        path = path.lower()
        folded = {name.lower() for name in ignored}
        params = [(k.lower(), v) for k, v in params if k.lower() not in folded]
    else:
        params = [(k, v) for k, v in params if k not in ignored]
    params.sort()
    return path + ("?" + urlencode(params) if params else "")


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:20] + '"'


def _parse_time(value: str, where: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise SampleSiteError(f"{where}: bad time {value!r}") from exc
    if parsed.tzinfo is None:
        raise SampleSiteError(f"{where}: time {value!r} has no UTC offset")
    return parsed


def _read(root: Path, name: str, where: str) -> bytes:
    path = root / name
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SampleSiteError(f"{where}: cannot read {path}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class SampleSites:
    """Every sample host of a root directory, loaded into memory (well under 1 MB)."""

    root: Path
    hosts: Mapping[str, SiteRoutes]
    #: the day the demo pretends it is (the calendar's first page)
    today: date
    #: Last-Modified of resources that state none (and of calendar pages)
    default_last_modified: datetime

    @classmethod
    def load(cls, root: str | Path = DEFAULT_ROOT) -> SampleSites:
        """Read root/routes.json and every file it names; raises SampleSiteError."""
        root = Path(root)
        try:
            spec = json.loads((root / "routes.json").read_text(encoding="utf-8"))
            default_lm = _parse_time(spec["default_last_modified"], "routes.json")
            hosts = {
                name.lower(): _load_host(root / name, name.lower(), cfg, default_lm)
                for name, cfg in spec["hosts"].items()
            }
            today = date.fromisoformat(spec["today"])
        except OSError as exc:
            raise SampleSiteError(f"cannot read {root / 'routes.json'}: {exc}") from exc
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise SampleSiteError(f"{root / 'routes.json'} is malformed: {exc!r}") from exc
        return cls(root=root, hosts=hosts, today=today, default_last_modified=default_lm)

    def respond(
        self,
        method: str,
        host: str,
        target: str,
        headers: Mapping[str, str],
        now: datetime,
    ) -> Response:
        """Answer one request. `target` is the path and query; `headers` have lower-case names.

        `now` (aware) caps Last-Modified, so no resource claims to be newer than the response.
        """
        site = self.hosts.get(host)
        if site is None:
            return _plain(404, f"unknown host {host!r}\n")
        if method not in ("GET", "HEAD"):
            return _site_response(site, 405, b"", "text/plain", extra=(("Allow", "GET, HEAD"),))
        path, _, query = target.partition("?")
        path = path or "/"
        if site.session_segment:
            stripped = _SESSION_RE.sub("", path) or "/"
            if stripped == path and path == site.session_redirect_from:
                location = f"/{site.session_segment}{site.session_target}"
                return _redirect(site, 302, location)
            path = stripped
        key = site.key(path, query)
        redirect = site.redirects.get(key)
        if redirect is not None:
            return _redirect(site, *redirect)
        calendar = site.calendar
        if calendar is not None and site.key(path, "") == calendar.path:
            return self._calendar(site, calendar, query, headers, now)
        resource = site.resources.get(key)
        if resource is not None:
            return _serve(site, resource, headers, now)
        if site.slash_redirect and not path.endswith("/"):
            slashed = site.key(path + "/", query)
            if slashed in site.resources:
                return _redirect(site, 301, path + "/" + (f"?{query}" if query else ""))
        return _site_response(site, 404, site.not_found, _DEFAULT_TYPES[".html"])

    def _calendar(
        self,
        site: SiteRoutes,
        calendar: _Calendar,
        query: str,
        headers: Mapping[str, str],
        now: datetime,
    ) -> Response:
        values = [v for k, v in parse_qsl(query) if k == calendar.param]
        try:
            day = date.fromisoformat(values[-1]) if values else calendar.start
        except ValueError:
            return _site_response(site, 404, site.not_found, _DEFAULT_TYPES[".html"])
        body = render_calendar(calendar, day).encode("utf-8")
        resource = _Resource(
            body=body,
            content_type=_DEFAULT_TYPES[".html"],
            etag=_etag(body),
            last_modified=self.default_last_modified,
        )
        return _serve(site, resource, headers, now)


def render_calendar(calendar: _Calendar, day: date) -> str:
    """One page of the endless work calendar: the day's items and links to the days around it."""
    if day.weekday() < 5:
        first = day.toordinal() % len(calendar.items)
        chosen = sorted(
            calendar.items[(first + i * 2) % len(calendar.items)] for i in range(calendar.per_day)
        )
        rows = "\n".join(
            "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in item) + "</tr>"
            for item in chosen
        )
    else:
        rows = f'<tr><td colspan="3">{html.escape(calendar.weekend)}</td></tr>'
    links = {}
    for name, delta in (("prev_url", -1), ("next_url", 1)):
        try:
            other = day + timedelta(days=delta)
        except OverflowError:
            other = day
        links[name] = f"{calendar.path}?{calendar.param}={other.isoformat()}"
    return (
        calendar.template.replace("{{weekday}}", html.escape(calendar.weekdays[day.weekday()]))
        .replace("{{date}}", day.strftime("%d/%m/%Y"))
        .replace("{{iso}}", day.isoformat())
        .replace("{{items}}", rows)
        .replace("{{prev_url}}", html.escape(links["prev_url"]))
        .replace("{{next_url}}", html.escape(links["next_url"]))
    )


def _load_host(folder: Path, host: str, cfg: dict[str, Any], default_lm: datetime) -> SiteRoutes:
    case_insensitive = bool(cfg.get("case_insensitive", False))
    ignored = frozenset(cfg.get("ignored_params", []))

    def key(url: str) -> str:
        path, _, query = url.partition("?")
        return resource_key(path, query, case_insensitive=case_insensitive, ignored=ignored)

    resources: dict[str, _Resource] = {}
    for url, entry in cfg["resources"].items():
        where = f"{host}{url}"
        body = _read(folder, entry["file"], where)
        suffix = Path(entry["file"]).suffix
        lm = entry.get("last_modified")
        resources[key(url)] = _Resource(
            body=body,
            content_type=entry.get("type") or _DEFAULT_TYPES.get(suffix, "text/plain"),
            etag=_etag(body),
            last_modified=_parse_time(lm, where) if lm else default_lm,
        )
    redirects = {
        key(url): (int(entry["status"]), str(entry["location"]))
        for url, entry in cfg.get("redirects", {}).items()
    }
    session = cfg.get("session")
    calendar = None
    if cal := cfg.get("calendar"):
        calendar = _Calendar(
            path=key(cal["path"]),
            param=cal["param"],
            start=date.fromisoformat(cal["start"]),
            template=_read(folder, cal["template"], f"{host} calendar").decode("utf-8"),
            weekdays=tuple(cal["weekdays"]),
            items=tuple((a, b, c) for a, b, c in cal["items"]),
            per_day=int(cal["per_day"]),
            weekend=cal["weekend"],
        )
    return SiteRoutes(
        host=host,
        site_id=cfg["site_id"],
        server=cfg["server"],
        headers=tuple(cfg.get("headers", {}).items()),
        case_insensitive=case_insensitive,
        slash_redirect=bool(cfg.get("slash_redirect", False)),
        ignored_params=ignored,
        session_segment=session["segment"] if session else None,
        session_redirect_from=session["redirect_from"] if session else None,
        session_target=session["target"] if session else None,
        not_found=_read(folder, cfg["not_found"], f"{host} 404 page"),
        redirects=redirects,
        resources=resources,
        calendar=calendar,
    )


def _plain(status: int, text: str) -> Response:
    body = text.encode("utf-8")
    headers = (("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))))
    return Response(status, headers, body, "SampleServer")


def _site_response(
    site: SiteRoutes,
    status: int,
    body: bytes,
    content_type: str,
    extra: Sequence[tuple[str, str]] = (),
) -> Response:
    headers = (
        *site.headers,
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        *extra,
    )
    return Response(status, headers, body, site.server)


def _redirect(site: SiteRoutes, status: int, location: str) -> Response:
    body = f'<html><body>Moved to <a href="{html.escape(location)}">here</a>.</body></html>\n'
    return _site_response(
        site, status, body.encode("utf-8"), _DEFAULT_TYPES[".html"], extra=(("Location", location),)
    )


def _serve(
    site: SiteRoutes, resource: _Resource, headers: Mapping[str, str], now: datetime
) -> Response:
    last_modified = min(resource.last_modified, now).astimezone(UTC).replace(microsecond=0)
    validators = (
        ("ETag", resource.etag),
        ("Last-Modified", format_datetime(last_modified, usegmt=True)),
    )
    if _not_modified(headers, resource.etag, last_modified):
        return Response(304, (*site.headers, *validators), b"", site.server)
    return _site_response(site, 200, resource.body, resource.content_type, extra=validators)


def _not_modified(headers: Mapping[str, str], etag: str, last_modified: datetime) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or etag in tags
    since_text = headers.get("if-modified-since")
    if not since_text:
        return False
    try:
        since = parsedate_to_datetime(since_text)
    except (TypeError, ValueError):
        return False
    return since.tzinfo is not None and last_modified <= since


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    sample: SampleServer


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.0"
    _server_header = "SampleServer"

    def do_GET(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def version_string(self) -> str:
        return self._server_header

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: requests are recorded by SampleServer, not written to stderr."""

    def _answer(self) -> None:
        sample = self.server.sample
        target = self.path
        if target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            host = parts.hostname or ""
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            form = "proxy"
        else:
            host = urlsplit("//" + self.headers.get("Host", "")).hostname or ""
            form = "host"
        host = host.lower().rstrip(".")
        headers = {name.lower(): value for name, value in self.headers.items()}
        response = sample.sites.respond(self.command, host, target, headers, datetime.now(UTC))
        sample.record(RequestRecord(self.command, host, target, response.status, form))
        self._server_header = response.server
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD" and response.body:
            try:
                self.wfile.write(response.body)
            except (BrokenPipeError, ConnectionResetError):
                return  # the client hung up; nothing more to send


class SampleServer:
    """The sample sites on 127.0.0.1, bound in the constructor (port 0 = a free port).

    Use as a context manager: entering starts the serving thread, leaving stops it and closes
    the socket and the log. `requests` lists every answered request in order; with `log_path`
    each one is also appended to that file as a JSON line.
    """

    def __init__(
        self,
        root: str | Path = DEFAULT_ROOT,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_path: str | Path | None = None,
    ) -> None:
        self.sites = SampleSites.load(root)
        self._bind_host = host
        self.requests: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.sample = self
        self._log: IO[str] | None = None
        if log_path is not None:
            try:
                # held open for the server's lifetime and closed in close()
                self._log = Path(log_path).open("a", encoding="utf-8")  # noqa: SIM115
            except OSError:
                self._httpd.server_close()
                raise

    @property
    def port(self) -> int:
        """The bound TCP port."""
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """http://127.0.0.1:PORT, the value for http_proxy."""
        return f"http://{self._bind_host}:{self.port}"

    @property
    def hosts(self) -> list[str]:
        """The sample host names served."""
        return sorted(self.sites.hosts)

    def start(self) -> SampleServer:
        """Start answering requests in a background thread (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"SampleServer:{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, close the socket and the log file."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()
        with self._lock:
            if self._log is not None:
                self._log.close()
                self._log = None

    def record(self, entry: RequestRecord) -> None:
        """Append one request to the in-memory list and the JSON-lines log."""
        with self._lock:
            self.requests.append(entry)
            if self._log is not None:
                self._log.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
                self._log.flush()

    def __enter__(self) -> SampleServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def proxy_env(server: SampleServer) -> dict[str, str]:
    """Environment variables that send a subprocess's plain-http requests through `server`.

    Merge into a copy of os.environ: `{**os.environ, **proxy_env(server)}`. no_proxy is
    cleared so that no sample host is fetched directly.
    """
    return {"http_proxy": server.url, "HTTP_PROXY": server.url, "no_proxy": "", "NO_PROXY": ""}


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m crawler.demo serve [--port N] [--root DIR] [--log FILE]`."""
    parser = argparse.ArgumentParser(prog="python -m crawler.demo", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the sample sites until Ctrl-C")
    serve.add_argument("--port", type=int, default=8899, help="TCP port on 127.0.0.1 (0: any)")
    serve.add_argument("--root", default=str(DEFAULT_ROOT), help="sample sites directory")
    serve.add_argument("--log", default=None, help="append requests to this JSON-lines file")
    args = parser.parse_args(argv)
    with SampleServer(args.root, port=args.port, log_path=args.log) as server:
        print(f"Serving {len(server.hosts)} sample sites at {server.url} (Ctrl-C stops):")
        for host in server.hosts:
            print(f"  curl -x {server.url} http://{host}/")
        print(f"  or: export http_proxy={server.url}")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
