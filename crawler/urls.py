"""URL logic: canonical form, same-site checks, print aliases, assets and crawler traps.

Everything here is pure string work on absolute URLs; nothing is fetched. The one rule that
governs ``canonical_url``: it may only remove what never changes which resource a server
returns (fragments, tracking and session parameters, cookieless-session path segments, default
ports, letter case the server ignores, parameter order, print and back-link switches). Two
different articles must never share a canonical URL; aliases it cannot prove equal (a print page
on another path, a WordPress ``?p=`` shortlink) are left for redirects and content hashes.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

__all__ = [
    "UrlPolicy",
    "canonical_url",
    "is_asset",
    "is_print_variant",
    "is_same_site",
    "same_article_url",
    "site_key",
    "trap_reason",
]


@dataclass(frozen=True, slots=True)
class UrlPolicy:
    """What the crawl learned about one site's URLs, passed to canonical_url."""

    #: True on IIS (the spider reads the Server header): /TinTuc/X.aspx and /tintuc/x.aspx are
    #: one page, and ASP.NET query parameter names are case-insensitive too.
    case_insensitive: bool = False


_DEFAULT_PORTS = {"http": 80, "https": 443}

#: Query parameters that only track the visit or carry a session: dropped (compared in lower
#: case). "zarsrc" is Zalo's share tracker, common on Vietnamese sites.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "zarsrc",
        "sessionid",
        "session_id",
        "sessid",
        "phpsessid",
        "jsessionid",
        "aspsessionid",
        "cfid",
        "cftoken",
    }
)
_TRACKING_PREFIXES = ("utm_", "aspsessionid")

#: Liferay's "back to the listing" parameters (listing links add them to every article link):
#: `?inheritRedirect=true&redirect=%2Fweb%2F...`, and the namespaced `_<portlet>_redirect` /
#: `_<portlet>_backURL`. Dropped only on Liferay URLs (see _is_liferay), because elsewhere a
#: `redirect=` may well choose the page.
_LIFERAY_BACK_RE = re.compile(r"^(?:inheritredirect|redirect|backurl|_\w+_(?:redirect|backurl))$")
#: Liferay portlet state that only changes how a portlet is drawn (window state, column
#: position). p_p_id (which portlet) and every content parameter are kept.
_LIFERAY_RENDER_PARAMS = frozenset({"p_p_state", "p_p_col_id", "p_p_col_pos", "p_p_col_count"})
#: ... and these only at their default value: lifecycle 0 is a plain render (1 and 2 are
#: actions and resources), mode "view" is the reader's view (edit/help are other pages).
_LIFERAY_DEFAULTS = {"p_p_lifecycle": "0", "p_p_mode": "view"}

#: Switches that ask for the printable form of the same page: `?print=1`, `?viewMode=print`.
#: The printable form is the same article, so the switch is dropped from the canonical URL.
_PRINT_SWITCH_KEYS = frozenset({"print", "printable", "inbai", "in_bai", "printview"})
_PRINT_VALUE_KEYS = frozenset(
    {"viewmode", "view", "mode", "layout", "format", "type", "action", "task", "display", "op"}
)
_FALSE_VALUES = frozenset({"0", "false", "no", "off"})

#: `;jsessionid=...` (Java) and friends, as path parameters.
_PATH_SESSION_RE = re.compile(r";(?:jsessionid|phpsessid|sessionid|sid)=[^/?#;]*", re.IGNORECASE)
#: ASP.NET cookieless session segments: `/(S(c88e4be4359da81a48bf2196))/`,
#: `/(X(1)S(abc...))/`, `/(A(...)S(...)F(...))/`.
_ASPNET_SESSION_RE = re.compile(r"/\((?:[A-Za-z]\([^()/]*\))+\)(?=/|$)")
#: Percent escapes of unreserved characters (RFC 3986 2.3) are decoded; others keep upper case.
_ESCAPE_RE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
#: Characters left as they are when non-ASCII text is percent-encoded (UTF-8, as browsers do).
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = "/:@!$'()*+,;?-._~%="


