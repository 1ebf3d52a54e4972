"""Typed contexts of the outreach templates: one frozen dataclass per document kind.

Each context validates itself in ``__post_init__`` (cheap checks only: non-empty single-line
names, non-negative amounts, known currencies, platforms and jurisdictions, http(s) links)
and raises :class:`core.errors.InvalidInputError` naming the field at fault. Sequences given
as lists are stored as tuples, so a context is immutable and hashable.

:meth:`template_vars` is what a template sees: every field under its own name, plus a few
derived values (``platform_name``, ``disclosure_section``, ``end_date``, ...). The table in
``docs/outreach-documents.md`` lists them.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Literal, TypeVar, get_args

from compliance.scan import AV_MEDIA
from compliance.types import Jurisdiction, Media, Platform
from core.codes import CURRENCY_CODES
from core.errors import InvalidInputError
from core.patterns import EMAIL
from outreach.disclosure import (
    JURISDICTION_NAMES,
    PLATFORM_NAMES,
    disclosure_body,
    disclosure_markdown,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = [
    "CONTRACT_KINDS",
    "STEPS",
    "BriefContext",
    "Compensation",
    "ComplianceFixContext",
    "ContractContext",
    "ContractKind",
    "Deliverable",
    "EmailContext",
    "Exclusivity",
    "FixFinding",
    "Instalment",
    "Milestone",
    "Party",
    "PostRef",
    "Step",
    "UsageRights",
    "format_money",
]

Step = Literal["intro", "followup1", "followup2"]
ContractKind = Literal["sponsored_post", "gifting", "ambassador"]
STEPS: tuple[Step, ...] = get_args(Step)
CONTRACT_KINDS: tuple[ContractKind, ...] = get_args(ContractKind)

_SINGLE_LINE_MAX = 500
_MULTI_LINE_MAX = 5_000
# A post's caption (a YouTube title and description together may run long).
_CAPTION_MAX = 20_000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_EMAIL = re.compile(EMAIL)
_E = TypeVar("_E", Jurisdiction, Platform, Media)


def _invalid(name: str, message: str, value: object) -> InvalidInputError:
    return InvalidInputError.for_field(name, message, value=value)


def _check_text(
    name: str, value: object, *, multiline: bool = False, maximum: int | None = None
) -> str:
    if not isinstance(value, str):
        raise _invalid(name, f"must be a string, got {type(value).__name__}", value)
    if not value.strip():
        raise _invalid(name, "must not be empty", value)
    if not multiline and ("\n" in value or "\r" in value):
        # Names end up in e-mail subjects and Markdown lines: a newline would inject headers.
        raise _invalid(name, "must be a single line", value)
    if _CONTROL.search(value.replace("\r\n", "\n")):
        raise _invalid(name, "must not contain control characters", value)
    limit = maximum or (_MULTI_LINE_MAX if multiline else _SINGLE_LINE_MAX)
    if len(value) > limit:
        raise _invalid(name, f"must be at most {limit} characters", value)
    return value


def _check_optional_text(name: str, value: object) -> None:
    if value is not None:
        _check_text(name, value)


def _check_url(
    name: str, value: object, *, schemes: tuple[str, ...] = ("https://", "http://")
) -> None:
    text = _check_text(name, value)
    if not text.lower().startswith(schemes) or any(c.isspace() for c in text):
        raise _invalid(name, f"must be a URL starting with {' or '.join(schemes)}", value)


def _check_email(name: str, value: object) -> None:
    if not _EMAIL.fullmatch(_check_text(name, value)):
        raise _invalid(name, "must be an e-mail address", value)


def _check_count(name: str, value: object, *, minimum: int = 0, maximum: int = 1_000) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(name, f"must be an integer, got {type(value).__name__}", value)
    if not minimum <= value <= maximum:
        raise _invalid(name, f"must be between {minimum} and {maximum}", value)


def _check_date(name: str, value: object) -> None:
    if not isinstance(value, date):
        raise _invalid(name, f"must be a date, got {type(value).__name__}", value)


def _amount(name: str, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise _invalid(name, "must be a Decimal (floats are not exact)", value)
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise _invalid(name, "must be a number", value) from None
    if not amount.is_finite():
        raise _invalid(name, "must be finite", value)
    if amount < 0:
        raise _invalid(name, "must not be negative", value)
    return amount


def _freeze(obj: object, name: str) -> tuple[Any, ...]:
    value = getattr(obj, name)
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise _invalid(name, "must be a list", value)
    frozen = tuple(value)
    object.__setattr__(obj, name, frozen)
    return frozen


def _texts(obj: object, name: str, *, required: bool = False) -> tuple[str, ...]:
    items = _freeze(obj, name)
    if required and not items:
        raise _invalid(name, "must not be empty", list(items))
    for i, item in enumerate(items):
        _check_text(f"{name}[{i}]", item)
    return items


def _enum(enum: type[_E], name: str, value: object) -> _E:
    if isinstance(value, enum):
        return value
    if not isinstance(value, str):
        raise _invalid(name, f"must be a string, got {type(value).__name__}", value)
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise _invalid(
            name, f"unknown value {value!r}; expected one of: {allowed}", value
        ) from None


def _enums(obj: object, name: str, enum: type[_E]) -> tuple[_E, ...]:
    items = _freeze(obj, name)
    converted = tuple(_enum(enum, f"{name}[{i}]", v) for i, v in enumerate(items))
    unique = tuple(dict.fromkeys(converted))
    object.__setattr__(obj, name, unique)
    return unique


def _instances(
    obj: object, name: str, cls: type[Any], *, required: bool = False
) -> tuple[Any, ...]:
    items = _freeze(obj, name)
    if required and not items:
        raise _invalid(name, "must not be empty", [])
    for i, item in enumerate(items):
        if not isinstance(item, cls):
            raise _invalid(f"{name}[{i}]", f"must be a {cls.__name__}", item)
    return items


def _platforms_of(obj: object, deliverables: tuple[Deliverable, ...]) -> tuple[Platform, ...]:
    """``platforms`` defaults to the deliverables' platforms and must cover every one of them."""
    given = _enums(obj, "platforms", Platform)
    wanted = tuple(dict.fromkeys(d.platform for d in deliverables))
    if not given:
        object.__setattr__(obj, "platforms", wanted)
        return wanted
    missing = [p.value for p in wanted if p not in given]
    if missing:
        raise _invalid("platforms", f"must include the deliverables' platforms {missing}", given)
    return given


