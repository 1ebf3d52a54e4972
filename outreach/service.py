"""Outreach use cases on the database: the sender profile, template overrides, drafts with
the compliance gate, the pipeline, sequences, sending, opt-outs and bounces.

Sequences: :meth:`OutreachService.start_sequence` makes a campaign's prospects due for the
intro e-mail; :meth:`OutreachService.run_due` sends what is due (the scheduler calls it every
minute), then schedules the next follow-up ``followup_days`` later. A reply, a decline, an
opt-out or a bounce stops the sequence. Each e-mail is an outbox row unique per (entry,
step), committed as ``sending`` *before* the SMTP call: a retry after a crash finds the row
and never sends that step again (the row waits for a person instead). Dry-run mode (the
default) records the e-mail as ``dry_run`` and sends nothing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from compliance.rules import RULES
from compliance.types import Jurisdiction, Media, Platform
from core.errors import ConflictError, FieldError, InvalidInputError, NotFoundError
from core.settings import Settings
from models import (
    STAGES,
    Brand,
    Campaign,
    ComplianceCheck,
    Creator,
    Draft,
    OptOut,
    OutboxMessage,
    PipelineEntry,
    SenderProfile,
    SequenceConfig,
    TemplateOverride,
    utcnow,
)
from outreach.contexts import STEPS, ComplianceFixContext, ContractKind, FixFinding
from outreach.drafting import DraftData, brief_context, contract_context, email_context
from outreach.environment import (
    OverridePreview,
    TemplateOverrideError,
    template_spec,
    validate_override,
)
from outreach.gate import DraftBlockedError, GateResult, gate_document, gate_email
from outreach.mailer import (
    Mailer,
    OutgoingEmail,
    PermanentSendError,
    SmtpMailer,
    TemporarySendError,
)
from outreach.markdown import to_docx, to_html
from outreach.render import (
    RenderedEmail,
    render_brief,
    render_compliance_fix,
    render_contract,
    render_email,
)
from outreach.unsubscribe import make_token
from storage.database import Database
from storage.repositories.campaigns import BrandRepository, CampaignRepository
from storage.repositories.creators import CreatorRepository
from storage.repositories.outreach import OutreachRepository
from webhooks.service import emit

__all__ = [
    "DRAFT_KINDS",
    "CreatorOptedOutError",
    "CreatorWithoutEmailError",
    "DraftBlockedExportError",
    "FixEmail",
    "IntroSend",
    "OutreachService",
    "OverrideBrokenError",
    "RunSummary",
    "SenderProfileMissingError",
    "StoredTextError",
    "mailer_for",
]

_log = logging.getLogger("creatormatch.outreach")

DRAFT_KINDS: tuple[str, ...] = (
    "email_intro",
    "email_followup1",
    "email_followup2",
    "brief",
    "contract_sponsored_post",
    "contract_gifting",
    "contract_ambassador",
)
# A stage a person sets stops the sequence; these are the reasons.
_STOPPING = {"replied", "negotiating", "contracted", "declined", "opted_out"}


class SenderProfileMissingError(ConflictError):
    def __init__(self) -> None:
        super().__init__(
            "set the organisation's sender profile first (PUT /v1/outreach/sender): every "
            "e-mail must carry the sender's name and postal address"
        )


class OverrideBrokenError(ConflictError):
    """A stored template override fails to render a draft (it rendered the sample when it
    was stored; this campaign's or creator's values break it): 409, fix or delete it."""

    code = "template_override_broken"

    def __init__(self, cause: TemplateOverrideError) -> None:
        super().__init__(
            f"{cause.message}; fix the organisation's override "
            f"(PUT /v1/outreach/templates/{cause.template}) or delete it"
        )
        self.template = cause.template
        self.errors = list(cause.errors)


class CreatorWithoutEmailError(ConflictError):
    """The creator has no e-mail address to write to (409: the creator record lacks it, the
    request is fine; add one to the record first)."""

    code = "creator_without_email"

    def __init__(self, creator_id: int, handle: str) -> None:
        message = (
            f"creator {creator_id} (@{handle}) has no e-mail address: add one to the creator "
            "record first"
        )
        super().__init__(message)
        self.errors = [FieldError("creator_id", message)]
        self.creator_id = creator_id


class StoredTextError(ConflictError):
    """Stored text cannot go into a draft (a campaign, brand or creator name with a line
    break, a sender address that outreach cannot write to, ...): 409, naming the field; fix
    the stored object. A request's own fields are checked by its schema first."""

    code = "draft_data_invalid"

    def __init__(self, cause: InvalidInputError) -> None:
        super().__init__(f"stored data cannot go into the draft: {cause.message}")
        self.errors = list(cause.errors)


