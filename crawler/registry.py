"""The site registry: data/sites.csv rows as Site objects, with per-row errors and line numbers."""

from __future__ import annotations

import csv
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

LEVELS = ("central", "province", "district", "bloc", "commune")
REQUIRED_COLUMNS = ("id", "name", "level", "province", "url")


class RegistryError(Exception):
    """The registry file as a whole cannot be read (missing, no header, wrong columns)."""


@dataclass(frozen=True, slots=True)
class RegistryRowError:
    """One malformed row: its 1-based line number in the file and why it was skipped."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Site:
    """One site to crawl, as declared in the registry."""

    #: registry id, unique, e.g. "tinhuyquangtri"
    id: str
    #: the organisation's name, NFC
    name: str
    #: one of LEVELS
    level: str
    #: the province the site belonged to when it was set up
    province: str
    #: the home page URL, http or https
    url: str
    #: extra feed URLs declared in the registry
    feeds: tuple[str, ...] = ()
    #: extra sitemap URLs declared in the registry
    sitemaps: tuple[str, ...] = ()
    #: active, merged, gone, unknown (empty means active)
    status: str = ""
    #: the province the site belongs to after the 1 July 2025 merger
    province_now: str = ""
    #: every other column of the row, as given
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def host(self) -> str:
        """The home page's host name, lower case, without port."""
        return (urlsplit(self.url).hostname or "").lower()


def load_registry(path: str | Path) -> tuple[list[Site], list[RegistryRowError]]:
    """Read a registry CSV. Returns the valid sites and one error per skipped row.

    Raises RegistryError when the file cannot be read or lacks a required column.
    """
    try:
        handle = Path(path).open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise RegistryError(f"cannot read registry {path}: {exc}") from exc
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise RegistryError(f"registry {path} lacks column(s): {', '.join(missing)}")
        sites: list[Site] = []
        errors: list[RegistryRowError] = []
        seen: set[str] = set()
        for row in reader:
            line = reader.line_num
            try:
                site = site_from_row(row, line)
            except RegistryRowFault as fault:
                errors.append(RegistryRowError(line, str(fault)))
                continue
            if site.id in seen:
                errors.append(RegistryRowError(line, f"duplicate id {site.id!r}"))
                continue
            seen.add(site.id)
            sites.append(site)
    return sites, errors


class RegistryRowFault(ValueError):
    """Raised by site_from_row for a row that cannot become a Site."""


def site_from_row(row: dict[str, str | None], line: int = 0) -> Site:
    """Build a Site from one CSV row; raises RegistryRowFault with the reason."""
    values = {k.strip(): (v or "").strip() for k, v in row.items() if k}
    site_id = values.get("id", "")
    if not site_id:
        raise RegistryRowFault("missing id")
    url = values.get("url", "")
    check_site_url(url)
    level = values.get("level", "")
    if level not in LEVELS:
        raise RegistryRowFault(f"level {level!r} is not one of {', '.join(LEVELS)}")
    known = {*REQUIRED_COLUMNS, "feeds", "sitemaps", "status", "province_now"}
    return Site(
        id=site_id,
        name=values.get("name", ""),
        level=level,
        province=values.get("province", ""),
        url=url,
        feeds=_split_urls(values.get("feeds", "")),
        sitemaps=_split_urls(values.get("sitemaps", "")),
        status=values.get("status", ""),
        province_now=values.get("province_now", ""),
        extra={k: v for k, v in values.items() if k not in known},
    )


def check_site_url(url: str) -> None:
    """Raise RegistryRowFault unless url is an http(s) URL with a DNS host name (not an IP)."""
    if not url:
        raise RegistryRowFault("missing url")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise RegistryRowFault(f"url {url!r} is not http(s)")
    host = parts.hostname or ""
    if not host or "." not in host:
        raise RegistryRowFault(f"url {url!r} has no valid host")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return
    raise RegistryRowFault(f"url {url!r} points to an IP address, not a site name")


def _split_urls(value: str) -> tuple[str, ...]:
    return tuple(u for u in (p.strip() for p in value.replace(";", " ").split()) if u)
