"""Vietnam's administrative units before and after 1 July 2025, with successor links.

The 2025 reorganisation (Resolution 202/2025/QH15, in force for the new provincial governments
from 1 July 2025) turned 63 provinces into 34 and abolished the district level. This module
answers "which province is this today?" and "which province was this on a given day?" for the
registry and for every article grouped by province.

The data comes from the maintained `vietnamadminunits` package (63-province and 34-province
datasets with official codes, and its documented `convert_address` for the old-to-new province
mapping); nothing here is typed in by hand except the two dates of the change of map and one
former province name. It is snapshotted into `data/units.csv` so that using the gazetteer needs
neither the package nor its geodata at run time; rebuild the snapshot with
`python -m crawler.gazetteer --write data/units.csv` (a test checks that the snapshot equals what
the package gives).

Unit codes carry the map they belong to, because the official codes were reused: code 82 was
Tiền Giang before 1 July 2025 and is Đồng Tháp after it.

- `p63-82`: a province of the 63-province map (valid until 2025-06-30), official code 82;
- `p34-82`: a province of the 34-province map (valid from 2025-07-01), official code 82;
- `d63-595`: a district of the 63-province map (the level was abolished on 2025-07-01).

A 63-map unit's `successor_code` is the 34-map province that took over its territory. Every
63-map unit ends on 2025-06-30, including the eleven provinces that kept their territory, so that
"the province on a day" is always one lookup. The package gives no start dates, so a 63-map
unit's `valid_from` is None: it existed before the archive's earliest article.

Many lookups: hold one `Gazetteer` from `load_gazetteer()`. The module-level helpers read the
snapshot on each call (no hidden cache), which is fine for a few calls.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import click

from crawler.text import fold_vietnamese, nfc

#: the first day of the 34-province map (provincial governments of the merged provinces)
MAP_34_FROM = date(2025, 7, 1)
#: the last day of the 63-province map and of the district level
MAP_63_TO = MAP_34_FROM - timedelta(days=1)

#: the shipped snapshot of the package's data
DEFAULT_UNITS_PATH = Path(__file__).resolve().parent.parent / "data" / "units.csv"

#: columns of data/units.csv and keys of unit_rows(), in order
UNIT_COLUMNS = (
    "code",
    "name",
    "full_name",
    "kind",
    "designation",
    "official_code",
    "valid_from",
    "valid_to",
    "parent_code",
    "successor_code",
    "aliases",
)

# Former names that the package does not know, by 63-map official code. Thừa Thiên Huế became
# Thành phố Huế on 2025-01-01 (Resolution 1314/NQ-UBTVQH15); registry rows and older articles
# still use the old name.
_FORMER_NAMES: dict[str, tuple[str, ...]] = {"46": ("Thừa Thiên Huế",)}

# "Tỉnh Bình Phước", "Thành phố Huế", "TP. Hồ Chí Minh", "TP.HCM", "T.P Cần Thơ"
_PREFIX_RE = re.compile(r"^(?:tinh\s+|thanh\s+pho\s+|t\.?\s*p\.?\s*)")
_NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")
_CODE_RE = re.compile(r"^(?P<kind>[pd])(?P<map>63|34)-(?P<official>\d{2,3})$")


class UnknownUnitError(LookupError):
    """A name or code that matches no administrative unit (or none valid on the day asked)."""


@dataclass(frozen=True, slots=True)
class Unit:
    """One administrative unit of one map (63-province or 34-province)."""

    #: "p63-82", "p34-82" or "d63-595": kind letter, map, official code (see module docstring)
    code: str
    #: short name without the designation, NFC, e.g. "Tiền Giang", "Hồ Chí Minh"
    name: str
    #: "province" (tỉnh or centrally-run city) or "district" (huyện, quận, thị xã, city of a
    #: province); the same words as the registry's `level`
    kind: str
    #: first day the unit existed in this form; None when before the archive (63-map units)
    valid_from: date | None
    #: last day the unit existed in this form; None while it still exists
    valid_to: date | None
    #: the unit that took over its territory when it ended: a 34-map province, or None
    successor_code: str | None
    #: official full name, e.g. "Tỉnh Tiền Giang", "Huyện Tuy Phong"
    full_name: str = ""
    #: the Vietnamese designation: "Tỉnh", "Thành phố", "Huyện", "Quận", "Thị xã"
    designation: str = ""
    #: the official code of the General Statistics Office list, e.g. "82", "595"
    official_code: str = ""
    #: for a district, the code of its province; else None
    parent_code: str | None = None
    #: other names the unit is known by (former names, abbreviations), NFC
    aliases: tuple[str, ...] = field(default=())

    def is_valid_on(self, day: date) -> bool:
        """True when the unit existed in this form on day."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def to_row(self) -> dict[str, str | None]:
        """This unit as a flat dict for a `units` table (dates ISO, aliases space-joined)."""
        return {
            "code": self.code,
            "name": self.name,
            "full_name": self.full_name,
            "kind": self.kind,
            "designation": self.designation,
            "official_code": self.official_code,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "parent_code": self.parent_code,
            "successor_code": self.successor_code,
            "aliases": "; ".join(self.aliases) or None,
        }


