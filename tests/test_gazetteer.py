"""The gazetteer: 63 provinces to 34, names in every spelling, units on a given day."""

from __future__ import annotations

import pickle
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.gazetteer import (
    DEFAULT_UNITS_PATH,
    MAP_34_FROM,
    MAP_63_TO,
    UNIT_COLUMNS,
    Gazetteer,
    Unit,
    UnknownUnitError,
    load_gazetteer,
    main,
    name_key,
    province_now,
    province_on,
    read_units,
    unit_rows,
    units,
    units_csv,
)

# Resolution 202/2025/QH15 on the arrangement of provincial-level units, typed from the
# resolution (not from the library) so that the test checks the library's mapping.
OFFICIAL_63_TO_34 = {
    "Hà Nội": "Hà Nội",
    "Hà Giang": "Tuyên Quang",
    "Cao Bằng": "Cao Bằng",
    "Bắc Kạn": "Thái Nguyên",
    "Tuyên Quang": "Tuyên Quang",
    "Lào Cai": "Lào Cai",
    "Điện Biên": "Điện Biên",
    "Lai Châu": "Lai Châu",
    "Sơn La": "Sơn La",
    "Yên Bái": "Lào Cai",
    "Hòa Bình": "Phú Thọ",
    "Thái Nguyên": "Thái Nguyên",
    "Lạng Sơn": "Lạng Sơn",
    "Quảng Ninh": "Quảng Ninh",
    "Bắc Giang": "Bắc Ninh",
    "Phú Thọ": "Phú Thọ",
    "Vĩnh Phúc": "Phú Thọ",
    "Bắc Ninh": "Bắc Ninh",
    "Hải Dương": "Hải Phòng",
    "Hải Phòng": "Hải Phòng",
    "Hưng Yên": "Hưng Yên",
    "Thái Bình": "Hưng Yên",
    "Hà Nam": "Ninh Bình",
    "Nam Định": "Ninh Bình",
    "Ninh Bình": "Ninh Bình",
    "Thanh Hóa": "Thanh Hóa",
    "Nghệ An": "Nghệ An",
    "Hà Tĩnh": "Hà Tĩnh",
    "Quảng Bình": "Quảng Trị",
    "Quảng Trị": "Quảng Trị",
    "Huế": "Huế",
    "Đà Nẵng": "Đà Nẵng",
    "Quảng Nam": "Đà Nẵng",
    "Quảng Ngãi": "Quảng Ngãi",
    "Bình Định": "Gia Lai",
    "Phú Yên": "Đắk Lắk",
    "Khánh Hòa": "Khánh Hòa",
    "Ninh Thuận": "Khánh Hòa",
    "Bình Thuận": "Lâm Đồng",
    "Kon Tum": "Quảng Ngãi",
    "Gia Lai": "Gia Lai",
    "Đắk Lắk": "Đắk Lắk",
    "Đắk Nông": "Lâm Đồng",
    "Lâm Đồng": "Lâm Đồng",
    "Bình Phước": "Đồng Nai",
    "Tây Ninh": "Tây Ninh",
    "Bình Dương": "Hồ Chí Minh",
    "Đồng Nai": "Đồng Nai",
    "Bà Rịa - Vũng Tàu": "Hồ Chí Minh",
    "Hồ Chí Minh": "Hồ Chí Minh",
    "Long An": "Tây Ninh",
    "Tiền Giang": "Đồng Tháp",
    "Bến Tre": "Vĩnh Long",
    "Trà Vinh": "Vĩnh Long",
    "Vĩnh Long": "Vĩnh Long",
    "Đồng Tháp": "Đồng Tháp",
    "An Giang": "An Giang",
    "Kiên Giang": "An Giang",
    "Cần Thơ": "Cần Thơ",
    "Hậu Giang": "Cần Thơ",
    "Sóc Trăng": "Cần Thơ",
    "Bạc Liêu": "Cà Mau",
    "Cà Mau": "Cà Mau",
}

# Official codes of the 34 provinces (Decision 19/2025/QĐ-TTg), typed from the decision.
OFFICIAL_34_CODES = {
    "01": "Hà Nội", "04": "Cao Bằng", "08": "Tuyên Quang", "11": "Điện Biên", "12": "Lai Châu",
    "14": "Sơn La", "15": "Lào Cai", "19": "Thái Nguyên", "20": "Lạng Sơn", "22": "Quảng Ninh",
    "24": "Bắc Ninh", "25": "Phú Thọ", "31": "Hải Phòng", "33": "Hưng Yên", "37": "Ninh Bình",
    "38": "Thanh Hóa", "40": "Nghệ An", "42": "Hà Tĩnh", "44": "Quảng Trị", "46": "Huế",
    "48": "Đà Nẵng", "51": "Quảng Ngãi", "52": "Gia Lai", "56": "Khánh Hòa", "66": "Đắk Lắk",
    "68": "Lâm Đồng", "75": "Đồng Nai", "79": "Hồ Chí Minh", "80": "Tây Ninh", "82": "Đồng Tháp",
    "86": "Vĩnh Long", "91": "An Giang", "92": "Cần Thơ", "96": "Cà Mau",
}  # fmt: skip


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


