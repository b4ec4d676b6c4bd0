"""Which sites that used to work have failed N nights in a row (crawler nightly's exit code)."""

from __future__ import annotations

import pytest
import sqlite_utils

from crawler import archive
from crawler.health import failing_sites, failing_streak


@pytest.mark.parametrize(
    ("outcomes", "streak"),
    [
        ([True, False, False], 2),
        ([True, True], 0),
        ([False, False, False], 0),  # never worked: a registry problem, not a failure
        ([True, False, True, False], 1),
        ([], 0),
    ],
    ids=["worked-then-failed-twice", "healthy", "never-worked", "flaky", "never-ran"],
)
def test_failing_streak(outcomes: list[bool], streak: int) -> None:
    assert failing_streak(outcomes) == streak


def test_failing_sites_reads_site_runs(fresh_db: sqlite_utils.Database) -> None:
    for run, (a_ok, b_ok) in enumerate([(1, 1), (0, 1), (0, 1), (0, 0)], start=1):
        archive.record_site_run(fresh_db, run, "a", ok=a_ok)
        archive.record_site_run(fresh_db, run, "b", ok=b_ok)
    assert failing_sites(fresh_db, 3) == [("a", 3)]
    assert failing_sites(fresh_db, 1) == [("a", 3), ("b", 1)]
