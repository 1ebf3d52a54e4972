"""Docs as tests: a documented thing that goes missing fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from cli.main import app
from core.settings import Settings
from creators.formats import CSV_COLUMNS
from creators.record import CreatorRecord, Platform

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
RECORD_DOC = (ROOT / "docs" / "creator-record.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    block = re.search(r"```bash\n(.*?)```", README, re.S)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert commands == ["make run", "make test"]
    assert README.index("make run") < README.index("## ")


def test_ci_calls_the_readme_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("field", sorted(CreatorRecord.model_fields))
def test_every_record_field_is_documented(field: str) -> None:
    assert f"`{field}`" in RECORD_DOC


@pytest.mark.parametrize("column", CSV_COLUMNS)
def test_every_csv_column_is_documented(column: str) -> None:
    assert column in RECORD_DOC


@pytest.mark.parametrize("platform", [p.value for p in Platform])
def test_every_platform_is_documented(platform: str) -> None:
    assert f"`{platform}`" in RECORD_DOC


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_in_env_example(name: str) -> None:
    env_example = (ROOT / ".env.example").read_text()
    assert f"CREATORMATCH_{name.upper()}=" in env_example


def _commands(group: typer.Typer, prefix: str = "") -> list[str]:
    click_group = typer.main.get_command(group)
    names: list[str] = []
    for name, command in click_group.commands.items():  # type: ignore[attr-defined]
        if hasattr(command, "commands"):
            names += [f"{prefix}{name} {sub}" for sub in command.commands]
        else:
            names.append(f"{prefix}{name}")
    return names


@pytest.mark.parametrize("command", _commands(app))
def test_every_cli_command_is_in_the_readme(command: str) -> None:
    assert f"creatormatch {command}" in README


@pytest.mark.parametrize(
    "target",
    sorted(set(re.findall(r"\]\(((?:docs/)[^)#\s]+)\)", README))),
)
def test_every_file_the_readme_links_exists(target: str) -> None:
    assert (ROOT / target).exists(), f"README links {target}, which does not exist"
