"""De-duplication cost per new article against archives of 10k, 100k and 1M texts.

Usage: .venv/bin/python benchmarks/dedupe_scale.py [--sizes 10000,100000,1000000]
       [--queries 200] [--db PATH] [--seed N] [--mirror DIR ...]

One real SQLite archive (crawler.archive schema, WAL, in a temporary directory unless --db) grows
to each size in turn. At each size the same new articles are de-duplicated exactly as
crawler.ingest does it: ``signature`` + ``band_keys`` + ``archive.signature_candidates`` + the
``estimated_similarity`` filter + ``archive.article_by_id`` + ``is_republication`` on each
surviving candidate. Half of the new articles re-publish an archived article (other lead, other
byline), half are new texts. Prints ``name: value`` lines.

How the archive is filled: 300 articles are real (generated prose, stored as articles rows and
indexed through archive.add_signature); the rest are SYNTHETIC signatures inserted in bulk,
because computing MinHash for a million texts would take too long here. A synthetic signature is
what MinHash gives a text of which 5-35 % of the shingles (and at least 150 in all) are the
stock phrases of one of 4000 template variants (1000 templates; popularity ~ rank**-0.6, the
largest family 1.4 % of the archive): per permutation, the minimum of the variant's real
MinHash values and of the text's own shingles (sampled directly as the minimum of that many
uniform 32-bit hashes). So synthetic texts collide with new articles and with each other through
shared template wording (two texts of one variant: Jaccard 0.03-0.21) instead of never; 1 % of
them are near-copies of another. The new articles draw their templates the same way. Band keys
come from crawler.fingerprint.band_keys, like every real one.

``--mirror DIR ...`` first measures linking quality on acceptance mirrors (the output of
../shared/acceptance/generate.py): every true article (its true paragraphs) is linked in order
of publication the way crawler.ingest does it, through an in-memory LSH index, and the links are
compared with truth.jsonl ``copy_of_url``; then every pair of articles is checked with
``is_republication`` to count false links the index might have hidden (all pairs: fine here,
never in production).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import struct
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import sqlite_utils

from crawler import archive, fingerprint
from crawler.fingerprint import (
    band_keys,
    estimated_similarity,
    is_republication,
    normalise_for_fingerprint,
    signature,
)

#: Filter before fetching a candidate's text: the value crawler.ingest uses.
CANDIDATE_MIN_ESTIMATE = 0.3
TEMPLATES = 1000
TEMPLATE_VARIANTS = 4
#: Template popularity ~ rank**-ZIPF: the largest family is 1.4 % of the archive.
ZIPF = 0.6
STOCK_SENTENCES = 30
REAL_ARTICLES = 300
CHUNK = 50_000
PASSES = 3

# Common Vietnamese syllables: the generated prose is not language, but it has the token
# statistics (short, frequent, reused syllables) the shingling sees.
_SYLLABLE_TEXT = (
    "của và các được cho trong với những này đã là có không người một năm công tác đảng "
    "viên cán bộ tổ chức huyện tỉnh xã ủy ban thường vụ hội nghị triển khai thực hiện kế hoạch "
    "nhiệm vụ chính trị tư tưởng tuyên giáo dân vận kiểm tra giám sát phong trào thi đua nhân "
    "dân kinh tế xã hội phát triển nông thôn mới quốc phòng an ninh chi đoàn thanh niên phụ nữ "
    "cựu chiến binh mặt trận tổ quốc học tập làm theo đạo đức phong cách hồ chí minh nghị quyết "
    "trung ương chỉ thị kết luận quy định đồng chí bí thư phó chủ tịch trưởng ban đại biểu dự "
    "chỉ đạo phát biểu đánh giá kết quả hạn chế nguyên nhân giải pháp tăng cường đổi mới nâng "
    "cao chất lượng hiệu quả sinh hoạt định kỳ chuyên đề khen thưởng tập thể cá nhân xuất sắc "
    "tiêu biểu điển hình mô hình cách làm hay sáng tạo đột phá chuyển đổi số cải cách hành chính "
    "văn phòng cấp ủy lý luận bồi dưỡng kết nạp mới huy hiệu tuổi lão thành trao tặng"
)
SYLLABLES = _SYLLABLE_TEXT.split()


def sentence(rng: random.Random, low: int = 12, high: int = 30) -> str:
    words = [rng.choice(SYLLABLES) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, stock: list[str], stock_share: float) -> str:
    parts = []
    for _ in range(rng.randint(2, 4)):
        use_stock = stock and rng.random() < stock_share
        parts.append(rng.choice(stock) if use_stock else sentence(rng))
    return " ".join(parts)


def article_text(rng: random.Random, stock: list[str]) -> tuple[str, list[str]]:
    """(text, paragraphs) of a generated article: lead, 4-9 paragraphs, byline."""
    share = rng.uniform(0.05, 0.35)
    paras = [paragraph(rng, stock, share) for _ in range(rng.randint(5, 10))]
    return "\n\n".join([*paras, "Minh Khoa"]), paras


def republished(rng: random.Random, paras: list[str]) -> str:
    """Another committee's copy: new lead sentence, same body, other byline."""
    lead = sentence(rng) + " " + paras[0].split(". ", 1)[0] + "."
    return "\n\n".join([lead, *paras[1:], "Hoàng Yến"])


