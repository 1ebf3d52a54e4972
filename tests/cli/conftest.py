"""Every CLI test gets its own data directory, also for the commands that open no database:
``compliance check`` keeps its fitted classifiers in ``<data_dir>/cache``, which must never be
the working tree's ``var/``. Tests that take ``settings`` point the variable at theirs."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREATORMATCH_DATA_DIR", str(tmp_path / "var"))
