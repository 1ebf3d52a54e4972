"""Docs as tests: the committed samples are what the code renders now, and every context
field is documented."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from demo.samples import SAMPLE_FILES, render_samples, write_samples
from outreach.contexts import BriefContext, ComplianceFixContext, ContractContext, EmailContext
from outreach.environment import TEMPLATE_NAMES

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "docs" / "samples"
DOC = (ROOT / "docs" / "outreach-documents.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_committed_sample_equals_what_the_code_renders(name: str) -> None:
    committed = (SAMPLES / name).read_text(encoding="utf-8")
    assert committed == render_samples()[name], (
        f"docs/samples/{name} is stale: run `python -m demo.samples docs/samples`"
    )


def test_no_stray_sample_files() -> None:
    assert sorted(p.name for p in SAMPLES.iterdir()) == sorted(SAMPLE_FILES)


def test_write_samples_writes_every_file(tmp_path: Path) -> None:
    paths = write_samples(tmp_path / "out")
    assert sorted(p.name for p in paths) == sorted(SAMPLE_FILES)
    assert (
        (tmp_path / "out" / "brief.md").read_text(encoding="utf-8").startswith("# Campaign brief")
    )


def _section(title: str) -> str:
    match = re.search(rf"^### {re.escape(title)}\n(.*?)(?=^#)", DOC, re.S | re.M)
    assert match is not None, f"docs/outreach-documents.md has no '### {title}' section"
    return match.group(1)


@pytest.mark.parametrize(
    "cls",
    [EmailContext, BriefContext, ContractContext, ComplianceFixContext],
    ids=lambda c: c.__name__,
)
def test_every_context_field_is_documented(cls: type) -> None:
    section = _section(f"`{cls.__name__}`")
    missing = [f.name for f in dataclasses.fields(cls) if f"`{f.name}`" not in section]
    assert missing == []


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_every_template_is_documented(name: str) -> None:
    base = (
        name.replace("followup1", "{step}")
        .replace("followup2", "{step}")
        .replace("intro", "{step}")
    )
    assert f"`{name}`" in DOC or f"`{base}`" in DOC
