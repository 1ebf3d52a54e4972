"""Submissions and conversions of ambassador programs: the creator's post for a deliverable,
checked for its disclosure (the tick re-checks delivered posts with :func:`apply_check`), its
metrics, and the sales attributed to a program by discount code or UTM tag."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from compliance.checker import check_post
from compliance.types import ConnectionType, Jurisdiction, MaterialConnection, Media, Platform, Post
from core.errors import ConflictError, InvalidInputError, NotFoundError
from models import Brand, Conversion, Deliverable, Program, utcnow
from programs.notices import digest, notify
from programs.reports import money
from storage.repositories.programs import ProgramRepository

__all__ = ["RECHECK_AFTER_END", "SubmissionService", "apply_check", "brand_name"]

# Delivered posts are re-checked every recheck_days until this long after the program ends.
RECHECK_AFTER_END = timedelta(days=90)


def brand_name(session: Session, program: Program) -> str | None:
    """The name of the program's brand, if it has one."""
    if program.brand_id is None:
        return None
    brand = session.get(Brand, program.brand_id)
    return brand.name if brand is not None else None


def _check(program: Program, deliverable: Deliverable, brand: str | None) -> dict[str, Any]:
    media = deliverable.media or "image"
    post = Post(
        caption=deliverable.caption or "",
        platform=Platform(deliverable.platform),
        media=Media(media),
        material_connection=MaterialConnection(ConnectionType.PAID, brand),
        jurisdiction=Jurisdiction(program.jurisdiction),
        transcript=deliverable.transcript,
    )
    return check_post(post).to_dict()


def apply_check(
    session: Session, program: Program, deliverable: Deliverable, now: datetime
) -> bool:
    """Check the deliverable's caption and schedule its next re-check; returns True when a
    new violation was raised."""
    brand = brand_name(session, program)
    result = _check(program, deliverable, brand)
    deliverable.compliance_result = result
    deliverable.compliance_verdict = result["verdict"]
    deliverable.last_checked_at = now
    recheck_until = program.ends_at + RECHECK_AFTER_END
    step = timedelta(days=program.recheck_days)
    deliverable.next_recheck_at = now + step if now + step <= recheck_until else None
    if result["verdict"] != "non_compliant":
        return False
    return notify(
        session,
        program,
        "compliance.violation",
        f"violation:{deliverable.id}:{digest(deliverable.caption)}",
        deliverable=deliverable,
        now=now,
        payload={
            "post_url": deliverable.post_url,
            "reasons": result.get("reasons", []),
            "caption": deliverable.caption,
        },
    )


class SubmissionService:
    def submit(
        self,
        session: Session,
        organization_id: int,
        deliverable_id: int,
        fields: Mapping[str, Any],
        *,
        now: datetime | None = None,
    ) -> Deliverable:
        """Record the creator's post for a deliverable and check its disclosure. A
        non-compliant post raises a ``compliance.violation`` notice. Submitting again
        replaces the post (and checks it again); on-time is decided by the first
        submission."""
        now = now or utcnow()
        repository = ProgramRepository(session)
        deliverable = repository.deliverable_or_raise(organization_id, deliverable_id)
        program = repository.get_or_raise(organization_id, deliverable.program_id)
        platform = str(fields.get("platform") or deliverable.platform)
        if platform != deliverable.platform:
            raise ConflictError(
                f"deliverable {deliverable.id} is on {deliverable.platform}, not {platform}"
            )
        media = str(fields.get("media") or "image")
        if media not in {m.value for m in Media}:
            raise InvalidInputError.for_field(
                "media", f"one of {', '.join(m.value for m in Media)}", value=media
            )
        first = deliverable.submitted_at is None
        submitted_at = fields.get("submitted_at") or now
        deliverable.post_url = fields.get("post_url")
        deliverable.caption = str(fields.get("caption") or "")
        deliverable.transcript = fields.get("transcript")
        deliverable.media = media
        if fields.get("metrics") is not None:
            deliverable.metrics = dict(fields["metrics"])
        if first:
            deliverable.submitted_at = submitted_at
            deliverable.on_time = submitted_at <= deliverable.due_at
        deliverable.status = "submitted"
        deliverable.remind_at = None
        deliverable.overdue_at = None
        apply_check(session, program, deliverable, now)
        notify(
            session,
            program,
            "program.deliverable_submitted",
            f"submitted:{deliverable.id}:{digest(deliverable.caption)}",
            deliverable=deliverable,
            now=now,
            payload={
                "on_time": deliverable.on_time,
                "post_url": deliverable.post_url,
                "compliance_verdict": deliverable.compliance_verdict,
            },
        )
        return deliverable

    def update_metrics(
        self,
        session: Session,
        organization_id: int,
        deliverable_id: int,
        metrics: Mapping[str, Any],
    ) -> Deliverable:
        deliverable = ProgramRepository(session).deliverable_or_raise(
            organization_id, deliverable_id
        )
        if deliverable.status != "submitted":
            raise ConflictError("submit the post before its metrics")
        deliverable.metrics = {**(deliverable.metrics or {}), **metrics}
        session.flush()
        return deliverable

    def record_conversion(
        self, session: Session, organization_id: int, fields: Mapping[str, Any]
    ) -> tuple[Conversion, bool]:
        """Attribute a sale by its discount code or UTM tag; (conversion, created). The same
        ``order_id`` again is the same conversion (a CRM retry), a different one a 409."""
        code, utm = fields.get("discount_code"), fields.get("utm_tag")
        if not code and not utm:
            raise InvalidInputError.for_field("discount_code", "give a discount_code or a utm_tag")
        repository = ProgramRepository(session)
        program = repository.by_attribution(organization_id, discount_code=code, utm_tag=utm)
        if program is None:
            which = "discount_code" if code else "utm_tag"
            raise NotFoundError(f"no program of this organisation uses the {which} {code or utm!r}")
        revenue = money(fields.get("revenue"), "revenue")
        existing = repository.conversion_by_order(organization_id, fields["order_id"])
        if existing is not None:
            if existing.program_id != program.id or existing.revenue != revenue:
                raise ConflictError(f"order {fields['order_id']} was recorded with other values")
            return existing, False
        conversion = Conversion(
            organization_id=organization_id,
            program_id=program.id,
            order_id=str(fields["order_id"]),
            discount_code=code,
            utm_tag=utm,
            revenue=revenue,
            currency=str(fields.get("currency") or program.currency),
            occurred_at=fields.get("occurred_at") or utcnow(),
        )
        repository.add(conversion)
        return conversion, True

    def conversions(
        self, session: Session, organization_id: int, program_id: int
    ) -> list[Conversion]:
        repository = ProgramRepository(session)
        repository.get_or_raise(organization_id, program_id)
        return repository.conversions(program_id)