class DraftBlockedExportError(ConflictError):
    """The draft failed the compliance gate; it can be previewed but not exported or sent
    (409: the stored draft's state refuses the export, whatever the request says)."""

    code = "draft_blocked"

    def __init__(self, draft_id: int, findings: Sequence[Mapping[str, Any]]) -> None:
        first = findings[0]["message"] if findings else "blocked"
        super().__init__(f"draft {draft_id} is blocked by the compliance gate: {first}")
        self.findings = list(findings)


class CreatorOptedOutError(ConflictError):
    """The creator asked for no e-mail from this organisation: nothing is written to them."""

    def __init__(self, creator_id: int, handle: str) -> None:
        super().__init__(
            f"creator {creator_id} (@{handle}) opted out of e-mail from your organisation: "
            "nothing can be e-mailed to them; reach them another way"
        )
        self.creator_id = creator_id


@dataclass(frozen=True)
class FixEmail:
    """A compliance check's suggested fix as an e-mail to one creator, rendered with the
    organisation's overrides and checked by the gate (not stored)."""

    creator: Creator
    to_email: str
    email: RenderedEmail
    gate: GateResult


@dataclass(frozen=True)
class IntroSend:
    """What :meth:`OutreachService.send_intro` did: the pass over the due e-mails and the
    entry's first outbox message (None when nothing went out)."""

    summary: RunSummary
    message: OutboxMessage | None


@dataclass
class RunSummary:
    """What one :meth:`OutreachService.run_due` pass did."""

    sent: int = 0
    dry_run: int = 0
    deferred_rate_limit: int = 0
    retry_later: int = 0
    failed: int = 0
    stopped: int = 0
    errors: list[str] = field(default_factory=list)


