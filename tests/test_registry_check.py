"""The registry validator and `registry check`, and the shipped registry's coverage."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.gazetteer import MAP_34_FROM, MAP_63_TO, Gazetteer, load_gazetteer
from crawler.registry import REGISTRY_COLUMNS, Site, load_registry
from crawler.registry_check import Problem, check_registry, registry_cli

ROOT = Path(__file__).parent.parent
SHIPPED = ROOT / "data" / "sites.csv"
FIXTURES = Path(__file__).parent / "fixtures" / "registry"
SHARED_SOURCE = ROOT.parent / "shared" / "registry" / "site_domains.csv"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="module")
def shipped() -> list[Site]:
    sites, errors = load_registry(SHIPPED)
    assert errors == []
    return sites


def test_shipped_registry_has_no_problems(gazetteer: Gazetteer) -> None:
    assert check_registry(SHIPPED, gazetteer) == []


def test_good_fixture_has_no_problems(gazetteer: Gazetteer) -> None:
    assert check_registry(FIXTURES / "good.csv", gazetteer) == []


# One row per kind of problem in check_broken.csv; line 2 is the clean row the others copy.
EXPECTED_PROBLEMS = [
    (3, "id 'Tinh_Uy' is not a lowercase ASCII slug of at most 40 characters"),
    (4, "status 'closed' is not one of active, merged, gone, unknown"),
    (5, "org_type 'newspaper' is not one of party_committee, propaganda_board, "),
    (6, "verified 'maybe' is not one of yes, unverified"),
    (7, "unit_code 'p63-99' is not in the gazetteer"),
    (8, "province 'Quảng Bình' does not match unit p63-45 (Quảng Trị)"),
    (9, "province_now 'Bình Phước' should be 'Đồng Nai' (unit p63-70 is now p34-75)"),
    (10, "status merged needs a successor id"),
    (11, "successor 'nosuchsite' is not an id in the registry"),
    (12, "successor chain is a cycle: cycle-a -> cycle-b -> cycle-a"),
    (14, "duplicate site 'https://www.tinhuyquangtri.vn': same host and path as line 2"),
    (15, "a central site must have no province"),
    (16, "an inferred row cannot be verified=yes"),
    (17, "verified=yes needs an evidence_url"),
    (18, "feeds: url 'file:///tmp/feed.xml' is not http(s)"),
    (19, "unit_code p63-45 is a province, not a district"),
    (20, "successor 'tinhuyquangtri' is in 'Quảng Trị', not 'Đồng Nai'"),
    (21, "url 'file:///srv/tinhuyquangtri/index.html' is not http(s)"),
    (22, "duplicate id 'tinhuyquangtri' (first on line 2)"),
    (23, "successor 'tinhuyquangtri' given but status is 'active'"),
]


@pytest.fixture(scope="module")
def broken_problems(gazetteer: Gazetteer) -> list[Problem]:
    return check_registry(FIXTURES / "check_broken.csv", gazetteer)


def test_each_broken_row_gives_exactly_one_problem(broken_problems: list[Problem]) -> None:
    assert [p.line for p in broken_problems] == [line for line, _ in EXPECTED_PROBLEMS]


@pytest.mark.parametrize(
    ("line", "message"),
    EXPECTED_PROBLEMS,
    ids=[
        "id-not-slug",
        "unknown-status",
        "unknown-org-type",
        "unknown-verified",
        "unknown-unit",
        "province-mismatch",
        "province-now-mismatch",
        "merged-without-successor",
        "missing-successor",
        "successor-cycle",
        "duplicate-host-path",
        "central-with-province",
        "inferred-but-verified",
        "verified-without-evidence",
        "bad-feed-url",
        "unit-kind-vs-level",
        "successor-elsewhere",
        "file-url",
        "duplicate-id",
        "successor-not-merged",
    ],
)
def test_broken_row_problem(broken_problems: list[Problem], line: int, message: str) -> None:
    found = [p.message for p in broken_problems if p.line == line]
    assert len(found) == 1
    assert found[0].startswith(message)


def test_missing_columns_are_one_problem(tmp_path: Path, gazetteer: Gazetteer) -> None:
    path = tmp_path / "sites.csv"
    path.write_text("id,name,level,province,url\n", encoding="utf-8")
    problems = check_registry(path, gazetteer)
    assert len(problems) == 1
    assert problems[0].line == 1
    assert problems[0].message.startswith("missing column(s): province_now, unit_code, org_type")


def test_unreadable_file_is_a_problem_on_line_0(tmp_path: Path, gazetteer: Gazetteer) -> None:
    problems = check_registry(tmp_path / "nope.csv", gazetteer)
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (0, f"cannot read registry {tmp_path / 'nope.csv'}")
    ]


# --- the shipped registry: coverage and honesty -------------------------------------------


def test_every_current_province_has_a_party_committee_row(
    shipped: list[Site], gazetteer: Gazetteer
) -> None:
    covered = {
        s.province_now for s in shipped if s.org_type == "party_committee" and s.level == "province"
    }
    missing = [u.name for u in gazetteer.provinces(MAP_34_FROM) if u.name not in covered]
    assert missing == []


def test_every_former_province_has_a_party_committee_row(
    shipped: list[Site], gazetteer: Gazetteer
) -> None:
    covered = {s.unit_code for s in shipped if s.org_type == "party_committee"}
    missing = [u.name for u in gazetteer.provinces(MAP_63_TO) if u.code not in covered]
    assert missing == []


def test_inferred_rows_are_unverified_and_say_so(shipped: list[Site]) -> None:
    inferred = [s for s in shipped if s.extra["source"].startswith("inferred")]
    assert len(inferred) == 46  # the 63 former provinces less the 17 whose portal was seen
    for site in inferred:
        assert (site.verified, site.host) == (False, f"{site.id.removesuffix('-dcs')}.dcs.vn")
        assert "inferred, not seen" in site.extra["notes"]


def test_merged_sites_point_to_a_site_of_their_current_province(shipped: list[Site]) -> None:
    by_id = {s.id: s for s in shipped}
    tien_giang = by_id["tuyengiaotiengiang"]
    assert (tien_giang.status, tien_giang.successor) == ("merged", "btg-dongthap-gov")
    binh_phuoc = by_id["tinhuybinhphuoc"]
    assert (binh_phuoc.province_now, binh_phuoc.successor) == ("Đồng Nai", "dongnai-dcs")
    for site in shipped:
        if site.status == "merged":
            assert by_id[site.successor].province_now == site.province_now


def test_ids_are_unique_for_sections_of_one_host(shipped: list[Site]) -> None:
    lamdong = sorted(s.id for s in shipped if s.host == "www.lamdong.gov.vn")
    assert lamdong == ["lamdong-gov-dukcq", "lamdong-gov-tinhuy"]


@pytest.mark.skipif(not SHARED_SOURCE.exists(), reason="shared/ is not beside this checkout")
def test_every_shared_registry_row_is_kept(shipped: list[Site], gazetteer: Gazetteer) -> None:
    by_url = {s.url: s for s in shipped}
    with SHARED_SOURCE.open(encoding="utf-8") as handle:
        source_rows = list(csv.DictReader(handle))
    assert len(source_rows) == 92
    for row in source_rows:
        site = by_url[row["site_url"]]
        assert site.extra["source"] == "shared/registry/site_domains.csv"
        assert site.verified is (row["verified"] == "yes")
        if row["province_after_2025_merger"]:
            now = gazetteer.province_now(row["province_after_2025_merger"])
            assert site.province_now == now.name


# --- the command line ---------------------------------------------------------------------


def test_cli_check_passes_the_shipped_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the default path is data/sites.csv, relative to the project
    result = CliRunner().invoke(registry_cli, ["check"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("138 sites by level: central 7, province 108, district 18")
    assert lines[-1] == "0 problem(s) in data/sites.csv"


def test_cli_check_prints_problems_with_lines_and_counts() -> None:
    path = FIXTURES / "check_broken.csv"
    result = CliRunner().invoke(registry_cli, ["check", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (
        lines[0] == f"{path}:3: id 'Tinh_Uy' is not a lowercase ASCII slug of at most 40 characters"
    )
    assert f"{path}:21: url 'file:///srv/tinhuyquangtri/index.html' is not http(s)" in lines
    # The summary counts the sites the crawler would load: rows 21 and 22 are skipped, and
    # the "maybe" of row 6 is not a yes.
    assert lines[-4:] == [
        "20 sites by level: central 1, province 18, district 1",
        "by status: active 14, merged 5, closed 1",
        "verified: yes 19, unverified 1",
        f"20 problem(s) in {path}",
    ]


def test_cli_check_summary_counts_the_good_fixture() -> None:
    result = CliRunner().invoke(registry_cli, ["check", str(FIXTURES / "good.csv")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "7 sites by level: central 1, province 4, district 1, bloc 1",
        "by status: active 3, merged 1, gone 1, unknown 2",
        "verified: yes 6, unverified 1",
        f"0 problem(s) in {FIXTURES / 'good.csv'}",
    ]


def test_cli_check_missing_file_fails() -> None:
    result = CliRunner().invoke(registry_cli, ["check", "no/such/sites.csv"])
    assert result.exit_code == 1
    assert result.output.startswith("no/such/sites.csv:0: cannot read registry no/such/sites.csv")


def test_header_matches_registry_columns() -> None:
    with SHIPPED.open(encoding="utf-8") as handle:
        assert tuple(next(csv.reader(handle))) == REGISTRY_COLUMNS
