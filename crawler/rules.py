"""CMS knowledge as data: load and validate crawler/rules/*.toml into frozen, picklable Rules.

A rules file describes one CMS family (or, with ``always = true``, the generic layer that applies
to every page). It is a TOML file with a ``[family]`` table and arrays of rule tables, one array
per kind below. Every rule has an ``example`` it must match and a ``why`` naming the site, CMS or
issue that forced it; ``tests/test_rules.py`` checks each rule against its own example.

Kinds (the TOML array name: what ``pattern`` is; what ``example`` must be):

- ``signature``: a regex on the generator meta, the Server header or the URL (``on`` =
  generator/server/url), or an XPath (``on`` = "html"); a string the regex finds, or an HTML
  snippet the XPath matches.
- ``prune``, ``content``, ``caption``, ``author``: an XPath (elements to remove, the article
  body container, image captions, the author's element); an HTML snippet it matches.
- ``prune_class``: a regex searched in the lower-cased "class id" of an element; such a string.
- ``byline``: a regex a whole line must match, with a ``name`` group; a byline, and ``expect``
  the name it yields. ``label`` "capitalized": every word of the name must be capitalised;
  "reject": lines that are never bylines (sources, organisations), no name group.
- ``boilerplate``: a regex a whole text line must match; such a line.
- ``widget_heading``: a regex a widget's heading must match ("Tin liên quan"); such a heading.
- ``title_separator``: the literal between title and site name in <title>; a <title>, and
  ``expect`` the title before it.
- ``not_article``: a regex on the page title (``on`` = "title", whole match) or on the URL
  (``on`` = "url", search), ``label`` the page kind (soft-404, static, tag, calendar, search,
  listing); a title or URL it matches.

Any rule may also have a ``counter``: a near miss it must not match (tested like ``example``).

Files without a ``[family]`` table belong to other modules (date formats …) and are skipped.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import lxml.etree
import lxml.html

RULE_KINDS = (
    "signature",
    "prune",
    "prune_class",
    "content",
    "caption",
    "author",
    "byline",
    "boilerplate",
    "widget_heading",
    "title_separator",
    "not_article",
)
XPATH_KINDS = frozenset({"prune", "content", "caption", "author"})
REGEX_KINDS = frozenset({"prune_class", "byline", "boilerplate", "widget_heading"})
SIGNATURE_TARGETS = frozenset({"generator", "server", "url", "html"})
NOT_ARTICLE_TARGETS = frozenset({"title", "url"})
NOT_ARTICLE_LABELS = frozenset({"soft-404", "static", "tag", "calendar", "search", "listing"})
BYLINE_LABELS = frozenset({"", "capitalized", "reject"})
_ALLOWED_KEYS = frozenset({"pattern", "example", "why", "on", "label", "expect", "counter"})

# EXSLT regular expressions let XPath rules test class tokens: re:test(@class, '...').
XPATH_NS = {"re": "http://exslt.org/regular-expressions"}


class RulesError(ValueError):
    """A rules file or one of its rules is invalid; the message names the file and the rule."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of one family, as written in its TOML file."""

    #: which array it came from: one of RULE_KINDS
    kind: str
    #: the family the rule belongs to ("generic" for the always-on layer)
    family: str
    #: regex, XPath or literal separator, depending on kind
    pattern: str
    #: what the rule must match: a text line, a title, a URL, or an HTML snippet
    example: str
    #: the site, CMS or issue that forced the rule
    why: str
    #: signature, not_article: what the pattern is tested on (generator, server, url, html, title)
    on: str = ""
    #: not_article: the page kind (soft-404, static, tag, calendar, search, listing)
    label: str = ""
    #: byline: the author name the example yields; title_separator: the title the example yields
    expect: str = ""
    #: optional: something the rule must NOT match (a near miss that once went wrong)
    counter: str = ""

    def matches(self, subject: str) -> bool:
        """Whether the rule matches ``subject`` the way the extractor applies it.

        XPath kinds take an HTML snippet; line kinds (boilerplate, widget_heading, byline,
        not_article on titles) must match the whole subject; prune_class, signature and URL
        rules search in it; title_separator must occur in it.
        """
        if self.kind in XPATH_KINDS or (self.kind == "signature" and self.on == "html"):
            root = lxml.html.document_fromstring(f"<html><body>{subject}</body></html>")
            return bool(compiled_xpath(self.pattern)(root))
        if self.kind == "title_separator":
            return self.pattern in subject
        if self.kind == "byline" and self.label != "reject":
            return self.name_in(subject) is not None
        regex = compiled_regex(self.pattern)
        if self.kind in ("prune_class", "signature") or self.on == "url":
            return regex.search(subject) is not None
        return regex.fullmatch(subject) is not None

    def name_in(self, line: str) -> str | None:
        """For a byline rule: the author name in a whole-line byline, else None."""
        m = compiled_regex(self.pattern).fullmatch(line.strip())
        if not m or "name" not in m.groupdict():
            return None
        name = " ".join(m.group("name").split()).strip(" .,-–")
        if self.label == "capitalized" and not is_capitalised_name(name):
            return None
        return name or None