def template_minhashes(
    rng: random.Random,
) -> tuple[list[list[str]], np.ndarray, np.ndarray, np.ndarray]:
    """Template variants: their stock sentences, MinHash values, shingle counts, popularity."""
    variants: list[list[str]] = []
    values = np.empty((TEMPLATES * TEMPLATE_VARIANTS, fingerprint.NUM_PERM), dtype=np.uint32)
    counts = np.empty(TEMPLATES * TEMPLATE_VARIANTS, dtype=np.int64)
    for _ in range(TEMPLATES):
        stock = [sentence(rng) for _ in range(STOCK_SENTENCES)]
        for _ in range(TEMPLATE_VARIANTS):
            chosen = rng.sample(stock, rng.randint(3, 12))
            sig = signature("\n".join(chosen))  # the real MinHash of those stock shingles
            values[len(variants)] = np.frombuffer(sig[4:], dtype="<u4")
            counts[len(variants)] = struct.unpack_from("<I", sig)[0]
            variants.append(chosen)
    ranks = np.arange(1, len(variants) + 1, dtype=np.float64)
    order = np.array(rng.sample(range(len(variants)), len(variants)))
    weights = ranks[order] ** -ZIPF
    return variants, values, counts, weights / weights.sum()


def synthetic_signatures(
    gen: np.random.Generator,
    n: int,
    tvalues: np.ndarray,
    tcounts: np.ndarray,
    weights: np.ndarray,
) -> Iterator[bytes]:
    """n synthetic signatures (see the module docstring), in chunks."""
    previous: np.ndarray | None = None
    for start in range(0, n, CHUNK):
        size = min(CHUNK, n - start)
        variant = gen.choice(len(tvalues), size=size, p=weights)
        # The template's stock shingles make 5-35 % of the text: two texts of one template
        # variant then have a Jaccard similarity of about share / (2 - share), 0.03-0.21.
        share = gen.uniform(0.05, 0.35, size=size)
        total = np.maximum(150, tcounts[variant] / share).astype(np.int64)
        own = total - tcounts[variant]
        uniform = gen.random((size, fingerprint.NUM_PERM))
        # Minimum of m uniform hashes: 1 - (1 - U)^(1/m), scaled to 32 bits.
        mins = 1.0 - np.power(1.0 - uniform, 1.0 / own[:, None])
        values = np.minimum((mins * 4294967295.0).astype(np.uint32), tvalues[variant])
        if previous is not None:
            # 1 % near-copies of a text of the previous chunk: 90 % of their values kept.
            copies = gen.choice(size, size=size // 100, replace=False)
            sources = gen.choice(len(previous), size=len(copies))
            keep = gen.random((len(copies), fingerprint.NUM_PERM)) < 0.9
            values[copies] = np.where(keep, previous[sources], values[copies])
        previous = values
        header = total.astype("<u4")
        for row in range(size):
            yield struct.pack("<I", int(header[row])) + values[row].astype("<u4").tobytes()


def bulk_insert(
    db: sqlite_utils.Database, first_id: int, sigs: Iterator[bytes], n: int, sites: int
) -> None:
    """Insert n synthetic signatures and their band keys, sorted per batch for B-tree speed."""
    conn = db.conn
    article_id = first_id
    batch_sigs: list[tuple[int, str, bytes]] = []
    batch_keys: list[tuple[int, int]] = []

    def flush() -> None:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO signatures (article_id, site_id, signature) VALUES (?, ?, ?)", batch_sigs
        )
        batch_keys.sort()
        conn.executemany(
            "INSERT OR IGNORE INTO lsh_buckets (band_key, article_id) VALUES (?, ?)", batch_keys
        )
        conn.execute("COMMIT")
        batch_sigs.clear()
        batch_keys.clear()

    for _ in range(n):
        sig = next(sigs)
        batch_sigs.append((article_id, f"syn{article_id % sites}", sig))
        batch_keys.extend((key, article_id) for key in band_keys(sig))
        article_id += 1
        if len(batch_sigs) >= CHUNK:
            flush()
    if batch_sigs:
        flush()


