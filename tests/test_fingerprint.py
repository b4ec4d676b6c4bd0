"""crawler.fingerprint: content identity, MinHash/LSH keys and the re-publication check.

The texts are our own: one district's year-end propaganda report (ORIGINAL), the ways another
committee's site re-publishes it, and another district's report of the same recurring event
(LOOKALIKE), which shares template sentences with it and must never be linked to it.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import sqlite_utils

from crawler import archive, fingerprint
from crawler.fingerprint import (
    band_keys,
    content_hash,
    estimated_containment,
    estimated_similarity,
    folded_fingerprints,
    is_republication,
    normalise_for_fingerprint,
    republication_score,
    signature,
)
from crawler.text import fold_vietnamese

LEAD = (
    "Sáng 12/1, Huyện ủy Tân Phước tổ chức hội nghị tổng kết công tác tuyên giáo năm 2020, "
    "triển khai nhiệm vụ năm 2021. Đồng chí Trần Văn Hùng, Phó Bí thư Thường trực Huyện ủy dự "
    "và chỉ đạo hội nghị."
)
BODY = [
    "Năm 2020, công tác tuyên giáo của Đảng bộ huyện được triển khai trong bối cảnh dịch "
    "Covid-19 diễn biến phức tạp. Ban Tuyên giáo Huyện ủy đã tham mưu tổ chức 14 hội nghị học "
    "tập, quán triệt nghị quyết của Đảng cho hơn 3.200 lượt cán bộ, đảng viên, đạt tỷ lệ 97%.",
    "Công tác tuyên truyền Đại hội Đảng bộ huyện lần thứ XII, nhiệm kỳ 2020 - 2025 được thực "
    "hiện bài bản với 45 cụm pa-nô, 1.800 băng rôn và nhiều chuyên trang trên Cổng thông tin "
    "điện tử của huyện. Đội ngũ 32 báo cáo viên cấp huyện thường xuyên nắm bắt dư luận xã hội, "
    "kịp thời phản ánh tâm tư, nguyện vọng của nhân dân về việc hỗ trợ người dân gặp khó khăn "
    "do dịch bệnh.",
    "Việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh gắn với các mô hình cụ "
    'thể như "Ngõ xóm sáng - xanh - sạch - đẹp" ở xã Phước Lập, "Tổ tự quản an ninh trật tự" ở '
    "thị trấn Mỹ Phước. Toàn huyện có 27 tập thể, 64 cá nhân được biểu dương là điển hình tiêu "
    "biểu trong phong trào thi đua yêu nước.",
    "Hội nghị chỉ ra một số hạn chế: nội dung sinh hoạt chi bộ ở một số nơi còn đơn điệu, việc "
    "nắm bắt tư tưởng đoàn viên, hội viên ở vùng sâu chưa kịp thời. Năm 2021, ngành tuyên giáo "
    "huyện tập trung tuyên truyền Nghị quyết Đại hội XIII của Đảng, bầu cử đại biểu Quốc hội và "
    "Hội đồng nhân dân các cấp, đấu tranh phản bác các quan điểm sai trái, thù địch trên không "
    "gian mạng.",
    "Phát biểu chỉ đạo, đồng chí Trần Văn Hùng đề nghị các cấp ủy tiếp tục đổi mới phương thức "
    "tuyên truyền, tăng cường ứng dụng mạng xã hội, phát huy vai trò của đội ngũ cộng tác viên "
    "dư luận xã hội ở 13 xã, thị trấn trên địa bàn huyện.",
]
ORIGINAL = "\n\n".join([LEAD, *BODY, "Minh Khoa"])

#: Another district, same recurring event, same year: shares the template's first sentence
#: and a long sentence on next year's tasks, and otherwise reports other facts.
LOOKALIKE = "\n\n".join(
    [
        "Chiều 15/1, Huyện ủy Lai Vung tổ chức hội nghị tổng kết công tác tuyên giáo năm 2020, "
        "triển khai nhiệm vụ năm 2021. Đồng chí Nguyễn Thị Lan, Ủy viên Ban Thường vụ, Trưởng "
        "Ban Tuyên giáo Huyện ủy chủ trì hội nghị.",
        "Năm 2020, công tác tuyên giáo của Đảng bộ huyện được triển khai trong bối cảnh dịch "
        "Covid-19 diễn biến phức tạp. Ban Tuyên giáo Huyện ủy phối hợp với Trung tâm Chính trị "
        "huyện mở 9 lớp bồi dưỡng lý luận chính trị cho 620 quần chúng ưu tú và đảng viên mới.",
        "Công tác tuyên truyền Đại hội Đảng bộ huyện lần thứ XI, nhiệm kỳ 2020 - 2025 được thực "
        "hiện bài bản. Huyện ủy chỉ đạo xây dựng 21 tuyến đường cờ hoa, phát hành 3.000 tờ gấp "
        "giới thiệu thành tựu của huyện sau 35 năm đổi mới, đồng thời tổ chức hội thi tìm hiểu "
        "lịch sử Đảng bộ huyện thu hút hơn 5.000 bài dự thi.",
        "Việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh được gắn với phong "
        "trào phát triển vườn quýt hồng, xây dựng nông thôn mới nâng cao. Nhiều chi bộ ấp đã đưa "
        "nội dung chuyên đề vào sinh hoạt định kỳ hằng tháng, tạo chuyển biến trong nhận thức "
        "của đảng viên.",
        "Hội nghị chỉ ra một số hạn chế: công tác dự báo tình hình tư tưởng có lúc chưa sát, lực "
        "lượng cộng tác viên còn kiêm nhiệm nhiều việc. Năm 2021, ngành tuyên giáo huyện tập "
        "trung tuyên truyền Nghị quyết Đại hội XIII của Đảng, bầu cử đại biểu Quốc hội và Hội "
        "đồng nhân dân các cấp, đấu tranh phản bác các quan điểm sai trái, thù địch trên không "
        "gian mạng.",
        "Dịp này, Ban Thường vụ Huyện ủy tặng giấy khen cho 12 tập thể và 18 cá nhân có thành "
        "tích xuất sắc trong công tác tuyên giáo năm 2020.",
        "Thanh Tâm",
    ]
)

#: A different article altogether (a Party badge ceremony).
UNRELATED = "\n\n".join(
    [
        "Ngày 3/2, Đảng ủy Khối các cơ quan tỉnh tổ chức lễ trao Huy hiệu 50 năm, 40 năm, 30 năm "
        "tuổi Đảng cho 36 đảng viên thuộc các chi bộ, đảng bộ cơ sở trực thuộc.",
        "Tại buổi lễ, các đại biểu ôn lại truyền thống vẻ vang của Đảng Cộng sản Việt Nam, ghi "
        "nhận những đóng góp của các đảng viên lão thành trong sự nghiệp xây dựng và bảo vệ Tổ "
        "quốc, nhất là trong những năm đầu đổi mới của tỉnh nhà.",
        "Thay mặt các đảng viên được nhận Huy hiệu, đồng chí Lê Văn Sáu, 82 tuổi, bày tỏ niềm "
        "vinh dự, tự hào và hứa sẽ tiếp tục gương mẫu, động viên con cháu chấp hành tốt chủ "
        "trương của Đảng, chính sách, pháp luật của Nhà nước tại nơi cư trú.",
    ]
)


def _copy(lead: str, byline: str, captions: tuple[str, ...] = ()) -> str:
    return "\n\n".join([lead, BODY[0], *captions, *BODY[1:], byline])


# Re-publications of ORIGINAL by another committee's site, each changed the way copies are.
COPIES = [
    pytest.param(_copy(LEAD.split(". ")[0] + ".", "Hoàng Yến"), id="trimmed-lead-other-byline"),
    pytest.param(_copy("(Tiền Giang) - " + LEAD, "Theo Huyện ủy Tân Phước"), id="source-prefix"),
    pytest.param(
        _copy(
            LEAD.replace("Huyện ủy Tân Phước", "Huyện ủy Tân Phước (Tiền Giang)"),
            "PV",
            ("Quang cảnh hội nghị.", "Ảnh: Minh Khoa"),
        ),
        id="changed-lead-captions",
    ),
    pytest.param(
        _copy(
            "Huyện ủy Tân Phước vừa tổng kết công tác tuyên giáo năm 2020 với nhiều kết quả "
            "đáng ghi nhận trong bối cảnh dịch bệnh kéo dài.",
            "Ngọc Hân",
        ),
        id="rewritten-lead",
    ),
    pytest.param(
        unicodedata.normalize("NFD", ORIGINAL.upper().replace("\n\n", "\n").replace(", ", " , ")),
        id="nfd-upper-case-spacing",
    ),
    pytest.param(" ".join([LEAD, *BODY]), id="paragraphs-joined-on-one-line"),
    pytest.param("\n\n".join(BODY[:4]), id="last-paragraph-dropped"),
]


@pytest.mark.parametrize("copy", COPIES)
def test_republication_is_linked(copy: str) -> None:
    same, score = is_republication(ORIGINAL, copy)
    assert same, score
    assert score >= fingerprint.REPUBLICATION_THRESHOLD
    # Symmetric: the order the two articles arrive in does not matter.
    assert is_republication(copy, ORIGINAL) == (same, score)


@pytest.mark.parametrize("copy", COPIES)
def test_republication_shares_a_band_key(copy: str) -> None:
    # The LSH index must offer the original as a candidate, or the exact check never runs.
    original, candidate = signature(ORIGINAL), signature(copy)
    assert set(band_keys(original)) & set(band_keys(candidate))
    assert estimated_similarity(original, candidate) >= 0.6


def test_recurring_event_lookalike_is_not_linked() -> None:
    same, score = is_republication(ORIGINAL, LOOKALIKE)
    assert not same
    # It does share template wording (so the test is not trivial), but far below the threshold.
    assert 0.1 < score < 0.4
    assert estimated_similarity(signature(ORIGINAL), signature(LOOKALIKE)) < 0.3


def test_unrelated_article_scores_zero() -> None:
    assert republication_score(ORIGINAL, UNRELATED) == 0.0
    assert not set(band_keys(signature(ORIGINAL))) & set(band_keys(signature(UNRELATED)))


def test_short_shared_passage_is_not_enough() -> None:
    # A notice that quotes one 45-word sentence of the report: its 10-shingles are all in the
    # report (containment 1.0) but a quoted sentence is not a re-publication (MIN_LINK_WORDS).
    notice = BODY[3].split(". ")[1]
    same, score = is_republication(ORIGINAL, notice)
    assert score == 1.0
    assert not same


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", (False, 0.0), id="empty"),
        pytest.param("!!! ...", (False, 0.0), id="punctuation-only"),
    ],
)
def test_is_republication_without_words(text: str, expected: tuple[bool, float]) -> None:
    assert is_republication(ORIGINAL, text) == expected
    assert republication_score(text, ORIGINAL) == 0.0


# --- normalisation and content identity --------------------------------------------------------


def test_normalise_folds_and_keeps_digits() -> None:
    text = "Đồng chí  HOÀ dự Hội nghị, với 3.200 lượt cán bộ (đạt 97%) tham gia; xã Phước Lập."
    assert normalise_for_fingerprint(text) == (
        "dong chi hoa du hoi nghi voi 3 200 luot can bo dat 97 tham gia xa phuoc lap"
    )


def test_normalise_agrees_on_tone_placement_and_nfd() -> None:
    old_style = "Khánh Hoà, Thuỷ lợi"  # old tone placement
    new_style = unicodedata.normalize("NFD", "Khánh Hòa, Thủy lợi")
    assert normalise_for_fingerprint(old_style) == normalise_for_fingerprint(new_style)


def test_normalise_drops_short_lines_when_there_is_prose() -> None:
    text = "\n".join(["Quang cảnh hội nghị.", BODY[0], "Số lượt xem: 679", BODY[1], "Minh Khoa"])
    words = normalise_for_fingerprint(text).split()
    assert "679" not in words  # the view counter's line is gone
    assert "khoa" not in words  # and the byline's
    assert words[:3] == ["nam", "2020", "cong"]


def test_normalise_keeps_short_lines_of_a_text_without_prose() -> None:
    assert normalise_for_fingerprint("Thông báo\nLịch tiếp dân tháng 5") == (
        "thong bao lich tiep dan thang 5"
    )


@pytest.mark.parametrize(
    ("title", "text"),
    [
        pytest.param("Tân Phước tổng kết công tác tuyên giáo", ORIGINAL, id="same"),
        pytest.param("TÂN PHƯỚC  tổng kết công tác tuyên giáo!", ORIGINAL, id="title-case-punct"),
        pytest.param(
            "Tân Phước tổng kết công tác tuyên giáo",
            ORIGINAL.replace("\n\n", "\n").replace(". ", ".  "),
            id="whitespace",
        ),
        pytest.param(
            unicodedata.normalize("NFD", "Tân Phước tổng kết công tác tuyên giáo"),
            unicodedata.normalize("NFD", ORIGINAL),
            id="nfd",
        ),
        pytest.param(
            "Tân Phước tổng kết công tác tuyên giáo",
            ORIGINAL + "\n\nSố lượt xem: 1024",
            id="view-counter-line",
        ),
    ],
)
def test_content_hash_ignores_noise(title: str, text: str) -> None:
    assert content_hash(title, text) == content_hash(
        "Tân Phước tổng kết công tác tuyên giáo", ORIGINAL
    )


@pytest.mark.parametrize(
    ("title", "text"),
    [
        pytest.param("Tân Phước sơ kết công tác tuyên giáo", ORIGINAL, id="other-title"),
        pytest.param(
            "Tân Phước tổng kết công tác tuyên giáo",
            ORIGINAL.replace("27 tập thể", "28 tập thể"),
            id="one-number-changed",
        ),
        pytest.param("Tân Phước tổng kết công tác tuyên giáo", LOOKALIKE, id="other-body"),
        pytest.param(None, ORIGINAL, id="no-title"),
    ],
)
def test_content_hash_tells_articles_apart(title: str | None, text: str) -> None:
    assert content_hash(title, text) != content_hash(
        "Tân Phước tổng kết công tác tuyên giáo", ORIGINAL
    )


def test_content_hash_is_hex() -> None:
    digest = content_hash(None, "")
    assert len(digest) == 32
    int(digest, 16)


# --- signatures, band keys and the SQLite index -----------------------------------------------


def test_signature_layout_and_band_keys() -> None:
    sig = signature(ORIGINAL)
    assert len(sig) == 4 + 4 * fingerprint.NUM_PERM
    keys = band_keys(sig)
    assert len(keys) == fingerprint.BANDS == len(set(keys))
    assert all(-(2**63) <= key < 2**63 for key in keys)
    assert estimated_similarity(sig, sig) == 1.0
    assert estimated_containment(sig, sig) == 1.0


def test_signature_pickles_and_is_stable_across_processes() -> None:
    sig = signature(ORIGINAL)
    assert pickle.loads(pickle.dumps(sig)) == sig
    # A nightly run in another process (another PYTHONHASHSEED) must produce the same bytes, or
    # the persisted index would stop matching.
    code = (
        "import sys; from crawler.fingerprint import signature; "
        "sys.stdout.write(signature(sys.stdin.read()).hex())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        input=ORIGINAL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
        timeout=60,
        env={"PYTHONHASHSEED": "12345", "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    assert bytes.fromhex(result.stdout) == sig


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("Ảnh minh họa", id="caption-only"),
        pytest.param(LEAD, id="one-paragraph-of-43-words"),
    ],
)
def test_too_short_texts_get_no_band_keys(text: str) -> None:
    assert band_keys(signature(text)) == []


def test_empty_signature_matches_nothing() -> None:
    assert estimated_similarity(signature(""), signature("")) == 0.0
    assert estimated_containment(signature(""), signature(ORIGINAL)) == 0.0


def test_trimmed_copy_has_high_estimated_containment() -> None:
    # Half the report: Jaccard about one half, containment near one.
    half = "\n\n".join(BODY[:3])
    original, part = signature(ORIGINAL), signature(half)
    assert estimated_similarity(original, part) < 0.75
    assert estimated_containment(original, part) > 0.85


@pytest.mark.parametrize(
    "sig",
    [pytest.param(b"", id="empty"), pytest.param(b"\x00" * 100, id="short")],
)
def test_foreign_bytes_are_rejected(sig: bytes) -> None:
    with pytest.raises(ValueError, match="not a fingerprint signature"):
        band_keys(sig)
    with pytest.raises(ValueError, match="not a fingerprint signature"):
        estimated_similarity(sig, signature(ORIGINAL))


def test_sqlite_index_round_trip(fresh_db: sqlite_utils.Database) -> None:
    # The original and the look-alike are archived on two sites; a copy arrives on a third.
    for article_id, site_id, text in (
        (1, "s01", ORIGINAL),
        (2, "s02", LOOKALIKE),
        (3, "s04", UNRELATED),
    ):
        sig = signature(text)
        archive.add_signature(fresh_db, article_id, site_id, sig, band_keys(sig))
    copy = signature(COPIES[0].values[0])  # type: ignore[arg-type]
    found = archive.signature_candidates(fresh_db, band_keys(copy), "s03")
    assert [(article_id, site_id) for article_id, site_id, _ in found] == [(1, "s01")]
    # The BLOB comes back byte for byte.
    assert found[0][2] == signature(ORIGINAL)
    # The copy's own site is never a candidate of itself.
    assert archive.signature_candidates(fresh_db, band_keys(copy), "s01") == []


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Hội nghị tổng kết", LEAD),
        (None, LEAD + "\n\nẢnh: Lê Thuý"),
        ("Tin ngắn", "Một dòng ngắn."),
        ("", ""),
    ],
    ids=["article", "no-title", "short", "empty"],
)
def test_fingerprints_of_folded_text_equal_the_separate_functions(
    title: str | None, text: str
) -> None:
    folded = (fold_vietnamese(title or ""), fold_vietnamese(text))
    assert folded_fingerprints(*folded) == (content_hash(title, text), signature(text))


def test_fingerprints_of_folded_text_keep_the_line_structure() -> None:
    # Short lines (a caption, a counter) are left out of the prose only when they are lines of
    # their own: the folded text must be split where the original is.
    lines = [" ".join(["Đảng bộ tỉnh"] * 8) + f" đoạn {i}." for i in range(6)]
    text = "\n".join([lines[0], "Ảnh: Lê Thuý", *lines[1:], "Số lần xem: 679"])
    folded = folded_fingerprints(fold_vietnamese("Tiêu đề"), fold_vietnamese(text))
    assert folded == (content_hash("Tiêu đề", text), signature(text))
    assert folded[0] != content_hash("Tiêu đề", text.replace("\n", " "))
