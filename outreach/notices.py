"""E-mails the ambassador-program scheduler sends: a deliverable reminder to the creator and
a renewal notice to the brand team. Plain text, rendered with the outreach environment
(StrictUndefined) from ``templates/notices/``; the first line is the subject."""

from __future__ import annotations

from collections.abc import Mapping

from outreach.environment import ENVIRONMENT, split_subject

__all__ = ["render_notice"]

NOTICES = ("deliverable_reminder", "renewal_due")


def render_notice(name: str, variables: Mapping[str, object]) -> tuple[str, str]:
    """(subject, text) of notice ``name`` (one of :data:`NOTICES`)."""
    if name not in NOTICES:
        raise ValueError(f"unknown notice {name!r}")
    template = f"notices/{name}.txt.j2"
    return split_subject(template, ENVIRONMENT.get_template(template).render(**variables))
