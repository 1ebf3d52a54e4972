"""The constraint suite: recruiter briefs with explicit wishes, run against the demo roster,
and the share of top-10 results that respect each wish.

Briefs: ``eval/data/constraint_briefs.jsonl`` (30, held out: written before any run, never
tuned on) and ``eval/data/constraint_dev.jsonl`` (10, the tuning set). Each brief is
searched as a new recruiter would: the text alone, ``k = 10``, through
:meth:`matcher.service.MatchService.match` on the roster ``creatormatch demo`` loads (5,000
creators, seed 42). The grader reads the results' creator records; it never asks the
matcher what it thought.

What "respects a wish" means (fixed before the first run):

- ``countries``: the audience's share in the wished countries is at least 50%, or, when the
  audience's countries are unknown, the creator is based in one of them.
- ``genders``: the audience's majority is the wished gender (over 50%). Only creators whose
  audience gender is known count.
- ``age``: the wished brackets hold the audience's largest band, or at least half of it
  (``55-64``/``65+`` read as the roster's ``55+``). Only known audiences count.
- ``budget``: the creator's cost of a post (own rates, else the tier benchmark's midpoint,
  counted as an estimate) is within the per-creator budget: the budget over
  ``creators_wanted``, else half the budget. Separately, no creator costing more than the
  whole budget may appear at all (``over_whole_budget``).
- ``tier``: with ``tiers`` wished, the creator's tier is one of them; otherwise the tier suits
  the objective: awareness mid, macro or mega; consideration micro to macro; conversions
  nano to mid.
- ``platforms``, ``languages``: the creator's platform / content language is wished.
- ``min_engagement``: the engagement rate is known and at least the floor.

Run ``python -m eval.constraints [--set heldout|dev|all] [--json] [--data-dir DIR]``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.tiers import TIER_BENCHMARKS, Tier, tier_for_followers

__all__ = [
    "HELDOUT_PATH",
    "TUNING_PATH",
    "ConstraintBrief",
    "SuiteReport",
    "grade",
    "load_briefs",
    "main",
    "run_suite",
]

DATA = Path(__file__).resolve().parent / "data"
HELDOUT_PATH = DATA / "constraint_briefs.jsonl"
TUNING_PATH = DATA / "constraint_dev.jsonl"
K = 10
ROSTER_SIZE = 5000
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "var" / "eval-demo"
ROSTER_SEED = 42
WISHES: tuple[str, ...] = (
    "countries",
    "genders",
    "age",
    "budget",
    "tier",
    "platforms",
    "languages",
    "min_engagement",
)
_OBJECTIVE_TIERS: dict[str, frozenset[Tier]] = {
    "awareness": frozenset({Tier.MID, Tier.MACRO, Tier.MEGA}),
    "consideration": frozenset({Tier.MICRO, Tier.MID, Tier.MACRO}),
    "conversions": frozenset({Tier.NANO, Tier.MICRO, Tier.MID}),
}
_OLD_BANDS = {"55-64": "55+", "65+": "55+"}
_FX = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "CAD": 0.73}
_RATE_KEYS = {
    "youtube": ("video", "short", "post"),
    "tiktok": ("short", "video", "post"),
    "twitch": ("video", "post"),
    "podcast": ("post", "video"),
}


@dataclass(frozen=True)
class ConstraintBrief:
    id: str
    text: str
    niche: str
    language: str
    wishes: Mapping[str, Any]


def load_briefs(path: Path) -> list[ConstraintBrief]:
    """The briefs of one JSON Lines file."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        out.append(
            ConstraintBrief(
                id=row["id"],
                text=row["brief"],
                niche=row.get("niche", ""),
                language=row.get("language", "en"),
                wishes=row["wishes"],
            )
        )
    return out


# --- grading (pure) ---------------------------------------------------------------------------


def _shares(value: object) -> dict[str, float]:
    if not isinstance(value, Mapping):
        return {}
    return {
        str(k): float(v)
        for k, v in value.items()
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    }


def cost_of_post(record: Mapping[str, Any]) -> tuple[float | None, bool]:
    """(USD cost of a post, estimated?): own rates at fixed FX, else the tier benchmark's
    midpoint (estimated), else None."""
    rates = record.get("rates")
    if isinstance(rates, Mapping):
        currency = str(rates.get("currency") or "USD").upper()
        keys = _RATE_KEYS.get(str(record.get("platform")), ("post", "video", "short"))
        for key in (*keys, "story"):
            amount = rates.get(key)
            if isinstance(amount, int | float) and not isinstance(amount, bool) and currency in _FX:
                return float(amount) * _FX[currency], False
    tier = tier_for_followers(record.get("followers"))
    if tier is None:
        return None, True
    return sum(TIER_BENCHMARKS[tier].cost_per_post_usd) / 2, True