def format_money(amount: Decimal, currency: str) -> str:
    """``USD 1,250.00``: the ISO code, then the amount with thousands separators."""
    return f"{currency} {amount:,.2f}"


def _handle(name: str, value: object) -> str:
    text = _check_text(name, value).strip()
    return text if text.startswith("@") else f"@{text}"


def _add_months(start: date, months: int) -> date:
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    day = min(start.day, monthrange(year, month + 1)[1])
    return date(year, month + 1, day)


def _vars(obj: DataclassInstance) -> dict[str, object]:
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


@dataclass(frozen=True)
class Compensation:
    """What the brand pays: ``amount`` in ``currency`` (ISO 4217) per ``basis`` ("per post",
    "flat fee", "per month", "retail value of the gift")."""

    amount: Decimal
    currency: str
    basis: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", _amount("compensation.amount", self.amount))
        if self.currency not in CURRENCY_CODES:
            raise _invalid("compensation.currency", "must be an ISO 4217 code", self.currency)
        _check_text("compensation.basis", self.basis)

    @property
    def amount_display(self) -> str:
        """``USD 750.00``."""
        return format_money(self.amount, self.currency)

    @property
    def display(self) -> str:
        """``USD 750.00 per post``."""
        return f"{self.amount_display} {self.basis}"


@dataclass(frozen=True)
class Deliverable:
    """``count`` pieces of content of one ``format`` on one platform, due on ``due_date``."""

    platform: Platform
    format: str
    count: int = 1
    due_date: date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "platform", _enum(Platform, "deliverables.platform", self.platform)
        )
        _check_text("deliverables.format", self.format)
        _check_count("deliverables.count", self.count, minimum=1, maximum=365)
        if self.due_date is not None:
            _check_date("deliverables.due_date", self.due_date)

    @property
    def platform_name(self) -> str:
        """The platform as people write it: ``TikTok``, ``YouTube``."""
        return PLATFORM_NAMES[self.platform]

    @property
    def display(self) -> str:
        """``2 × Instagram Reel``."""
        return f"{self.count} × {self.platform_name} {self.format}"


