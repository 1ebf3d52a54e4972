"""The notices of ambassador programs: each is emitted once per (organisation, dedupe key),
with the webhook event of the same type, in the caller's transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models import Deliverable, Program, ProgramNotice, utcnow
from storage.repositories.programs import ProgramRepository
from webhooks.service import emit

__all__ = ["digest", "notify"]


def notify(
    session: Session,
    program: Program,
    event: str,
    key: str,
    *,
    deliverable: Deliverable | None = None,
    payload: Mapping[str, Any] | None = None,
    email: tuple[str, str, str] | None = None,
    now: datetime | None = None,
) -> bool:
    """Emit a notice once per key, with its webhook event; False when it exists already.

    ``email`` is (to, subject, text): the notice's e-mail, queued for the tick to send."""
    repository = ProgramRepository(session)
    if repository.notice_exists(program.organization_id, key):
        return False
    notice = ProgramNotice(
        organization_id=program.organization_id,
        program_id=program.id,
        deliverable_id=deliverable.id if deliverable is not None else None,
        event=event,
        dedupe_key=key,
        payload={"program_id": program.id, **(payload or {})},
        email_status="none",
        created_at=now or utcnow(),
    )
    if email is not None:
        notice.email_to, notice.email_subject, notice.email_text = email
        notice.email_status = "queued"
    repository.add(notice)  # a concurrent insert of the same key fails here, and rolls back
    # webhooks: every new notice is an event of the same type, in this transaction
    emit(
        session,
        program.organization_id,
        event,
        {**notice.payload, "deliverable_id": notice.deliverable_id},
        now=notice.created_at,
    )
    return True


def digest(text: str | None) -> str:
    """A short hash of a caption: a new caption is a new submission or violation notice."""
    return hashlib.sha256((text or "").encode()).hexdigest()[:12]