class OutreachService:
    def __init__(self, settings: Settings, *, mailer: Mailer | None = None) -> None:
        self.settings = settings
        self.mailer = mailer

    # ---------------------------------------------------------------- sender and templates

    def sender(self, session: Any, organization_id: int) -> SenderProfile:
        profile = OutreachRepository(session).sender(organization_id)
        if profile is None:
            raise SenderProfileMissingError()
        return profile

    def set_sender(
        self, session: Any, organization_id: int, fields: Mapping[str, Any]
    ) -> SenderProfile:
        repo = OutreachRepository(session)
        profile = repo.sender(organization_id)
        if profile is None:
            profile = SenderProfile(organization_id=organization_id, **fields)
            repo.add(profile)
        else:
            for key, value in fields.items():
                setattr(profile, key, value)
            session.flush()
        return profile

    def overrides(self, session: Any, organization_id: int) -> dict[str, str]:
        return {o.name: o.source for o in OutreachRepository(session).overrides(organization_id)}

    def preview_override(self, name: str, source: str) -> OverridePreview:
        """Render an override against a sample context, with the gate's verdict."""
        return validate_override(name, source)

    def set_override(
        self, session: Any, organization_id: int, name: str, source: str
    ) -> tuple[TemplateOverride, OverridePreview]:
        """Store an override after it compiles and renders in the sandbox. An override the gate
        blocks is stored too (the preview says why), but every draft made with it is blocked."""
        preview = validate_override(name, source)
        repo = OutreachRepository(session)
        row = repo.override(organization_id, name)
        if row is None:
            row = TemplateOverride(organization_id=organization_id, name=name, source=source)
            repo.add(row)
        else:
            row.source = source
            session.flush()
        return row, preview

    def delete_override(self, session: Any, organization_id: int, name: str) -> None:
        template_spec(name)
        repo = OutreachRepository(session)
        row = repo.override(organization_id, name)
        if row is None:
            raise NotFoundError(f"no override of {name}")
        repo.delete(row)

    # --------------------------------------------------------------------------- drafts

    def _data(
        self,
        session: Any,
        organization_id: int,
        campaign: Campaign,
        creator: Creator,
        reasons: Sequence[str],
    ) -> DraftData:
        sender = self.sender(session, organization_id)
        brand: Brand | None = (
            BrandRepository(session).get(organization_id, campaign.brand_id)
            if campaign.brand_id is not None
            else None
        )
        posts = tuple(
            (str(p.get("text") or ""), str(p.get("url") or ""))
            for p in (creator.recent_posts or [])
            if isinstance(p, Mapping) and p.get("text")
        )
        return DraftData(
            sender_name=sender.sender_name,
            sender_company=sender.company,
            sender_postal_address=sender.postal_address,
            sender_email=sender.from_email,
            reply_to=sender.reply_to,
            default_jurisdiction=sender.jurisdiction,
            campaign_name=campaign.name,
            campaign_brief=campaign.brief,
            objective=campaign.objective,
            campaign_platforms=tuple(campaign.platforms),
            campaign_countries=tuple(campaign.countries),
            starts_on=campaign.starts_on,
            ends_on=campaign.ends_on,
            currency=campaign.currency,
            brand_name=brand.name if brand else sender.company,
            brand_categories=tuple(brand.categories) if brand else (),
            creator_name=creator.display_name or creator.handle,
            creator_handle=creator.handle,
            creator_platform=creator.platform,
            creator_categories=tuple(creator.categories or ()),
            creator_followers=creator.followers,
            creator_rates=creator.rates,
            creator_posts=posts,
            reasons=tuple(reasons),
        )

    def unsubscribe_url(self, organization_id: int, creator_id: int) -> str:
        token = make_token(self.settings.secret_key.get_secret_value(), organization_id, creator_id)
        return f"{self.settings.public_url.rstrip('/')}/u/{token}"

    def create_draft(
        self,
        session: Any,
        organization_id: int,
        *,
        campaign_id: int,
        creator_id: int,
        kind: str,
        reasons: Sequence[str] = (),
        extra: Mapping[str, Any] | None = None,
        today: date | None = None,
    ) -> Draft:
        """Render one document for one creator of a campaign with the organisation's
        overrides, run the gate, and store both (a blocked draft is stored with its
        findings: the reviewer sees exactly what is wrong)."""
        if kind not in DRAFT_KINDS:
            raise InvalidInputError.for_field(
                "kind", f"must be one of {', '.join(DRAFT_KINDS)}", value=kind
            )
        campaign = CampaignRepository(session).get_or_raise(organization_id, campaign_id)
        creator = CreatorRepository(session).get_or_raise(organization_id, creator_id)
        entry = OutreachRepository(session).entry_for(organization_id, campaign_id, creator_id)
        data = self._data(
            session, organization_id, campaign, creator, reasons or (entry.reasons if entry else ())
        )
        overrides = self.overrides(session, organization_id)
        return self._render_draft(
            session, organization_id, campaign, creator, kind, data, overrides, extra, today
        )

    def _render_draft(
        self,
        session: Any,
        organization_id: int,
        campaign: Campaign,
        creator: Creator,
        kind: str,
        data: DraftData,
        overrides: Mapping[str, str],
        extra: Mapping[str, Any] | None,
        today: date | None,
    ) -> Draft:
        today = today or utcnow().date()
        subject: str | None = None
        gate: GateResult
        if kind.startswith("email_"):
            step = kind.removeprefix("email_")
            ctx = email_context(
                data,
                step=step,  # type: ignore[arg-type]  # checked against DRAFT_KINDS above
                unsubscribe_url=self.unsubscribe_url(organization_id, creator.id),
                extra=extra,
            )
            email = render_email(ctx, overrides, check=False)
            subject, markdown, html = email.subject, email.text, email.html
            gate = gate_email(ctx, text=email.text, html=email.html)
            context: dict[str, Any] = ctx.template_vars()
        elif kind == "brief":
            bctx = brief_context(data, today=today, extra=extra)
            markdown = render_brief(bctx, "md", overrides, check=False)
            html = to_html(markdown)
            gate = gate_document("brief", markdown, bctx.jurisdictions, bctx.platforms)
            context = bctx.template_vars()
        else:
            contract_kind: ContractKind = kind.removeprefix("contract_")  # type: ignore[assignment]
            cctx = contract_context(
                data,
                contract_kind,
                today=today,
                reference=f"CM-{campaign.id}-{creator.id}-{contract_kind[:3].upper()}",
                extra=extra,
            )
            markdown = render_contract(cctx, "md", overrides, check=False)
            html = to_html(markdown)
            gate = gate_document("contract", markdown, cctx.jurisdictions, cctx.platforms)
            context = cctx.template_vars()
        draft = Draft(
            organization_id=organization_id,
            campaign_id=campaign.id,
            creator_id=creator.id,
            kind=kind,
            subject=subject,
            markdown=markdown,
            html=html,
            context=_jsonable(context),
            allowed=gate.allowed,
            findings=[f.to_dict() for f in gate.findings],
        )
        OutreachRepository(session).add(draft)
        return draft

    def draft(self, session: Any, organization_id: int, draft_id: int) -> Draft:
        found = OutreachRepository(session).draft(organization_id, draft_id)
        if found is None:
            raise NotFoundError(f"draft {draft_id} not found")
        return found

    def drafts(
        self,
        session: Any,
        organization_id: int,
        *,
        campaign_id: int | None,
        creator_id: int | None = None,
        after_id: int | None = None,
        limit: int = 500,
    ) -> list[Draft]:
        """Drafts (every version), oldest first, of a campaign and/or a creator."""
        return OutreachRepository(session).drafts(
            organization_id,
            campaign_id=campaign_id,
            creator_id=creator_id,
            after_id=after_id,
            limit=limit,
        )

    def export_draft(
        self, session: Any, organization_id: int, draft_id: int, fmt: Literal["md", "html", "docx"]
    ) -> str | bytes:
        """The draft as Markdown (e-mails: the text part), HTML or DOCX; a draft the gate
        blocked is refused with its findings."""
        draft = self.draft(session, organization_id, draft_id)
        if not draft.allowed:
            raise DraftBlockedExportError(draft.id, draft.findings)
        if fmt == "md":
            return draft.markdown
        if fmt == "html":
            return draft.html
        # An e-mail's DOCX is its text part, like its Markdown.
        return to_docx(draft.markdown, author=self.sender(session, organization_id).company)

    # ------------------------------------------------------------------------- pipeline

    def entries(
        self,
        session: Any,
        organization_id: int,
        *,
        campaign_id: int,
        stage: str | None = None,
        after_id: int | None = None,
        limit: int | None = None,
    ) -> list[PipelineEntry]:
        """A campaign's pipeline entries in id order (optionally at one ``stage``)."""
        return OutreachRepository(session).entries(
            organization_id, campaign_id=campaign_id, stage=stage, after_id=after_id, limit=limit
        )

    def entry(self, session: Any, organization_id: int, entry_id: int) -> PipelineEntry:
        return OutreachRepository(session).entry_or_raise(organization_id, entry_id)

    def entry_for(
        self, session: Any, organization_id: int, campaign_id: int, creator_id: int
    ) -> PipelineEntry | None:
        """The creator's entry in the campaign's pipeline, if the creator is in it."""
        return OutreachRepository(session).entry_for(organization_id, campaign_id, creator_id)

    def messages(
        self,
        session: Any,
        organization_id: int,
        *,
        entry_id: int | None = None,
        status: str | None = None,
        kind: str | None = None,
        after_id: int | None = None,
        limit: int = 50,
    ) -> list[OutboxMessage]:
        """Outbox messages in id order (of one pipeline entry, status or kind)."""
        return OutreachRepository(session).messages(
            organization_id,
            entry_id=entry_id,
            status=status,
            kind=kind,
            after_id=after_id,
            limit=limit,
        )

    def opted_out_among(
        self, session: Any, organization_id: int, creator_ids: Sequence[int]
    ) -> set[int]:
        """Which of ``creator_ids`` opted out of the organisation's e-mail."""
        return OutreachRepository(session).opted_out_among(organization_id, creator_ids)

    def add_to_pipeline(
        self,
        session: Any,
        organization_id: int,
        campaign_id: int,
        creators: Mapping[int, Sequence[str]],
    ) -> list[PipelineEntry]:
        """Add creators (id -> the matcher's reasons) as prospects; creators already in the
        campaign keep their entry. Opted-out creators enter as ``opted_out`` and are never
        written to."""
        CampaignRepository(session).get_or_raise(organization_id, campaign_id)
        creator_repo = CreatorRepository(session)
        repo = OutreachRepository(session)
        opted_out = repo.opted_out_among(organization_id, list(creators))
        out = []
        for creator_id, reasons in creators.items():
            creator_repo.get_or_raise(organization_id, creator_id)
            entry = repo.entry_for(organization_id, campaign_id, creator_id)
            if entry is None:
                entry = PipelineEntry(
                    organization_id=organization_id,
                    campaign_id=campaign_id,
                    creator_id=creator_id,
                    stage="opted_out" if creator_id in opted_out else "prospect",
                    stopped_reason="opted_out" if creator_id in opted_out else None,
                    reasons=list(reasons),
                )
                repo.add(entry)
            out.append(entry)
        return out

    def set_stage(
        self,
        session: Any,
        organization_id: int,
        entry_id: int,
        stage: str,
        *,
        note: str | None = None,
        now: datetime | None = None,
    ) -> PipelineEntry:
        """Move an entry (e.g. ``replied``, recorded by the CRM). A reply, negotiation,
        contract, decline or opt-out stops the sequence; ``opted_out`` holds for every
        campaign of the organisation."""
        if stage not in STAGES:
            raise InvalidInputError.for_field(
                "stage", f"must be one of {', '.join(STAGES)}", value=stage
            )
        repo = OutreachRepository(session)
        entry = repo.entry_or_raise(organization_id, entry_id)
        if entry.stage == "opted_out" and stage != "opted_out":
            raise ConflictError(
                "this creator opted out of e-mail from the organisation; that cannot be undone here"
            )
        if stage == "opted_out":
            self.opt_out(session, organization_id, entry.creator_id, source="api", now=now)
            return repo.entry_or_raise(organization_id, entry_id)
        previous = entry.stage
        self._move(entry, stage, now)
        if note:
            entry.notes = ((entry.notes + "\n") if entry.notes else "") + note
        session.flush()
        if stage == "replied" and previous != "replied":  # webhooks: a CRM hears of replies
            emit(
                session,
                organization_id,
                "outreach.replied",
                {
                    "entry_id": entry.id,
                    "campaign_id": entry.campaign_id,
                    "creator_id": entry.creator_id,
                    "replied_at": entry.stage_changed_at,
                },
                now=now,
            )
        return entry

    @staticmethod
    def _move(entry: PipelineEntry, stage: str, now: datetime | None) -> None:
        if entry.stage != stage:
            entry.stage = stage
            entry.stage_changed_at = now or utcnow()
        if stage in _STOPPING:
            entry.next_send_at = None
            entry.stopped_reason = stage

    def opt_out(
        self,
        session: Any,
        organization_id: int,
        creator_id: int,
        *,
        source: str,
        now: datetime | None = None,
    ) -> OptOut:
        """Record the opt-out (idempotent) and stop every sequence of this creator in the
        organisation."""
        repo = OutreachRepository(session)
        CreatorRepository(session).get_or_raise(organization_id, creator_id)
        existing = repo.opted_out(organization_id, creator_id)
        created = existing is None
        if existing is None:
            existing = OptOut(
                organization_id=organization_id,
                creator_id=creator_id,
                source=source,
                created_at=now or utcnow(),
            )
            repo.add(existing)
        entries = repo.entries_of_creator(organization_id, creator_id)
        for entry in entries:
            self._move(entry, "opted_out", now)
        session.flush()
        if created:  # webhooks: once per creator and organisation
            emit(
                session,
                organization_id,
                "outreach.opted_out",
                {
                    "creator_id": creator_id,
                    "source": source,
                    "entry_ids": [e.id for e in entries],
                    "campaign_ids": sorted({e.campaign_id for e in entries}),
                },
                now=now,
            )
        return existing

    def record_bounce(
        self, session: Any, organization_id: int, message_id: str, *, reason: str = ""
    ) -> OutboxMessage:
        """A bounce reported for an outbox message: the message is marked, its creator's
        sequence in that campaign stops (a one-off e-mail has none)."""
        repo = OutreachRepository(session)
        message = repo.message_by_id(organization_id, message_id)
        if message is None:
            raise NotFoundError(f"no outreach message {message_id}")
        message.status = "bounced"
        message.error = reason or "bounced"
        if message.entry_id is not None:  # a one-off e-mail has no sequence to stop
            entry = repo.entry_or_raise(organization_id, message.entry_id)
            entry.next_send_at = None
            entry.stopped_reason = "bounced"
        session.flush()
        return message

    # ------------------------------------------------------------------- compliance fixes

    def compliance_fix_email(
        self, session: Any, organization_id: int, check: ComplianceCheck, creator: Creator
    ) -> FixEmail:
        """The e-mail that sends ``check``'s suggested fix to ``creator``: the caption as
        checked, the rewrite, and each finding with its rule's plain explanation.

        Raises:
            SenderProfileMissingError: no sender profile yet (409).
            CreatorOptedOutError: the creator opted out of the organisation's e-mail (409).
            CreatorWithoutEmailError: the creator has no e-mail address (409, naming
                ``creator_id``).
            ConflictError: the check has no findings, so there is nothing to fix.
        """
        if OutreachRepository(session).opted_out(organization_id, creator.id) is not None:
            raise CreatorOptedOutError(creator.id, creator.handle)
        if not creator.email:
            raise CreatorWithoutEmailError(creator.id, creator.handle)
        findings = [f for f in check.result.get("findings") or [] if isinstance(f, Mapping)]
        if not findings:
            raise ConflictError(f"check {check.id} has no findings: there is no fix to send")
        sender = self.sender(session, organization_id)
        connection = check.post.get("material_connection") or {}
        brand = connection.get("brand") if isinstance(connection, Mapping) else None
        fix = check.result.get("suggested_fix")
        ctx = ComplianceFixContext(
            sender_name=sender.sender_name,
            sender_company=sender.company,
            sender_postal_address=sender.postal_address,
            reply_to=sender.reply_to,
            creator_display_name=" ".join((creator.display_name or creator.handle).split()),
            handle=creator.handle,
            platform=Platform(check.platform),
            media=Media(str(check.post.get("media") or "image")),
            jurisdiction=Jurisdiction(check.jurisdiction),
            caption=str(check.post.get("caption") or ""),
            findings=tuple(_fix_finding(f) for f in findings),
            unsubscribe_url=self.unsubscribe_url(organization_id, creator.id),
            brand=str(brand) if brand else None,
            post_reference=check.external_id,
            suggested_caption=str(fix) if fix else None,
        )
        email = render_compliance_fix(ctx, self.overrides(session, organization_id), check=False)
        gate = gate_email(ctx, text=email.text, html=email.html)
        return FixEmail(creator=creator, to_email=creator.email, email=email, gate=gate)

    def send_compliance_fix(
        self,
        session: Any,
        organization_id: int,
        check: ComplianceCheck,
        creator: Creator,
        *,
        now: datetime | None = None,
    ) -> OutboxMessage:
        """Write the fix e-mail to the outbox: as ``dry_run`` in dry-run mode (the default),
        else ``queued`` for the next run (:meth:`run_due`), which sends it once.

        Raises:
            DraftBlockedError: the gate blocked the e-mail (an override without the postal
                address or the unsubscribe link); nothing is written.
            ConflictError: the same fix to the same creator is still waiting to go out (a
                second click must not e-mail the creator twice); nothing is written.
            and what :meth:`compliance_fix_email` raises.
        """
        now = now or utcnow()
        waiting = OutreachRepository(session).waiting_fix(organization_id, check.id, creator.id)
        if waiting is not None:
            raise _fix_waiting(check, creator, waiting)
        fix = self.compliance_fix_email(session, organization_id, check, creator)
        if not fix.gate.allowed:
            raise DraftBlockedError(fix.gate)
        dry = self.settings.outreach_dry_run or self.mailer is None
        sender = self.sender(session, organization_id)
        message = OutboxMessage(
            organization_id=organization_id,
            kind="compliance_fix",
            entry_id=None,
            step=0,
            creator_id=creator.id,
            compliance_check_id=check.id,
            to_email=fix.to_email,
            subject=fix.email.subject,
            text_body=fix.email.text,
            html_body=fix.email.html,
            message_id=_message_id(sender.from_email),
            status="dry_run" if dry else "queued",
            attempts=1 if dry else 0,
            sent_at=now if dry else None,
            next_attempt_at=None if dry else now,
            created_at=now,
        )
        waiting = OutreachRepository(session).add_fix(message)
        if waiting is not None:  # a second click at the same moment as the first
            raise _fix_waiting(check, creator, waiting)
        return message

    def _send_one_off(
        self, database: Database, organization_id: int, message_pk: int, now: datetime
    ) -> str:
        """Send one queued one-off e-mail (a compliance fix), never twice: the row is
        claimed as ``sending`` and committed before the SMTP call."""
        with database.session() as session:
            repo = OutreachRepository(session)
            message = repo.one_off(organization_id, message_pk)
            if message is None or message.status != "queued":
                return "stopped"  # changed since the due list was read
            if message.creator_id is None or repo.opted_out(organization_id, message.creator_id):
                message.status = "failed"
                message.error = "the creator opted out before it was sent"
                message.next_attempt_at = None
                return "stopped"
            since = now - timedelta(minutes=1)
            if repo.sent_since(organization_id, since) >= self.settings.outreach_rate_per_minute:
                return "rate_limited"
            dry = self.settings.outreach_dry_run or self.mailer is None
            if not repo.claim_message(message.id, "dry_run" if dry else "sending", now):
                return "stopped"  # another process claimed it first
            if dry:
                return "dry_run"
            sender = self.sender(session, organization_id)
            outgoing = OutgoingEmail(
                from_name=f"{sender.sender_name}, {sender.company}",
                from_email=sender.from_email,
                reply_to=sender.reply_to,
                to_email=message.to_email,
                subject=message.subject,
                text=message.text_body,
                html=message.html_body,
                message_id=message.message_id,
                unsubscribe_url=self.unsubscribe_url(organization_id, message.creator_id),
                date=now,
            )
        assert self.mailer is not None
        error: str | None = None
        status = "sent"
        try:
            self.mailer.send(outgoing)
        except TemporarySendError as exc:
            status, error = "queued", str(exc)
        except PermanentSendError as exc:
            status, error = "failed", str(exc)
        with database.session() as session:
            stored = OutreachRepository(session).one_off(organization_id, message_pk)
            assert stored is not None  # claimed above; outbox rows are kept
            stored.status, stored.error = status, error
            if status == "queued":
                stored.sent_at = None
                stored.next_attempt_at = now + timedelta(minutes=5 * stored.attempts)
                return "retry_later"
            stored.next_attempt_at = None
            return "failed" if status == "failed" else "sent"

    # ------------------------------------------------------------------------ sequences

    def configure_sequence(
        self,
        session: Any,
        organization_id: int,
        campaign_id: int,
        *,
        followup_days: Sequence[int] = (3, 7),
        active: bool = True,
    ) -> SequenceConfig:
        if len(followup_days) != len(STEPS) - 1 or any(d < 1 or d > 90 for d in followup_days):
            raise InvalidInputError.for_field(
                "followup_days", "give two delays in days, each 1-90", value=list(followup_days)
            )
        CampaignRepository(session).get_or_raise(organization_id, campaign_id)
        repo = OutreachRepository(session)
        config = repo.sequence(organization_id, campaign_id)
        if config is None:
            config = SequenceConfig(organization_id=organization_id, campaign_id=campaign_id)
            repo.add(config)
        config.followup_days = list(followup_days)
        config.active = active
        session.flush()
        return config

    def start_sequence(
        self,
        session: Any,
        organization_id: int,
        campaign_id: int,
        *,
        entry_ids: Sequence[int] | None = None,
        now: datetime | None = None,
    ) -> list[PipelineEntry]:
        """Make the campaign's prospects (or the given entries) due for the intro e-mail.
        Creators without an e-mail address are skipped (their ``stopped_reason`` says so)."""
        self.sender(session, organization_id)  # fail early, not in the background
        repo = OutreachRepository(session)
        if repo.sequence(organization_id, campaign_id) is None:
            self.configure_sequence(session, organization_id, campaign_id)
        entries = repo.entries(organization_id, campaign_id=campaign_id, stage="prospect")
        if entry_ids is not None:
            wanted = set(entry_ids)
            entries = [e for e in entries if e.id in wanted]
        started = []
        creators = CreatorRepository(session)
        for entry in entries:
            if entry.next_step > 0 or entry.next_send_at is not None:
                continue  # already running: starting twice sends nothing twice
            creator = creators.get_or_raise(organization_id, entry.creator_id)
            if not creator.email:
                entry.stopped_reason = "no_email"
                continue
            entry.next_send_at = now or utcnow()
            entry.stopped_reason = None
            started.append(entry)
        session.flush()
        return started

    def send_intro(self, database: Database, organization_id: int, draft_id: int) -> IntroSend:
        """Send an intro e-mail draft now: its reasons become its entry's (the sequence renders
        the e-mail from the entry's, so what goes out is what was previewed), the creator's
        sequence starts, and the due e-mails run (dry run by default). Like :meth:`run_due`
        this works in its own transactions: the start is committed before the run reads it.
        The caller checks first that the draft may be sent (an intro e-mail the gate passed,
        of a creator in the pipeline whose sequence has not started)."""
        with database.session() as session:
            draft = self.draft(session, organization_id, draft_id)
            entry = OutreachRepository(session).entry_for(
                organization_id, draft.campaign_id, draft.creator_id
            )
            if entry is None:
                raise NotFoundError(f"creator {draft.creator_id} is not in the pipeline")
            reasons = list(draft.context.get("reasons") or [])
            if reasons and reasons != list(entry.reasons):
                entry.reasons = reasons
            self.start_sequence(session, organization_id, draft.campaign_id, entry_ids=[entry.id])
            entry_id = entry.id
        summary = self.run_due(database, organization_id=organization_id)
        with database.session() as session:
            messages = OutreachRepository(session).messages(organization_id, entry_id=entry_id)
        return IntroSend(summary=summary, message=next(iter(messages), None))

    def run_due(
        self, database: Database, *, now: datetime | None = None, organization_id: int | None = None
    ) -> RunSummary:
        """Send every due e-mail (the sequences' steps, then queued one-off e-mails such as a
        compliance fix), each in its own transactions (see the module docstring)."""
        now = now or utcnow()
        summary = RunSummary()
        with database.session() as session:
            repo = OutreachRepository(session)
            due = [
                ("entry", e.id, e.organization_id)
                for e in repo.due(now, organization_id=organization_id)
            ]
            due += [
                ("message", m.id, m.organization_id)
                for m in repo.due_one_offs(now, organization_id=organization_id)
            ]
        limited: set[int] = set()
        for what, item_id, org_id in due:
            if org_id in limited:
                summary.deferred_rate_limit += 1
                continue
            try:
                if what == "entry":
                    outcome = self._send_step(database, org_id, item_id, now)
                else:
                    outcome = self._send_one_off(database, org_id, item_id, now)
            except Exception as exc:  # one bad entry must not stop the others
                _log.exception("outreach %s %s failed", what, item_id)
                summary.errors.append(f"{what} {item_id}: {exc}")
                continue
            if outcome == "rate_limited":
                limited.add(org_id)
                summary.deferred_rate_limit += 1
            else:
                setattr(summary, outcome, getattr(summary, outcome) + 1)
        return summary

    def _send_step(
        self, database: Database, organization_id: int, entry_id: int, now: datetime
    ) -> str:
        # Transaction 1: check, render, gate, write the outbox row as "sending".
        with database.session() as session:
            repo = OutreachRepository(session)
            entry = repo.entry_or_raise(organization_id, entry_id)
            if entry.next_send_at is None or entry.next_send_at > now:
                return "stopped"  # changed since the due list was read
            config = repo.sequence(organization_id, entry.campaign_id)
            if config is not None and not config.active:
                return "stopped"
            if entry.stage not in ("prospect", "contacted") or repo.opted_out(
                organization_id, entry.creator_id
            ):
                self._move(entry, entry.stage, now)
                entry.next_send_at = None
                return "stopped"
            step = entry.next_step
            existing = repo.message(entry.id, step)
            if existing is not None and existing.status != "queued":
                # Already sent (or in doubt after a crash): never send a step twice.
                self._advance(entry, config, step, existing.sent_at or now)
                return "stopped"
            since = now - timedelta(minutes=1)
            if repo.sent_since(organization_id, since) >= self.settings.outreach_rate_per_minute:
                return "rate_limited"
            campaign = CampaignRepository(session).get_or_raise(organization_id, entry.campaign_id)
            creator = CreatorRepository(session).get_or_raise(organization_id, entry.creator_id)
            data = self._data(session, organization_id, campaign, creator, entry.reasons)
            ctx = email_context(
                data,
                step=STEPS[step],
                unsubscribe_url=self.unsubscribe_url(organization_id, creator.id),
            )
            email = render_email(ctx, self.overrides(session, organization_id), check=False)
            gate = gate_email(ctx, text=email.text, html=email.html)
            fresh = OutboxMessage(
                organization_id=organization_id,
                entry_id=entry.id,
                step=step,
                creator_id=creator.id,
                to_email=creator.email or "",
                subject=email.subject,
                text_body=email.text,
                html_body=email.html,
                message_id=_message_id(data.sender_email),
                status="queued",
                attempts=0,
            )
            if not gate.allowed:
                entry.next_send_at = None
                entry.stopped_reason = "blocked_by_gate"
                message = existing or fresh
                message.status = "failed"
                message.error = "; ".join(f.message for f in gate.findings)
                if existing is None:
                    repo.add(message)
                return "failed"
            message = existing or fresh
            dry = self.settings.outreach_dry_run or self.mailer is None
            if existing is not None and not repo.claim_message(
                existing.id, "dry_run" if dry else "sending", now
            ):
                return "stopped"  # another process claimed this retry first
            message.status = "dry_run" if dry else "sending"
            message.attempts += 1 if existing is None else 0
            message.sent_at = now
            if existing is None:
                repo.add(message)  # (entry, step) is unique: a second insert fails
            if dry:
                self._after_send(entry, config, step, now)
                return "dry_run"
            outgoing = OutgoingEmail(
                from_name=f"{data.sender_name}, {data.sender_company}",
                from_email=data.sender_email,
                reply_to=data.reply_to,
                to_email=message.to_email,
                subject=message.subject,
                text=message.text_body,
                html=message.html_body,
                message_id=message.message_id,
                unsubscribe_url=ctx.unsubscribe_url,
                date=now,
            )
            message_pk = message.id
        # The SMTP call, outside any transaction.
        assert self.mailer is not None
        error: str | None = None
        status = "sent"
        try:
            self.mailer.send(outgoing)
        except TemporarySendError as exc:
            status, error = "queued", str(exc)
        except PermanentSendError as exc:
            status, error = "failed", str(exc)
        # Transaction 2: record the outcome and schedule the next step.
        with database.session() as session:
            repo = OutreachRepository(session)
            stored = session.get(OutboxMessage, message_pk)
            assert stored is not None  # written in transaction 1; outbox rows are kept
            message = stored
            entry = repo.entry_or_raise(organization_id, entry_id)
            config = repo.sequence(organization_id, entry.campaign_id)
            message.status, message.error = status, error
            if status == "queued":
                message.sent_at = None
                entry.next_send_at = now + timedelta(minutes=5 * message.attempts)
                return "retry_later"
            if status == "failed":
                entry.next_send_at = None
                entry.stopped_reason = "send_failed"
                return "failed"
            self._after_send(entry, config, step, now)
            return "sent"

    def _after_send(
        self, entry: PipelineEntry, config: SequenceConfig | None, step: int, now: datetime
    ) -> None:
        if entry.stage == "prospect":
            entry.stage = "contacted"
            entry.stage_changed_at = now
        self._advance(entry, config, step, now)

    @staticmethod
    def _advance(
        entry: PipelineEntry, config: SequenceConfig | None, step: int, sent_at: datetime
    ) -> None:
        days = config.followup_days if config is not None else [3, 7]
        entry.next_step = step + 1
        if entry.next_step >= len(STEPS):
            entry.next_send_at = None
            entry.stopped_reason = "finished"
        else:
            entry.next_send_at = sent_at + timedelta(days=days[step])


