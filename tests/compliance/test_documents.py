"""The brief / contract document check."""

from __future__ import annotations

import pytest

from compliance.disclosure_text import disclosure_section, required_phrases
from compliance.documents import check_document
from compliance.types import Jurisdiction
from core.errors import InvalidInputError


def _doc(section: str, examples: str = "") -> str:
    return f"# Brief: spring launch\n\nDeliverables: 2 posts.\n\n{section}\n## Timeline\n\nMay.\n\n{examples}"


@pytest.mark.parametrize("jurisdiction", list(Jurisdiction))
@pytest.mark.parametrize(
    "platforms", [[], ["instagram"], ["youtube", "podcast"], ["twitch", "tiktok"]]
)
def test_canonical_section_passes(jurisdiction: Jurisdiction, platforms: list[str]) -> None:
    text = _doc(disclosure_section(jurisdiction, platforms))
    result = check_document(text, kind="contract", jurisdiction=jurisdiction, platforms=platforms)
    assert result.verdict.value == "compliant", result.findings


def test_missing_section_is_reported() -> None:
    result = check_document(_doc("## Payment\n\nNet 30.\n"), kind="brief", jurisdiction="US")
    assert [f.code for f in result.findings] == ["DOC_MISSING_DISCLOSURE_SECTION"]
    assert result.verdict.value == "non_compliant"


def test_missing_phrase_is_reported_with_its_line() -> None:
    section = disclosure_section(Jurisdiction.US, ["youtube"]).replace(
        "say it and show it", "do it"
    )
    text = _doc(section)
    result = check_document(text, kind="brief", jurisdiction="US", platforms=["youtube"])
    missing = [f for f in result.findings if f.code == "DOC_MISSING_REQUIRED_PHRASE"]
    assert len(missing) == 1 and "say it and show it" in missing[0].message
    assert text.splitlines()[missing[0].line - 1].startswith("## Disclosure")


def test_example_captions_are_checked_where_they_are() -> None:
    examples = (
        "Example caption: #ad My spring look with the new trench\n"
        "Example caption: Loving my new trench #sp #collab\n"
        "```caption\nSpring look #fashion #ootd #style #ad #trench\n```\n"
    )
    text = _doc(disclosure_section(Jurisdiction.US), examples)
    result = check_document(text, kind="brief", jurisdiction="US", platforms=["instagram"])
    verdicts = [(e.line, e.result.verdict.value) for e in result.examples]
    lines = text.splitlines()
    assert [lines[line - 1][:16] for line, _ in verdicts] == [
        "Example caption:",
        "Example caption:",
        "Spring look #fas",
    ]
    assert [v for _, v in verdicts] == ["compliant", "non_compliant", "non_compliant"]
    codes = {f.code for f in result.findings}
    assert {"AMBIGUOUS_TERM", "BURIED_IN_HASHTAGS"} <= codes


def test_uk_examples_use_uk_rules() -> None:
    text = _doc(disclosure_section(Jurisdiction.UK), "Example caption: #sponsored spring look\n")
    result = check_document(text, kind="contract", jurisdiction="UK")
    assert result.verdict.value == "needs_review"
    assert result.examples[0].result.reasons == ("UK_NON_AD_LABEL",)


def test_required_phrases_depend_on_platform() -> None:
    ids = {p.id for p in required_phrases(Jurisdiction.US, ["youtube"])}
    assert {"in-video", "say-and-show", "live-repeat"} <= ids
    assert "say-and-show" not in {p.id for p in required_phrases(Jurisdiction.UK, ["youtube"])}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "memo", "jurisdiction": "US"}, "kind"),
        ({"kind": "brief", "jurisdiction": "FR"}, "jurisdiction"),
        ({"kind": "brief", "jurisdiction": "US", "platforms": ["myspace"]}, "platforms"),
    ],
)
def test_bad_arguments_name_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInputError) as exc:
        check_document("x", **kwargs)  # type: ignore[arg-type]
    assert exc.value.errors[0].field == field