def dedupe(
    db: sqlite_utils.Database, site_id: str, text: str
) -> tuple[int, int, int | None, float]:
    """The ingest path for one new article.

    Returns (candidates, exact checks, linked article id, seconds spent in the index lookup).
    """
    sig = signature(text)
    keys = band_keys(sig)
    t = time.perf_counter()
    candidates = archive.signature_candidates(db, keys, site_id) if keys else []
    lookup = time.perf_counter() - t
    checks = 0
    best: tuple[float, int] | None = None
    for other_id, _site, other_sig in candidates:
        if estimated_similarity(sig, other_sig) < CANDIDATE_MIN_ESTIMATE:
            continue
        other = archive.article_by_id(db, other_id)
        if other is None or not other.text:
            continue
        checks += 1
        same, score = is_republication(text, other.text)
        if same and (best is None or score > best[0]):
            best = (score, other_id)
    return len(candidates), checks, best[1] if best else None, lookup


def archived_candidates(db: sqlite_utils.Database, gen: np.random.Generator, n: int) -> list[int]:
    """Candidates (itself excluded) of 500 archived synthetic texts: how full the buckets are."""
    ids = gen.choice(n - REAL_ARTICLES, size=min(500, n - REAL_ARTICLES), replace=False)
    counts = []
    for offset in ids:
        article_id = 1_000_000_000 + REAL_ARTICLES + int(offset)
        row = db.execute(
            "SELECT signature FROM signatures WHERE article_id = ?", [article_id]
        ).fetchone()
        found = archive.signature_candidates(db, band_keys(row[0]), "", limit=100_000)
        counts.append(sum(1 for other, _, _ in found if other != article_id))
    return counts