@dataclass(frozen=True)
class PostRef:
    """One of the creator's recent posts: its text and link."""

    text: str
    url: str

    def __post_init__(self) -> None:
        _check_text("recent_post.text", self.text, multiline=True)
        _check_url("recent_post.url", self.url)

    @property
    def excerpt(self) -> str:
        """The text on one line, cut at 140 characters on a word boundary."""
        flat = " ".join(self.text.split())
        if len(flat) <= 140:
            return flat
        return flat[:140].rsplit(" ", 1)[0] + "…"


@dataclass(frozen=True)
class Milestone:
    """A dated step of a campaign timeline."""

    name: str
    due_date: date

    def __post_init__(self) -> None:
        _check_text("timeline.name", self.name)
        _check_date("timeline.due_date", self.due_date)


@dataclass(frozen=True)
class Party:
    """A party to a contract: legal name, postal address (lines), who signs."""

    legal_name: str
    address: str
    signatory_name: str | None = None
    signatory_title: str | None = None

    def __post_init__(self) -> None:
        _check_text("party.legal_name", self.legal_name)
        _check_text("party.address", self.address, multiline=True)
        _check_optional_text("party.signatory_name", self.signatory_name)
        _check_optional_text("party.signatory_title", self.signatory_title)

    @property
    def address_line(self) -> str:
        """The address on one line, its lines joined with commas."""
        return ", ".join(line.strip() for line in self.address.splitlines() if line.strip())


@dataclass(frozen=True)
class Instalment:
    """One payment of the schedule: what it is, how much, when it is due."""

    description: str
    amount: Decimal
    due: str

    def __post_init__(self) -> None:
        _check_text("payment_schedule.description", self.description)
        object.__setattr__(self, "amount", _amount("payment_schedule.amount", self.amount))
        _check_text("payment_schedule.due", self.due)


@dataclass(frozen=True)
class UsageRights:
    """How long and where the brand may reuse the content, and whether it may pay to boost it.

    ``territory`` reads after "throughout": "the world", "the United Kingdom".
    """

    duration_months: int
    channels: tuple[str, ...]
    paid_amplification: bool
    territory: str = "the world"

    def __post_init__(self) -> None:
        _check_count("usage_rights.duration_months", self.duration_months, maximum=120)
        _texts(self, "channels", required=True)
        if not isinstance(self.paid_amplification, bool):
            raise _invalid(
                "usage_rights.paid_amplification", "must be a boolean", self.paid_amplification
            )
        _check_text("usage_rights.territory", self.territory)


@dataclass(frozen=True)
class Exclusivity:
    """The creator promises not to promote competitors in ``category`` for a while."""

    category: str
    duration_months: int

    def __post_init__(self) -> None:
        _check_text("exclusivity.category", self.category)
        _check_count("exclusivity.duration_months", self.duration_months, minimum=1, maximum=36)


@dataclass(frozen=True)
class EmailContext:
    """An outreach e-mail to one creator (templates ``email_{step}.{txt,html}.j2``).

    ``reasons`` are the matcher's why-they-fit sentences. ``sender_postal_address`` and
    ``unsubscribe_url`` are required by CAN-SPAM and appear in every e-mail.
    ``example_caption``, when given, is shown as ``Example caption: ...`` and checked by the
    gate as a paid post on ``platform`` in ``jurisdiction``.
    """

    sender_name: str
    sender_company: str
    sender_postal_address: str
    reply_to: str
    brand: str
    campaign_name: str
    creator_display_name: str
    handle: str
    platform: Platform
    niche: str
    reasons: tuple[str, ...]
    compensation: Compensation
    deliverables: tuple[Deliverable, ...]
    unsubscribe_url: str
    step: Step = "intro"
    recent_post: PostRef | None = None
    jurisdiction: Jurisdiction = Jurisdiction.US
    example_caption: str | None = None

    def __post_init__(self) -> None:
        for name in ("sender_name", "sender_company", "brand", "campaign_name", "niche"):
            _check_text(name, getattr(self, name))
        _check_text("creator_display_name", self.creator_display_name)
        _check_text("sender_postal_address", self.sender_postal_address, multiline=True)
        _check_email("reply_to", self.reply_to)
        object.__setattr__(self, "handle", _handle("handle", self.handle))
        object.__setattr__(self, "platform", _enum(Platform, "platform", self.platform))
        object.__setattr__(
            self, "jurisdiction", _enum(Jurisdiction, "jurisdiction", self.jurisdiction)
        )
        _texts(self, "reasons")
        if not isinstance(self.compensation, Compensation):
            raise _invalid("compensation", "must be a Compensation", self.compensation)
        _instances(self, "deliverables", Deliverable, required=True)
        _check_url(
            "unsubscribe_url", self.unsubscribe_url, schemes=("https://", "http://", "mailto:")
        )
        if self.step not in STEPS:
            raise _invalid("step", f"must be one of {', '.join(STEPS)}", self.step)
        if self.recent_post is not None and not isinstance(self.recent_post, PostRef):
            raise _invalid("recent_post", "must be a PostRef or None", self.recent_post)
        _check_optional_text("example_caption", self.example_caption)

    @property
    def postal_address_lines(self) -> tuple[str, ...]:
        """The sender's postal address, one line each, blank lines dropped."""
        lines = self.sender_postal_address.splitlines()
        return tuple(line.strip() for line in lines if line.strip())

    def template_vars(self) -> dict[str, object]:
        """The variables the e-mail templates see."""
        out = _vars(self)
        out.update(
            platform_name=PLATFORM_NAMES[self.platform],
            postal_address_lines=self.postal_address_lines,
        )
        return out