def _normalise_escapes(part: str, safe: str) -> str:
    """Upper-case hex escapes, decode escaped unreserved characters, encode non-ASCII as UTF-8."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    part = _ESCAPE_RE.sub(fix, part)
    if not part.isascii() or " " in part:
        part = quote(part, safe=safe)
    return part


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4: /a/./b/../c -> /a/c (no request ever reaches a dot segment)."""
    if "/." not in path:
        return path
    output: list[str] = []
    segments = path.split("/")
    for i, segment in enumerate(segments):
        if segment == ".":
            if i == len(segments) - 1:
                output.append("")
            continue
        if segment == "..":
            if len(output) > 1:
                output.pop()
            if i == len(segments) - 1:
                output.append("")
            continue
        output.append(segment)
    return "/".join(output) or "/"


def _split_query(query: str) -> list[tuple[str, str | None]]:
    """Raw (name, value) pairs, escapes untouched; value None for a bare `?flag`."""
    pairs: list[tuple[str, str | None]] = []
    for chunk in query.split("&"):
        if not chunk:
            continue
        name, sep, value = chunk.partition("=")
        pairs.append((name, value if sep else None))
    return pairs


def _key(name: str) -> str:
    return unquote(name).lower()


def _is_liferay(path: str, keys: Collection[str]) -> bool:
    # Friendly URLs carry "/-/" (`/web/g/cat/-/asset_publisher/x/content/slug`); portlet URLs
    # carry p_p_id; listing links carry inheritRedirect.
    return "/-/" in path or "p_p_id" in keys or "inheritredirect" in keys


def _is_print_switch(key: str, value: str | None) -> bool:
    low = unquote(value or "").lower()
    if key in _PRINT_SWITCH_KEYS:
        return low not in _FALSE_VALUES
    return key in _PRINT_VALUE_KEYS and low in ("print", "printer", "printable")


def _dropped(key: str, value: str | None, liferay: bool) -> bool:
    """True for a query parameter that never changes the resource (see the module docstring)."""
    if key in _TRACKING_PARAMS or key.startswith(_TRACKING_PREFIXES):
        return True
    if _is_print_switch(key, value):
        return True
    if liferay:
        if _LIFERAY_BACK_RE.match(key) or key in _LIFERAY_RENDER_PARAMS:
            return True
        default = _LIFERAY_DEFAULTS.get(key)
        if default is not None and unquote(value or "").lower() == default:
            return True
    return False