def shingle_set(text: str) -> set[str]:
    """The word shingles republication_score compares (prose words, SHINGLE_WORDS long)."""
    words = normalise_for_fingerprint(text).split()
    size = fingerprint.SHINGLE_WORDS
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def mirror_quality(mirror: Path) -> None:
    """Precision and recall of copy links on one acceptance mirror's truth (see docstring)."""
    rows = [json.loads(line) for line in (mirror / "truth.jsonl").open(encoding="utf-8")]
    texts = ["\n\n".join(row["paragraphs"]) for row in rows]
    index = {row["url"]: i for i, row in enumerate(rows)}
    truth = {
        frozenset((i, index[r["copy_of_url"]])) for i, r in enumerate(rows) if r["copy_of_url"]
    }
    groups: dict[str, set[int]] = {}
    for i, row in enumerate(rows):
        if row.get("topic_group"):
            groups.setdefault(row["topic_group"], set()).add(i)
    lookalikes = {frozenset(g) for g in groups.values() if len(g) == 2}
    sigs = [signature(text) for text in texts]
    keys = [band_keys(sig) for sig in sigs]
    buckets: dict[int, list[int]] = {}
    links: set[frozenset[int]] = set()
    for i in sorted(range(len(rows)), key=lambda i: rows[i]["published"] or "9999"):
        candidates = {j for key in keys[i] for j in buckets.get(key, [])}
        best: tuple[float, int] | None = None
        for j in candidates:
            if rows[j]["site_id"] == rows[i]["site_id"]:
                continue
            if estimated_similarity(sigs[i], sigs[j]) < CANDIDATE_MIN_ESTIMATE:
                continue
            same, score = is_republication(texts[i], texts[j])
            if same and (best is None or score > best[0]):
                best = (score, j)
        if best:
            links.add(frozenset((i, best[1])))
        for key in keys[i]:
            buckets.setdefault(key, []).append(i)
    # All pairs: the shingle sets are built once (as republication_score builds them) and any
    # pair within reach of the threshold is decided by is_republication itself.
    sets = [shingle_set(text) for text in texts]
    false_pairs = 0
    copy_scores: list[float] = []
    other_scores: list[float] = []
    for i, j in itertools.combinations(range(len(rows)), 2):
        a, b = sets[i], sets[j]
        score = len(a & b) / min(len(a), len(b)) if a and b else 0.0
        is_copy = frozenset((i, j)) in truth
        (copy_scores if is_copy else other_scores).append(score)
        if not is_copy and score >= fingerprint.REPUBLICATION_THRESHOLD / 2:
            false_pairs += is_republication(texts[i], texts[j])[0]
    name = f"mirror_{mirror.name}"
    hits = len(links & truth)
    print(f"{name}_articles: {len(rows)}")
    print(f"{name}_true_copies: {len(truth)}")
    print(f"{name}_links: {len(links)}")
    print(f"{name}_precision: {hits / len(links) if links else 1.0:.3f}")
    print(f"{name}_recall: {hits / len(truth) if truth else 1.0:.3f}")
    print(f"{name}_lookalike_links: {len(links & lookalikes)}")
    print(f"{name}_false_links_all_pairs: {false_pairs}")
    print(f"{name}_min_copy_score: {min(copy_scores, default=0.0):.3f}")
    print(f"{name}_max_other_score: {max(other_scores, default=0.0):.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--db", type=Path, help="keep the archive here (default: a temp dir)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mirror", type=Path, nargs="*", default=[], help="acceptance mirrors")
    args = parser.parse_args()
    for mirror in args.mirror:
        mirror_quality(mirror)
    sizes = [int(s) for s in args.sizes.split(",")]
    rng = random.Random(args.seed)
    gen = np.random.default_rng(args.seed)

    with tempfile.TemporaryDirectory(prefix="dedupe_scale.") as tmp:
        path = args.db or Path(tmp) / "archive.db"
        db = archive.open_archive(path)
        built = time.perf_counter()
        variants, tvalues, tcounts, weights = template_minhashes(rng)

        def stock() -> list[str]:  # the stock sentences of a template variant, by popularity
            return variants[int(gen.choice(len(variants), p=weights))]

        # Real articles, stored and indexed the way the store stage does it.
        originals: list[tuple[int, list[str]]] = []
        with archive.transaction(db):
            for i in range(REAL_ARTICLES):
                text, paras = article_text(rng, stock())
                article_id = archive.insert_article(
                    db, {"url": f"http://real{i % 10}.vn/a/{i}", "site_id": f"real{i % 10}",
                         "title": f"Bài {i}", "text": text},
                )  # fmt: skip
                sig = signature(text)
                archive.add_signature(db, article_id, f"real{i % 10}", sig, band_keys(sig))
                originals.append((article_id, paras))
        # New articles: half re-publish a real article, half are new.
        queries: list[tuple[str, int | None]] = []
        for q in range(args.queries):
            if q % 2 == 0:
                original_id, paras = originals[q % len(originals)]
                queries.append((republished(rng, paras), original_id))
            else:
                queries.append((article_text(rng, stock())[0], None))

        print(
            "archive: real SQLite file, crawler.archive schema; "
            f"{REAL_ARTICLES} real articles + SYNTHETIC signatures/band keys inserted directly "
            "(template-sharing model, 1 % near-copies), not MinHash of real texts"
        )
        print(
            f"minhash: num_perm {fingerprint.NUM_PERM},"
            f" bands {fingerprint.BANDS} x rows {fingerprint.ROWS}"
        )
        sigs = synthetic_signatures(gen, max(sizes), tvalues, tcounts, weights)
        have = REAL_ARTICLES
        results: dict[int, float] = {}
        lookup_means: dict[int, float] = {}
        for size in sizes:
            t0 = time.perf_counter()
            db.execute("PRAGMA cache_size = -400000")  # 400 MB while building only
            bulk_insert(db, 1_000_000_000 + have, sigs, size - have, sites=500)
            have = size
            build_s = time.perf_counter() - t0
            # Measure on a fresh connection with the archive's own settings (default cache).
            db.conn.close()
            db = archive.open_archive(path)
            label = _label(size)
            # Each new article is timed PASSES times and its fastest run kept: the machine is
            # shared, and the minimum is the cost without interference. The first pass, on a
            # fresh connection with a cold SQLite cache, is reported too.
            best = [float("inf")] * len(queries)
            best_lookup = [float("inf")] * len(queries)
            first_pass: list[float] = []
            candidates: list[int] = []
            checks: list[int] = []
            found = wrong = 0
            for attempt in range(PASSES):
                for i, (text, expected) in enumerate(queries):
                    t = time.perf_counter()
                    ncand, nchecks, linked, lookup = dedupe(db, "new", text)
                    elapsed = (time.perf_counter() - t) * 1000
                    best[i] = min(best[i], elapsed)
                    best_lookup[i] = min(best_lookup[i], lookup * 1000)
                    if attempt == 0:
                        first_pass.append(elapsed)
                        candidates.append(ncand)
                        checks.append(nchecks)
                        found += linked is not None and linked == expected
                        wrong += linked is not None and linked != expected
            results[size] = statistics.mean(best)
            lookup_means[size] = statistics.mean(best_lookup)
            copies = sum(1 for _, e in queries if e is not None)
            print(f"archive_texts_{label}: {size}")
            print(f"build_seconds_{label}: {build_s:.1f}")
            print(f"dedupe_ms_per_article_{label}: {results[size]:.2f}")
            print(f"dedupe_ms_p95_{label}: {np.percentile(best, 95):.2f}")
            print(f"dedupe_ms_first_pass_{label}: {statistics.mean(first_pass):.2f}")
            print(f"index_lookup_ms_per_article_{label}: {lookup_means[size]:.3f}")
            print(f"candidates_per_article_{label}: {statistics.mean(candidates):.2f}")
            print(f"candidates_max_{label}: {max(candidates)}")
            probe = archived_candidates(db, gen, have)
            print(f"candidates_per_archived_text_{label}: {statistics.mean(probe):.3f}")
            print(f"candidates_max_archived_text_{label}: {max(probe)}")
            print(f"exact_checks_per_article_{label}: {statistics.mean(checks):.2f}")
            print(f"copies_linked_{label}: {found}/{copies}")
            print(f"false_links_{label}: {wrong}")
        if len(sizes) > 1:
            first, last = sizes[0], sizes[-1]
            growth = results[last] / results[first]
            lookup_growth = lookup_means[last] / lookup_means[first]
            print(f"growth_{_label(last)}_vs_{_label(first)}: {growth:.2f}")
            print(f"index_lookup_growth_{_label(last)}_vs_{_label(first)}: {lookup_growth:.2f}")
            # For scale: log(n) grows by this factor over the same range.
            print(
                f"log_n_ratio_{_label(last)}_vs_{_label(first)}: {np.log(last) / np.log(first):.2f}"
            )
        print(f"db_megabytes: {Path(path).stat().st_size / 1e6:.0f}")
        print(f"total_seconds: {time.perf_counter() - built:.0f}")
        db.conn.close()
    return 0


def _label(size: int) -> str:
    return f"{size // 1_000_000}m" if size >= 1_000_000 else f"{size // 1000}k"


if __name__ == "__main__":
    raise SystemExit(main())
