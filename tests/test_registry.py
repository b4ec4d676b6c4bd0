"""Loading the registry: good rows become Sites, bad rows are reported by line and skipped."""

from __future__ import annotations

import pickle
import unicodedata
from pathlib import Path

import pytest

from crawler.registry import (
    REGISTRY_COLUMNS,
    RegistryError,
    RegistryRowError,
    RegistryRowFault,
    Site,
    check_site_url,
    load_registry,
    read_registry_rows,
    site_from_row,
)

FIXTURES = Path(__file__).parent / "fixtures" / "registry"


def test_good_registry_loads_every_row() -> None:
    sites, errors = load_registry(FIXTURES / "good.csv")
    assert errors == []
    assert [s.id for s in sites] == [
        "tapchicongsan",
        "tinhuyquangtri",
        "tinhuybinhphuoc",
        "dongnai-dcs",
        "tuyphong-binhthuan-dcs",
        "lamdong-gov-tinhuy",
        "lamdong-gov-dukcq",
    ]


def test_a_site_carries_every_column() -> None:
    sites, _ = load_registry(FIXTURES / "good.csv")
    tuy_phong = next(s for s in sites if s.id == "tuyphong-binhthuan-dcs")
    assert tuy_phong == Site(
        id="tuyphong-binhthuan-dcs",
        name="Huyện ủy Tuy Phong",
        level="district",
        province="Bình Thuận",
        url="https://tuyphong.binhthuan.dcs.vn/",
        feeds=(
            "https://tuyphong.binhthuan.dcs.vn/rss/tin-tuc.rss",
            "https://tuyphong.binhthuan.dcs.vn/rss/chinh-tri.rss",
        ),
        sitemaps=("https://tuyphong.binhthuan.dcs.vn/sitemap.xml",),
        status="gone",
        province_now="Lâm Đồng",
        org_type="party_committee",
        unit_code="d63-595",
        successor="",
        verified=True,
    )
    assert tuy_phong.extra == {
        "evidence_url": "https://tuyphong.binhthuan.dcs.vn/Trang-chu/post/203819/tuy-phong.aspx",
        "evidence_seen": "a page of the host was seen; date not recorded",
        "source": "shared/registry/site_domains.csv",
        "notes": "district level abolished on 2025-07-01",
    }
    merged = next(s for s in sites if s.id == "tinhuybinhphuoc")
    assert (merged.status, merged.successor, merged.verified) == ("merged", "dongnai-dcs", True)
    inferred = next(s for s in sites if s.id == "dongnai-dcs")
    assert inferred.verified is False


@pytest.mark.parametrize(
    ("site_id", "host", "path_prefix"),
    [
        ("tinhuyquangtri", "tinhuyquangtri.vn", "/"),
        ("lamdong-gov-tinhuy", "www.lamdong.gov.vn", "/vi-VN/a/tinhuy/"),
        ("lamdong-gov-dukcq", "www.lamdong.gov.vn", "/vi-VN/a/dukcq/"),
    ],
    ids=["whole-host", "section-tinhuy", "section-dukcq"],
)
def test_host_and_path_prefix(site_id: str, host: str, path_prefix: str) -> None:
    sites, _ = load_registry(FIXTURES / "good.csv")
    site = next(s for s in sites if s.id == site_id)
    assert (site.host, site.path_prefix) == (host, path_prefix)


def test_broken_rows_are_reported_by_line_and_skipped() -> None:
    sites, errors = load_registry(FIXTURES / "broken.csv")
    # The good rows around the bad ones still load, including the one whose quoted note
    # spans lines 10-11: a bad row never stops the others.
    assert [s.id for s in sites] == ["tinhuyquangtri", "thanhuyhue", "nghean-dcs"]
    assert errors == [
        RegistryRowError(3, "missing id"),
        RegistryRowError(4, "url 'nghean.dcs.vn' is not http(s)"),
        RegistryRowError(5, "url 'ftp://haugiang.dcs.vn/' is not http(s)"),
        RegistryRowError(6, "url 'file:///var/www/phuyen/index.html' is not http(s)"),
        RegistryRowError(7, "url 'http://203.113.131.2/' points to an IP address, not a site name"),
        RegistryRowError(8, "duplicate id 'tinhuyquangtri' (first on line 2)"),
        RegistryRowError(
            9, "level 'provincial' is not one of central, province, district, bloc, commune"
        ),
        RegistryRowError(12, "missing url"),
        RegistryRowError(13, "url 'https:///doan-ket.html' has no valid host"),
    ]
    assert str(errors[0]) == "line 3: missing id"


