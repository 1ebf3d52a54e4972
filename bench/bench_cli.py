"""Start-up time of the ``creatormatch`` command: how long a command takes from the shell, in a
new process each time, the way a person or a cron job runs it.

    python -m bench.bench_cli [--runs 10] [--data-dir DIR] [--creators 200] [--only help,match]

Prints JSON. For each command: the median and p90 wall time over ``--runs`` runs (after one
untimed warm-up run, so the files are in the page cache), its ratio to the anchor, and the
heavy modules (torch, sklearn, faiss, fastapi, ...) the command imported, read from one extra
run under ``python -X importtime``. The anchor is ``python -c pass`` with the same interpreter,
measured in the same run: the ratio compares machines and loads better than seconds do.

Commands: ``--help``; ``compliance check`` of one post (with the cached clause classifiers,
and again with the cache removed before each run: the first run after an install or an
upgrade); ``orgs list``; ``keys list``; ``users list``; ``db upgrade`` at head; ``match`` of a
brief (a new process: the encoder and the index are loaded, the model files are in the page
cache).

Without ``--data-dir`` a temporary directory gets the schema, a demo roster of ``--creators``
creators and its index (a few minutes the first time: the model is exported to int8 ONNX).
With ``--data-dir`` those steps run only when the demo organisation is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# Modules no command that works without the model should import (see tests/cli/test_startup.py).
HEAVY = (
    "torch",
    "sentence_transformers",
    "transformers",
    "onnxruntime",
    "faiss",
    "sklearn",
    "scipy",
    "fastapi",
    "uvicorn",
    "sqlalchemy",
    "alembic",
    "jinja2",
    "apscheduler",
    "docx",
    "argon2",
    "numpy",
)
TARGETS = {"help": 0.5, "orgs_list": 0.5, "keys_list": 0.5, "users_list": 0.5, "match": 2.0}
POST = {
    "id": "bench-1",
    "caption": "Loving my new trail shoes from @trailhound, they paid me to try them #hiking",
    "platform": "instagram",
    "media": "image",
    "material_connection": {"type": "paid", "brand": "Trailhound"},
    "jurisdiction": "US",
}
BRIEF = "vegan skincare for women 25-34 in the US, instagram and tiktok, conversions"


def _command() -> list[str]:
    """The installed console script (what users run), else the module."""
    script = Path(sys.executable).with_name("creatormatch")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli.main"]


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREATORMATCH_")}
    env.update(
        CREATORMATCH_DATA_DIR=str(data_dir),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        PYTHONDONTWRITEBYTECODE="0",
    )
    return env


def _run(
    argv: Sequence[str], env: dict[str, str], ok: Sequence[int]
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(list(argv), env=env, capture_output=True, text=True, check=False)
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return done


def _p90(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def _time(
    argv: Sequence[str],
    env: dict[str, str],
    runs: int,
    ok: Sequence[int] = (0,),
    prepare: Callable[[], None] | None = None,
) -> dict[str, Any]:
    if prepare is not None:
        prepare()
    _run(argv, env, ok)  # warm-up: page cache, .pyc files, caches a first run writes
    seconds = []
    for _ in range(runs):
        if prepare is not None:
            prepare()
        start = time.perf_counter()
        _run(argv, env, ok)
        seconds.append(time.perf_counter() - start)
    return {
        "median_s": round(statistics.median(seconds), 4),
        "p90_s": round(_p90(seconds), 4),
        "min_s": round(min(seconds), 4),
    }


def _heavy_imports(args: Sequence[str], env: dict[str, str], ok: Sequence[int]) -> list[str]:
    """Top-level packages of HEAVY that one run of the command imports."""
    code = "import sys; from cli.main import app; sys.argv[0] = 'creatormatch'; app()"
    done = _run([sys.executable, "-X", "importtime", "-c", code, *args], env, ok)
    found = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip().split(".")[0]
            if name in HEAVY:
                found.add(name)
    return sorted(found)


def _setup(data_dir: Path, env: dict[str, str], creators: int) -> dict[str, Any]:
    cmd = _command()
    start = time.perf_counter()
    _run([*cmd, "db", "upgrade"], env, (0,))
    orgs = _run([*cmd, "orgs", "list"], env, (0,)).stdout.split()
    if "demo" not in orgs:
        _run([*cmd, "demo", "--creators", str(creators)], env, (0,))
        _run([*cmd, "index", "build", "-q"], env, (0,))
    return {"data_dir": str(data_dir), "setup_s": round(time.perf_counter() - start, 1)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=10, help="Timed runs per command.")
    parser.add_argument("--data-dir", type=Path, help="Reuse this data dir (else a temp one).")
    parser.add_argument("--creators", type=int, default=200, help="Demo roster size.")
    parser.add_argument("--only", default="", help="Comma-separated command names.")
    args = parser.parse_args(argv)

    tmp = tempfile.TemporaryDirectory(prefix="bench-cli-")
    data_dir = (args.data_dir or Path(tmp.name) / "var").resolve()
    env = _env(data_dir)
    report: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_before": [round(x, 2) for x in os.getloadavg()],
        },
        "runs": args.runs,
    }
    report["setup"] = _setup(data_dir, env, args.creators)
    post_file = Path(tmp.name) / "post.jsonl"
    post_file.write_text(json.dumps(POST) + "\n", encoding="utf-8")
    classifier_cache = data_dir / "cache" / "compliance"

    def drop_classifier_cache() -> None:
        shutil.rmtree(classifier_cache, ignore_errors=True)

    # name: (arguments, accepted exit codes, untimed step before each run)
    commands: dict[str, tuple[list[str], tuple[int, ...], Callable[[], None] | None]] = {
        "help": (["--help"], (0,), None),
        "compliance_check": (["compliance", "check", str(post_file)], (0, 1), None),
        "compliance_check_no_cache": (
            ["compliance", "check", str(post_file)],
            (0, 1),
            drop_classifier_cache,
        ),
        "orgs_list": (["orgs", "list"], (0,), None),
        "keys_list": (["keys", "list", "--org", "demo"], (0,), None),
        "users_list": (["users", "list", "--org", "demo"], (0,), None),
        "db_upgrade": (["db", "upgrade"], (0,), None),
        "match": (["match", BRIEF, "--org", "demo", "--k", "10"], (0,), None),
    }
    only = {name for name in args.only.split(",") if name}
    anchor = _time([sys.executable, "-c", "pass"], env, args.runs)
    report["anchor"] = {"argv": "python -c pass", **anchor}
    results: dict[str, Any] = {}
    for name, (cli_args, ok, prepare) in commands.items():
        if only and name not in only:
            continue
        timing = _time([*_command(), *cli_args], env, args.runs, ok, prepare)
        results[name] = {
            "argv": " ".join(["creatormatch", *cli_args]).replace(str(post_file), "post.jsonl"),
            **timing,
            "ratio_to_anchor": round(timing["median_s"] / anchor["median_s"], 1),
            "heavy_imports": _heavy_imports(cli_args, env, ok),
        }
        if name in TARGETS:
            results[name]["target_s"] = TARGETS[name]
            results[name]["met"] = timing["median_s"] <= TARGETS[name]
    report["commands"] = results
    report["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    tmp.cleanup()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
