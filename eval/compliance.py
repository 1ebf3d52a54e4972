"""Evaluate the disclosure checker on every labelled set; write docs/compliance-evaluation.md.

``python -m eval.compliance`` runs, from a fresh clone:

* the checker on the four post sets, each labelled with what it is:
  ``compliance/data/dev_posts.jsonl`` and ``compliance/data/dev2_posts.jsonl`` (tuned on),
  ``compliance/data/eval_posts.jsonl`` (the
  older regression set) and ``eval/data/compliance_independent.jsonl`` (held out: labelled by
  someone else from the rules alone, never tuned on), with the naive "#ad anywhere" check as a
  floor on each;
* a five-fold cross-validation of the statement classifier on its clause files;
* the MiniLM comparison of :mod:`eval.compliance_models` (``--skip-models`` leaves it out);

and writes the Markdown report (``--write``, default docs/compliance-evaluation.md) and a
JSON summary on stdout. The posts of the independent set that the checker gets wrong are
not written to the report, so that nobody tunes on them; ``--show-failures independent``
prints them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedKFold

from compliance.classifier import evaluate_heldout
from compliance.evaluate import (
    EvalReport,
    evaluate_rows,
    load_eval,
    markdown_tables,
    naive_hashtag_ad,
)
from compliance.statements import (
    CLAUSE_FILES,
    CONNECTION_KINDS,
    MEANINGS,
    THRESHOLDS,
    StatementClassifier,
    clause_label,
    load_clauses,
    meaning_of,
)

__all__ = [
    "SETS",
    "TARGETS",
    "ClauseReport",
    "EvalSet",
    "cross_validate_clauses",
    "evaluate_all",
    "main",
    "render",
    "targets",
]

ROOT = Path(__file__).resolve().parents[1]
DOC_PATH = ROOT / "docs" / "compliance-evaluation.md"


@dataclass(frozen=True)
class EvalSet:
    """A labelled post set and what it is to the checker."""

    name: str
    path: Path
    role: str  # "held out", "regression", "tuned on"
    description: str
    list_failures: bool


SETS = (
    EvalSet(
        "independent",
        ROOT / "eval" / "data" / "compliance_independent.jsonl",
        "held out",
        "415 posts written and labelled for issue 17 by another helper from the rules alone "
        "(see eval/data/compliance_independent.md). Never used to choose a threshold, a word or "
        "a training sentence; run only to measure, at five milestones.",
        False,
    ),
    EvalSet(
        "eval",
        ROOT / "compliance" / "data" / "eval_posts.jsonl",
        "regression",
        "The older set (203 posts) written with the rules. Not tuned on, but its failures were "
        "looked at while the detectors were built, so it is not independent. 21 labels were "
        "changed for rules note 9 (commit 80ed6d6: NO_DISCLOSURE dropped where another code "
        "names the one fault; no verdict changed).",
        True,
    ),
    EvalSet(
        "dev",
        ROOT / "compliance" / "data" / "dev_posts.jsonl",
        "tuned on",
        "406 posts written for tuning (compliance/data/TRAINING.md): 233 first, then 173 for "
        "the four codes with the lowest recall (DISCLOSURE_CONTRADICTED, PROFILE_ONLY, "
        "LINK_ONLY, NOT_BONA_FIDE_USER). Thresholds, lexicon changes and training clauses were "
        "chosen on it, so its numbers are optimistic; TRAINING.md gives the first-run numbers "
        "of the posts written after each round of fixes.",
        True,
    ),
    EvalSet(
        "dev2",
        ROOT / "compliance" / "data" / "dev2_posts.jsonl",
        "tuned on",
        "178 posts written from the rules for the targets issue 17 still missed (plain "
        "statements of every kind, denials, non-use, health claims, UK gifts, platform label, "
        "note 9), in two batches, each committed before its first run (compliance/data/"
        "TRAINING.md). The fixes of the last round were chosen on it, so its numbers are "
        "optimistic; at first run batch A scored 0.887 (118/133) and batch B 0.867 (39/45).",
        True,
    ),
)

# Issue 17's targets for the held-out set, and the older set's numbers before the detectors
# changed (measured at commit 243fd42 on the labels as they are now), which must not drop.
TARGETS = {"verdict_accuracy": 0.97, "reason_macro_f1": 0.90, "min_code_recall": 0.80}
OLD_SET_BEFORE = {"verdict_accuracy": 0.980, "reason_macro_f1": 0.969}
P99_TARGET_MS = 20.0


# Measurements recorded by hand as the detectors were built (issue 17). "before" is the
# checker at commit 243fd42, before any detector changed, on today's labels. The held-out set
# was run only at these points; its numbers now are in the tables below.
HISTORY = (
    "| when | set | verdict accuracy | reason macro F1 | lowest code recall |",
    "|---|---|---:|---:|---:|",
    "| before (243fd42) | independent | 0.740 | 0.758 | 0.050 |",
    "| before (243fd42) | eval (today's labels) | 0.980 | 0.969 | 0.875 |",
    "| before (243fd42) | eval (labels before 80ed6d6) | 0.980 | - | - |",
    "| before (243fd42) | dev | 0.828 | 0.828 | 0.167 |",
    "| milestone 1: note 9 and the first clause classifier (fb11ab2) |"
    " independent | 0.937 | 0.939 | 0.680 |",
    "| milestone 2: sub-clauses, more clauses, denials and recommendations (between fb11ab2"
    " and 0f05a88, not committed as such) |"
    " independent | 0.947 | 0.933 | 0.737 |",
    "| milestone 3: word-stem fields, speed, more phrasings (e127aec; the same at 5e22e80,"
    " which only changed speed) | independent | 0.954 | 0.938 | 0.750 |",
    "| milestone 4: pointers, denials, jokes and non-use for the four weakest codes (92b1607;"
    " PROFILE_ONLY 0.78 -> 1.00, LINK_ONLY 0.78 -> 0.89, NOT_BONA_FIDE_USER 0.79 -> 0.84,"
    " DISCLOSURE_CONTRADICTED 0.75 -> 0.75) | independent | 0.949 | 0.945 | 0.750 |",
    "| before the missed-targets round (b46b537: dev2 batch A at first run, before any"
    " change for it) | dev2 (A, 133 posts) | 0.887 | 0.802 | 0.000 |",
    "| after round 1 (910d9dd), first run of batch B | dev2 (B, 45 posts) | 0.867 | 0.947 | - |",
    "| milestone 5: the missed-targets round (confident readings need less of their field,"
    " clauses split at 'and', paraphrase clauses, results and non-ownership for"
    " NOT_BONA_FIDE_USER), run once after the last change | independent | the tables above"
    " | | |",
)

# Where the sets read the rules differently (docs/compliance.md explains the choices).
READINGS = (
    '* **A false denial as the only statement** ("not sponsored" on a paid post): the'
    " checker reports NO_DISCLOSURE and DISCLOSURE_CONTRADICTED, as the rules' two rows say"
    " and as the independent and the older set read them; the dev set reads one finding"
    " (dev-202, dev-203).",
    '* **"#ad" on a French EU post**: FR_MANDATORY_LABEL and LANGUAGE_MISMATCH (the older'
    " set, lm5); the dev set reads FR_MANDATORY_LABEL alone (dev-196); the independent set"
    " avoids the case.",
    "* **A UK free product disclosed only by a sentence that it was free or a gift**: read as"
    " a gift label, so UK_GIFTED_NEEDS_AD (review); dev2 labels it so (dv2-172), the other"
    " sets do not label the case.",
)


def evaluate_all(sets: Sequence[EvalSet] = SETS) -> dict[str, EvalReport]:
    """The checker's report on each set, by name."""
    return {s.name: evaluate_rows(load_eval(s.path)) for s in sets}