def is_capitalised_name(name: str) -> bool:
    """2-5 words, each capitalised and otherwise lower case: "Lê Thuý", not "Ban Tuyên giáo"."""
    words = [w for w in re.split(r"[\s\u00a0-]+", name) if w]
    return 2 <= len(words) <= 5 and all(w[0].isupper() and w[1:].islower() for w in words)


@dataclass(frozen=True, slots=True)
class FamilyRules:
    """All rules of one CMS family (or of the generic layer)."""

    name: str
    description: str
    #: True for the generic layer: applies to every page, needs no signature
    always: bool
    rules: tuple[Rule, ...]

    def of(self, kind: str) -> tuple[Rule, ...]:
        """The rules of one kind, in file order."""
        return tuple(r for r in self.rules if r.kind == kind)


@dataclass(frozen=True, slots=True)
class Rules:
    """Every enabled family's rules. Frozen and picklable: it is sent to worker processes."""

    families: tuple[FamilyRules, ...]
    #: families switched off by the caller (kept so reports can say what was measured)
    disabled: frozenset[str] = frozenset()

    def family(self, name: str) -> FamilyRules:
        """The enabled family called ``name``; KeyError if there is none."""
        for fam in self.families:
            if fam.name == name:
                return fam
        raise KeyError(name)

    def detect(
        self,
        *,
        url: str = "",
        generator: str = "",
        server: str = "",
        tree: lxml.etree._Element | None = None,
        index: PageIndex | None = None,
    ) -> tuple[str, ...]:
        """Names of the non-generic families whose signatures match this page, in file order.

        ``index`` (of ``tree``) lets signatures that cannot match be skipped without running.
        """
        found = []
        for fam in self.families:
            if fam.always:
                continue
            for sig in fam.of("signature"):
                if sig.on == "html":
                    if index is not None and not index.may_match(sig.pattern):
                        continue
                    if tree is not None and compiled_xpath(sig.pattern)(tree):
                        found.append(fam.name)
                        break
                    continue
                subject = {"generator": generator, "server": server, "url": url}[sig.on]
                if subject and compiled_regex(sig.pattern).search(subject):
                    found.append(fam.name)
                    break
        return tuple(found)

    def active(self, detected: Iterable[str]) -> tuple[FamilyRules, ...]:
        """The always-on families plus the detected ones, in file order."""
        names = set(detected)
        return tuple(f for f in self.families if f.always or f.name in names)