@dataclass(frozen=True)
class BriefContext:
    """A campaign brief for creators (template ``brief.md.j2``).

    ``platforms`` defaults to the deliverables' platforms; the disclosure section covers every
    jurisdiction in ``jurisdictions`` and every platform. Each of ``example_captions`` must be
    a compliant sponsored caption (``#ad Loving my new ... @brand``); the gate checks them.
    """

    campaign_name: str
    brand: str
    brand_handle: str
    objective: str
    key_messages: tuple[str, ...]
    deliverables: tuple[Deliverable, ...]
    timeline: tuple[Milestone, ...]
    dos: tuple[str, ...]
    donts: tuple[str, ...]
    jurisdictions: tuple[Jurisdiction, ...]
    hashtags: tuple[str, ...]
    handles: tuple[str, ...]
    approval_process: tuple[str, ...]
    reporting_requirements: tuple[str, ...]
    example_captions: tuple[str, ...]
    contact_name: str
    contact_email: str
    platforms: tuple[Platform, ...] = ()
    creator_display_name: str | None = None

    def __post_init__(self) -> None:
        for name in ("campaign_name", "brand", "objective", "contact_name"):
            _check_text(name, getattr(self, name))
        object.__setattr__(self, "brand_handle", _handle("brand_handle", self.brand_handle))
        _check_email("contact_email", self.contact_email)
        _check_optional_text("creator_display_name", self.creator_display_name)
        for name in ("key_messages", "dos", "donts", "approval_process"):
            _texts(self, name, required=True)
        _texts(self, "reporting_requirements", required=True)
        _texts(self, "hashtags")
        _texts(self, "handles")
        _texts(self, "example_captions", required=True)
        deliverables = _instances(self, "deliverables", Deliverable, required=True)
        _instances(self, "timeline", Milestone, required=True)
        if not _enums(self, "jurisdictions", Jurisdiction):
            raise _invalid("jurisdictions", "must name at least one jurisdiction", [])
        _platforms_of(self, deliverables)

    def template_vars(self) -> dict[str, object]:
        """The variables the brief template sees."""
        out = _vars(self)
        out.update(
            platform_names=tuple(PLATFORM_NAMES[p] for p in self.platforms),
            jurisdiction_names=tuple(JURISDICTION_NAMES[j] for j in self.jurisdictions),
            disclosure_section=disclosure_markdown(self.jurisdictions, self.platforms),
            disclosure_body=disclosure_body(self.jurisdictions, self.platforms),
        )
        return out


_KIND_TITLES: dict[str, str] = {
    "sponsored_post": "Sponsored Content Agreement",
    "gifting": "Product Gifting Agreement",
    "ambassador": "Brand Ambassador Agreement",
}


