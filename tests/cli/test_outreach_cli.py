"""``creatormatch outreach``: from the demo roster, one command drafts a personalised e-mail,
a brief and an ambassador contract for the campaign's best match, in every format."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from typer.testing import CliRunner

import cli.common as cli_common
from core.settings import Settings
from matcher.service import MatchService
from tests.cli.test_cli import invoke


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> CliRunner:
    monkeypatch.setenv("CREATORMATCH_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("CREATORMATCH_DATA_DIR", str(settings.data_dir))
    return CliRunner()


@pytest.fixture
def demo(runner: CliRunner, monkeypatch: pytest.MonkeyPatch, embedder: Any) -> int:
    monkeypatch.setattr(
        cli_common, "match_service", lambda s, **_kw: MatchService(s.index_dir, lambda: embedder)
    )
    code, out, err = invoke(runner, "demo", "--creators", "60", "--seed", "5")
    assert code == 0, err
    found = re.search(r"demo campaign (\d+)", out)
    assert found is not None
    return int(found.group(1))


def test_one_command_drafts_email_brief_and_contract_in_every_format(
    runner: CliRunner,
    demo: int,
    tmp_path: Path,
    settings: Settings,
) -> None:
    out = tmp_path / "drafts"
    code, stdout, err = invoke(
        runner,
        "outreach",
        "draft",
        "--campaign",
        str(demo),
        "--top",
        "1",
        "--out",
        str(out),
        "--json",
    )
    assert code == 0, err + stdout
    summary = json.loads(stdout)
    assert [s["kind"] for s in summary] == ["email_intro", "brief", "contract_ambassador"]
    assert all(s["allowed"] and not s["findings"] for s in summary)
    files = sorted(p.name.rsplit("-", 1)[1] for p in out.iterdir())
    assert files == sorted(
        [
            "email_intro.txt",
            "email_intro.html",
            "brief.md",
            "brief.html",
            "brief.docx",
            "contract_ambassador.md",
            "contract_ambassador.html",
            "contract_ambassador.docx",
        ]
    )
    email = next(out.glob("*email_intro.txt")).read_text()
    assert email.startswith("Subject: Verdant Skin")
    assert "120 Hudson Street, Suite 4" in email and "/u/" in email
    assert "Why we think you're a great fit:" in email
    contract = next(out.glob("*ambassador.docx"))
    text = "\n".join(p.text for p in Document(str(contract)).paragraphs)
    assert "Disclosure obligations" in text
    assert "12 months" in text or "twelve" in text.lower()


def test_pipeline_start_and_a_dry_run(runner: CliRunner, demo: int) -> None:
    from sqlalchemy import select

    from models import Creator
    from storage.database import Database

    database = Database(Settings().resolved_database_url)
    with database.session() as session:
        ids = list(session.scalars(select(Creator.id).where(Creator.email.is_not(None)).limit(3)))
    database.dispose()
    args = ["outreach", "add", "--campaign", str(demo)]
    for cid in ids:
        args += ["--creator", str(cid)]
    code, out, err = invoke(runner, *args)
    assert code == 0, err
    assert out.count("prospect") == 3
    code, out, err = invoke(runner, "outreach", "start", "--campaign", str(demo))
    assert code == 0 and out.startswith("3 creators due"), err
    code, out, err = invoke(runner, "outreach", "run")
    assert code == 0, err
    assert json.loads(out)["dry_run"] == 3
    code, out, _ = invoke(runner, "outreach", "pipeline", "--campaign", str(demo))
    assert out.count("contacted") == 3
    code, _out, err = invoke(runner, "outreach", "draft", "--campaign", "999", "--top", "1")
    assert code == 1 and "campaign 999 not found" in err
