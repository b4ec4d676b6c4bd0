"""The site registry: data/sites.csv rows as Site objects, with per-row errors and line numbers."""

from __future__ import annotations

import csv
import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from crawler.text import nfc

LEVELS = ("central", "province", "district", "bloc", "commune")
REQUIRED_COLUMNS = ("id", "name", "level", "province", "url")

#: every column of the shipped registry, in order (crawler.registry_check requires them all)
REGISTRY_COLUMNS = (
    *REQUIRED_COLUMNS,
    "province_now",  # today's province (short name of a 34-map unit), empty for central organs
    "unit_code",  # the gazetteer unit the site speaks for, when it was set up: p63-82, d63-595
    "org_type",  # one of ORG_TYPES
    "status",  # one of STATUSES
    "successor",  # for status merged: the id of the site of the organisation that took over
    "verified",  # one of VERIFIED_VALUES: yes only when a page of the host itself was seen
    "evidence_url",  # a page where the site was seen (or that points to it)
    "evidence_seen",  # how and when it was seen
    "source",  # provenance of the row
    "feeds",  # extra feed URLs, space or ; separated
    "sitemaps",  # extra sitemap URLs, space or ; separated
    "notes",
)

#: the key under which read_registry_rows keeps the surplus fields of a row longer than the header
REST_KEY = "\0rest"

#: what became of the organisation behind a site. active: it exists and its host was seen;
#: merged: it was merged into the organisation whose site is `successor` (the old host may
#: still serve its archive); gone: it was abolished without a successor site (the 2025
#: abolition of districts), which says nothing about whether the host still answers;
#: unknown: not established (e.g. an inferred host, or a successor not in the registry)
STATUSES = ("active", "merged", "gone", "unknown")

#: what kind of organisation publishes the site
ORG_TYPES = (
    "party_committee",  # Tỉnh ủy, Thành ủy, Huyện ủy, Đảng ủy xã: portal, section or subsite
    "propaganda_board",  # Ban Tuyên giáo (since 2025 Ban Tuyên giáo và Dân vận)
    "mass_mobilisation_board",  # Ban Dân vận
    "inspection_commission",  # Ủy ban Kiểm tra
    "bloc_committee",  # Đảng ủy Khối
    "party_newspaper",  # Báo Nhân Dân, dangcongsan.vn, provincial party papers
    "party_journal",  # Tạp chí Cộng sản, Lý luận chính trị
    "party_school",  # Học viện Chính trị quốc gia, provincial Trường Chính trị
    "party_service",  # e-handbooks, internal and consultation portals: not news sites
    "government_portal",  # People's Committee portals that carry party-committee news
)

#: the `verified` column: yes when a page of the host itself was seen, else unverified
VERIFIED_VALUES = ("yes", "unverified")


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
    #: one of ORG_TYPES (empty when the registry has no such column)
    org_type: str = ""
    #: the gazetteer unit the site speaks for, as of when it was set up, e.g. "p63-70"
    unit_code: str = ""
    #: for status "merged": the id of the site that took over
    successor: str = ""
    #: True when a page of the host itself was seen (registry `verified` = yes)
    verified: bool = False
    #: every other column of the row, as given
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def host(self) -> str:
        """The home page's host name, lower case, without port."""
        return (urlsplit(self.url).hostname or "").lower()

    @property
    def path_prefix(self) -> str:
        """The URL path the site is confined to, "/" for a whole host.

        Sections of a shared portal (www.lamdong.gov.vn/vi-VN/a/tinhuy/) are registered with
        their path; a crawl of such a site stays under it.
        """
        path = urlsplit(self.url).path or "/"
        return path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"


def load_registry(path: str | Path) -> tuple[list[Site], list[RegistryRowError]]:
    """Read a registry CSV. Returns the valid sites and one error per skipped row.

    A row is skipped when site_from_row refuses it (missing id, bad or non-http(s) URL, IP
    address, unknown level) or when its id was already used. Raises RegistryError when the
    file cannot be read or decoded, or lacks a required column.
    """
    fieldnames, rows = read_registry_rows(path)
    missing = [c for c in REQUIRED_COLUMNS if c not in fieldnames]
    if missing:
        raise RegistryError(f"registry {path} lacks column(s): {', '.join(missing)}")
    sites: list[Site] = []
    errors: list[RegistryRowError] = []
    first_line: dict[str, int] = {}
    for line, row in rows:
        try:
            site = site_from_row(row, line)
        except RegistryRowFault as fault:
            errors.append(RegistryRowError(line, str(fault)))
            continue
        if site.id in first_line:
            reason = f"duplicate id {site.id!r} (first on line {first_line[site.id]})"
            errors.append(RegistryRowError(line, reason))
            continue
        first_line[site.id] = line
        sites.append(site)
    return sites, errors