def targets(reports: dict[str, EvalReport], p99_ms: float | None = None) -> dict[str, Any]:
    """Each target of issue 17 with the measured value and whether it is met."""
    out: dict[str, Any] = {}
    held = reports.get("independent")
    if held is not None:
        measured = {
            "verdict_accuracy": held.accuracy,
            "reason_macro_f1": held.macro_f1,
            "min_code_recall": held.min_recall,
        }
        for key, floor in TARGETS.items():
            out[f"independent_{key}"] = {
                "target": f">= {floor}",
                "measured": round(measured[key], 4),
                "met": measured[key] >= floor,
            }
    old = reports.get("eval")
    if old is not None:
        for key, before in OLD_SET_BEFORE.items():
            value = old.accuracy if key == "verdict_accuracy" else old.macro_f1
            out[f"eval_{key}_not_worse"] = {
                "target": f">= {before} (before)",
                "measured": round(value, 4),
                "met": round(value, 3) >= before,
            }
    if p99_ms is not None:
        out["p99_ms_long_post"] = {
            "target": f"<= {P99_TARGET_MS}",
            "measured": p99_ms,
            "met": p99_ms <= P99_TARGET_MS,
        }
    return out


@dataclass(frozen=True)
class ClauseReport:
    """Cross-validated quality of the statement classifier on its own clause files."""

    n: int
    folds: int
    accuracy: float  # every class (twelve)
    per_meaning: dict[str, tuple[float, float, int]]  # precision, recall, support
    kind_accuracy: float  # right kind among connections read as connections