def test_rows_start_on_their_first_line() -> None:
    _header, rows = read_registry_rows(FIXTURES / "broken.csv")
    assert [line for line, _row in rows] == [2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "missing url"),
        ("tinhuyquangtri.vn", "is not http(s)"),
        ("file:///etc/passwd", "is not http(s)"),
        ("ftp://tinhuyquangtri.vn/", "is not http(s)"),
        ("javascript:alert(1)", "is not http(s)"),
        ("http://127.0.0.1/", "points to an IP address"),
        ("http://203.113.131.2:8080/", "points to an IP address"),
        ("http://[::1]/", "points to an IP address"),
        ("http://127.1/", "points to an IP address"),
        ("http://localhost/", "has no valid host"),
        ("http://tinhuy_quangtri.vn/", "has no valid host"),
        ("http://-tinhuy.vn/", "has no valid host"),
        ("http://tinhuy.123/", "has no valid host"),
        ("https:///path-only", "has no valid host"),
        ("http://tinhuy quangtri.vn/", "contains whitespace"),
        ("http://admin:secret@tinhuyquangtri.vn/", "carries a user name or password"),
        ("http://tinhuyquangtri.vn:99999/", "is malformed"),
    ],
    ids=[
        "empty",
        "no-scheme",
        "file",
        "ftp",
        "javascript",
        "ipv4",
        "ipv4-port",
        "ipv6",
        "short-ipv4",
        "single-label",
        "underscore",
        "leading-hyphen",
        "numeric-tld",
        "no-host",
        "space",
        "credentials",
        "bad-port",
    ],
)
def test_bad_urls_are_refused(url: str, reason: str) -> None:
    with pytest.raises(RegistryRowFault, match=reason.replace("(", r"\(").replace(")", r"\)")):
        check_site_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://tinhuyquangtri.vn/",
        "http://www.lamdong.gov.vn/vi-VN/a/tinhuy/",
        "https://tinhuyquangtri.vn:8443/Article/ViewList.aspx?mid=2542",
        "http://tỉnhủy.vn/",  # an internationalised domain name
        "HTTPS://NGHEAN.DCS.VN/",
    ],
    ids=["https", "section-path", "port-and-query", "idn", "upper-case"],
)
def test_good_urls_pass(url: str) -> None:
    check_site_url(url)


def test_values_are_nfc_and_stripped() -> None:
    nfd_name = unicodedata.normalize("NFD", "Tỉnh ủy Quảng Trị")
    site = site_from_row(
        {
            "id": " tinhuyquangtri ",
            "name": nfd_name,
            "level": "province",
            "province": "Quảng Trị",
            "url": "https://tinhuyquangtri.vn/",
        }
    )
    assert (site.id, site.name) == ("tinhuyquangtri", "Tỉnh ủy Quảng Trị")
    assert site.name != nfd_name  # the NFD input really differed


def test_a_row_longer_than_the_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text(
        "id,name,level,province,url\n"
        "a,Tỉnh ủy A,province,Quảng Trị,https://a.vn/\n"
        "b,Tỉnh ủy B, Quảng Trị,province,Quảng Trị,https://b.vn/\n",
        encoding="utf-8",
    )
    sites, errors = load_registry(path)
    assert [s.id for s in sites] == ["a"]
    assert errors == [RegistryRowError(3, "row has more fields than the header")]


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"id,name,level,url\na,A,province,https://a.vn/\n", "lacks column.*province"),
        (b"id,name,level,province,url\na,T\xe9nh,province,X,https://a.vn/\n", "is not UTF-8"),
        (b"", "lacks column"),
    ],
    ids=["missing-column", "latin-1", "empty-file"],
)
def test_unreadable_registries_raise(tmp_path: Path, content: bytes, match: str) -> None:
    path = tmp_path / "sites.csv"
    path.write_bytes(content)
    with pytest.raises(RegistryError, match=match):
        load_registry(path)


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="cannot read registry"):
        load_registry(tmp_path / "nope.csv")


def test_shipped_registry_loads_without_errors() -> None:
    sites, errors = load_registry(Path(__file__).parent.parent / "data" / "sites.csv")
    assert errors == []
    assert len(sites) == len({s.id for s in sites})


def test_registry_columns_start_with_the_contract() -> None:
    assert REGISTRY_COLUMNS[:5] == ("id", "name", "level", "province", "url")


def test_sites_pickle() -> None:
    sites, _ = load_registry(FIXTURES / "good.csv")
    assert pickle.loads(pickle.dumps(sites)) == sites
