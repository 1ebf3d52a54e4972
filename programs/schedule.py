"""Pure schedule arithmetic for ambassador programs: the cadence, the deliverables it
generates, and the local-time instants (reminders, overdue flags, report periods) stored in
UTC. No database here.

Conventions (also in docs/programs.md):

* A program of ``months`` months starts at local midnight of ``starts_on`` in its time zone
  and ends at local midnight ``months`` months later.
* A cadence item "``count`` × ``kind`` on ``platform`` per week, month or quarter" spreads the
  ``count`` pieces over each period: piece j (0-based) of a period of ``d`` days is due on day
  ``ceil((j + 1) * d / count)`` of it, so two a month fall mid-month and on its last day.
* A deliverable is due by the end of its due day, local time (``due_at``); the reminder goes
  ``reminder_days`` before, at 09:00 local; it is overdue from the start of the next day.
* Monthly reports cover each program month ``[start + i months, start + i+1 months)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.errors import InvalidInputError

__all__ = [
    "CadenceItem",
    "PlannedDeliverable",
    "add_months",
    "local_midnight",
    "parse_cadence",
    "plan_deliverables",
    "zone",
]

Per = Literal["week", "month", "quarter"]
_PER_MONTHS = {"month": 1, "quarter": 3}


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError.for_field(
            "timezone", "not an IANA time zone (e.g. Europe/Berlin)", value=name
        ) from None


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The start of ``day`` in ``tz``, as a UTC datetime."""
    return datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(UTC)


def local_time(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class CadenceItem:
    platform: str
    kind: str
    count: int
    per: Per

    def describe(self) -> str:
        return f"{self.count} × {self.kind} on {self.platform} per {self.per}"


def parse_cadence(raw: Sequence[Mapping[str, Any]], platforms: Sequence[str]) -> list[CadenceItem]:
    """Validate a cadence; errors name ``cadence[i].field``."""
    if not raw:
        raise InvalidInputError.for_field("cadence", "give at least one deliverable cadence")
    items = []
    for i, entry in enumerate(raw):
        where = f"cadence[{i}]"
        platform = str(entry.get("platform", "")).lower()
        if platform not in platforms:
            raise InvalidInputError.for_field(
                f"{where}.platform",
                f"unknown platform; use one of {', '.join(platforms)}",
                value=entry.get("platform"),
            )
        kind = str(entry.get("kind", "")).strip()
        if not kind or len(kind) > 40:
            raise InvalidInputError.for_field(f"{where}.kind", "give 1-40 characters", value=kind)
        count = entry.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 31:
            raise InvalidInputError.for_field(f"{where}.count", "a whole number 1-31", value=count)
        per = entry.get("per")
        if per not in ("week", "month", "quarter"):
            raise InvalidInputError.for_field(
                f"{where}.per", "one of week, month, quarter", value=per
            )
        items.append(CadenceItem(platform, kind, count, per))
    return items


@dataclass(frozen=True)
class PlannedDeliverable:
    sequence: int
    platform: str
    kind: str
    due_on: date
    due_at: datetime
    remind_at: datetime
    overdue_at: datetime


def _periods(item: CadenceItem, starts_on: date, ends_on: date) -> Iterator[tuple[date, date]]:
    if item.per == "week":
        start = starts_on
        while start < ends_on:
            yield start, min(start + timedelta(days=7), ends_on)
            start += timedelta(days=7)
        return
    step = _PER_MONTHS[item.per]
    i = 0
    while (start := add_months(starts_on, i * step)) < ends_on:
        yield start, min(add_months(starts_on, (i + 1) * step), ends_on)
        i += 1


def plan_deliverables(
    cadence: Sequence[CadenceItem],
    *,
    starts_on: date,
    months: int,
    tz: ZoneInfo,
    reminder_days: int,
) -> list[PlannedDeliverable]:
    """Every deliverable of the program, in due order (ties: cadence order)."""
    ends_on = add_months(starts_on, months)
    rows: list[tuple[date, int, CadenceItem]] = []
    for order, item in enumerate(cadence):
        for start, end in _periods(item, starts_on, ends_on):
            days = (end - start).days
            for j in range(item.count):
                offset = max(math.ceil((j + 1) * days / item.count) - 1, 0)
                rows.append((start + timedelta(days=offset), order, item))
    rows.sort(key=lambda r: (r[0], r[1]))
    planned = []
    for sequence, (due_on, _order, item) in enumerate(rows, start=1):
        due_at = local_midnight(due_on + timedelta(days=1), tz)
        planned.append(
            PlannedDeliverable(
                sequence=sequence,
                platform=item.platform,
                kind=item.kind,
                due_on=due_on,
                due_at=due_at,
                remind_at=local_time(due_on - timedelta(days=reminder_days), time(9, 0), tz),
                overdue_at=due_at,
            )
        )
    return planned


def report_boundaries(starts_on: date, months: int, tz: ZoneInfo) -> list[datetime]:
    """The program's month boundaries in UTC: ``months + 1`` instants from start to end."""
    return [local_midnight(add_months(starts_on, i), tz) for i in range(months + 1)]