def _meaning(label: str) -> str:
    return "connection" if label in CONNECTION_KINDS else label


def cross_validate_clauses(folds: int = 5) -> ClauseReport:
    """Stratified k-fold over the clause files (random_state 0), thresholds applied."""
    rows = load_clauses()
    texts = np.asarray([r["text"] for r in rows], dtype=object)
    labels = np.asarray([clause_label(r) for r in rows])
    predicted = np.empty(len(rows), dtype=object)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train, test in splitter.split(texts, labels):
        model = StatementClassifier().fit(list(texts[train]), list(labels[train]))
        proba = model.predict_proba(list(texts[test]))
        classes = list(model.classes_)
        for i, row in zip(test, proba, strict=True):
            read = meaning_of(row, classes)
            if read is None:
                predicted[i] = "negative"
            else:
                meaning, kind, _ = read
                predicted[i] = kind if meaning == "connection" else meaning
    truth_m = np.asarray([_meaning(x) for x in labels])
    pred_m = np.asarray([_meaning(str(x)) for x in predicted])
    per_meaning: dict[str, tuple[float, float, int]] = {}
    for meaning in (*MEANINGS, "negative"):
        tp = int(((pred_m == meaning) & (truth_m == meaning)).sum())
        fired = int((pred_m == meaning).sum())
        support = int((truth_m == meaning).sum())
        precision = tp / fired if fired else 1.0
        per_meaning[meaning] = (precision, tp / support if support else 1.0, support)
    both = (truth_m == "connection") & (pred_m == "connection")
    return ClauseReport(
        n=len(rows),
        folds=folds,
        accuracy=float((predicted == labels).mean()),
        per_meaning=per_meaning,
        kind_accuracy=float((predicted[both] == labels[both]).mean()) if both.any() else 0.0,
    )


def _fmt(x: float) -> str:
    return f"{x:.3f}"


