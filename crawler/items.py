"""What the spider yields (Page) and what the pipelines build from it (Article)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crawler.analysis import Analysis
    from crawler.dating import DateCandidate


@dataclass(slots=True)
class Hint:
    """A site's own statement about a linked article, seen before the article was fetched."""

    #: where it came from: "listing", "feed", "sitemap"
    source: str
    #: the raw date text or value as the site printed it ("12/03/2019", "2024-06-19T03:51:00Z")
    date_raw: str | None = None
    #: the title the listing or feed gave the link, NFC
    title: str | None = None
    #: the entry's last-update date (Atom <updated>, sitemap lastmod): a change is an edit signal
    updated_raw: str | None = None


@dataclass(slots=True)
class Page:
    """One fetched HTML page that may be an article. Yielded by the spider, filled by pipelines."""

    #: registry id of the site the page belongs to
    site_id: str
    #: the URL that answered 200 (after redirects), as fetched
    url: str
    #: every URL that led to this response: the requested one and each redirect hop
    urls: list[str]
    #: HTTP status of the final response
    status: int
    #: raw response body, exactly as served
    body: bytes
    #: selected response headers, lower-case names: content-type, etag, last-modified
    headers: dict[str, str]
    #: when the response arrived, Vietnam time
    fetched_at: datetime
    #: statements about this URL from listings, feeds and sitemaps
    hints: list[Hint] = field(default_factory=list)
    #: the archive id of the article this URL already belongs to, when re-fetched
    known_article_id: int | None = None
    #: link depth from the site's home page (0 = home)
    depth: int = 0
    #: same-site links of the page that may be articles (canonical), for hub change detection
    links: list[str] = field(default_factory=list)
    #: True when the spider reached this page as a feed/sitemap/home/menu hub
    is_hub: bool = False
    #: (linked URL, hint) pairs: the title and date this page prints beside its links
    link_hints: list[tuple[str, Hint]] = field(default_factory=list)
    #: (linked URL, link text) pairs when this page is a listing: tomorrow's edit signal
    listing_titles: list[tuple[str, str]] = field(default_factory=list)
    #: what the spider's analysis workers made of the body (crawler.analysis); ExtractPipeline
    #: copies it into the fields below and drops it. None: ExtractPipeline analyses the page.
    analysis: Analysis | None = None

    # Filled by ExtractPipeline.
    #: True when the page is an article (not a listing, tag page, static page, soft 404)
    is_article: bool | None = None
    #: why the page is (not) an article, for stats and logs
    kind_reason: str = ""
    #: the canonical URL the page declares (rel=canonical / og:url), when it agrees with the host
    declared_url: str | None = None
    title: str | None = None
    author: str | None = None
    #: body text: lead first, paragraphs separated by a blank line, NFC
    text: str | None = None
    #: image captions, NFC, in page order
    captions: list[str] = field(default_factory=list)
    #: version of the extraction rules that produced text/title/author
    extractor_version: str = ""
    #: date candidates found on the page, chosen by DatePipeline
    date_candidates: list[DateCandidate] = field(default_factory=list)
    #: the body gzip-compressed by the analysis worker, for the responses table (articles)
    body_gzip: bytes | None = None
    #: (folded title, folded text, title, text) from the analysis worker, for the search index;
    #: used only while title and text are still the ones it folded
    search_folded: tuple[str, str, str, str] | None = None

    # Filled by DatePipeline.
    #: ISO 8601: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+07:00; None when nothing trustworthy
    published: str | None = None
    #: the raw text the date was read from
    published_raw: str | None = None
    #: which signal won: jsonld, meta, time, dateline, url, feed, sitemap, listing
    published_source: str | None = None
    #: "minute", "day" or None
    published_precision: str | None = None
    #: ISO 8601 date of the last update the page states, if any
    updated: str | None = None
    #: every candidate with its verdict, for the date_evidence table
    date_evidence: list[dict[str, object]] = field(default_factory=list)

    # Filled by DedupePipeline.
    #: canonical URL under which the article is stored
    canonical_url: str | None = None
    #: SHA-1 of the normalised text: same-site content identity
    content_hash: str | None = None
    #: MinHash band keys for cross-site near-duplicate lookup
    band_keys: list[int] = field(default_factory=list)
    #: MinHash signature, serialised (crawler.fingerprint.signature)
    signature: bytes = b""


@dataclass(slots=True)
class FetchRecord:
    """A fetch that is not a page to extract: feed, sitemap, robots.txt, 304, 404/410, trap.

    It passes through the extract, date and dedupe pipelines untouched; the store records it as
    page state (for conditional requests next night) and, for 404/410 of an archived URL, as gone.
    """

    site_id: str
    #: the URL requested
    url: str
    #: "feed", "sitemap", "robots", "listing", "article", "other"
    kind: str
    #: HTTP status (304 = unchanged, 404/410 = gone)
    status: int
    fetched_at: datetime
    #: validators for the next conditional request
    etag: str | None = None
    last_modified: str | None = None
    depth: int = 0
    is_hub: bool = False
    #: (article URL, hint) pairs that a feed or sitemap stated
    link_hints: list[tuple[str, Hint]] = field(default_factory=list)
    #: for a redirect: the canonical URL it leads to
    target: str | None = None
