"""What the spider remembers about one site during one run: a small object keyed by site id."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from crawler.items import Hint
from crawler.registry import Site
from crawler.urls import (
    UrlPolicy,
    canonical_url,
    is_asset,
    is_print_variant,
    is_same_site,
    trap_reason,
)

#: Link verdicts remembered per site (menus and sidebars repeat the same links on every page);
#: the memo starts afresh past this many raw URLs, so it stays small however long the crawl.
MAX_LINK_VERDICTS = 20000


@dataclass
class SiteCrawl:
    """Per-site crawl memory: hosts, URL policy, what was scheduled, caps and pending re-checks."""

    site: Site
    #: the site's host names (registry host and its www/bare twin, plus redirect targets)
    hosts: set[str]
    #: "first" (walk everything), "resume" (walk everything but archived articles, after a run
    #: that was killed), "nightly" (incremental: hubs, feeds, new links, edit signals)
    mode: str
    max_pages: int
    max_query_variants: int
    policy: UrlPolicy = field(default_factory=UrlPolicy)
    #: canonical URLs scheduled in this run
    scheduled: set[str] = field(default_factory=set)
    #: hints collected for URLs not yet fetched: listing/feed/sitemap title and date
    hints: dict[str, list[Hint]] = field(default_factory=dict)
    #: canonical URLs linked from any page fetched in this run
    linked: set[str] = field(default_factory=set)
    #: known article URLs that dropped out of a hub: re-checked when the site goes idle
    dropped: dict[str, int] = field(default_factory=dict)
    query_variants: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    #: nested sitemaps scheduled in this run (capped by ARCHIVE_MAX_SITEMAPS_PER_SITE)
    sitemaps: int = 0
    #: responses the site answered (any HTTP status): zero means it was unreachable this run
    answered: int = 0
    traps: int = 0
    #: raw link URL -> (canonical URL or None, is a trap), under verdicts_policy
    verdicts: dict[str, tuple[str | None, bool]] = field(default_factory=dict, repr=False)
    verdicts_policy: UrlPolicy | None = field(default=None, repr=False)

    @classmethod
    def for_site(
        cls, site: Site, *, mode: str, max_pages: int, max_query_variants: int
    ) -> SiteCrawl:
        host = site.host
        twin = host[4:] if host.startswith("www.") else f"www.{host}"
        return cls(site, {host, twin}, mode, max_pages, max_query_variants)

    @property
    def incremental(self) -> bool:
        """Nightly: fetch what is new, re-check what signals a change, skip the rest."""
        return self.mode == "nightly"

    @property
    def skips_known(self) -> bool:
        """Archived articles are not fetched again (nightly and resume)."""
        return self.mode in ("nightly", "resume")

    def link_verdict(self, url: str) -> tuple[str | None, bool]:
        """What to make of a link: (canonical URL, False) when it is worth considering,
        (None, True) for a trap, (None, False) for another site's link, an asset or a print
        variant. Remembered per raw URL: the same menu and sidebar links recur on every page."""
        # A new policy object (the site turned out to be IIS) invalidates every verdict.
        if self.verdicts_policy is not self.policy or len(self.verdicts) >= MAX_LINK_VERDICTS:
            self.verdicts.clear()
            self.verdicts_policy = self.policy
        verdict = self.verdicts.get(url)
        if verdict is None:
            if not self.owns(url) or is_asset(url) or is_print_variant(url):
                verdict = (None, False)
            elif trap_reason(url):
                verdict = (None, True)
            else:
                verdict = (self.canonical(url), False)
            self.verdicts[url] = verdict
        return verdict

    def canonical(self, url: str) -> str:
        """The canonical form of url under this site's policy."""
        return canonical_url(url, self.policy)

    def owns(self, url: str) -> bool:
        """True when url is on this site's hosts (never leave the site's host) and, for a section
        of a shared portal registered with a deep path, under that path."""
        if not is_same_site(url, self.hosts):
            return False
        prefix = self.site.path_prefix
        if len([p for p in prefix.split("/") if p]) < 2:
            return True
        return urlsplit(url).path.lower().startswith(prefix.lower())

    def adopt_host(self, url: str) -> None:
        """Accept the host a home page redirected to as part of the site (same registrable site)."""
        host = (urlsplit(url).hostname or "").lower()
        if host and host.split(".", 1)[-1] == self.site.host.split(".", 1)[-1]:
            self.hosts.add(host)
            self.verdicts.clear()  # a link to the new host is the site's own now

    def admit(self, canonical: str) -> bool:
        """Reserve a fetch of canonical in this run; False when seen, over the cap or a trap."""
        if canonical in self.scheduled or self.requests >= self.max_pages:
            return False
        parts = urlsplit(canonical)
        if parts.query:
            self.query_variants[parts.path] += 1
            if self.query_variants[parts.path] > self.max_query_variants:
                self.traps += 1
                return False
        self.scheduled.add(canonical)
        self.requests += 1
        return True

    def add_hint(self, canonical: str, hint: Hint) -> None:
        """Remember what a listing or feed said about a link, once per distinct statement.

        A "Tin mới" (latest news) box repeats the same links with the same dates on every page
        of a site: appending each sighting grew a list per link with the number of pages.
        """
        known = self.hints.setdefault(canonical, [])
        if hint not in known:
            known.append(hint)