def readable(value: object) -> str:
    """An ASCII test id that keeps case: "TIỀN GIANG" -> "TIEN GIANG"; NFD input is marked."""
    text = str(value)
    marker = "" if unicodedata.is_normalized("NFC", text) else "nfd:"
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return marker + "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@pytest.mark.parametrize(("old", "new"), sorted(OFFICIAL_63_TO_34.items()), ids=readable)
def test_every_former_province_maps_to_its_current_one(
    gazetteer: Gazetteer, old: str, new: str
) -> None:
    now = gazetteer.province_now(old)
    assert (now.name, now.kind, now.valid_from, now.valid_to) == (
        new,
        "province",
        MAP_34_FROM,
        None,
    )


def test_the_63_and_34_province_maps_are_complete(gazetteer: Gazetteer) -> None:
    before = gazetteer.provinces(MAP_63_TO)
    after = gazetteer.provinces(MAP_34_FROM)
    assert sorted(u.name for u in before) == sorted(OFFICIAL_63_TO_34)
    assert {u.official_code: u.name for u in after} == OFFICIAL_34_CODES
    # Every former province points at exactly one current one, and every current one has
    # at least one former province (the one whose name it kept).
    assert {u.successor_code for u in before} == {u.code for u in after}


@pytest.mark.parametrize(
    ("current", "absorbed"),
    [
        ("p34-82", ["Tiền Giang", "Đồng Tháp"]),
        ("p34-75", ["Đồng Nai", "Bình Phước"]),
        ("p34-08", ["Hà Giang", "Tuyên Quang"]),
        ("p34-68", ["Bình Thuận", "Đắk Nông", "Lâm Đồng"]),
        ("p34-79", ["Bà Rịa - Vũng Tàu", "Bình Dương", "Hồ Chí Minh"]),
        ("p34-40", ["Nghệ An"]),
    ],
    ids=["dong-thap", "dong-nai", "tuyen-quang", "lam-dong", "hcm", "nghe-an-unchanged"],
)
def test_predecessors_list_the_absorbed_provinces(
    gazetteer: Gazetteer, current: str, absorbed: list[str]
) -> None:
    assert sorted(u.name for u in gazetteer.predecessors(current)) == sorted(absorbed)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Tiền Giang", "p34-82"),
        ("tien giang", "p34-82"),
        ("TIỀN GIANG", "p34-82"),
        ("Tỉnh Tiền Giang", "p34-82"),
        ("tinh tien giang", "p34-82"),
        ("Tiê\u0300n Giang", "p34-82"),  # NFD input
        ("Bình Phước", "p34-75"),
        ("Hà Giang", "p34-08"),
        ("TP.HCM", "p34-79"),
        ("TPHCM", "p34-79"),
        ("TP. Hồ Chí Minh", "p34-79"),
        ("Thành phố Hồ Chí Minh", "p34-79"),
        ("Thừa Thiên Huế", "p34-46"),
        ("Tỉnh Thừa Thiên Huế", "p34-46"),
        ("Thành phố Huế", "p34-46"),
        ("Bà Rịa - Vũng Tàu", "p34-79"),
        ("Ba Ria Vung Tau", "p34-79"),
        ("T.P Cần Thơ", "p34-92"),
        ("Thanh Hoá", "p34-38"),  # the old accent placement
        ("Hoà Bình", "p34-25"),
        ("Dak Nong", "p34-68"),
        ("Kon Tum", "p34-51"),
        ("p63-82", "p34-82"),
        ("p34-82", "p34-82"),
        ("82", "p34-82"),  # a current code
        ("87", "p34-82"),  # Đồng Tháp's former code, not in use since 2025-07-01
        ("2", "p34-08"),  # Hà Giang, written without the leading zero
        ("d63-595", "p34-68"),  # Huyện Tuy Phong, Bình Thuận
    ],
    ids=readable,
)
def test_province_now_accepts_names_and_codes(
    gazetteer: Gazetteer, query: str, expected: str
) -> None:
    assert gazetteer.province_now(query).code == expected


@pytest.mark.parametrize(
    ("query", "day", "expected"),
    [
        ("Đồng Tháp", date(2023, 5, 1), "p63-87"),
        ("Đồng Tháp", MAP_63_TO, "p63-87"),
        ("Đồng Tháp", MAP_34_FROM, "p34-82"),
        ("Tiền Giang", date(2023, 5, 1), "p63-82"),
        ("Tiền Giang", date(2025, 8, 1), "p34-82"),
        ("82", date(2020, 1, 1), "p63-82"),  # code 82 was Tiền Giang then
        ("82", date(2026, 1, 1), "p34-82"),
        ("d63-595", date(2024, 3, 1), "p63-60"),  # Tuy Phong was in Bình Thuận
        ("TP.HCM", date(2019, 1, 1), "p63-79"),
    ],
    ids=readable,
)
def test_province_on_a_day(gazetteer: Gazetteer, query: str, day: date, expected: str) -> None:
    assert gazetteer.province_on(query, day).code == expected


