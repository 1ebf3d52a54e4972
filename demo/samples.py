"""Writes ``docs/samples``: one rendered sample of each outreach document from the contexts of
:mod:`outreach.sample_data` (which stay in outreach: template override previews render them
in the running product). ``python -m demo.samples [DIR]`` regenerates them; a test checks
that the committed samples equal what the code renders now.
"""

from __future__ import annotations

import sys
from pathlib import Path

from outreach.contexts import CONTRACT_KINDS
from outreach.render import render_brief, render_compliance_fix, render_contract, render_email
from outreach.sample_data import sample_brief, sample_compliance_fix, sample_contract, sample_email

__all__ = ["SAMPLE_FILES", "render_samples", "write_samples"]

SAMPLE_FILES: tuple[str, ...] = (
    "email_intro.txt",
    "email_intro.html",
    "email_followup1.txt",
    "email_followup2.txt",
    "email_compliance_fix.txt",
    "email_compliance_fix.html",
    "brief.md",
    *(f"contract_{kind}.md" for kind in CONTRACT_KINDS),
)


def render_samples() -> dict[str, str]:
    """File name -> content of every sample (each one passes the compliance gate)."""
    email = render_email(sample_email("intro"))
    out = {
        "email_intro.txt": f"Subject: {email.subject}\n\n{email.text}",
        "email_intro.html": email.html,
        "brief.md": render_brief(sample_brief(), "md"),
    }
    for step in ("followup1", "followup2"):
        followup = render_email(sample_email(step))
        out[f"email_{step}.txt"] = f"Subject: {followup.subject}\n\n{followup.text}"
    fix = render_compliance_fix(sample_compliance_fix())
    out["email_compliance_fix.txt"] = f"Subject: {fix.subject}\n\n{fix.text}"
    out["email_compliance_fix.html"] = fix.html
    for kind in CONTRACT_KINDS:
        out[f"contract_{kind}.md"] = render_contract(sample_contract(kind), "md")
    return out


def write_samples(directory: Path | str) -> list[Path]:
    """Render the samples into ``directory`` (created if missing); returns the paths."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, content in render_samples().items():
        path = target / name
        path.write_text(content, encoding="utf-8", newline="\n")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_samples(sys.argv[1] if len(sys.argv) > 1 else "docs/samples"):
        print(path)
