"""The planner is a pure library: no database, no web framework, no ML stack."""

from __future__ import annotations

import subprocess
import sys

from tests.test_architecture import files_of, imports_of

FORBIDDEN = {"sqlalchemy", "fastapi", "starlette", "pydantic", "torch", "faiss", "httpx", "jinja2"}


def test_planner_imports_no_database_or_web() -> None:
    bad = [
        f"{path.name} imports {name}"
        for path in files_of("planner")
        for name in imports_of(path)
        if name.split(".")[0] in FORBIDDEN | {"models", "storage", "api", "matcher", "cli"}
    ]
    assert bad == []


def test_importing_the_planner_loads_none_of_them() -> None:
    code = (
        "import sys, planner, planner.report, planner.charts;"
        f"print(sorted(m for m in {sorted(FORBIDDEN)!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
