"""Contracts that keep the project honest: components load, the core stays Scrapy-free, docs list
every command, settings carry their reasons."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from scrapy.utils.misc import load_object

import pipelines
import spiders
from crawler import settings
from crawler.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")

#: The Scrapy-free core: everything that turns bytes into facts (STYLE.md 2.1).
CORE_MODULES = [
    "crawler.analysis",
    "crawler.archive",
    "crawler.boilerplate",
    "crawler.crawlstate",
    "crawler.dating",
    "crawler.discovery",
    "crawler.extract",
    "crawler.finalise",
    "crawler.fingerprint",
    "crawler.html",
    "crawler.ingest",
    "crawler.items",
    "crawler.registry",
    "crawler.rules",
    "crawler.text",
    "crawler.timezone",
    "crawler.urls",
    "crawler.vndates",
]


def test_generic_packages_are_ours() -> None:
    # "spiders" and "pipelines" are common names: a package from elsewhere must never shadow ours.
    assert Path(pipelines.__file__).resolve().is_relative_to(ROOT)
    assert Path(spiders.__file__).resolve().is_relative_to(ROOT)


@pytest.mark.parametrize(
    "path", [*settings.ITEM_PIPELINES, *settings.EXTENSIONS], ids=lambda p: p.rsplit(".", 1)[-1]
)
def test_component_paths_load(path: str) -> None:
    assert callable(load_object(path))


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_modules_never_import_scrapy(module: str) -> None:
    source = Path(importlib.import_module(module).__file__ or "").read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"scrapy", "twisted"}


def test_every_archive_setting_has_a_reason() -> None:
    lines = (ROOT / "crawler" / "settings.py").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if re.match(r"^ARCHIVE_\w+", line):
            assert lines[number - 1].startswith("#"), f"{line.split()[0]} has no comment above it"


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_cli_command_is_documented(command: str) -> None:
    assert f"crawler {command}" in README
    assert main.commands[command].help, f"crawler {command} has no docstring"


def test_every_make_target_is_documented_and_commented() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = re.findall(r"^([a-z-]+):.*?## ", makefile, flags=re.MULTILINE)
    assert {"demo", "test", "serve", "nightly", "bench", "release"} <= set(targets)
    for target in ("demo", "test", "serve", "nightly", "bench", "release"):
        assert f"make {target}" in README


def test_ci_calls_exactly_make_test() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [
        line for line in script.splitlines() if line and not line.startswith(("#", "set ", "cd "))
    ]
    assert commands == ["make test"]


def test_cli_help_runs() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "dateline" in result.output
