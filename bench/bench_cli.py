"""Start-up time of the ``creatormatch`` command: how long a command takes from the shell, in a
new process each time, the way a person or a cron job runs it (issue 16).

    python -m bench.bench_cli [--runs 5] [--data-dir DIR] [--creators 200] [--only help,match]

Prints JSON. For each command: the median, p90 and minimum wall time over ``--runs`` runs
(after one untimed warm-up run, so the files are in the page cache), the median CPU time
(user + system; steadier than wall time when other jobs share the cores), its ratios to two
anchors, and the heavy modules (torch, sklearn, faiss, fastapi, ...) it imported, read from
one extra run under ``python -X importtime``. The anchors are measured in the same run with the same
interpreter: ``python -c pass`` (the interpreter alone) and ``python -c "import numpy"`` (one
common library). On a shared machine the ratios compare runs better than seconds do.

Commands: ``--help``; ``compliance check`` of one post (``POST``: both classifiers run), with
the fitted classifiers cached in ``<data_dir>/cache`` and again with them removed before each
run (the first run after an install or an upgrade); ``orgs list``; ``keys list``;
``users list``; ``db upgrade`` at head; ``match`` of a brief (the encoder and the index are
loaded in each new process).

Without ``--data-dir`` a temporary directory gets the schema, a demo roster of ``--creators``
creators and its index (a few minutes the first time: the model is exported to int8 ONNX under
the data directory). With ``--data-dir`` those steps run only when the demo organisation is
missing. The commands run whatever ``cli`` the interpreter imports: set ``PYTHONPATH`` to
another checkout to measure its code (the report records it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
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
ANCHORS = {"python": "pass", "numpy": "import numpy"}
# A tie told in plain words that no fixed label covers, so both classifiers run (a post whose
# only statement is a label such as "they paid me" never reaches the statement classifier).
POST = {
    "id": "bench-1",
    "caption": "Trail day in the Alps with my new shoes from @trailhound #hiking",
    "transcript": "[00:04] Trailhound covered my trip out here so I could test these on trails",
    "platform": "instagram",
    "media": "video",
    "material_connection": {"type": "paid", "brand": "Trailhound"},
    "jurisdiction": "US",
}
BRIEF = "vegan skincare for women 25-34 in the US, instagram and tiktok, conversions"


def _command() -> list[str]:
    """The installed console script (what users run), else the module."""
    script = Path(sys.executable).with_name("creatormatch")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli.main"]


def _env(data_dir: Path) -> dict[str, str]:
    # Any value of PYTHONDONTWRITEBYTECODE, even "0", would stop .pyc files being written.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CREATORMATCH_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(CREATORMATCH_DATA_DIR=str(data_dir), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    return env


def _run(
    argv: Sequence[str], env: dict[str, str], ok: Sequence[int]
) -> subprocess.CompletedProcess[str]:
    # From the data directory's parent: `python -c` puts the working directory first on
    # sys.path, which would shadow PYTHONPATH with the checkout the benchmark was started in.
    cwd = Path(env["CREATORMATCH_DATA_DIR"]).parent
    done = subprocess.run(list(argv), env=env, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return done


def _p90(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def _measure(
    argv: Sequence[str],
    env: dict[str, str],
    runs: int,
    ok: Sequence[int] = (0,),
    prepare: Callable[[], None] | None = None,
) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system, of the process and its threads) seconds of ``runs``
    runs, after one untimed warm-up run (page cache, .pyc files, caches a first run writes)."""
    if prepare is not None:
        prepare()
    _run(argv, env, ok)
    wall, cpu = [], []
    for _ in range(runs):
        if prepare is not None:
            prepare()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        _run(argv, env, ok)
        wall.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall, cpu


def _summary(wall: Sequence[float], cpu: Sequence[float]) -> dict[str, Any]:
    return {
        "median_s": round(statistics.median(wall), 4),
        "p90_s": round(_p90(wall), 4),
        "min_s": round(min(wall), 4),
        "cpu_median_s": round(statistics.median(cpu), 4),
        "n": len(wall),
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
    parser.add_argument("--runs", type=int, default=5, help="Timed runs per command.")
    parser.add_argument("--data-dir", type=Path, help="Reuse this data dir (else a temp one).")
    parser.add_argument("--creators", type=int, default=200, help="Demo roster size.")
    parser.add_argument("--only", default="", help="Comma-separated command names.")
    args = parser.parse_args(argv)

    tmp = tempfile.TemporaryDirectory(prefix="bench-cli-")
    data_dir = (args.data_dir or Path(tmp.name) / "var").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = _env(data_dir)
    report: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_before": [round(x, 2) for x in os.getloadavg()],
        },
        "pythonpath": os.environ.get("PYTHONPATH", ""),
        "cli_module": _run(
            [sys.executable, "-c", "import cli; print(cli.__file__)"], env, (0,)
        ).stdout.strip(),
        "runs": args.runs,
    }
    report["setup"] = _setup(data_dir, env, args.creators)
    post_file = Path(tmp.name) / "post.jsonl"
    post_file.write_text(json.dumps(POST) + "\n", encoding="utf-8")

    def drop_classifier_cache() -> None:
        for path in (data_dir / "cache").glob("compliance-*.pickle"):
            path.unlink()

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
    # The anchors run before and after the commands and pool their runs: the load of a shared
    # machine drifts over the minutes a run takes.
    anchor_runs = {
        name: _measure([sys.executable, "-c", code], env, args.runs)
        for name, code in ANCHORS.items()
    }
    results: dict[str, Any] = {}
    for name, (cli_args, ok, prepare) in commands.items():
        if only and name not in only:
            continue
        timing = _summary(*_measure([*_command(), *cli_args], env, args.runs, ok, prepare))
        results[name] = {
            "argv": " ".join(["creatormatch", *cli_args]).replace(str(post_file), "post.jsonl"),
            **timing,
            "heavy_imports": _heavy_imports(cli_args, env, ok),
        }
    report["commands"] = results
    anchors = {}
    for name, code in ANCHORS.items():
        wall, cpu = _measure([sys.executable, "-c", code], env, args.runs)
        pooled = _summary(anchor_runs[name][0] + wall, anchor_runs[name][1] + cpu)
        anchors[name] = {"argv": f'python -c "{code}"', **pooled}
    report["anchors"] = anchors
    for result in results.values():
        for name, anchor in anchors.items():
            result[f"ratio_to_{name}"] = round(result["median_s"] / anchor["median_s"], 2)
            result[f"cpu_ratio_to_{name}"] = round(
                result["cpu_median_s"] / anchor["cpu_median_s"], 2
            )
    report["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    tmp.cleanup()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
