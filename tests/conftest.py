"""Shared fixtures: a fresh archive per test, a fixed crawl time, a waiting helper."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlite_utils

from crawler import archive
from crawler.timezone import VN_TZ

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

#: The crawl time every test uses: the header widget trap prints this day.
FETCHED_AT = datetime(2026, 11, 23, 3, 0, tzinfo=VN_TZ)


@pytest.fixture
def fresh_db(tmp_path: Path) -> Iterator[sqlite_utils.Database]:
    """A new, migrated archive in a real SQLite file."""
    db = archive.open_archive(tmp_path / "archive.db")
    yield db
    db.conn.close()


def wait_until(condition: Callable[[], bool], deadline: float = 30.0) -> bool:
    """Poll condition until it holds or deadline seconds pass; the only way tests wait."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