@pytest.mark.parametrize(
    ("query", "day", "match"),
    [
        ("Sài Gòn Mới", None, "no province is called"),
        ("", None, "no province is called"),
        ("99", None, "no province has official code"),
        ("p63-99", None, "no administrative unit has code"),
        ("p34-82", date(2024, 1, 1), "did not exist on 2024-01-01"),
    ],
    ids=["unknown-name", "empty", "unknown-code", "unknown-unit-code", "current-code-before-2025"],
)
def test_unknown_places_raise(
    gazetteer: Gazetteer, query: str, day: date | None, match: str
) -> None:
    def lookup() -> object:
        return gazetteer.province_now(query) if day is None else gazetteer.province_on(query, day)

    with pytest.raises(UnknownUnitError, match=match):
        lookup()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Tỉnh Bà Rịa - Vũng Tàu", "bariavungtau"),
        ("TP.HCM", "hcm"),
        ("thanh pho Hue", "hue"),
        ("Thành phố Đà Nẵng", "danang"),
        ("  Đắk   Lắk ", "daklak"),
    ],
    ids=readable,
)
def test_name_key(text: str, key: str) -> None:
    assert name_key(text) == key


def test_districts_point_to_their_former_and_current_province(gazetteer: Gazetteer) -> None:
    districts = [u for u in gazetteer.units if u.kind == "district"]
    # 696 district-level units existed on 30 June 2025, the day before the level was abolished.
    assert len(districts) == 696
    tuy_phong = gazetteer.get("d63-595")
    assert (tuy_phong.full_name, tuy_phong.parent_code, tuy_phong.successor_code) == (
        "Huyện Tuy Phong",
        "p63-60",
        "p34-68",
    )
    for district in districts:
        parent = gazetteer.get(str(district.parent_code))
        assert (district.valid_to, district.successor_code) == (MAP_63_TO, parent.successor_code)


def test_unit_rows_give_the_units_table() -> None:
    rows = unit_rows()
    assert len(rows) == 63 + 34 + 696
    assert all(tuple(row) == UNIT_COLUMNS for row in rows)
    tien_giang = next(row for row in rows if row["code"] == "p63-82")
    assert tien_giang == {
        "code": "p63-82",
        "name": "Tiền Giang",
        "full_name": "Tỉnh Tiền Giang",
        "kind": "province",
        "designation": "Tỉnh",
        "official_code": "82",
        "valid_from": None,
        "valid_to": "2025-06-30",
        "parent_code": None,
        "successor_code": "p34-82",
        "aliases": None,
    }


def test_module_helpers_read_the_snapshot() -> None:
    assert units() == read_units(DEFAULT_UNITS_PATH)
    assert province_now("Bình Phước").name == "Đồng Nai"
    assert province_on("Bình Phước", date(2022, 1, 1)).code == "p63-70"


def test_units_csv_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text(units_csv(units()), encoding="utf-8")
    assert read_units(path) == units()


def test_gazetteer_refuses_duplicate_codes_and_detects_successor_cycles() -> None:
    a = Unit("p63-01", "A", "province", None, MAP_63_TO, "p63-02")
    b = Unit("p63-02", "B", "province", None, MAP_63_TO, "p63-01")
    with pytest.raises(ValueError, match="duplicate unit code 'p63-01'"):
        Gazetteer([a, a])
    with pytest.raises(ValueError, match="successor cycle"):
        Gazetteer([a, b]).current("p63-01")


def test_units_pickle() -> None:
    unit = units()[0]
    assert pickle.loads(pickle.dumps(unit)) == unit


def test_malformed_snapshot_row_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text(",".join(UNIT_COLUMNS) + "\np63-01,,province,,,,,,,,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="malformed unit row"):
        read_units(path)


# The snapshot must be what the maintained library gives: if the library's data changes,
# this fails until someone rebuilds data/units.csv and reviews the diff.
def test_snapshot_equals_the_library(tmp_path: Path) -> None:
    runner = CliRunner()
    written = tmp_path / "units.csv"
    result = runner.invoke(main, ["--write", str(written), "--check", str(DEFAULT_UNITS_PATH)])
    assert result.exit_code == 0, result.output
    assert written.read_text(encoding="utf-8") == DEFAULT_UNITS_PATH.read_text(encoding="utf-8")
    assert f"{DEFAULT_UNITS_PATH} matches the package's data" in result.output


def test_check_reports_a_stale_snapshot(tmp_path: Path) -> None:
    stale = tmp_path / "units.csv"
    text = DEFAULT_UNITS_PATH.read_text(encoding="utf-8")
    stale.write_text(text.replace("Tiền Giang", "Tien Giang"), encoding="utf-8")
    result = CliRunner().invoke(main, ["--check", str(stale)])
    assert result.exit_code == 1
    assert "differs from the package's data" in result.output
