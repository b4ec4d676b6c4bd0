# ruff: noqa: E501 - the tables below hold whole URLs and TOML snippets, one per line
"""crawler.rules: every rule loads and matches its own example; loading, disabling, detection."""

from __future__ import annotations

import pickle
from pathlib import Path

import lxml.html
import pytest

from crawler.rules import (
    PageIndex,
    Rule,
    RulesError,
    attribute_values,
    compiled_xpath,
    is_capitalised_name,
    load_rules,
)

ALL_RULES = load_rules()
RULES: list[Rule] = [rule for fam in ALL_RULES.families for rule in fam.rules]


def _rule_id(rule: Rule) -> str:
    same = [r for r in RULES if r.family == rule.family and r.kind == rule.kind]
    return f"{rule.family}:{rule.kind}#{same.index(rule) + 1}"


@pytest.mark.parametrize("rule", RULES, ids=_rule_id)
def test_rule_matches_its_example(rule: Rule) -> None:
    assert rule.matches(rule.example), f"{rule.pattern!r} does not match {rule.example!r}"


@pytest.mark.parametrize("rule", [r for r in RULES if r.counter], ids=_rule_id)
def test_rule_does_not_match_its_counter_example(rule: Rule) -> None:
    # Each counter example is a near miss that once went wrong (e.g. "placeholder" in a
    # SharePoint id matched "older" and pruned the author label).
    assert not rule.matches(rule.counter)


@pytest.mark.parametrize(
    "rule", [r for r in RULES if r.kind == "byline" and r.expect], ids=_rule_id
)
def test_byline_rule_yields_the_expected_name(rule: Rule) -> None:
    assert rule.name_in(rule.example) == rule.expect


@pytest.mark.parametrize("rule", [r for r in RULES if r.kind == "title_separator"], ids=_rule_id)
def test_title_separator_cuts_the_site_name(rule: Rule) -> None:
    title = rule.example[: rule.example.rfind(rule.pattern)]
    assert title == rule.expect


@pytest.mark.parametrize("rule", RULES, ids=_rule_id)
def test_rule_says_why(rule: Rule) -> None:
    assert len(rule.why) >= 20, "a rule's why names the site, CMS or issue that forced it"


def test_every_family_but_generic_can_be_recognised() -> None:
    for fam in ALL_RULES.families:
        assert fam.always or fam.of("signature"), fam.name


def test_generic_layer_comes_first() -> None:
    assert ALL_RULES.families[0].name == "generic"
    assert ALL_RULES.families[0].always


def test_rules_pickle_round_trip() -> None:
    # The rules are sent to worker processes.
    assert pickle.loads(pickle.dumps(ALL_RULES)) == ALL_RULES


def test_disabled_family_is_left_out_and_remembered() -> None:
    rules = load_rules(disabled_families={"nukeviet"})
    assert "nukeviet" not in [f.name for f in rules.families]
    assert rules.disabled == frozenset({"nukeviet"})
    assert len(rules.families) == len(ALL_RULES.families) - 1


def test_disabling_an_unknown_family_is_an_error() -> None:
    with pytest.raises(RulesError, match="cannot disable unknown families: nukevit"):
        load_rules(disabled_families={"nukevit"})


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"generator": "NukeViet v4.5"}, ("nukeviet",)),
        ({"server": "Apache-Coyote/1.1"}, ("liferay",)),
        ({"url": "http://tinhuy.lamdong.gov.vn/TinTuc/TuyenGiao/Pages/ThucHien-130.aspx"}, ("sharepoint",)),
        ({"generator": "WordPress 6.2.2"}, ("wordpress",)),
        ({"url": "http://x.vn/index.php?option=com_content&view=article&id=12"}, ("joomla",)),
        ({"url": "http://tinhuy.quangtri.dcs.vn/Article/ViewDetail.aspx?mid=136&aid=680"}, ("aspnet_portal",)),
        ({"url": "http://example.vn/bai-viet/123.htm", "server": "nginx"}, ()),
    ],
    ids=["generator-nukeviet", "server-liferay", "url-sharepoint", "generator-wordpress",
         "url-joomla", "url-aspnet", "unknown-cms"],
)  # fmt: skip
def test_detect_by_signature(kwargs: dict[str, str], expected: tuple[str, ...]) -> None:
    found = ALL_RULES.detect(
        url=kwargs.get("url", ""),
        generator=kwargs.get("generator", ""),
        server=kwargs.get("server", ""),
    )
    assert found == expected


def test_detect_by_html_signature() -> None:
    import lxml.html

    tree = lxml.html.document_fromstring(
        '<html><body><div id="news-bodyhtml">x</div></body></html>'
    )
    assert ALL_RULES.detect(tree=tree) == ("nukeviet",)


def test_active_is_generic_plus_detected() -> None:
    assert [f.name for f in ALL_RULES.active(["wordpress"])] == ["generic", "wordpress"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Lê Thuý", True), ("Nguyễn Văn An", True), ("Ban Tuyên giáo", False), ("PV", False),
     ("Thanh", False), ("Một Hai Ba Bốn Năm Sáu", False)],
    ids=["two-words", "three-words", "lower-case-word", "one-word-abbrev", "one-word", "six-words"],
)  # fmt: skip
def test_is_capitalised_name(name: str, expected: bool) -> None:
    assert is_capitalised_name(name) is expected


