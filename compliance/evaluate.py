"""Score the checker against labelled posts: verdicts, reason codes, breakdowns.

``evaluate(path)`` runs the checker over one labelled JSONL file (posts with
``expected_verdict`` and ``expected_reasons``) and returns an :class:`EvalReport`: verdict
accuracy, the confusion of verdicts, per-code precision / recall / F1 and their macro F1,
accuracy per language and per jurisdiction, and the posts that disagree. The same report
is computed for the naive "#ad anywhere" check, as a floor to compare with.

``python -m compliance.evaluate [--data FILE] [--write FILE]`` reports one set;
``python -m eval.compliance`` reports every set and writes docs/compliance-evaluation.md.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compliance.checker import check_post
from compliance.classifier import ClassifierReport, evaluate_heldout, sponsored_score
from compliance.rules import RULES
from compliance.types import Post

__all__ = [
    "EVAL_PATH",
    "VERDICTS",
    "CodeStats",
    "EvalReport",
    "evaluate",
    "evaluate_rows",
    "load_eval",
    "main",
    "naive_hashtag_ad",
    "render_markdown",
]

EVAL_PATH = Path(__file__).with_name("data") / "eval_posts.jsonl"
VERDICTS = ("compliant", "needs_review", "non_compliant")

# A checker for the report: post row in, (verdict, reason codes, detected language) out.
Predictor = Callable[[dict[str, Any]], tuple[str, tuple[str, ...], str]]


@dataclass
class CodeStats:
    """Per-code counts over a labelled set."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def expected(self) -> int:
        return self.tp + self.fn

    @property
    def fired(self) -> int:
        return self.tp + self.fp

    @property
    def precision(self) -> float:
        return self.tp / self.fired if self.fired else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        if not self.tp:
            return 0.0
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r)


@dataclass
class Tally:
    """Verdicts right out of posts seen."""

    correct: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


@dataclass
class EvalReport:
    """Verdict accuracy, per-code precision/recall, breakdowns and the failing posts."""

    n: int
    verdict_correct: int
    reasons_exact: int
    per_code: dict[str, CodeStats]
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)  # expected -> got -> n
    per_language: dict[str, Tally] = field(default_factory=dict)
    per_jurisdiction: dict[str, Tally] = field(default_factory=dict)
    per_note_kind: dict[str, Tally] = field(default_factory=dict)  # "note 10 (<kind>)" posts
    language_source: str = "label"  # "label": the rows' ``language``; "detected": the checker's
    failures: list[dict[str, Any]] = field(default_factory=list)
    classifier: ClassifierReport | None = None
    score_on_eval: tuple[float, float] | None = None  # precision, recall of score >= 0.5

    @property
    def accuracy(self) -> float:
        return self.verdict_correct / self.n if self.n else 0.0

    @property
    def scored_codes(self) -> list[str]:
        """Codes that were expected or fired at least once (the macro average runs over them)."""
        return [c for c, s in self.per_code.items() if s.expected or s.fired]

    @property
    def macro_f1(self) -> float:
        """Mean F1 over the codes that were expected or fired at least once."""
        codes = self.scored_codes
        return sum(self.per_code[c].f1 for c in codes) / len(codes) if codes else 0.0

    @property
    def min_recall(self) -> float:
        """The lowest recall of a code expected at least once."""
        recalls = [s.recall for s in self.per_code.values() if s.expected]
        return min(recalls) if recalls else 1.0