def name_key(text: str) -> str:
    """Fold a province name for matching: no diacritics, no "Tỉnh"/"Thành phố"/"TP." prefix.

    "Tỉnh Bà Rịa - Vũng Tàu" -> "bariavungtau"; "TP.HCM" -> "hcm"; "thanh pho Hue" -> "hue".
    """
    folded = fold_vietnamese(nfc(text)).strip()
    folded = _PREFIX_RE.sub("", folded)
    return _NON_ALNUM_RE.sub("", folded)


class Gazetteer:
    """The units of both maps with indexes for lookups by code and by province name."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self.units: tuple[Unit, ...] = tuple(units)
        self._by_code: dict[str, Unit] = {}
        self._by_name: dict[str, list[Unit]] = {}
        for unit in self.units:
            if unit.code in self._by_code:
                raise ValueError(f"duplicate unit code {unit.code!r}")
            self._by_code[unit.code] = unit
            if unit.kind != "province":
                continue  # district names repeat across provinces ("Lai Châu" is also a city)
            for name in (unit.name, unit.full_name, *unit.aliases):
                key = name_key(name)
                if key and unit not in self._by_name.setdefault(key, []):
                    self._by_name[key].append(unit)

    def get(self, code: str) -> Unit:
        """The unit with this exact code ("p63-82"); raises UnknownUnitError."""
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownUnitError(f"no administrative unit has code {code!r}") from None

    def current(self, code: str) -> Unit:
        """Follow successor links from the unit `code` to the unit that exists today."""
        unit = self.get(code)
        seen = {unit.code}
        while unit.successor_code is not None:
            unit = self.get(unit.successor_code)
            if unit.code in seen:
                raise ValueError(f"successor cycle through {unit.code!r}")
            seen.add(unit.code)
        return unit

    def province_now(self, name_or_code: str) -> Unit:
        """Today's province for a province (either map) or 63-map district.

        Accepts a unit code ("p63-82", "d63-595"), a bare official province code ("82": the
        34-map province of that code, else the 63-map one), or a province name with or without
        diacritics and "Tỉnh"/"Thành phố"/"TP." prefixes. Raises UnknownUnitError.
        """
        unit = self._resolve(name_or_code, on=None)
        now = self.current(unit.code)
        if now.kind == "district":  # a district that has no successor: should not happen
            raise UnknownUnitError(f"{name_or_code!r} has no current province")
        return now

    def province_on(self, name_or_code: str, day: date) -> Unit:
        """The province the place belonged to on day: a 63-map unit before 2025-07-01.

        Same inputs as province_now(); a 34-map province code before 2025-07-01 raises
        UnknownUnitError, since such a province did not exist yet.
        """
        if day >= MAP_34_FROM:
            return self.province_now(name_or_code)
        unit = self._resolve(name_or_code, on=day)
        if unit.kind == "district" and unit.parent_code is not None:
            unit = self.get(unit.parent_code)
        if not unit.is_valid_on(day):
            raise UnknownUnitError(f"{name_or_code!r} did not exist on {day.isoformat()}")
        return unit

    def provinces(self, on: date) -> list[Unit]:
        """The provinces valid on a day, in official-code order."""
        return [u for u in self.units if u.kind == "province" and u.is_valid_on(on)]

    def predecessors(self, code: str) -> list[Unit]:
        """The units whose successor is `code`: the former provinces a 34-map one absorbed."""
        return [u for u in self.units if u.successor_code == code and u.kind == "province"]

    def _resolve(self, name_or_code: str, on: date | None) -> Unit:
        text = nfc(name_or_code).strip()
        if _CODE_RE.match(text.lower()):
            return self.get(text.lower())
        if text.isdigit():
            official = text.zfill(2)
            wanted = ("p63", "p34") if on is not None and on < MAP_34_FROM else ("p34", "p63")
            for prefix in wanted:
                if f"{prefix}-{official}" in self._by_code:
                    return self._by_code[f"{prefix}-{official}"]
            raise UnknownUnitError(f"no province has official code {text!r}")
        candidates = self._by_name.get(name_key(text), [])
        if not candidates:
            raise UnknownUnitError(f"no province is called {name_or_code!r}")
        if on is not None and on < MAP_34_FROM:
            old = [u for u in candidates if u.code.startswith("p63-")]
            if old:
                return old[0]
        return candidates[0]


def load_gazetteer(path: str | Path | None = None) -> Gazetteer:
    """Read the units snapshot (default data/units.csv) into a Gazetteer.

    Raises OSError when the file cannot be read and ValueError on a malformed row.
    """
    return Gazetteer(read_units(path))


def read_units(path: str | Path | None = None) -> list[Unit]:
    """Parse a units CSV written by write_units(); raises OSError or ValueError."""
    with Path(path or DEFAULT_UNITS_PATH).open(encoding="utf-8", newline="") as handle:
        return [_unit_from_row(row) for row in csv.DictReader(handle)]


def units(path: str | Path | None = None) -> list[Unit]:
    """Every unit of both maps, from the snapshot: 63 + 34 provinces, then 63-map districts."""
    return read_units(path)


def province_now(name_or_code: str, path: str | Path | None = None) -> Unit:
    """Today's province for a former or current province name or code (see Gazetteer)."""
    return load_gazetteer(path).province_now(name_or_code)