def read_registry_rows(
    path: str | Path,
) -> tuple[list[str], list[tuple[int, dict[str, str | None]]]]:
    """The header and the rows of a registry CSV, each row with the line it starts on.

    Values are as in the file (not stripped); a short row has None for its missing fields and
    a long one keeps its surplus, comma-joined, under REST_KEY. Raises
    RegistryError when the file cannot be read, is not UTF-8 or is not CSV.
    """
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, restkey=REST_KEY)
            fieldnames = [name.strip() for name in reader.fieldnames or []]
            reader.fieldnames = fieldnames
            rows: list[tuple[int, dict[str, str | None]]] = []
            start = reader.line_num + 1
            for row in reader:
                rows.append((start, _flatten_rest(row)))
                start = reader.line_num + 1
    except OSError as exc:
        raise RegistryError(f"cannot read registry {path}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise RegistryError(f"registry {path} is not UTF-8: {exc}") from exc
    except csv.Error as exc:
        raise RegistryError(f"registry {path} is not valid CSV: {exc}") from exc
    return fieldnames, rows


def _flatten_rest(row: dict[str, object]) -> dict[str, str | None]:
    flat: dict[str, str | None] = {}
    for key, value in row.items():
        if isinstance(value, list):  # the surplus fields of a long row
            flat[key] = ",".join(str(v) for v in value)
        else:
            flat[key] = value if isinstance(value, str) or value is None else str(value)
    return flat


class RegistryRowFault(ValueError):
    """Raised by site_from_row for a row that cannot become a Site."""


def site_from_row(row: dict[str, str | None], line: int = 0) -> Site:
    """Build a Site from one CSV row; raises RegistryRowFault with the reason."""
    if row.get(REST_KEY):
        raise RegistryRowFault("row has more fields than the header")
    values = {k.strip(): nfc((v or "").strip()) for k, v in row.items() if k and k != REST_KEY}
    site_id = values.get("id", "")
    if not site_id:
        raise RegistryRowFault("missing id")
    url = values.get("url", "")
    check_site_url(url)
    level = values.get("level", "")
    if level not in LEVELS:
        raise RegistryRowFault(f"level {level!r} is not one of {', '.join(LEVELS)}")
    known = {*REQUIRED_COLUMNS, "feeds", "sitemaps", "status", "province_now"}
    known |= {"org_type", "unit_code", "successor", "verified"}
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
        org_type=values.get("org_type", ""),
        unit_code=values.get("unit_code", ""),
        successor=values.get("successor", ""),
        verified=values.get("verified", "") == "yes",
        extra={k: v for k, v in values.items() if k not in known},
    )


def check_site_url(url: str) -> None:
    """Raise RegistryRowFault unless url is an http(s) URL with a DNS host name (not an IP).

    Refused: other schemes (file://, ftp://), IP addresses (v4, v6, short forms like 127.1),
    user names or passwords in the URL, bad ports, whitespace, and host names that are not
    dotted DNS names with an alphabetic top-level label.
    """
    if not url:
        raise RegistryRowFault("missing url")
    if any(ch.isspace() for ch in url):
        raise RegistryRowFault(f"url {url!r} contains whitespace")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise RegistryRowFault(f"url {url!r} is malformed: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise RegistryRowFault(f"url {url!r} is not http(s)")
    host = (parts.hostname or "").rstrip(".")
    if _is_ip_address(host):
        raise RegistryRowFault(f"url {url!r} points to an IP address, not a site name")
    if parts.username is not None or parts.password is not None:
        raise RegistryRowFault(f"url {url!r} carries a user name or password")
    if port == 0:
        raise RegistryRowFault(f"url {url!r} has port 0")
    try:
        ascii_host = host.encode("idna").decode("ascii") if host else ""
    except UnicodeError:
        raise RegistryRowFault(f"url {url!r} has an invalid host name") from None
    labels = ascii_host.split(".")
    if (
        len(labels) < 2
        or not all(_DNS_LABEL_RE.match(label) for label in labels)
        or not _TLD_RE.match(labels[-1])
    ):
        raise RegistryRowFault(f"url {url!r} has no valid host")


_DNS_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TLD_RE = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        # An all-numeric dotted host (127.1, 10.0.1) is an IP address to a resolver.
        return bool(host) and all(part.isdigit() for part in host.split("."))
    return True


def _split_urls(value: str) -> tuple[str, ...]:
    return tuple(u for u in (p.strip() for p in value.replace(";", " ").split()) if u)
