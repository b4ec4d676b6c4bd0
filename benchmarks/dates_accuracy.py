"""Date accuracy of our dating core beside plain htmldate, over a generated acceptance mirror.

Usage: .venv/bin/python benchmarks/dates_accuracy.py MIRROR_DIR [--family] [--misses N]

MIRROR_DIR is the output of ../shared/acceptance/generate.py. Every true article page (truth.jsonl
``url``, or ``new_url`` for a moved one) is read from the mirror's files through routes.json,
decoded with the site's charset, and dated twice from the page alone: by
``page_date_candidates`` + ``choose_publication_date`` (fetched at the mirror's today, 03:00
+07:00, no listing/feed/sitemap hints) and by ``htmldate.find_date``. Prints ``name: value`` lines.

Truth dates of pages that state no date of their own come from the URL, feed, sitemap or
listing; a page-only run can see only the URL of those, so they are counted apart
(``truth_articles_page_states_no_date``) and left out of the exact-day shares.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
from datetime import datetime, time
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import lxml.html

from crawler.dating import choose_publication_date, page_date_candidates
from crawler.text import decode_html
from crawler.timezone import VN_TZ

_SESSION_RE = re.compile(r"/\([A-Za-z]\([^)/]*\)\)")
_ALWAYS_IGNORED = ("fbclid", "gclid")


def resource_key(path_qs: str, site: dict[str, object]) -> str:
    """The mirror's resource key for a path and query (as its generator and server compute it)."""
    path, _, query = path_qs.partition("?")
    path = unquote(path.split("#")[0])
    if site.get("strip_session"):
        path = _SESSION_RE.sub("", path)
    path = path or "/"
    ignored = {str(p).lower() for p in site.get("ignore_params") or []}  # type: ignore[attr-defined]
    params = sorted(
        (k, v)
        for k, v in parse_qsl(query.split("#")[0], keep_blank_values=True)
        if not (
            k.lower().startswith("utm_") or k.lower() in ignored or k.lower() in _ALWAYS_IGNORED
        )
    )
    key = path + ("?" + urlencode(params) if params else "")
    return key.lower() if site.get("case_insensitive") else key


def page_states_day(tree: lxml.html.HtmlElement, day: str) -> bool:
    """True when the page's visible text or <meta> values write ``day`` (YYYY-MM-DD) anywhere.

    Independent of our parser on purpose: it only looks for the known day in common spellings.
    """
    y, m, d = (int(x) for x in day.split("-"))
    sep = r"\s*[/.\-]\s*"
    pattern = re.compile(
        rf"(?<!\d)0?{d}{sep}0?{m}{sep}(?:{y}|{y % 100:02d})(?!\d)"
        rf"|{y}-{m:02d}-{d:02d}"
        rf"|(?<!\d)0?{d}\s+th\w+\s+0?{m}\D{{1,8}}{y}",
        re.IGNORECASE,
    )
    texts = [" ".join(tree.itertext())]
    texts += [meta.get("content") or "" for meta in tree.iter("meta")]
    texts += [script.text or "" for script in tree.iter("script")]
    return any(pattern.search(t) for t in texts)


