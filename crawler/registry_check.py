"""The registry validator: every problem in data/sites.csv, with its line, and `registry check`.

load_registry() skips what it cannot crawl; this module is stricter and checks the registry as
data: URL syntax and scheme, duplicate ids and host+path pairs, the controlled vocabularies
(level, status, org_type, verified), unit codes against the gazetteer, province names against
the unit, and successor links (they exist, point to a merged site's successor, have no cycles).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import click

from crawler.gazetteer import Gazetteer, UnknownUnitError, load_gazetteer
from crawler.registry import (
    LEVELS,
    ORG_TYPES,
    REGISTRY_COLUMNS,
    STATUSES,
    VERIFIED_VALUES,
    RegistryError,
    RegistryRowFault,
    Site,
    check_site_url,
    load_registry,
    read_registry_rows,
    site_from_row,
)

#: ids are short lowercase ASCII slugs: "tinhuyquangtri", "lamdong-gov-tinhuy"
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ID_MAX_LENGTH = 40
#: the unit kinds a site of each level may speak for (the gazetteer has no communes)
UNIT_KINDS_BY_LEVEL = {
    "province": ("province",),
    "bloc": ("province",),
    "district": ("district",),
    "commune": ("district", "province"),
}
#: what the `source` of a row not seen anywhere starts with; such rows stay unverified
INFERRED_SOURCE_PREFIX = "inferred"


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in the registry: the 1-based line of the row (1 = header, 0 = file)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def check_registry(path: str | Path, gazetteer: Gazetteer | None = None) -> list[Problem]:
    """Every problem in the registry at path, sorted by line; an empty list means it is clean.

    gazetteer defaults to the shipped data/units.csv. Never raises for bad content: an
    unreadable file or gazetteer is itself reported as a Problem on line 0.
    """
    try:
        fieldnames, rows = read_registry_rows(path)
    except RegistryError as exc:
        return [Problem(0, str(exc))]
    missing = [c for c in REGISTRY_COLUMNS if c not in fieldnames]
    if missing:
        return [Problem(1, f"missing column(s): {', '.join(missing)}")]
    if gazetteer is None:
        try:
            gazetteer = load_gazetteer()
        except (OSError, ValueError) as exc:
            return [Problem(0, f"cannot read the gazetteer: {exc}")]
    problems: list[Problem] = []
    sites: dict[str, tuple[int, Site]] = {}
    scopes: dict[tuple[str, str], int] = {}
    for line, row in rows:
        try:
            site = site_from_row(row, line)
        except RegistryRowFault as fault:
            problems.append(Problem(line, str(fault)))
            continue
        verified = (row.get("verified") or "").strip()
        problems.extend(Problem(line, m) for m in _row_problems(site, verified, gazetteer))
        if site.id in sites:
            first = sites[site.id][0]
            problems.append(Problem(line, f"duplicate id {site.id!r} (first on line {first})"))
        else:
            sites[site.id] = (line, site)
        scope = _scope(site.url)
        if scope in scopes:
            problems.append(
                Problem(
                    line, f"duplicate site {site.url!r}: same host and path as line {scopes[scope]}"
                )
            )
        else:
            scopes[scope] = line
    problems.extend(_successor_problems(sites))
    return sorted(problems, key=lambda p: p.line)


def registry_counts(sites: Iterable[Site]) -> dict[str, Counter[str]]:
    """Counts of sites by level, status, verified mark and org_type, for summaries."""
    counts: dict[str, Counter[str]] = {
        "level": Counter(),
        "status": Counter(),
        "verified": Counter(),
        "org_type": Counter(),
    }
    for site in sites:
        counts["level"][site.level] += 1
        counts["status"][site.status or "active"] += 1
        counts["verified"]["yes" if site.verified else "unverified"] += 1
        counts["org_type"][site.org_type or "?"] += 1
    return counts


def _row_problems(site: Site, verified: str, gazetteer: Gazetteer) -> list[str]:
    found: list[str] = []
    if len(site.id) > ID_MAX_LENGTH or not ID_RE.match(site.id):
        found.append(
            f"id {site.id!r} is not a lowercase ASCII slug of at most {ID_MAX_LENGTH} characters"
        )
    if not site.name:
        found.append("missing name")
    if site.status not in STATUSES:
        found.append(f"status {site.status!r} is not one of {', '.join(STATUSES)}")
    if site.org_type not in ORG_TYPES:
        found.append(f"org_type {site.org_type!r} is not one of {', '.join(ORG_TYPES)}")
    if verified not in VERIFIED_VALUES:
        found.append(f"verified {verified!r} is not one of {', '.join(VERIFIED_VALUES)}")
    found.extend(_evidence_problems(site))
    for column, urls in (("feeds", site.feeds), ("sitemaps", site.sitemaps)):
        for url in urls:
            try:
                check_site_url(url)
            except RegistryRowFault as fault:
                found.append(f"{column}: {fault}")
    if site.status == "merged" and not site.successor:
        found.append("status merged needs a successor id")
    if site.successor and site.status != "merged":
        found.append(f"successor {site.successor!r} given but status is {site.status!r}")
    found.extend(_unit_problems(site, gazetteer))
    return found


def _evidence_problems(site: Site) -> list[str]:
    found: list[str] = []
    evidence_url = site.extra.get("evidence_url", "")
    if site.verified and not evidence_url:
        found.append("verified=yes needs an evidence_url")
    if evidence_url:
        parts = urlsplit(evidence_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            found.append(f"evidence_url {evidence_url!r} is not an http(s) URL")
    if site.verified and site.extra.get("source", "").startswith(INFERRED_SOURCE_PREFIX):
        found.append("an inferred row cannot be verified=yes")
    return found


def _unit_problems(site: Site, gazetteer: Gazetteer) -> list[str]:
    if site.level == "central":
        given = [c for c in ("province", "province_now", "unit_code") if _value(site, c)]
        return [f"a central site must have no {', '.join(given)}"] if given else []
    if not site.unit_code:
        return [f"a {site.level} site needs a unit_code"]
    try:
        unit = gazetteer.get(site.unit_code)
    except UnknownUnitError:
        return [f"unit_code {site.unit_code!r} is not in the gazetteer"]
    found: list[str] = []
    allowed = UNIT_KINDS_BY_LEVEL[site.level]
    if unit.kind not in allowed:
        found.append(f"unit_code {unit.code} is a {unit.kind}, not a {' or '.join(allowed)}")
    province = gazetteer.get(unit.parent_code) if unit.parent_code else unit
    if site.province != province.name:
        found.append(
            f"province {site.province!r} does not match unit {unit.code} ({province.name})"
        )
    now = gazetteer.current(unit.code)
    if site.province_now != now.name:
        found.append(
            f"province_now {site.province_now!r} should be {now.name!r} "
            f"(unit {unit.code} is now {now.code})"
        )
    return found


def _successor_problems(sites: dict[str, tuple[int, Site]]) -> list[Problem]:
    found: list[Problem] = []
    for line, site in sites.values():
        if not site.successor:
            continue
        target = sites.get(site.successor)
        if target is None:
            found.append(
                Problem(line, f"successor {site.successor!r} is not an id in the registry")
            )
        elif target[1].province_now != site.province_now:
            found.append(
                Problem(
                    line,
                    f"successor {site.successor!r} is in {target[1].province_now!r}, "
                    f"not {site.province_now!r}",
                )
            )
    reported: set[str] = set()
    for start_line, start in sites.values():
        path = [start.id]
        current = start
        while current.successor and current.successor in sites:
            if current.successor in path:
                cycle = path[path.index(current.successor) :]
                if not reported & set(cycle):
                    chain = " -> ".join([*cycle, current.successor])
                    found.append(Problem(start_line, f"successor chain is a cycle: {chain}"))
                    reported.update(cycle)
                break
            path.append(current.successor)
            current = sites[current.successor][1]
    return found


def _scope(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    host = host.removeprefix("www.")
    path = (parts.path or "/").lower()
    return host, path if path.endswith("/") else path + "/"


def _value(site: Site, column: str) -> str:
    return str(getattr(site, column, "") or site.extra.get(column, ""))


def _format_counts(counts: Counter[str], order: Iterable[str]) -> str:
    keys = [*order, *sorted(k for k in counts if k not in order)]
    return ", ".join(f"{k} {counts[k]}" for k in keys if counts[k])


registry_cli = click.Group(name="registry", help="Inspect and validate the site registry.")


@registry_cli.command(name="check")
@click.argument(
    "path",
    default="data/sites.csv",
    type=click.Path(dir_okay=False, path_type=Path),
)
@click.pass_context
def check_command(ctx: click.Context, path: Path) -> None:
    """Validate a registry CSV (default data/sites.csv): one line per problem, then counts.

    Exits 1 when there is any problem.
    """
    problems = check_registry(path)
    for problem in problems:
        click.echo(f"{path}:{problem.line}: {problem.message}")
    try:
        sites, _errors = load_registry(path)
    except RegistryError:
        sites = []
    counts = registry_counts(sites)
    click.echo(f"{len(sites)} sites by level: {_format_counts(counts['level'], LEVELS)}")
    click.echo(f"by status: {_format_counts(counts['status'], STATUSES)}")
    click.echo(f"verified: {_format_counts(counts['verified'], VERIFIED_VALUES)}")
    click.echo(f"{len(problems)} problem(s) in {path}")
    if problems:
        ctx.exit(1)