def load_rules(directory: Path | None = None, *, disabled_families: Iterable[str] = ()) -> Rules:
    """Load every ``*.toml`` with a ``[family]`` table from ``directory`` (default: crawler/rules).

    ``disabled_families`` names families to leave out, so that the generic layer can be measured
    alone; naming a family that does not exist raises ``RulesError`` (a typo would otherwise
    silently measure the full rule set). Raises ``RulesError`` for unreadable TOML, unknown keys,
    empty values, invalid regexes or XPaths, and duplicate family names.
    """
    directory = directory or Path(__file__).with_name("rules")
    disabled = frozenset(disabled_families)
    families: list[FamilyRules] = []
    for path in sorted(directory.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise RulesError(f"{path.name}: {err}") from err
        if "family" not in data:
            continue
        families.append(_family_from(path.name, data))
    names = [f.name for f in families]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise RulesError(f"duplicate family names: {', '.join(dupes)}")
    unknown = sorted(disabled - set(names))
    if unknown:
        raise RulesError(f"cannot disable unknown families: {', '.join(unknown)}")
    # The generic layer first, so that its rules run before any family's.
    kept = sorted((f for f in families if f.name not in disabled), key=lambda f: not f.always)
    return Rules(families=tuple(kept), disabled=disabled)


def _family_from(filename: str, data: dict[str, object]) -> FamilyRules:
    head = data["family"]
    if not isinstance(head, dict) or not isinstance(head.get("name"), str) or not head["name"]:
        raise RulesError(f"{filename}: [family] needs a non-empty name")
    extra = set(data) - {"family", *RULE_KINDS}
    if extra:
        raise RulesError(f"{filename}: unknown tables {sorted(extra)}")
    name = head["name"]
    rules: list[Rule] = []
    for kind in RULE_KINDS:
        entries = data.get(kind, [])
        if not isinstance(entries, list):
            raise RulesError(f"{filename}: {kind} must be an array of tables")
        for i, entry in enumerate(entries, 1):
            where = f"{filename}: {kind} #{i}"
            if not isinstance(entry, dict):
                raise RulesError(f"{where}: not a table")
            rules.append(_rule_from(where, kind, name, entry))
    return FamilyRules(
        name=name,
        description=str(head.get("description", "")),
        always=bool(head.get("always", False)),
        rules=tuple(rules),
    )


def _rule_from(where: str, kind: str, family: str, entry: dict[str, object]) -> Rule:
    unknown = set(entry) - _ALLOWED_KEYS
    if unknown:
        raise RulesError(f"{where}: unknown keys {sorted(unknown)}")
    values = {k: entry.get(k, "") for k in _ALLOWED_KEYS}
    for key, value in values.items():
        if not isinstance(value, str):
            raise RulesError(f"{where}: {key} must be a string")
    for key in ("pattern", "example", "why"):
        if not str(values[key]).strip():
            raise RulesError(f"{where}: {key} is required and must not be empty")
    rule = Rule(kind=kind, family=family, **{k: str(v) for k, v in values.items()})
    if kind == "signature" and rule.on not in SIGNATURE_TARGETS:
        raise RulesError(f"{where}: on must be one of {sorted(SIGNATURE_TARGETS)}")
    if kind == "not_article":
        if rule.on not in NOT_ARTICLE_TARGETS:
            raise RulesError(f"{where}: on must be one of {sorted(NOT_ARTICLE_TARGETS)}")
        if rule.label not in NOT_ARTICLE_LABELS:
            raise RulesError(f"{where}: label must be one of {sorted(NOT_ARTICLE_LABELS)}")
    if kind == "byline" and rule.label not in BYLINE_LABELS:
        raise RulesError(f"{where}: label must be one of {sorted(BYLINE_LABELS)}")
    if kind in ("byline", "title_separator") and not rule.expect and rule.label != "reject":
        raise RulesError(f"{where}: {kind} rules need an expect value")
    try:
        if kind in XPATH_KINDS or (kind == "signature" and rule.on == "html"):
            compiled_xpath(rule.pattern)
            rule.matches(rule.example)  # evaluation errors (wrong types) only show when run
        elif kind != "title_separator":
            compiled = compiled_regex(rule.pattern)
            if kind == "byline" and rule.label != "reject" and "name" not in compiled.groupindex:
                raise RulesError(f"{where}: byline patterns need a (?P<name>...) group")
    except (re.error, lxml.etree.XPathError) as err:
        raise RulesError(f"{where}: {err}") from err
    return rule


# Compiled forms are memoised by pattern text: a pure function of an immutable string, so the
# cache holds no state that could change a result; it only spares re-compiling per page.
@functools.lru_cache(maxsize=2048)
def compiled_xpath(expression: str) -> lxml.etree.XPath:
    """The compiled XPath for an expression, with the EXSLT ``re:`` namespace bound."""
    return lxml.etree.XPath(expression, namespaces=XPATH_NS)


@functools.lru_cache(maxsize=2048)
def compiled_regex(pattern: str) -> re.Pattern[str]:
    """The compiled regex for a rule pattern (case-insensitive, Unicode)."""
    return re.compile(pattern, re.IGNORECASE)


# ---------------------------------------------------------------------------- XPath prefilter
#
# Every family's signature and prune rules are XPaths over the whole document, most of them
# looking for a class, id or URL fragment that the page does not have. Running such an XPath
# costs a walk of the tree; knowing that none of the page's attribute values contains the
# fragment costs a substring search. ``xpath_needs`` reads, conservatively, what a rule's XPath
# cannot match without; anything it does not understand makes it say "run it".

_NAME_STEP_RE = re.compile(r"//([A-Za-z][\w-]*|\*)(?=[\[/\s]|$)")
# Atoms whose truth needs a literal inside an attribute value: @a="x", contains(@a, "x"),
# starts-with(@a, "x"), contains(concat(" ", normalize-space(@a), " "), " x ").
_ATOM_RES = (
    re.compile(r"""@[\w-]+\s*=\s*(?:"([^"]*)"|'([^']*)')"""),
    re.compile(r"""(?:contains|starts-with)\(\s*@[\w-]+\s*,\s*(?:"([^"]*)"|'([^']*)')\s*\)"""),
    re.compile(
        r"""contains\(\s*concat\(\s*(?:" "|' ')\s*,\s*normalize-space\(\s*@[\w-]+\s*\)\s*,"""
        r"""\s*(?:" "|' ')\s*\)\s*,\s*(?:"([^"]*)"|'([^']*)')\s*\)"""
    ),
)

#: Alternatives, each a tuple of literals that must all occur in the page's attribute values.
_Needs = tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class XPathNeeds:
    """What a rule's XPath cannot match without: per union branch, an element name (None for
    ``*``) and the literal needs of its first step's predicates (all must hold)."""

    branches: tuple[tuple[str | None, tuple[_Needs, ...]], ...]


@dataclass(frozen=True, slots=True)
class PageIndex:
    """What one page holds, to rule XPaths out without running them.

    ``attribute_values`` joins every attribute value of the document with NUL (which no value
    can contain), so a literal occurs in it exactly when it occurs in some value. ``tags`` is
    every element name of the document, or None when unknown (then names rule nothing out).
    Both may hold more than the tree an XPath runs on (pruning only removes), never less.
    """

    attribute_values: str
    tags: frozenset[object] | None = None

    def may_match(self, expression: str) -> bool:
        """False only when the XPath provably matches nothing on the indexed page."""
        needs = xpath_needs(expression)
        if needs is None:
            return True
        values = self.attribute_values
        for tag, predicates in needs.branches:
            if tag is not None and self.tags is not None and tag not in self.tags:
                continue
            if all(any(all(lit in values for lit in alt) for alt in p) for p in predicates):
                return True
        return False


_ALL_ATTRIBUTE_VALUES = lxml.etree.XPath("//@*", smart_strings=False)


def attribute_values(tree: lxml.etree._Element) -> str:
    """Every attribute value of the document holding ``tree``, NUL-separated (PageIndex)."""
    return "\0".join(_ALL_ATTRIBUTE_VALUES(tree))


@functools.lru_cache(maxsize=2048)
def xpath_needs(expression: str) -> XPathNeeds | None:
    """The needs of an XPath of the form ``//name[pred]...`` (union of such), or None.

    A branch's first step must match some element of the document; each of its predicates that
    is an ``or`` of ``and``-chains of atoms we understand needs, for one chain, the literals of
    its atoms. Anything else (functions, paths, regexes, other axes) contributes nothing, which
    only makes the answer weaker, never wrong.
    """
    branches = []
    for branch in _split_top(expression, "|"):
        branch = branch.strip()
        step = _NAME_STEP_RE.match(branch)
        if step is None:
            return None
        tag = None if step.group(1) == "*" else step.group(1)
        predicates = []
        for predicate in _leading_predicates(branch[step.end() :]):
            needs = _predicate_needs(predicate)
            if needs:
                predicates.append(needs)
        branches.append((tag, tuple(predicates)))
    return XPathNeeds(branches=tuple(branches))


def _leading_predicates(rest: str) -> list[str]:
    """The ``[...]`` predicates directly after a step, up to the next step."""
    out = []
    while rest.startswith("["):
        end = _closing(rest)
        if end < 0:
            break
        out.append(rest[1:end])
        rest = rest[end + 1 :]
    return out


def _unquoted(text: str) -> Iterator[tuple[int, int]]:
    """(index, bracket depth before it) of every character outside quoted strings; the quote
    characters themselves are not yielded. Brackets are [ ] and ( )."""
    depth, quote = 0, ""
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        else:
            yield i, depth
            if ch in "[(":
                depth += 1
            elif ch in "])":
                depth -= 1


def _closing(text: str) -> int:
    """Index of the bracket closing ``text[0]``, skipping quoted strings; -1 if none."""
    for i, depth in _unquoted(text):
        if depth == 1 and text[i] in "])":
            return i
    return -1


def _split_top(text: str, sep: str) -> list[str]:
    """Split at ``sep`` outside quotes, brackets and parentheses."""
    parts, start = [], 0
    for i, depth in _unquoted(text):
        # i < start: inside the separator just cut.
        if i >= start and depth == 0 and text[i] not in "[]()" and text.startswith(sep, i):
            parts.append(text[start:i])
            start = i + len(sep)
    parts.append(text[start:])
    return parts


def _predicate_needs(predicate: str) -> _Needs:
    """Alternatives of literals for a predicate, or () when it needs nothing we can check."""
    alternatives = []
    for chain in _split_top(predicate, " or "):
        literals = []
        for atom in _split_top(chain, " and "):
            literal = _atom_literal(atom.strip())
            if literal:
                literals.extend(literal.split())
        if not literals:
            return ()
        alternatives.append(tuple(literals))
    return tuple(alternatives)


def _atom_literal(atom: str) -> str | None:
    """The literal an atom needs inside some attribute value, when the atom is one we know."""
    for atom_re in _ATOM_RES:
        m = atom_re.fullmatch(atom)
        if m:
            return m.group(1) if m.group(1) is not None else m.group(2)
    return None