def canonical_url(url: str, policy: UrlPolicy = UrlPolicy()) -> str:
    """The canonical form of an absolute http(s) URL, safe to use as the article's identity.

    Lower-cases scheme and host, drops a default port, the fragment (except `#!` routes),
    tracking and session parameters, `;jsessionid=` path parameters, ASP.NET `(S(...))`
    segments, print switches (`?print=1`, `?viewMode=print`) and, on Liferay URLs, the
    listing back-link and portlet-window parameters; sorts the remaining parameters by name
    (the values of a repeated name keep their order); normalises percent escapes and dot
    segments; lower-cases the path (and parameter names) when policy.case_insensitive.
    Keeps scheme and www as given, every content parameter (`?p=123`, `aid=`, `id=`, `ItemID=`),
    and the trailing slash (an empty path becomes "/"). Input that is not an absolute http(s)
    URL (mailto:, javascript:, a relative path) comes back stripped of spaces, otherwise as is.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return url
    host = parts.hostname.rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@{netloc}"

    path = _PATH_SESSION_RE.sub("", parts.path)
    path = _ASPNET_SESSION_RE.sub("", path) or "/"
    path = _remove_dot_segments(_normalise_escapes(path, _PATH_SAFE))
    if not path.startswith("/"):
        path = "/" + path
    if policy.case_insensitive:
        path = path.lower()

    pairs = _split_query(parts.query)
    keys = {_key(name) for name, _ in pairs}
    liferay = _is_liferay(path, keys)
    kept: list[tuple[str, str | None]] = []
    for name, value in pairs:
        if _dropped(_key(name), value, liferay):
            continue
        name = _normalise_escapes(name, _QUERY_SAFE)
        if policy.case_insensitive:
            name = name.lower()
        kept.append((name, None if value is None else _normalise_escapes(value, _QUERY_SAFE)))
    kept.sort(key=lambda pair: pair[0])
    query = "&".join(name if value is None else f"{name}={value}" for name, value in kept)

    fragment = parts.fragment if parts.fragment.startswith("!") else ""
    return urlunsplit((scheme, netloc, path, query, fragment))


def site_key(url: str) -> str:
    """The site a URL belongs to: host in lower case without "www." and port.

    http and https, www and bare host are one site: "HTTPS://WWW.Example.vn:8080/x" ->
    "example.vn". A bare host name ("www.example.vn") is accepted too. "" when there is no host.
    """
    text = url.strip()
    if "//" not in text:
        text = "//" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return ""
    host = host.rstrip(".").lower()
    return host[4:] if host.startswith("www.") else host


def is_same_site(url: str, site_hosts: Collection[str]) -> bool:
    """True when url is on one of site_hosts (host names or URLs), ignoring scheme, www, port.

    Sub-domains are other sites: a provincial portal's district sites are separate committees.
    """
    key = site_key(url)
    return bool(key) and any(site_key(host) == key for host in site_hosts)


# --- print pages -------------------------------------------------------------------------------

#: Path segments that mark a printable copy: `/tin-tuc/print/slug-740.html` (NukeViet),
#: `/print/123` (Drupal), `/slug/print/` (WordPress plugins), "in bài" = print the article.
_PRINT_SEGMENTS = frozenset(
    {"print", "printer", "printable", "print-version", "print-preview", "in-bai", "inbai", "ban-in"}
)
#: File names of print pages: PrintArticle.aspx, print.php, InBai.aspx, ArticlePrint.aspx,
#: print_news.asp, PrintPreview.aspx.
_PRINT_FILE_RE = re.compile(
    r"^(?:print|in[-_]?bai)(?:[-_]?(?:article|news|preview|view|page|bai|tin|friendly))?$"
    r"|^(?:article|news|page|tin)[-_]?print$",
    re.IGNORECASE,
)


def is_print_variant(url: str) -> bool:
    """True when url asks for the printable form of a page ("in bài" = print the article).

    Query switches (`?print=1`, `?viewMode=print`, `&view=print`, NukeViet `op=print/...`),
    print path segments (`/print/`, `/in-bai/`) and print file names (`PrintArticle.aspx`).
    Words that merely contain "print" (`/blueprint-...`, `/fingerprint/`) are not.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    for name, value in _split_query(parts.query):
        key = _key(name)
        if _is_print_switch(key, value):
            return True
        if key in _PRINT_VALUE_KEYS and unquote(value or "").lower().startswith("print/"):
            return True
    for segment in unquote(parts.path).lower().split("/"):
        if segment in _PRINT_SEGMENTS:
            return True
        stem = segment.rsplit(".", 1)[0] if "." in segment else ""
        if stem and _PRINT_FILE_RE.match(stem):
            return True
    return False


# --- assets ------------------------------------------------------------------------------------

_ASSET_EXTENSIONS = frozenset(
    {
        # images
        "jpg", "jpeg", "jpe", "png", "gif", "bmp", "webp", "svg", "ico", "tif", "tiff", "heic",
        # documents (the site's "Văn bản" section links its decrees as files)
        "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "pps", "ppsx", "odt", "ods", "odp",
        "rtf", "txt", "csv",
        # archives and programs
        "zip", "rar", "7z", "gz", "tgz", "bz2", "xz", "tar", "exe", "msi", "apk", "dmg", "iso",
        # audio and video
        "mp3", "m4a", "wav", "ogg", "oga", "wma", "aac", "flac", "mp4", "m4v", "avi", "mov",
        "wmv", "flv", "mkv", "webm", "mpg", "mpeg", "3gp", "swf",
        # page resources
        "css", "js", "mjs", "map", "woff", "woff2", "ttf", "otf", "eot",
    }
)  # fmt: skip
#: Download and file handlers without an extension: Liferay document library
#: (`/documents/20182/0/file.pdf/uuid`, `/c/document_library/get_file?`, `/image/journal/`),
#: SharePoint libraries and layouts, WordPress uploads, ASP.NET download handlers.
_ASSET_PATH_RE = re.compile(
    r"^/documents/\d+/|/c/document_library/|^/image/|/_layouts/|/publishingimages/"
    r"|/style%20library/|/wp-content/uploads/|/(?:download|getfile|get_file|filedownload)"
    r"(?:\.aspx|\.ashx|\.php)?(?:$|/)",
    re.IGNORECASE,
)