def render(
    reports: dict[str, EvalReport],
    naive: dict[str, EvalReport],
    clauses: ClauseReport,
    models: dict[str, Any] | None,
) -> str:
    """The whole report as Markdown."""
    met = targets(reports)
    lines = [
        "# Compliance checker: evaluation",
        "",
        "Generated by `python -m eval.compliance` (writes this file; the numbers are computed",
        "from the data on every run). Four labelled post sets, each marked with what it is to",
        "the checker. Accuracy is judged on the held-out set; the others show regressions",
        "and what tuning reached. The labels read the rules in `docs/compliance-rules.md`; they",
        "measure agreement with the rules, not legal accuracy on real posts.",
        "",
        "## Summary",
        "",
        "| set | what it is | posts | verdict accuracy | reason macro F1 | lowest code recall |"
        " naive #ad: accuracy | naive #ad: macro F1 |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in SETS:
        r, b = reports[s.name], naive[s.name]
        lines.append(
            f"| {s.name} (`{s.path.relative_to(ROOT)}`) | {s.role} | {r.n} | {_fmt(r.accuracy)} |"
            f" {_fmt(r.macro_f1)} | {_fmt(r.min_recall)} | {_fmt(b.accuracy)} |"
            f" {_fmt(b.macro_f1)} |"
        )
    lines += [
        "",
        'The naive check calls a post compliant when it has no connection or "#ad" anywhere,',
        "and otherwise non-compliant with NO_DISCLOSURE.",
        "",
        "Targets of issue 17 (held-out set, and the older set not getting worse than before",
        "the detectors changed, measured at commit 243fd42 on today's labels):",
        "",
        "| target | wanted | measured | met |",
        "|---|---|---:|---|",
    ]
    for key, t in met.items():
        lines.append(f"| {key} | {t['target']} | {t['measured']} | {'yes' if t['met'] else 'no'} |")
    for s in SETS:
        r = reports[s.name]
        lines += ["", f"## {s.name}: {s.role}", "", s.description, ""]
        lines += markdown_tables(r, failures=s.list_failures)
        if not s.list_failures:
            lines += [
                "",
                f"{len(r.failures)} posts disagree with their labels. They are not listed here so "
                "that nobody tunes on them: `python -m eval.compliance --show-failures "
                f"{s.name}` prints them.",
            ]
    lines += [
        "",
        "## History",
        "",
        *HISTORY,
        "",
        "## Where the sets read the rules differently",
        "",
        *READINGS,
    ]
    c = clauses
    lines += [
        "",
        "## Statement classifier (clauses)",
        "",
        f"{c.folds}-fold stratified cross-validation (random_state 0) of the classifier of",
        "`compliance/statements.py` on its training clauses "
        f"({', '.join(f'`{p.name}`' for p in CLAUSE_FILES)}, {c.n} clauses), with the",
        f"thresholds of `THRESHOLDS` ({', '.join(f'{k} {v}' for k, v in THRESHOLDS.items())}).",
        "Folds of the training data are easier than real posts: a sanity check, not a score.",
        "",
        f"- twelve-class accuracy: {_fmt(c.accuracy)}",
        f"- right connection kind, among connections read as connections: {_fmt(c.kind_accuracy)}",
        "",
        "| meaning | clauses | precision | recall |",
        "|---|---:|---:|---:|",
    ]
    for meaning, (precision, recall, support) in c.per_meaning.items():
        lines.append(f"| {meaning} | {support} | {_fmt(precision)} | {_fmt(recall)} |")
    if models is not None:
        lines += ["", "## Why a linear model and not MiniLM", "", *models_markdown(models)]
    heldout = evaluate_heldout()
    lines += [
        "",
        "## Sponsorship score (review signal only)",
        "",
        "TF-IDF and logistic regression on `compliance/data/sponsorship_train.jsonl`, split by",
        f"template: {heldout.n_train} training rows, {heldout.n_test} held-out rows; held-out",
        f"precision {heldout.precision:.2f}, recall {heldout.recall:.2f}, accuracy",
        f"{heldout.accuracy:.2f} (threshold 0.5). The score never changes a verdict.",
    ]
    return "\n".join(lines) + "\n"


def models_markdown(models: dict[str, Any]) -> list[str]:
    """The MiniLM comparison of :mod:`eval.compliance_models` as Markdown lines."""
    lines = [
        "`python -m eval.compliance_models`: the same 5-fold split of the clause files, three",
        "models, and the time to score the 30 clauses of a two-minute transcript on one thread.",
        "",
        "| model | 12-class accuracy | meaning accuracy | en | es | fr | de | ms per 30 clauses |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, m in models["models"].items():
        by_language = m["meaning_accuracy_by_language"]
        langs = " | ".join(_fmt(by_language[lang]) for lang in ("en", "es", "fr", "de"))
        lines.append(
            f"| {name} | {_fmt(m['accuracy'])} | {_fmt(m['meaning_accuracy'])} | {langs} |"
            f" {m['ms_per_30_clauses']:.1f} |"
        )
    lines += ["", str(models["conclusion"])]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", type=Path, default=DOC_PATH, help="Markdown report path")
    parser.add_argument("--skip-models", action="store_true", help="leave out the MiniLM run")
    parser.add_argument(
        "--show-failures",
        choices=[s.name for s in SETS],
        help="print one set's disagreeing posts as JSON lines and exit",
    )
    args = parser.parse_args(argv)
    if args.show_failures:
        chosen = next(s for s in SETS if s.name == args.show_failures)
        for failure in evaluate_rows(load_eval(chosen.path)).failures:
            print(json.dumps(failure, ensure_ascii=False))
        return 0
    reports = evaluate_all()
    naive = {s.name: evaluate_rows(load_eval(s.path), naive_hashtag_ad) for s in SETS}
    clauses = cross_validate_clauses()
    models = None
    if not args.skip_models:
        from eval.compliance_models import compare_models

        models = compare_models()
    args.write.parent.mkdir(parents=True, exist_ok=True)
    args.write.write_text(render(reports, naive, clauses, models), encoding="utf-8")
    print(f"wrote {args.write}", file=sys.stderr)
    summary = {
        name: {
            "posts": r.n,
            "verdict_accuracy": round(r.accuracy, 4),
            "reason_macro_f1": round(r.macro_f1, 4),
            "min_code_recall": round(r.min_recall, 4),
            "naive_verdict_accuracy": round(naive[name].accuracy, 4),
        }
        for name, r in reports.items()
    }
    print(json.dumps({"sets": summary, "targets": targets(reports)}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
