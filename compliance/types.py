"""Value objects of the compliance checker: posts in, findings and verdicts out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from core.errors import FieldError, InvalidInputError
from core.text import control_character_error, find_control_character

__all__ = [
    "CheckResult",
    "ConnectionType",
    "Evidence",
    "Finding",
    "Jurisdiction",
    "MaterialConnection",
    "Media",
    "Platform",
    "Post",
    "Severity",
    "Verdict",
]


_E = TypeVar("_E", bound=StrEnum)


class Jurisdiction(StrEnum):
    US = "US"
    UK = "UK"
    CA = "CA"
    EU = "EU"


class ConnectionType(StrEnum):
    PAID = "paid"
    FREE_PRODUCT = "free_product"
    AFFILIATE = "affiliate"
    EMPLOYEE = "employee"
    FAMILY = "family"
    OTHER = "other"  # another tie: a trip or event, ownership or investment, ...
    NONE = "none"


class Platform(StrEnum):
    INSTAGRAM = "instagram"
    TIKTOK = "tiktok"
    YOUTUBE = "youtube"
    FACEBOOK = "facebook"
    LINKEDIN = "linkedin"
    X = "x"
    TWITCH = "twitch"
    PODCAST = "podcast"
    THREADS = "threads"
    PINTEREST = "pinterest"
    SNAPCHAT = "snapchat"
    BLOG = "blog"


class Media(StrEnum):
    IMAGE = "image"
    CAROUSEL = "carousel"
    TEXT = "text"
    STORY = "story"
    VIDEO = "video"
    REEL = "reel"
    LIVE = "live"
    AUDIO = "audio"


class Severity(StrEnum):
    HARD = "hard"
    REVIEW = "review"


class Verdict(StrEnum):
    COMPLIANT = "compliant"
    NEEDS_REVIEW = "needs_review"
    NON_COMPLIANT = "non_compliant"


@dataclass(frozen=True)
class MaterialConnection:
    """The declared tie between creator and brand (``type`` none means no tie)."""

    type: ConnectionType
    brand: str | None = None


_POST_FIELDS = frozenset(
    {
        "caption",
        "transcript",
        "platform",
        "media",
        "material_connection",
        "platform_label",
        "jurisdiction",
    }
)


def _invalid(field_name: str, message: str, value: object) -> InvalidInputError:
    return InvalidInputError.for_field(field_name, message, value=value)


def _check_text(name: str, value: object, *, multiline: bool) -> None:
    """No control characters (core/text.py): a NUL cannot even be stored by PostgreSQL."""
    found = find_control_character(value, multiline=multiline)
    if found is not None:
        path, message = found
        raise _invalid(".".join([name, *map(str, path)]), message, value)


def _enum_value(enum: type[_E], data: Mapping[str, Any], key: str, prefix: str = "") -> _E:
    name = f"{prefix}{key}"
    if key not in data:
        raise _invalid(name, "is required", None)
    raw = data[key]
    if not isinstance(raw, str):
        raise _invalid(name, f"must be a string, got {type(raw).__name__}", raw)
    try:
        return enum(raw.strip() if enum is Jurisdiction else raw.strip().lower())
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise _invalid(name, f"unknown value {raw!r}; expected one of: {allowed}", raw) from None


@dataclass(frozen=True)
class Post:
    """One post as the checker reads it (see docs/compliance-rules.md section 0)."""

    caption: str
    platform: Platform
    media: Media
    material_connection: MaterialConnection
    jurisdiction: Jurisdiction
    transcript: str | None = None
    platform_label: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str | None:
        """The pass-through ``id`` as a string, if any."""
        value = self.extra.get("id")
        return None if value is None else str(value)

    @classmethod
    def from_dict(cls, data: object) -> Post:
        """Validate a JSON object into a Post; raise InvalidInputError naming the field."""
        if not isinstance(data, Mapping):
            raise InvalidInputError(
                "a post must be a JSON object",
                [FieldError(field=None, message="a post must be a JSON object")],
            )
        caption = data.get("caption")
        if "caption" not in data:
            raise _invalid("caption", "is required", None)
        if not isinstance(caption, str):
            raise _invalid("caption", f"must be a string, got {type(caption).__name__}", caption)
        transcript = data.get("transcript")
        if transcript is not None and not isinstance(transcript, str):
            raise _invalid(
                "transcript",
                f"must be a string or null, got {type(transcript).__name__}",
                transcript,
            )
        _check_text("caption", caption, multiline=True)
        if transcript is not None:
            _check_text("transcript", transcript, multiline=True)
        platform = _enum_value(Platform, data, "platform")
        media = _enum_value(Media, data, "media")
        jurisdiction = _enum_value(Jurisdiction, data, "jurisdiction")
        mc_raw = data.get("material_connection")
        if "material_connection" not in data:
            raise _invalid("material_connection", "is required", None)
        if not isinstance(mc_raw, Mapping):
            raise _invalid(
                "material_connection",
                f"must be an object with 'type' and 'brand', got {type(mc_raw).__name__}",
                mc_raw,
            )
        unknown = set(mc_raw) - {"type", "brand"}
        if unknown:
            key = sorted(unknown)[0]
            raise _invalid(f"material_connection.{key}", "is not a known field", mc_raw[key])
        mc_type = _enum_value(ConnectionType, mc_raw, "type", "material_connection.")
        brand = mc_raw.get("brand")
        if brand is not None and not isinstance(brand, str):
            raise _invalid(
                "material_connection.brand",
                f"must be a string or null, got {type(brand).__name__}",
                brand,
            )
        if brand is not None:
            _check_text("material_connection.brand", brand, multiline=False)
        if brand is not None and not brand.strip():
            brand = None
        label = data.get("platform_label", False)
        if not isinstance(label, bool):
            raise _invalid(
                "platform_label", f"must be a boolean, got {type(label).__name__}", label
            )
        extra = {k: v for k, v in data.items() if k not in _POST_FIELDS}
        for key, value in extra.items():
            # Passed through and stored: the id is one line, other extras may have lines.
            message = control_character_error(str(key))
            if message is not None:
                raise _invalid(str(key), f"the name of a field {message}", key)
            _check_text(str(key), value, multiline=key != "id")
        return cls(
            caption=caption,
            transcript=transcript,
            platform=platform,
            media=media,
            material_connection=MaterialConnection(type=mc_type, brand=brand),
            platform_label=label,
            jurisdiction=jurisdiction,
            extra=extra,
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape accepted by :meth:`from_dict`."""
        out: dict[str, Any] = dict(self.extra)
        out.update(
            caption=self.caption,
            transcript=self.transcript,
            platform=self.platform.value,
            media=self.media.value,
            material_connection={
                "type": self.material_connection.type.value,
                "brand": self.material_connection.brand,
            },
            platform_label=self.platform_label,
            jurisdiction=self.jurisdiction.value,
        )
        return out