def is_asset(url: str) -> bool:
    """True when url names a file rather than a page: image, document, archive, media, css/js."""
    try:
        path = urlsplit(url.strip()).path
    except ValueError:
        return False
    last = unquote(path.rstrip("/").rsplit("/", 1)[-1]).lower()
    if "." in last and last.rsplit(".", 1)[1] in _ASSET_EXTENSIONS:
        return True
    return bool(_ASSET_PATH_RE.search(path))


# --- traps -------------------------------------------------------------------------------------

#: Words of calendar and schedule pages: "lịch công tác" = work schedule, "lịch làm việc" =
#: working calendar, "lịch tuần" = weekly schedule.
_CALENDAR_RE = re.compile(
    r"calendar|lich[-_]?cong[-_]?tac|lich[-_]?lam[-_]?viec|lich[-_]?tuan|lichct|schedule|agenda"
    r"|(?:^|[/_-])events?(?:$|[/_.-])",
    re.IGNORECASE,
)
#: Date components in parameter names, with an optional portlet namespace (`_8_month`):
#: day/month/year/date/week and Vietnamese ngay/thang/nam/tuan ("ngày/tháng/năm/tuần").
_DATE_PARAM_RE = re.compile(
    r"^(?:_\w+_)?(?:day|month|year|date|week|ngay|thang|nam|tuan|d|m|y)$", re.IGNORECASE
)
_DATE_VALUE_RE = re.compile(r"^\d{1,4}(?:[-/.]\d{1,2}(?:[-/.]\d{1,4})?)?$")
_DATE_PATH_RE = re.compile(r"/(?:19|20)\d\d(?:[-/]\d{1,2}){1,2}(?:/|$)")
#: Search result pages: `/tim-kiem` ("tìm kiếm" = search), `/search`, `Search.aspx`.
_SEARCH_PATH_RE = re.compile(
    r"(?:^|/)(?:search|tim[-_]?kiem|timkiem|ket[-_]?qua[-_]?tim[-_]?kiem)(?:$|[/.])",
    re.IGNORECASE,
)
_SEARCH_PARAMS = frozenset(
    {
        "q",
        "query",
        "search",
        "searchtext",
        "searchword",
        "keyword",
        "keywords",
        "tukhoa",
        "tu-khoa",
        "tu_khoa",
        "txtsearch",
        "txtkeyword",
    }
)
#: Sort, order, filter and page-size parameters: every combination is another URL of one list.
_SORT_FILTER_RE = re.compile(
    r"^(?:_\w+_)?(?:sort|sortby|sort_by|sortorder|order|orderby|order_by|dir|direction|filter"
    r"|filters|limit|pagesize|page_size|per_page|perpage|itemsperpage|view_mode)$",
    re.IGNORECASE,
)
#: ASP.NET postback state in a query string: never a page of its own.
_POSTBACK_RE = re.compile(r"^__(?:eventtarget|eventargument|viewstate|eventvalidation)$", re.I)

MAX_URL_LENGTH = 1000
MAX_PATH_SEGMENTS = 12
MAX_QUERY_PARAMS = 8


