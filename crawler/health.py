"""Site health across nights: which sites that used to work have failed N runs in a row."""

from __future__ import annotations

from collections.abc import Sequence

import sqlite_utils

from crawler import archive


def failing_streak(outcomes: Sequence[bool]) -> int:
    """Failures in a row at the end of outcomes (oldest first), counted only if one run was ok."""
    for streak, ok in enumerate(reversed(outcomes)):
        if ok:
            return streak
    return 0


def failing_sites(db: sqlite_utils.Database, nights: int) -> list[tuple[str, int]]:
    """(site id, failures in a row) of sites that worked once and failed the last `nights` runs."""
    found = []
    for site_id, outcomes in archive.site_outcomes(db).items():
        streak = failing_streak(outcomes)
        if streak >= nights:
            found.append((site_id, streak))
    return sorted(found)