@dataclass(frozen=True)
class Evidence:
    """A span of the original caption or transcript: ``text == source_text[start:end]``."""

    source: str  # "caption" | "transcript"
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        """JSON shape."""
        return {"source": self.source, "start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Finding:
    """One rule that fired on one post."""

    code: str
    severity: Severity
    message: str
    evidence: tuple[Evidence, ...]
    source: str

    def to_dict(self) -> dict[str, Any]:
        """JSON shape."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "evidence": [e.to_dict() for e in self.evidence],
            "source": self.source,
        }


@dataclass(frozen=True)
class CheckResult:
    """The checker's report on one post."""

    verdict: Verdict
    reasons: tuple[str, ...]
    findings: tuple[Finding, ...]
    language: str
    assumptions: tuple[str, ...]
    suggested_fix: str | None
    sponsored_score: float | None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str | None:
        """The pass-through ``id`` of the post, if any."""
        value = self.extra.get("id")
        return None if value is None else str(value)

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: pass-through fields (``id`` first), then the report."""
        out: dict[str, Any] = {}
        if "id" in self.extra:
            out["id"] = self.extra["id"]
        out.update((k, v) for k, v in self.extra.items() if k != "id")
        out.update(
            verdict=self.verdict.value,
            reasons=list(self.reasons),
            findings=[f.to_dict() for f in self.findings],
            language=self.language,
            assumptions=list(self.assumptions),
            suggested_fix=self.suggested_fix,
            sponsored_score=self.sponsored_score,
        )
        return out
