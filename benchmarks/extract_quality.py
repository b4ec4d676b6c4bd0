"""Extraction quality on a generated acceptance mirror: our layer versus plain trafilatura.

Usage:
    python benchmarks/extract_quality.py MIRROR_DIR [--disable-family NAME ...] [--min-pages N]
                                         [--show-worst N] [--no-plain]

MIRROR_DIR is the output of the acceptance kit's generate.py (truth.jsonl, routes.json,
boilerplate.txt, boilerplate_lines.txt, www/). For every live true article it reads the page the
server would send for the article's URL, extracts it with ``crawler.extract`` and with plain
``trafilatura.extract``, and prints ``name: value`` lines, overall and per family:

    ours_f1_mean, ours_f1_p10        bag-of-words F1 (NFC, casefold, \\w+) against the truth,
                                     after the per-site learned-boilerplate pass (repeated_blocks)
    plain_f1_mean, plain_f1_p10      the same for trafilatura.extract(html) on the same page
    ours_title_exact, ours_author_exact
    ours_leak_rows, plain_leak_rows  rows with a boilerplate.txt string anywhere, or a line equal
                                     to a boilerplate_lines.txt string
    ours_not_article_rate            article pages we called not-articles (should be 0)
    nonarticle_pages, nonarticle_called_article
                                     other HTML pages of the mirror (listings, tags, static pages,
                                     calendars, soft 404s) that we called articles (should be 0)
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import statistics
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import trafilatura

from crawler.boilerplate import repeated_blocks, strip_blocks
from crawler.extract import Extracted, extract_article
from crawler.html import UnparsablePage, parse_html
from crawler.rules import Rules, load_rules

Row = dict[str, Any]
_SESSION_RE = re.compile(r"/\([A-Za-z]\([^)/]*\)\)")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", _nfc(text or "")).strip()


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", _nfc(text).casefold())


def f1(pred: str, truth: str) -> float:
    """Bag-of-words F1 between two texts, as the acceptance scorer computes it."""
    p, t = collections.Counter(_tokens(pred)), collections.Counter(_tokens(truth))
    if not p and not t:
        return 1.0
    common = sum((p & t).values())
    if not p or not t or not common:
        return 0.0
    precision, recall = common / sum(p.values()), common / sum(t.values())
    return 2 * precision * recall / (precision + recall)


def leaks(text: str, boiler: list[str], line_boiler: list[str]) -> list[str]:
    """Boilerplate strings found in a text (substring list, plus whole-line list)."""
    found = [b for b in boiler if b in text]
    lines = {_clean(line) for line in text.splitlines() if line.strip()}
    return found + [b for b in line_boiler if _clean(b) in lines]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def resource_key(path_qs: str, site: Row) -> str:
    """The mirror's key for a path: session segments, ignored parameters and case as it serves."""
    path, _, query = path_qs.partition("?")
    path = unquote(path.split("#")[0]) or "/"
    if site.get("strip_session"):
        path = _SESSION_RE.sub("", path) or "/"
    ignored = {str(p).lower() for p in site.get("ignore_params", [])}
    params = sorted(
        (k, v)
        for k, v in parse_qsl(query.split("#")[0], keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in ignored | {"fbclid", "gclid"}
    )
    key = path + ("?" + urlencode(params) if params else "")
    return key.lower() if site.get("case_insensitive") else key


def _load_lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [
        _nfc(line.rstrip("\n"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("mirror", type=Path)
    ap.add_argument("--disable-family", action="append", default=[], metavar="NAME")
    ap.add_argument("--min-pages", type=int, default=3, help="repeated_blocks threshold")
    ap.add_argument("--show-worst", type=int, default=0, help="print the N worst rows")
    ap.add_argument("--no-plain", action="store_true", help="skip plain trafilatura")
    args = ap.parse_args(argv)

    mirror: Path = args.mirror
    rules = load_rules(disabled_families=args.disable_family)
    routes = json.loads((mirror / "routes.json").read_text(encoding="utf-8"))
    truth = [
        json.loads(line)
        for line in (mirror / "truth.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    truth = [t for t in truth if t.get("state") != "deleted"]
    boiler = _load_lines(mirror / "boilerplate.txt")
    line_boiler = _load_lines(mirror / "boilerplate_lines.txt")

    started = time.perf_counter()
    rows = _article_rows(mirror, routes, truth, rules, plain=not args.no_plain)
    _apply_learned_blocks(rows, args.min_pages)
    nonarticles = _nonarticle_rows(mirror, routes, truth, rules)
    elapsed = time.perf_counter() - started

    for row in rows:
        row["ours_f1"] = f1(row["ours"].text, row["truth_text"])
        row["ours_leaks"] = leaks(row["ours"].text, boiler, line_boiler)
        if row["plain"] is not None:
            row["plain_f1"] = f1(row["plain"], row["truth_text"])
            row["plain_leaks"] = leaks(row["plain"], boiler, line_boiler)

    print(f"mirror: {mirror}")
    print(f"disabled_families: {','.join(sorted(rules.disabled)) or '-'}")
    print(f"pages_per_second: {(len(rows) + len(nonarticles)) / elapsed:.1f}")
    groups: dict[str, list[Row]] = collections.defaultdict(list)
    for row in rows:
        groups["all"].append(row)
        groups[row["family"]].append(row)
    for name in ["all", *sorted(k for k in groups if k != "all")]:
        _report(
            name,
            groups[name],
            nonarticles if name == "all" else [r for r in nonarticles if r["family"] == name],
        )
    if args.show_worst:
        _show_worst(rows, nonarticles, args.show_worst)
    return 0


def _article_rows(
    mirror: Path, routes: Row, truth: list[Row], rules: Rules, *, plain: bool
) -> list[Row]:
    rows = []
    for t in truth:
        url = t.get("new_url") or t["url"]
        parts = urlsplit(url)
        site = routes["sites"][parts.hostname]
        key = resource_key(parts.path + ("?" + parts.query if parts.query else ""), site)
        res = site["resources"][key]
        body = (mirror / "www" / res["file"]).read_bytes()
        tree = parse_html(body, res["ctype"])
        ours = extract_article(tree, url, rules=rules)
        plain_text = None
        if plain:
            html = body.decode(site["charset"].replace("windows-", "cp"))
            plain_text = trafilatura.extract(html, url=url) or ""
        rows.append(
            {
                "url": url,
                "site": site["site_id"],
                "family": t["family"],
                "truth": t,
                "truth_text": "\n".join(t["paragraphs"]),
                "ours": ours,
                "plain": plain_text,
            }
        )
    return rows


def _apply_learned_blocks(rows: list[Row], min_pages: int) -> None:
    """The per-site post-pass the pipeline runs: strip lines repeated across a site's articles."""
    by_site: dict[str, list[Row]] = collections.defaultdict(list)
    for row in rows:
        if row["ours"].is_article:
            by_site[row["site"]].append(row)
    for site_rows in by_site.values():
        blocks = repeated_blocks((r["ours"].text for r in site_rows), min_pages=min_pages)
        for row in site_rows:
            ours: Extracted = row["ours"]
            stripped = strip_blocks(ours.text, blocks)
            if stripped != ours.text:
                row["ours"] = Extracted(
                    title=ours.title,
                    text=stripped,
                    author=ours.author,
                    captions=ours.captions,
                    declared_url=ours.declared_url,
                    is_article=ours.is_article,
                    kind_reason=ours.kind_reason,
                )
                row["learned_stripped"] = True


def _nonarticle_rows(mirror: Path, routes: Row, truth: list[Row], rules: Rules) -> list[Row]:
    """Every HTML page of the mirror that is neither a true article nor one of its aliases."""
    article_keys: dict[str, set[str]] = collections.defaultdict(set)
    for t in truth:
        for url in [t["url"], t.get("new_url"), *t.get("aliases", [])]:
            if not url:
                continue
            parts = urlsplit(url)
            site = routes["sites"].get(parts.hostname)
            if site:
                article_keys[parts.hostname].add(
                    resource_key(parts.path + ("?" + parts.query if parts.query else ""), site)
                )
    rows = []
    for host, site in routes["sites"].items():
        pages = [
            (key, res["file"], res["ctype"])
            for key, res in site["resources"].items()
            if "html" in res["ctype"] and key not in article_keys[host]
        ]
        if site.get("soft404"):
            pages.append(("/__soft404__", site["soft404"], f"text/html; charset={site['charset']}"))
        for key, file, ctype in pages:
            body = (mirror / "www" / file).read_bytes()
            if site.get("calendar") and file == site["calendar"].get("file"):
                continue
            try:
                tree = parse_html(body, ctype)
            except UnparsablePage:
                continue
            url = f"http://{host}{key}"
            ours = extract_article(tree, url, rules=rules)
            rows.append({"url": url, "family": site["family"], "ours": ours})
        cal = site.get("calendar")
        if cal:
            template = (
                (mirror / "www" / cal["file"])
                .read_bytes()
                .decode(site["charset"].replace("windows-", "cp"))
            )
            page = (
                template.replace("{ddmmyyyy}", "23/11/2026")
                .replace("{prev}", cal["path"])
                .replace("{next}", cal["path"])
            )
            charset = site["charset"]
            tree = parse_html(
                page.encode(charset.replace("windows-", "cp"), errors="xmlcharrefreplace"),
                f"text/html; charset={charset}",
            )
            url = f"http://{host}{cal['path']}?{cal['param']}=2026-11-23"
            rows.append(
                {
                    "url": url,
                    "family": site["family"],
                    "ours": extract_article(tree, url, rules=rules),
                }
            )
    return rows


def _report(name: str, rows: list[Row], nonarticles: list[Row]) -> None:
    print(f"\n[{name}] articles: {len(rows)}")
    ours_f1 = [r["ours_f1"] for r in rows]
    print(f"ours_f1_mean: {statistics.fmean(ours_f1):.4f}")
    print(f"ours_f1_p10: {percentile(ours_f1, 0.1):.4f}")
    plain = [r for r in rows if r["plain"] is not None]
    if plain:
        print(f"plain_f1_mean: {statistics.fmean(r['plain_f1'] for r in plain):.4f}")
        print(f"plain_f1_p10: {percentile([r['plain_f1'] for r in plain], 0.1):.4f}")
    title_ok = sum(_clean(r["ours"].title) == _clean(r["truth"]["title"]) for r in rows)
    author_ok = sum(_clean(r["ours"].author) == _clean(r["truth"]["author"]) for r in rows)
    print(f"ours_title_exact: {title_ok / len(rows):.4f}")
    print(f"ours_author_exact: {author_ok / len(rows):.4f}")
    captions_ok = sum(
        list(r["ours"].captions) == [_clean(c) for c in r["truth"]["captions"]] for r in rows
    )
    print(f"ours_captions_exact: {captions_ok / len(rows):.4f}")
    print(f"ours_leak_rows: {sum(bool(r['ours_leaks']) for r in rows)}")
    if plain:
        print(f"plain_leak_rows: {sum(bool(r['plain_leaks']) for r in plain)}")
    print(f"ours_not_article_rate: {sum(not r['ours'].is_article for r in rows) / len(rows):.4f}")
    print(f"learned_blocks_rows: {sum(bool(r.get('learned_stripped')) for r in rows)}")
    if nonarticles:
        wrong = sum(r["ours"].is_article for r in nonarticles)
        print(f"nonarticle_pages: {len(nonarticles)}")
        print(f"nonarticle_called_article: {wrong}")
    leaked = collections.Counter(s for r in rows for s in set(r["ours_leaks"]))
    if leaked:
        print("ours_leak_top5: " + "; ".join(f"{s!r} x{n}" for s, n in leaked.most_common(5)))


def _show_worst(rows: list[Row], nonarticles: list[Row], n: int) -> None:
    print("\n--- worst rows")
    for r in sorted(rows, key=lambda r: r["ours_f1"])[:n]:
        print(f"{r['ours_f1']:.3f} {r['url']} leaks={r['ours_leaks'][:3]}")
    print("\n--- title misses")
    for r in [r for r in rows if _clean(r["ours"].title) != _clean(r["truth"]["title"])][:n]:
        print(f"{r['url']}\n   ours={r['ours'].title!r}\n  truth={r['truth']['title']!r}")
    print("\n--- author misses")
    for r in [r for r in rows if _clean(r["ours"].author) != _clean(r["truth"]["author"])][:n]:
        print(f"{r['url']} ours={r['ours'].author!r} truth={r['truth']['author']!r}")
    print("\n--- leaks")
    for r in [r for r in rows if r["ours_leaks"]][:n]:
        print(f"{r['url']} {r['ours_leaks'][:5]}")
    print("\n--- articles called not-article")
    for r in [r for r in rows if not r["ours"].is_article][:n]:
        print(f"{r['url']} {r['ours'].kind_reason}")
    print("\n--- non-articles called article")
    for r in [r for r in nonarticles if r["ours"].is_article][:n]:
        print(f"{r['url']} {r['ours'].kind_reason} title={r['ours'].title!r}")


if __name__ == "__main__":
    sys.exit(main())