def _repeats(segments: list[str]) -> bool:
    """A path that loops: one segment three times, or a run of two or more segments repeated
    back to back (`/tin-tuc/a/tin-tuc/a/`), the mark of relative links resolved on themselves."""
    named = [s for s in segments if s and not s.isdigit()]
    if any(named.count(s) >= 3 for s in set(named)):
        return True
    n = len(segments)
    for size in range(2, n // 2 + 1):
        for start in range(n - 2 * size + 1):
            if segments[start : start + size] == segments[start + size : start + 2 * size]:
                return True
    return False


def trap_reason(url: str) -> str | None:
    """Why url leads into an endless or useless URL space, or None when it looks fine.

    Reasons: "too_long" (over MAX_URL_LENGTH characters), "deep_path" (over MAX_PATH_SEGMENTS
    segments), "repeating_path" (segments that loop), "calendar" (a calendar or schedule page
    addressed by a date, whose next/previous links chain forever, or a query with two or more
    date components), "search" (search results), "postback" (ASP.NET form state),
    "sort_filter" (sort/filter/page-size variants of a list), "query_explosion" (more than
    MAX_QUERY_PARAMS content parameters). Tracking and session parameters do not count: the
    canonical form drops them. Article URLs with a date path (`/2016/09/08/slug/`) are fine.
    """
    if len(url) > MAX_URL_LENGTH:
        return "too_long"
    canonical = canonical_url(url)
    try:
        parts = urlsplit(canonical)
    except ValueError:
        return None
    path = unquote(parts.path)
    segments = [s for s in path.split("/")[1:]]
    if len([s for s in segments if s]) > MAX_PATH_SEGMENTS:
        return "deep_path"
    if _repeats([s.lower() for s in segments if s]):
        return "repeating_path"
    pairs = [(_key(name), unquote(value or "")) for name, value in _split_query(parts.query)]
    keys = [key for key, _ in pairs]
    if any(_POSTBACK_RE.match(key) for key in keys):
        return "postback"
    date_params = [k for k, v in pairs if _DATE_PARAM_RE.match(k) and _DATE_VALUE_RE.match(v)]
    calendar_words = bool(_CALENDAR_RE.search(path)) or any(_CALENDAR_RE.search(k) for k in keys)
    if len(date_params) >= 2 or (
        calendar_words and (date_params or _DATE_PATH_RE.search(path + "/"))
    ):
        return "calendar"
    if _SEARCH_PATH_RE.search(path) or any(k in _SEARCH_PARAMS for k in keys):
        return "search"
    # WordPress search is `/?s=term` (a bare `s` elsewhere may be a section number).
    if any(k == "s" and not v.isdigit() for k, v in pairs) and path.endswith("/"):
        return "search"
    if any(_SORT_FILTER_RE.match(key) for key in keys):
        return "sort_filter"
    if len(pairs) > MAX_QUERY_PARAMS:
        return "query_explosion"
    return None


# --- comparing two URLs ------------------------------------------------------------------------

#: A last path segment that names one article on its own: a slug of three or more words, or
#: words with a numeric id (`nang-cao-chat-luong-740.html`, `LamDongSoKetCongTacKiem-133.aspx`).
_ARTICLE_SLUG_RE = re.compile(
    r"^(?=.{12,})(?=.*[a-z])(?:[^-_]+[-_]){2,}[^-_]+$|^[a-z][a-z0-9]{7,}[-_]\d+(?:\.\w+)?$"
)
_LANGUAGE_SEGMENT_RE = re.compile(r"^[a-z]{2}(?:-[a-z]{2})?$")


def _print_stripped(segments: list[str]) -> list[str]:
    return [s for s in segments if s.lower() not in _PRINT_SEGMENTS]


def same_article_url(a: str, b: str, policy: UrlPolicy = UrlPolicy()) -> bool:
    """True when two URLs certainly name the same article of one site.

    Equal canonical forms up to scheme and www; or the same site, the same query and the same
    distinctive last path segment (a slug of three or more words, or a name with a numeric id)
    where the paths differ only in the segments before it: a category prefix
    (`/tin-tuc/cat/slug-740.html` vs `/tin-tuc/slug-740.html`), a print segment
    (`/tin-tuc/print/slug-740.html`) or a date prefix (`/2016/09/08/slug/` vs `/slug/`). Paths
    whose other segments include a language code (`/en/` vs `/vi/`) are not merged.
    """
    ca, cb = canonical_url(a, policy), canonical_url(b, policy)
    if ca == cb:
        return True
    pa, pb = urlsplit(ca), urlsplit(cb)
    if site_key(ca) != site_key(cb) or pa.port != pb.port:
        return False
    if pa.path == pb.path and pa.query == pb.query:
        return True  # http/https or www/bare
    if pa.query != pb.query:
        return False
    sa = _print_stripped([s for s in pa.path.split("/") if s])
    sb = _print_stripped([s for s in pb.path.split("/") if s])
    if not sa or not sb or sa[-1] != sb[-1]:
        return False
    last = unquote(sa[-1]).lower()
    if not _ARTICLE_SLUG_RE.match(last):
        return False
    others = {s.lower() for s in sa[:-1]} ^ {s.lower() for s in sb[:-1]}
    return not any(_LANGUAGE_SEGMENT_RE.match(s) for s in others)