def grade(record: Mapping[str, Any], wishes: Mapping[str, Any]) -> dict[str, bool | None]:
    """For each wish the brief states: True (respected), False, or None (cannot be judged
    from the record: such a result is left out of that wish's share)."""
    out: dict[str, bool | None] = {}
    audience = record.get("audience") if isinstance(record.get("audience"), Mapping) else {}
    assert isinstance(audience, Mapping)
    if wishes.get("countries"):
        wanted = {c.upper() for c in wishes["countries"]}
        countries = {k.upper(): v for k, v in _shares(audience.get("countries")).items()}
        if countries:
            out["countries"] = sum(v for k, v in countries.items() if k in wanted) >= 0.5
        else:
            out["countries"] = str(record.get("country") or "").upper() in wanted
    if wishes.get("genders"):
        gender = _shares(audience.get("gender"))
        total = sum(gender.values())
        out["genders"] = (
            None if total <= 0 else sum(gender.get(g, 0.0) for g in wishes["genders"]) / total > 0.5
        )
    if wishes.get("age"):
        age = _shares(audience.get("age"))
        total = sum(age.values())
        if total <= 0:
            out["age"] = None
        else:
            wanted_bands = {_OLD_BANDS.get(b, b) for b in wishes["age"]}
            inside = sum(v for k, v in age.items() if k in wanted_bands) / total
            largest = max(age, key=lambda band: age[band])
            out["age"] = largest in wanted_bands or inside >= 0.5
    if wishes.get("budget_usd"):
        budget = float(wishes["budget_usd"])
        wanted_n = wishes.get("creators_wanted")
        per_creator = budget / wanted_n if wanted_n else budget / 2
        cost, _estimated = cost_of_post(record)
        out["budget"] = None if cost is None else cost <= per_creator
        out["over_whole_budget"] = None if cost is None else cost > budget
    tier = tier_for_followers(record.get("followers"))
    if wishes.get("tiers"):
        out["tier"] = None if tier is None else tier.value in set(wishes["tiers"])
    elif wishes.get("objective") in _OBJECTIVE_TIERS:
        out["tier"] = None if tier is None else tier in _OBJECTIVE_TIERS[wishes["objective"]]
    if wishes.get("platforms"):
        out["platforms"] = record.get("platform") in set(wishes["platforms"])
    if wishes.get("languages"):
        out["languages"] = record.get("language") in set(wishes["languages"])
    if wishes.get("min_engagement") is not None:
        rate = record.get("engagement_rate")
        out["min_engagement"] = (
            None if not isinstance(rate, int | float) else rate >= wishes["min_engagement"]
        )
    return out


@dataclass
class SuiteReport:
    """Per wish: results respecting it, results judged, results that could not be judged."""

    name: str
    briefs: int = 0
    results: int = 0
    respected: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    judged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unknown: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    over_whole_budget: int = 0
    niche_hits: int = 0
    per_brief: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, brief: ConstraintBrief, records: Sequence[Mapping[str, Any]]) -> None:
        self.briefs += 1
        self.results += len(records)
        row: dict[str, Any] = {"id": brief.id, "results": len(records), "shares": {}}
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for record in records:
            # Not a wish, a sanity check: is the result about the brief's niche at all?
            categories = record.get("categories") or []
            on_niche = brief.niche in categories
            self.niche_hits += int(on_niche)
            counts["niche"][0] += int(on_niche)
            counts["niche"][1] += 1
            for wish, verdict in grade(record, brief.wishes).items():
                if wish == "over_whole_budget":
                    self.over_whole_budget += int(bool(verdict))
                    continue
                if verdict is None:
                    self.unknown[wish] += 1
                    continue
                self.judged[wish] += 1
                self.respected[wish] += int(verdict)
                counts[wish][0] += int(verdict)
                counts[wish][1] += 1
        row["shares"] = {w: round(r / n, 3) for w, (r, n) in counts.items() if n}
        self.per_brief.append(row)

    def share(self, wish: str) -> float | None:
        judged = self.judged.get(wish, 0)
        return None if not judged else self.respected.get(wish, 0) / judged

    def to_json(self) -> dict[str, Any]:
        return {
            "set": self.name,
            "briefs": self.briefs,
            "results": self.results,
            "shares": {
                w: None if self.share(w) is None else round(self.share(w) or 0.0, 4)
                for w in WISHES
                if self.judged.get(w) or self.unknown.get(w)
            },
            "judged": {w: self.judged.get(w, 0) for w in WISHES if w in self.judged},
            "unknown": {w: self.unknown.get(w, 0) for w in WISHES if w in self.unknown},
            "over_whole_budget": self.over_whole_budget,
            "on_niche": round(self.niche_hits / self.results, 4) if self.results else None,
            "per_brief": self.per_brief,
            "seconds": round(self.seconds, 1),
        }