def province_on(name_or_code: str, day: date, path: str | Path | None = None) -> Unit:
    """The province in force for a place on a day (see Gazetteer.province_on)."""
    return load_gazetteer(path).province_on(name_or_code, day)


def unit_rows(path: str | Path | None = None) -> list[dict[str, str | None]]:
    """Rows for a `units` table: one dict per unit with the keys of UNIT_COLUMNS."""
    return [unit.to_row() for unit in read_units(path)]


def units_csv(all_units: Sequence[Unit]) -> str:
    """The CSV text of units, as written to data/units.csv (UTF-8, LF line ends)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=UNIT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for unit in all_units:
        writer.writerow({k: v or "" for k, v in unit.to_row().items()})
    return buffer.getvalue()


def units_from_library() -> list[Unit]:
    """Build every unit from the `vietnamadminunits` package (slow: loads its datasets).

    Raises ImportError when the package is not installed (it is a dev dependency).
    """
    from vietnamadminunits import convert_address
    from vietnamadminunits.database import get_data

    new_rows = get_data(["province", "provinceShort", "provinceCode", "provinceAlias"])
    old_rows = get_data(
        ["province", "provinceShort", "provinceCode", "provinceAlias"],
        table="admin_units_legacy",
    )
    district_rows = get_data(
        ["district", "districtShort", "districtCode", "districtType", "provinceCode"],
        table="admin_units_legacy",
    )
    new_units = [
        _province_unit(row, "p34", valid_from=MAP_34_FROM, valid_to=None, successor=None)
        for row in sorted(new_rows, key=lambda r: str(r["provinceCode"]))
    ]
    old_units = []
    for row in sorted(old_rows, key=lambda r: str(r["provinceCode"])):
        # The package's documented converter maps an old address to its 34-map province; a
        # province name alone is an address at province level.
        successor = f"p34-{convert_address(str(row['province'])).province_code}"
        old_units.append(
            _province_unit(row, "p63", valid_from=None, valid_to=MAP_63_TO, successor=successor)
        )
    successor_of = {u.official_code: u.successor_code for u in old_units}
    districts = [
        Unit(
            code=f"d63-{row['districtCode']}",
            name=nfc(str(row["districtShort"])),
            kind="district",
            valid_from=None,
            valid_to=MAP_63_TO,
            successor_code=successor_of[str(row["provinceCode"])],
            full_name=nfc(str(row["district"])),
            designation=nfc(str(row["districtType"])),
            official_code=str(row["districtCode"]),
            parent_code=f"p63-{row['provinceCode']}",
        )
        for row in sorted(district_rows, key=lambda r: str(r["districtCode"]))
    ]
    return [*old_units, *new_units, *districts]


def _province_unit(
    row: dict[str, object],
    prefix: str,
    *,
    valid_from: date | None,
    valid_to: date | None,
    successor: str | None,
) -> Unit:
    official = str(row["provinceCode"])
    full_name = nfc(str(row["province"]))
    short = nfc(str(row["provinceShort"]))
    designation = full_name[: -len(short)].strip() if full_name.endswith(short) else ""
    aliases = [str(a) for a in _json_list(row.get("provinceAlias"))]
    if prefix == "p63":
        aliases = [*_FORMER_NAMES.get(official, ()), *aliases]
    return Unit(
        code=f"{prefix}-{official}",
        name=short,
        kind="province",
        valid_from=valid_from,
        valid_to=valid_to,
        successor_code=successor,
        full_name=full_name,
        designation=designation,
        official_code=official,
        aliases=tuple(nfc(a) for a in aliases),
    )


def _json_list(value: object) -> list[object]:
    if not value:
        return []
    parsed = json.loads(str(value))
    return list(parsed) if isinstance(parsed, list) else []


def _unit_from_row(row: dict[str, str]) -> Unit:
    def optional(key: str) -> str | None:
        return row.get(key) or None

    def day(key: str) -> date | None:
        value = optional(key)
        return date.fromisoformat(value) if value else None

    if (
        not row.get("code")
        or not row.get("name")
        or row.get("kind") not in ("province", "district")
    ):
        raise ValueError(f"malformed unit row: {row!r}")
    aliases = tuple(a.strip() for a in (row.get("aliases") or "").split(";") if a.strip())
    return Unit(
        code=row["code"],
        name=nfc(row["name"]),
        kind=row["kind"],
        valid_from=day("valid_from"),
        valid_to=day("valid_to"),
        successor_code=optional("successor_code"),
        full_name=nfc(row.get("full_name") or ""),
        designation=nfc(row.get("designation") or ""),
        official_code=row.get("official_code") or "",
        parent_code=optional("parent_code"),
        aliases=tuple(nfc(a) for a in aliases),
    )


@click.command(name="gazetteer")
@click.option(
    "--write",
    "write_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Rebuild the snapshot from the vietnamadminunits package into this file.",
)
@click.option(
    "--check",
    "check_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Exit 1 unless this snapshot equals what the package gives.",
)
def main(write_path: Path | None, check_path: Path | None) -> None:
    """Rebuild or check data/units.csv from the vietnamadminunits package."""
    text = units_csv(units_from_library())
    if write_path is not None:
        write_path.write_text(text, encoding="utf-8")
        click.echo(f"wrote {text.count(chr(10)) - 1} units to {write_path}")
    if check_path is not None:
        if check_path.read_text(encoding="utf-8") != text:
            raise click.ClickException(f"{check_path} differs from the package's data")
        click.echo(f"{check_path} matches the package's data")
    if write_path is None and check_path is None:
        click.echo(text, nl=False)


if __name__ == "__main__":
    main()