# ------------------------------------------------------------------ broken rule files


def _write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


GOOD_HEAD = '[family]\nname = "x"\nalways = true\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD_HEAD + "[[boilerplate]]\npattern = '('\nexample = 'a'\nwhy = 'because'\n", "boilerplate #1"),
        (GOOD_HEAD + "[[prune]]\npattern = '//div['\nexample = '<div></div>'\nwhy = 'because'\n", "prune #1"),
        (GOOD_HEAD + "[[prune]]\npattern = '//*[contains(@class, \"a\")/b]'\nexample = '<b></b>'\nwhy = 'because'\n", "prune #1"),
        (GOOD_HEAD + "[[boilerplate]]\npattern = 'a'\nexample = 'a'\n", "why is required"),
        (GOOD_HEAD + "[[boilerplate]]\npattern = 'a'\nexample = 'a'\nwhy = 'b'\ncolour = 'red'\n", "unknown keys"),
        (GOOD_HEAD + "[[byline]]\npattern = '(?P<who>x)'\nexample = 'x'\nexpect = 'x'\nwhy = 'b'\n", "name"),
        (GOOD_HEAD + "[[byline]]\npattern = '(?P<name>x)'\nexample = 'x'\nwhy = 'b'\n", "expect"),
        (GOOD_HEAD + "[[signature]]\non = 'cookie'\npattern = 'x'\nexample = 'x'\nwhy = 'b'\n", "on must be"),
        (GOOD_HEAD + "[[not_article]]\non = 'title'\nlabel = 'odd'\npattern = 'x'\nexample = 'x'\nwhy = 'b'\n", "label"),
        (GOOD_HEAD + "[[gadgets]]\npattern = 'x'\n", "unknown tables"),
        ("[family]\nalways = true\n", "non-empty name"),
        ("[family\n", "x.toml"),
    ],
    ids=["bad-regex", "bad-xpath", "xpath-fails-when-run", "missing-why", "unknown-key", "byline-without-name-group",
         "byline-without-expect", "bad-signature-target", "bad-not-article-label", "unknown-table",
         "family-without-name", "not-toml"],
)  # fmt: skip
def test_invalid_rule_file_is_rejected(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(RulesError, match=message):
        load_rules(_write(tmp_path, "x.toml", text))


def test_files_without_family_table_belong_to_others(tmp_path: Path) -> None:
    _write(tmp_path, "dates.toml", '[[format]]\npattern = "x"\n')
    _write(tmp_path, "g.toml", GOOD_HEAD)
    assert [f.name for f in load_rules(tmp_path).families] == ["x"]


def test_duplicate_family_names_are_rejected(tmp_path: Path) -> None:
    _write(tmp_path, "a.toml", GOOD_HEAD)
    _write(tmp_path, "b.toml", GOOD_HEAD)
    with pytest.raises(RulesError, match="duplicate family names: x"):
        load_rules(tmp_path)


XPATH_RULES = [
    r for r in RULES if r.kind in ("prune", "content", "caption", "author") or r.on == "html"
]


def _index_of(snippet: str) -> tuple[PageIndex, lxml.html.HtmlElement]:
    root = lxml.html.document_fromstring(f"<html><body>{snippet}</body></html>")
    tags = frozenset(el.tag for el in root.iter())
    return PageIndex(attribute_values(root), tags), root


@pytest.mark.parametrize("rule", XPATH_RULES, ids=_rule_id)
def test_prefilter_never_rules_out_a_match(rule: Rule) -> None:
    # The prefilter may only skip an XPath that matches nothing: check it on the rule's own
    # example (which matches) and on its counter example (whatever it yields).
    for snippet in filter(None, (rule.example, rule.counter)):
        index, root = _index_of(snippet)
        if compiled_xpath(rule.pattern)(root):
            assert index.may_match(rule.pattern), snippet


@pytest.mark.parametrize(
    ("expression", "snippet", "may_match"),
    [
        ('//*[@class][contains(@class, "wp-block-")]', '<p class="x wp-block-quote">a</p>', True),
        ('//*[@class][contains(@class, "wp-block-")]', '<p class="x">wp-block-</p>', False),
        (
            '//ul[contains(concat(" ", normalize-space(@class), " "), " related ")]',
            "<ul></ul>",
            False,
        ),
        ('//nav | //*[@role="navigation"]', "<nav></nav>", True),
        ('//nav | //*[@role="navigation"]', '<p role="banner">x</p>', False),
        ('//link[contains(@href, "/o/") and contains(@href, "theme")]', '<p id="/o/"></p>', False),
        ('//*[@id="a" or @class="b"]', '<p class="b"></p>', True),
        ('//*[@id="a" or not(@class="b")]', "<p></p>", True),  # not(): no needs
        ("//text()", "<p></p>", True),  # a node test, not an element name
        ('//*[re:test(@class, "x")]', "<p></p>", True),
        ("(//p)[1]", "<div></div>", True),
    ],
)
def test_prefilter_reads_only_what_it_understands(
    expression: str, snippet: str, may_match: bool
) -> None:
    index, _ = _index_of(snippet)
    assert index.may_match(expression) is may_match


def test_prefilter_without_element_names_uses_values_only() -> None:
    assert PageIndex("x").may_match("//nav")
    assert not PageIndex("x").may_match('//nav[@id="main"]')
