"""Pure helpers for ``creatormatch compliance check FILE.jsonl [--json]``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from compliance.types import CheckResult, Post
from core.errors import FieldError, InvalidInputError

__all__ = ["format_table", "read_jsonl"]


def read_jsonl(lines: Iterable[str]) -> Iterator[tuple[int, Post | InvalidInputError]]:
    """Yield (1-based line number, Post or the InvalidInputError for that line); skip blanks."""
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            err = FieldError(field=None, message=f"invalid JSON: {exc.msg}", line=line_no)
            yield line_no, InvalidInputError(err.describe(), [err])
            continue
        try:
            yield line_no, Post.from_dict(data)
        except InvalidInputError as exc:
            errors = [
                FieldError(field=e.field, message=e.message, line=line_no, value=e.value)
                for e in exc.errors
            ] or [FieldError(field=None, message=exc.message, line=line_no)]
            yield line_no, InvalidInputError(errors[0].describe(), errors)


def format_table(results: Iterable[CheckResult]) -> str:
    """A plain-text table of id, verdict and reasons, one result per row."""
    rows = [("id", "verdict", "reasons")]
    for i, r in enumerate(results, start=1):
        rows.append((r.id or f"#{i}", r.verdict.value, ", ".join(r.reasons) or "-"))
    widths = [max(len(row[c]) for row in rows) for c in range(2)]
    out = []
    for row in rows:
        out.append(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]}".rstrip())
    return "\n".join(out) + "\n"