# --- running ----------------------------------------------------------------------------------


def _service(data_dir: Path) -> tuple[Any, Any, int]:
    """The demo roster in a SQLite database under ``data_dir`` with its built index (made
    once, then reused), and the match service over it."""
    from core.settings import Settings
    from demo.load import load_demo
    from matcher.service import default_matcher
    from storage.database import Database
    from storage.migrate import upgrade
    from storage.repositories.organizations import OrganizationRepository

    settings = Settings(
        data_dir=data_dir,
        index_worker=False,
        scheduler=False,
        _env_file=None,
    )
    database = Database(settings.resolved_database_url)
    upgrade(database.engine)
    marker = data_dir / "roster.json"
    want = {"creators": ROSTER_SIZE, "seed": ROSTER_SEED}
    if not marker.is_file() or json.loads(marker.read_text()) != want:
        load_demo(settings, database, org="demo", creators=ROSTER_SIZE, seed=ROSTER_SEED)
        marker.write_text(json.dumps(want))
    matcher = default_matcher(settings, faiss_threads=None)
    with database.session() as session:
        org = OrganizationRepository(session).get_by_name("demo")
        assert org is not None
        organization_id = org.id
        matcher.sync(session, organization_id)
    return matcher, database, organization_id


def run_suite(
    briefs: Sequence[ConstraintBrief], name: str, matcher: Any, database: Any, org: int
) -> SuiteReport:
    """Search each brief (text only, k = 10) and grade the results."""
    from matcher.service import MatchFilters, brief_from_request

    report = SuiteReport(name)
    started = time.perf_counter()
    for brief in briefs:
        with database.session() as session:
            page = matcher.match(
                session, org, brief_from_request(brief.text), filters=MatchFilters(), k=K
            )
        report.add(brief, [hit.creator for hit in page.hits])
    report.seconds = time.perf_counter() - started
    return report


def render_markdown(reports: Sequence[SuiteReport]) -> str:
    """The shares per wish of each set, as a Markdown table."""
    lines = [
        "| set | briefs | " + " | ".join(WISHES) + " | over the whole budget | on the niche |",
        "|---|---" + "|---" * len(WISHES) + "|---|---|",
    ]
    for report in reports:
        cells = []
        for wish in WISHES:
            share = report.share(wish)
            judged = report.judged.get(wish, 0)
            cells.append("-" if share is None else f"{share:.1%} ({judged})")
        lines.append(
            f"| {report.name} | {report.briefs} | "
            + " | ".join(cells)
            + f" | {report.over_whole_budget}"
            + f" | {report.niche_hits / max(report.results, 1):.1%} |"
        )
    return "\n".join(lines)


def run_all(data_dir: Path | None = None) -> list[SuiteReport]:
    """Both sets (development first, then held out) on the demo roster."""
    matcher, database, org = _service(data_dir or DEFAULT_DATA_DIR)
    return [
        run_suite(load_briefs(path), name, matcher, database, org)
        for name, path in (("dev (tuning)", TUNING_PATH), ("held out", HELDOUT_PATH))
    ]


def markdown_section(reports: Sequence[SuiteReport]) -> str:
    """The constraint suite's section of docs/matcher-quality.md."""
    return "\n".join(
        [
            "## Constraint suite (demo roster)",
            "",
            f"`python -m eval.constraints`: {ROSTER_SIZE} demo creators (seed {ROSTER_SEED}),",
            "each brief searched as text (k = 10), every top-10 result graded against the",
            "wishes written down with the brief (eval/data/constraint_briefs.md). A share is",
            "of the results whose data lets the wish be judged (in brackets). The relevance",
            "span and band were tuned on the development set only; the weight of indirect",
            "audience evidence (UNCERTAIN_SHARE) was chosen on the YouTube training briefs and",
            "checked on the development set.",
            "",
            render_markdown(reports),
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.constraints", description=__doc__)
    parser.add_argument("--set", choices=("heldout", "dev", "all"), default="all")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="where the demo roster's database and index are kept between runs",
    )
    args = parser.parse_args(argv)
    matcher, database, org = _service(args.data_dir)
    sets = []
    if args.set in ("dev", "all"):
        sets.append(("dev (tuning)", TUNING_PATH))
    if args.set in ("heldout", "all"):
        sets.append(("held out", HELDOUT_PATH))
    reports = [run_suite(load_briefs(path), name, matcher, database, org) for name, path in sets]
    if args.json:
        print(json.dumps([r.to_json() for r in reports], indent=2))
    else:
        print(render_markdown(reports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