def _fix_finding(finding: Mapping[str, Any]) -> FixFinding:
    """A stored finding as the fix e-mail explains it: the rule's summary, then what the
    checker saw in this post."""
    code = str(finding.get("code") or "")
    rule = RULES.get(code)
    message = " ".join(str(finding.get("message") or "").split())
    explanation = rule.summary if rule else message
    return FixFinding(code=code, explanation=explanation, detail=message or explanation)


def mailer_for(settings: Settings) -> SmtpMailer:
    """The SMTP mailer the settings describe (used only when dry run is off)."""
    return SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        security=settings.smtp_security,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value(),
        timeout=settings.smtp_timeout_seconds,
    )


def _message_id(sender_email: str) -> str:
    domain = sender_email.rpartition("@")[2] or "creatormatch.invalid"
    return f"<{uuid.uuid4().hex}@{domain}>"


def _jsonable(value: Any) -> Any:
    """Template variables as JSON: dataclasses to dicts, enums to values, dates to ISO."""
    import dataclasses
    from decimal import Decimal
    from enum import Enum

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _fix_waiting(check: ComplianceCheck, creator: Creator, waiting: OutboxMessage) -> ConflictError:
    return ConflictError(
        f"the fix of check {check.id} to creator {creator.id} is already waiting to go out "
        f"(outbox {waiting.id}, {waiting.status}); it goes with the next outreach run"
    )