def day_of(value: str | None) -> str | None:
    return value[:10] if value else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mirror", type=Path)
    ap.add_argument("--family", action="store_true", help="also print figures per CMS family")
    ap.add_argument("--misses", type=int, default=0, help="print up to N wrong datings")
    args = ap.parse_args(argv)

    import htmldate  # the dev extra; only this benchmark needs it

    mirror: Path = args.mirror
    routes = json.loads((mirror / "routes.json").read_text(encoding="utf-8"))
    meta = json.loads((mirror / "meta.json").read_text(encoding="utf-8"))
    today = datetime.fromisoformat(meta["today"]).date()
    fetched_at = datetime.combine(today, time(3, 0), tzinfo=VN_TZ)
    crawl_day = today.isoformat()

    counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    misses: list[str] = []
    for line in (mirror / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        truth = json.loads(line)
        if truth["state"] == "deleted":
            continue
        url = truth.get("new_url") or truth["url"]
        parts = urlsplit(url)
        site = routes["sites"][parts.hostname]
        key = resource_key(parts.path + ("?" + parts.query if parts.query else ""), site)
        res = site["resources"][key]
        body = (mirror / "www" / res["file"]).read_bytes()
        html = decode_html(body, res["ctype"])
        tree = lxml.html.document_fromstring(html)
        candidates = page_date_candidates(tree, url, fetched_at)
        choice = choose_publication_date(candidates, fetched_at)
        # The generic reader alone: what the visible dateline gives without metadata or URL.
        visible = choose_publication_date(
            [c for c in candidates if c.signal in ("dateline", "time")], fetched_at
        )
        titled = choose_publication_date(
            page_date_candidates(tree, url, fetched_at, title=truth["title"]), fetched_at
        )
        theirs = htmldate.find_date(html, url=url)

        true_day = day_of(truth["published"])
        page_states = true_day is not None and page_states_day(tree, true_day)
        for group in ("ALL", truth["family"]) if args.family else ("ALL",):
            c = counts[group]
            c["articles"] += 1
            ours = day_of(choice.published)
            if true_day is None:
                c["truth_null"] += 1
                c["ours_null_when_truth_null"] += ours is None
                c["htmldate_null_when_truth_null"] += theirs is None
                continue
            if not page_states:
                c["page_states_no_date"] += 1
                c["ours_exact_day_page_silent"] += ours == true_day
                continue
            c["dated"] += 1
            c["ours_exact_day"] += ours == true_day
            c["ours_exact_day_with_title"] += day_of(titled.published) == true_day
            c["htmldate_exact_day"] += theirs == true_day
            c["ours_exact_day_visible_only"] += day_of(visible.published) == true_day
            c[f"source_{choice.source}"] += 1
            c["ours_null"] += ours is None
            c["ours_wrong_year"] += bool(ours and ours[:4] != true_day[:4])
            c["htmldate_wrong_year"] += bool(theirs and theirs[:4] != true_day[:4])
            c["ours_crawl_date"] += ours == crawl_day and true_day != crawl_day
            c["htmldate_crawl_date"] += theirs == crawl_day and true_day != crawl_day
            if truth["published_precision"] == "minute":
                c["minute_dated"] += 1
                c["ours_exact_minute"] += (choice.published or "")[:16] == truth["published"][:16]
            if group == "ALL" and ours != true_day and len(misses) < args.misses:
                misses.append(
                    f"{url} truth={truth['published']} ours={choice.published} "
                    f"source={choice.source} evidence={choice.evidence}"
                )

    for group, c in sorted(counts.items(), key=lambda kv: kv[0] != "ALL"):
        prefix = "" if group == "ALL" else f"{group}."
        dated = max(c["dated"], 1)
        print(f"{prefix}articles: {c['articles']}")
        print(f"{prefix}articles_page_states_date: {c['dated']}")
        print(f"{prefix}ours_exact_day: {c['ours_exact_day'] / dated:.4f}")
        print(f"{prefix}ours_exact_day_with_title: {c['ours_exact_day_with_title'] / dated:.4f}")
        print(
            f"{prefix}ours_exact_day_visible_only: {c['ours_exact_day_visible_only'] / dated:.4f}"
        )
        print(f"{prefix}htmldate_exact_day: {c['htmldate_exact_day'] / dated:.4f}")
        if c["minute_dated"]:
            print(f"{prefix}ours_exact_minute: {c['ours_exact_minute'] / c['minute_dated']:.4f}")
        print(f"{prefix}ours_null_when_page_dated: {c['ours_null']}")
        print(f"{prefix}ours_wrong_year: {c['ours_wrong_year']}")
        print(f"{prefix}htmldate_wrong_year: {c['htmldate_wrong_year']}")
        print(f"{prefix}ours_crawl_date: {c['ours_crawl_date']}")
        print(f"{prefix}htmldate_crawl_date: {c['htmldate_crawl_date']}")
        print(f"{prefix}truth_articles_page_states_no_date: {c['page_states_no_date']}")
        if c["page_states_no_date"]:
            share = c["ours_exact_day_page_silent"] / c["page_states_no_date"]
            print(f"{prefix}ours_exact_day_page_silent_from_url: {share:.4f}")
        print(f"{prefix}truth_null: {c['truth_null']}")
        for name in sorted(k for k in c if k.startswith("source_")):
            print(f"{prefix}ours_{name}: {c[name]}")
        if c["truth_null"]:
            print(
                f"{prefix}ours_null_when_truth_null: "
                f"{c['ours_null_when_truth_null'] / c['truth_null']:.4f}"
            )
            print(
                f"{prefix}htmldate_null_when_truth_null: "
                f"{c['htmldate_null_when_truth_null'] / c['truth_null']:.4f}"
            )
    for m in misses:
        print("MISS", m, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