def load_eval(path: Path = EVAL_PATH) -> list[dict[str, Any]]:
    """The labelled rows of a JSONL set."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _post(row: dict[str, Any]) -> Post:
    return Post.from_dict({k: v for k, v in row.items() if not k.startswith("expected_")})


def checker(row: dict[str, Any]) -> tuple[str, tuple[str, ...], str]:
    """The real checker as a predictor."""
    result = check_post(_post(row), score=False)
    return result.verdict.value, result.reasons, result.language


_HASHTAG_AD = re.compile(r"(?<![\w#])#ad(?![\w])", re.IGNORECASE)


def naive_hashtag_ad(row: dict[str, Any]) -> tuple[str, tuple[str, ...], str]:
    """The naive floor: a post is compliant when it has no connection or "#ad" anywhere."""
    text = f"{row['caption']}\n{row.get('transcript') or ''}"
    if row["material_connection"]["type"] == "none" or _HASHTAG_AD.search(text):
        return "compliant", (), ""
    return "non_compliant", ("NO_DISCLOSURE",), ""


_NOTE_KIND = re.compile(r"^note 10 \(([^)]+)\)")


def evaluate_rows(rows: Iterable[dict[str, Any]], predictor: Predictor = checker) -> EvalReport:
    """Score ``predictor`` on labelled rows."""
    per_code = {code: CodeStats() for code in RULES}
    confusion = {v: dict.fromkeys(VERDICTS, 0) for v in VERDICTS}
    per_language: dict[str, Tally] = {}
    per_jurisdiction: dict[str, Tally] = {}
    per_note_kind: dict[str, Tally] = {}
    failures: list[dict[str, Any]] = []
    n = correct = exact = 0
    labelled_language = True
    for row in rows:
        n += 1
        expected_verdict = row["expected_verdict"]
        expected = set(row["expected_reasons"])
        verdict, reasons, detected = predictor(row)
        got = set(reasons)
        for code in expected | got:
            stats = per_code.setdefault(code, CodeStats())
            if code in got and code in expected:
                stats.tp += 1
            elif code in got:
                stats.fp += 1
            else:
                stats.fn += 1
        ok = verdict == expected_verdict
        correct += ok
        exact += got == expected
        confusion[expected_verdict][verdict] += 1
        if "language" not in row:
            labelled_language = False
        language = str(row.get("language") or detected or "und")
        groups = [
            (per_language, language),
            (per_jurisdiction, str(row["jurisdiction"])),
        ]
        kind = _NOTE_KIND.match(str(row.get("note", "")))
        if kind:
            groups.append((per_note_kind, kind.group(1)))
        for table, key in groups:
            tally = table.setdefault(key, Tally())
            tally.total += 1
            tally.correct += ok
        if not ok or got != expected:
            failures.append(
                {
                    "id": row.get("id"),
                    "expected_verdict": expected_verdict,
                    "verdict": verdict,
                    "expected_reasons": sorted(expected),
                    "reasons": sorted(got),
                    "note": row.get("note", ""),
                }
            )
    return EvalReport(
        n=n,
        verdict_correct=correct,
        reasons_exact=exact,
        per_code=per_code,
        confusion=confusion,
        per_language=dict(sorted(per_language.items())),
        per_jurisdiction=dict(sorted(per_jurisdiction.items())),
        per_note_kind=dict(sorted(per_note_kind.items())),
        language_source="label" if labelled_language else "detected",
        failures=failures,
    )


def evaluate(
    path: Path = EVAL_PATH,
    *,
    with_classifier: bool = True,
    predictor: Predictor = checker,
) -> EvalReport:
    """Run ``predictor`` (the checker by default) over a labelled set and compare."""
    rows = load_eval(path)
    report = evaluate_rows(rows, predictor)
    if with_classifier:
        tp = fp = fn = 0
        for row in rows:
            truth = row["material_connection"]["type"] != "none"
            predicted = sponsored_score(row["caption"], row.get("transcript")) >= 0.5
            tp += predicted and truth
            fp += predicted and not truth
            fn += (not predicted) and truth
        report.classifier = evaluate_heldout()
        report.score_on_eval = (
            tp / (tp + fp) if tp + fp else 0.0,
            tp / (tp + fn) if tp + fn else 0.0,
        )
    return report


def _pct(x: float) -> str:
    return f"{x:.3f}"


def markdown_tables(report: EvalReport, *, failures: bool = True) -> list[str]:
    """The report's tables as Markdown lines (summary, codes, confusion, breakdowns)."""
    lines = [
        f"- posts: {report.n}",
        f"- verdict accuracy: **{_pct(report.accuracy)}** ({report.verdict_correct}/{report.n})",
        f"- reason-code macro F1: **{_pct(report.macro_f1)}** "
        f"(over the {len(report.scored_codes)} codes expected or reported at least once)",
        f"- lowest recall of an expected code: {_pct(report.min_recall)}",
        f"- reason sets exactly right: {report.reasons_exact}/{report.n}",
        "",
        "| code | expected | fired | TP | FP | FN | precision | recall | F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for code, s in report.per_code.items():
        if not (s.expected or s.fired):
            lines.append(f"| {code} | 0 | 0 | 0 | 0 | 0 | - | - | - |")
            continue
        lines.append(
            f"| {code} | {s.expected} | {s.fired} | {s.tp} | {s.fp} | {s.fn} | "
            f"{s.precision:.2f} | {s.recall:.2f} | {s.f1:.2f} |"
        )
    lines += [
        "",
        "Confusion of verdicts (rows: expected, columns: the checker's):",
        "",
        "| expected \\ got | " + " | ".join(VERDICTS) + " |",
        "|---|" + "---:|" * len(VERDICTS),
    ]
    for expected in VERDICTS:
        cells = " | ".join(str(report.confusion[expected][got]) for got in VERDICTS)
        lines.append(f"| {expected} | {cells} |")
    source = "labelled" if report.language_source == "label" else "detected by the checker"
    for title, table in (
        (f"Verdict accuracy per language ({source})", report.per_language),
        ("Verdict accuracy per jurisdiction", report.per_jurisdiction),
        ("Compliant plain-sentence posts (note 10) recognised, per kind", report.per_note_kind),
    ):
        if not table:
            continue
        lines += ["", f"{title}:", "", "| | posts | right | accuracy |", "|---|---:|---:|---:|"]
        for key, tally in table.items():
            lines.append(f"| {key} | {tally.total} | {tally.correct} | {_pct(tally.accuracy)} |")
    if failures:
        lines += ["", "Posts that disagree with their labels:", ""]
        if not report.failures:
            lines.append("None: every verdict and every reason set matches the labels.")
        else:
            lines += [
                "| id | expected verdict | got | expected reasons | got reasons | note |",
                "|---|---|---|---|---|---|",
            ]
            for f in report.failures:
                note = str(f["note"]).replace("|", "/")
                lines.append(
                    f"| {f['id']} | {f['expected_verdict']} | {f['verdict']} | "
                    f"{', '.join(f['expected_reasons']) or '-'} | "
                    f"{', '.join(f['reasons']) or '-'} | {note} |"
                )
    return lines


def render_markdown(report: EvalReport, title: str = "Compliance checker: evaluation") -> str:
    """One set's report as Markdown."""
    lines = [f"# {title}", "", *markdown_tables(report)]
    if report.classifier is not None:
        c = report.classifier
        lines += [
            "",
            "## Sponsorship classifier (review signal only)",
            "",
            f"- held-out split: {c.n_train} training rows, {c.n_test} held-out rows",
            f"- held-out precision {c.precision:.2f}, recall {c.recall:.2f}, "
            f"accuracy {c.accuracy:.2f} (threshold 0.5)",
        ]
        if report.score_on_eval is not None:
            p, r = report.score_on_eval
            lines.append(
                f"- on this set (sponsored = declared connection other than none): "
                f"precision {p:.2f}, recall {r:.2f}"
            )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: one labelled set."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", type=Path, help="write the Markdown report to this path")
    parser.add_argument("--data", type=Path, default=EVAL_PATH)
    args = parser.parse_args(argv)
    text = render_markdown(evaluate(args.data))
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(text, encoding="utf-8")
        print(f"wrote {args.write}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
