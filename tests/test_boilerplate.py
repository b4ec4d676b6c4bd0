"""crawler.boilerplate: lines repeated across a site's articles are learned and stripped."""

from __future__ import annotations

import random
import re

import pytest

from crawler.boilerplate import block_key, is_prose, repeated_blocks, strip_blocks

LOGIN = (
    "Bạn đã không sử dụng Site, Bấm vào đây để duy trì trạng thái đăng nhập. Thời gian chờ: 60 giây"
)
# A sentence that party-committee press releases legitimately share word for word.
SHARED_PROSE = (
    "Nguyên nhân chủ yếu là do một số cấp ủy chưa quan tâm đúng mức, đội ngũ cán bộ kiêm nhiệm "
    "còn thiếu kinh nghiệm."
)


def _article(n: int, *extra: str) -> str:
    body = f"Sáng {n}/3, Huyện ủy tổ chức hội nghị lần thứ {n} với nhiều nội dung quan trọng."
    return "\n\n".join([body, *extra])


def test_line_on_every_page_is_learned() -> None:
    texts = [_article(i, LOGIN) for i in range(1, 4)]
    assert repeated_blocks(texts) == frozenset({block_key(LOGIN)})


def test_line_below_the_page_threshold_is_not_learned() -> None:
    texts = [_article(1, LOGIN), _article(2, LOGIN), _article(3)]
    assert repeated_blocks(texts) == frozenset()
    assert repeated_blocks(texts, min_pages=2) == frozenset({block_key(LOGIN)})


def test_a_line_repeated_inside_one_page_counts_once() -> None:
    texts = [_article(1, "VĂN BẢN MỚI", "VĂN BẢN MỚI", "VĂN BẢN MỚI"), _article(2)]
    assert repeated_blocks(texts, min_pages=2) == frozenset()


def test_counters_with_different_numbers_are_one_block() -> None:
    # "Số lần xem: 679" on one page, "Số lần xem: 41" on the next: the same widget.
    texts = [_article(i, f"Số lần xem: {n}") for i, n in ((1, 679), (2, 41), (3, 1250))]
    learned = repeated_blocks(texts)
    assert learned == frozenset({"số lần xem: 0"})
    assert strip_blocks(texts[1], learned) == _article(2)


def test_shared_prose_sentence_is_never_learned() -> None:
    texts = [_article(i, SHARED_PROSE) for i in range(1, 8)]
    assert repeated_blocks(texts) == frozenset()


@pytest.mark.parametrize(
    ("line", "expected"),
    [(SHARED_PROSE, True), (LOGIN, False), ("Thống kê truy cập", False), ("Ngắn thôi.", False)],
    ids=["long-sentence", "login-box-no-final-stop", "widget-title", "short-sentence"],
)
def test_is_prose(line: str, expected: bool) -> None:
    assert is_prose(line) is expected


def test_min_pages_below_two_is_raised_to_two() -> None:
    assert repeated_blocks([_article(1, "Tin nổi bật")], min_pages=1) == frozenset()


def test_strip_keeps_paragraph_breaks_and_drops_emptied_paragraphs() -> None:
    text = "Đoạn một của bài.\n\nThống kê truy cập\nĐang online: 5\n\nĐoạn hai của bài."
    blocks = frozenset({block_key("Thống kê truy cập"), block_key("Đang online: 9")})
    assert strip_blocks(text, blocks) == "Đoạn một của bài.\n\nĐoạn hai của bài."


def test_strip_keeps_other_lines_of_a_paragraph() -> None:
    text = "Đoạn một.\nTin nổi bật\nDòng tiếp theo."
    assert strip_blocks(text, frozenset({"tin nổi bật"})) == "Đoạn một.\nDòng tiếp theo."


def test_strip_with_no_blocks_returns_the_text_unchanged() -> None:
    assert strip_blocks("a\n\nb", frozenset()) == "a\n\nb"


def test_keys_are_nfc_and_casefolded() -> None:
    nfd = "Tho\u0302\u0301ng ke\u0302 truy ca\u0323\u0302p"
    assert block_key(nfd) == block_key("THỐNG KÊ TRUY CẬP") == "thống kê truy cập"


def test_is_prose_is_twelve_words_ending_like_a_sentence_on_random_lines() -> None:
    # is_prose stops counting at the threshold and tests the end first; the definition is
    # "at least 12 words, and the line, spaces trimmed, ends like a sentence".
    rng = random.Random(3)
    pieces = [*'ab đệ1 .!?…;"”»),\t\r\x0b\x0c\x1c\x85\xa0\u2028\u3000', "Số lần xem", "  "]
    prose = 0
    for _ in range(50_000):
        line = "".join(rng.choice(pieces) for _ in range(rng.randrange(60)))
        expected = len(re.findall(r"\w+", line)) >= 12 and bool(
            re.search(r"[.!?…;\"”»)]$", re.sub(r"\s+", " ", line).strip())
        )
        prose += expected
        assert is_prose(line) is expected, repr(line)
    assert prose > 1000  # both answers were exercised