@dataclass(frozen=True)
class ContractContext:
    """A creator contract (templates ``contract_{kind}.md.j2``).

    ``term_months`` defaults to 12 for an ambassador and 3 otherwise. An ambassador contract
    needs a ``cadence``; a gifting contract needs ``gifted_products`` and has no fee (its
    ``compensation`` is the retail value of the gift and ``payment_schedule`` is empty);
    the others need deliverables and a payment schedule.
    """

    kind: ContractKind
    reference: str
    brand_name: str
    brand: Party
    creator: Party
    creator_handle: str
    campaign_name: str
    effective_date: date
    deliverables: tuple[Deliverable, ...]
    compensation: Compensation
    payment_schedule: tuple[Instalment, ...]
    usage_rights: UsageRights
    jurisdictions: tuple[Jurisdiction, ...]
    governing_law: str
    venue: str
    exclusivity: Exclusivity | None = None
    content_owner: Literal["creator", "brand"] = "creator"
    revision_rounds: int = 2
    approval_days: int = 5
    termination_notice_days: int = 30
    renewal_notice_days: int = 30
    term_months: int | None = None
    cadence: str | None = None
    gifted_products: tuple[str, ...] = ()
    platforms: tuple[Platform, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in CONTRACT_KINDS:
            raise _invalid("kind", f"must be one of {', '.join(CONTRACT_KINDS)}", self.kind)
        for name in ("reference", "brand_name", "campaign_name", "governing_law", "venue"):
            _check_text(name, getattr(self, name))
        object.__setattr__(self, "creator_handle", _handle("creator_handle", self.creator_handle))
        for name in ("brand", "creator"):
            if not isinstance(getattr(self, name), Party):
                raise _invalid(name, "must be a Party", getattr(self, name))
        if self.brand.signatory_name is None:
            raise _invalid("brand.signatory_name", "is required to sign", None)
        _check_date("effective_date", self.effective_date)
        for name, cls in (
            ("compensation", Compensation),
            ("usage_rights", UsageRights),
        ):
            if not isinstance(getattr(self, name), cls):
                raise _invalid(name, f"must be a {cls.__name__}", getattr(self, name))
        if self.exclusivity is not None and not isinstance(self.exclusivity, Exclusivity):
            raise _invalid("exclusivity", "must be an Exclusivity or None", self.exclusivity)
        if self.content_owner not in ("creator", "brand"):
            raise _invalid("content_owner", "must be 'creator' or 'brand'", self.content_owner)
        _check_count("revision_rounds", self.revision_rounds, maximum=10)
        _check_count("approval_days", self.approval_days, minimum=1, maximum=60)
        _check_count("termination_notice_days", self.termination_notice_days, maximum=365)
        _check_count("renewal_notice_days", self.renewal_notice_days, maximum=365)
        if self.term_months is None:
            object.__setattr__(self, "term_months", 12 if self.kind == "ambassador" else 3)
        _check_count("term_months", self.term_months, minimum=1, maximum=60)
        _check_optional_text("cadence", self.cadence)
        gifts = _texts(self, "gifted_products")
        schedule = _instances(self, "payment_schedule", Instalment)
        deliverables = _instances(self, "deliverables", Deliverable)
        if self.kind != "gifting" and not deliverables:
            raise _invalid("deliverables", "must not be empty", [])
        if not _enums(self, "jurisdictions", Jurisdiction):
            raise _invalid("jurisdictions", "must name at least one jurisdiction", [])
        platforms = _platforms_of(self, deliverables)
        if not platforms:
            raise _invalid("platforms", "must name at least one platform", [])
        if self.kind == "gifting":
            if not gifts:
                raise _invalid("gifted_products", "a gifting contract names the gifts", [])
            if schedule:
                raise _invalid("payment_schedule", "a gifting contract pays no fee", schedule)
        else:
            if not schedule:
                raise _invalid("payment_schedule", "must list at least one instalment", [])
            if self.compensation.amount <= 0:
                raise _invalid("compensation.amount", "must be positive", self.compensation.amount)
        if self.kind == "ambassador" and self.cadence is None:
            raise _invalid("cadence", "an ambassador contract states the posting cadence", None)

    @property
    def title(self) -> str:
        """``Brand Ambassador Agreement`` and so on."""
        return _KIND_TITLES[self.kind]

    @property
    def end_date(self) -> date:
        """The last day of the initial term (the day before the term's anniversary)."""
        months = self.term_months if self.term_months is not None else 12
        end = _add_months(self.effective_date, months)
        return date.fromordinal(end.toordinal() - 1)

    @property
    def schedule_total(self) -> Decimal:
        """The sum of the payment schedule."""
        return sum((i.amount for i in self.payment_schedule), Decimal(0))

    def template_vars(self) -> dict[str, object]:
        """The variables the contract templates see."""
        out = _vars(self)
        out.update(
            title=self.title,
            end_date=self.end_date,
            schedule_total=format_money(self.schedule_total, self.compensation.currency),
            platform_names=tuple(PLATFORM_NAMES[p] for p in self.platforms),
            jurisdiction_names=tuple(JURISDICTION_NAMES[j] for j in self.jurisdictions),
            disclosure_section=disclosure_markdown(self.jurisdictions, self.platforms),
            disclosure_body=disclosure_body(self.jurisdictions, self.platforms),
        )
        return out


@dataclass(frozen=True)
class FixFinding:
    """One thing the creator should change: the rule's ``code``, its plain ``explanation``
    (the rule's one-line summary) and the checker's ``detail`` about this post."""

    code: str
    explanation: str
    detail: str

    def __post_init__(self) -> None:
        _check_text("findings.code", self.code)
        _check_text("findings.explanation", self.explanation, multiline=True)
        _check_text("findings.detail", self.detail, multiline=True)


@dataclass(frozen=True)
class ComplianceFixContext:
    """A compliance reviewer's note to a creator about one post: what the disclosure rules
    need, and the caption with the checker's suggested fix (templates
    ``email_compliance_fix.{txt,html}.j2``).

    ``caption`` is the post's caption as checked; ``suggested_caption`` the checker's
    rewrite (None when no rewrite of the caption can fix the findings). ``findings`` lists
    at least one. ``sender_postal_address`` and ``unsubscribe_url`` are required by CAN-SPAM
    and appear in every e-mail; ``brand``, ``platform`` and ``jurisdiction`` are those of the
    post.
    """

    sender_name: str
    sender_company: str
    sender_postal_address: str
    reply_to: str
    creator_display_name: str
    handle: str
    platform: Platform
    media: Media
    jurisdiction: Jurisdiction
    caption: str
    findings: tuple[FixFinding, ...]
    unsubscribe_url: str
    brand: str | None = None
    post_reference: str | None = None
    suggested_caption: str | None = None

    def __post_init__(self) -> None:
        for name in ("sender_name", "sender_company", "creator_display_name"):
            _check_text(name, getattr(self, name))
        _check_text("sender_postal_address", self.sender_postal_address, multiline=True)
        _check_email("reply_to", self.reply_to)
        object.__setattr__(self, "handle", _handle("handle", self.handle))
        object.__setattr__(self, "platform", _enum(Platform, "platform", self.platform))
        object.__setattr__(self, "media", _enum(Media, "media", self.media))
        object.__setattr__(
            self, "jurisdiction", _enum(Jurisdiction, "jurisdiction", self.jurisdiction)
        )
        _check_text("caption", self.caption, multiline=True, maximum=_CAPTION_MAX)
        if self.suggested_caption is not None:
            _check_text(
                "suggested_caption", self.suggested_caption, multiline=True, maximum=_CAPTION_MAX
            )
        _instances(self, "findings", FixFinding, required=True)
        _check_url(
            "unsubscribe_url", self.unsubscribe_url, schemes=("https://", "http://", "mailto:")
        )
        _check_optional_text("brand", self.brand)
        _check_optional_text("post_reference", self.post_reference)

    @property
    def postal_address_lines(self) -> tuple[str, ...]:
        """The sender's postal address, one line each, blank lines dropped."""
        lines = self.sender_postal_address.splitlines()
        return tuple(line.strip() for line in lines if line.strip())

    @property
    def video(self) -> bool:
        """True for a video or audio post: a new caption cannot change what is said or shown."""
        return self.media in AV_MEDIA

    def template_vars(self) -> dict[str, object]:
        """The variables the compliance-fix templates see."""
        out = _vars(self)
        out.update(
            platform_name=PLATFORM_NAMES[self.platform],
            jurisdiction_name=_JURISDICTION_IN_TEXT[self.jurisdiction],
            postal_address_lines=self.postal_address_lines,
            video=self.video,
        )
        return out


# How a sentence names a jurisdiction: "the advertising rules of Canada".
_JURISDICTION_IN_TEXT: dict[Jurisdiction, str] = {
    Jurisdiction.US: "the United States",
    Jurisdiction.UK: "the United Kingdom",
    Jurisdiction.CA: "Canada",
    Jurisdiction.EU: "the European Union",
}
