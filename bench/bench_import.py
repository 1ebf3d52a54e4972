"""Import throughput and memory: CSV files of the demo roster (25k, 50k, 100k rows) imported
into a fresh SQLite database, each in its own process so peak memory is measured per size.

    python -m bench.bench_import [--sizes 25000,50000,100000] [--database-url URL]

Prints JSON, for rich rows (every field, ~2 KB a row) and lean rows (a CRM export's columns):
rows/s per size (no embedding: the importer only validates and upserts) and the peak resident
memory of each run. Flat memory means the peak hardly grows with the file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from creators.formats import iter_csv
from creators.record import CreatorRecord
from demo.roster import generate_roster

# A typical CRM export: identity, reach and contact, no posts or audience breakdown.
LEAN_FIELDS = (
    "platform",
    "handle",
    "display_name",
    "country",
    "language",
    "followers",
    "avg_likes",
    "avg_comments",
    "categories",
    "email",
)


def write_csv(path: Path, rows: int, shape: str) -> None:
    """The demo roster as CSV: ``rich`` keeps every field (bios, 3-8 recent posts, audience,
    rates; ~2 KB a row), ``lean`` only the columns of a typical CRM export."""

    def records() -> Iterator[CreatorRecord]:
        for data in generate_roster(rows, seed=7):
            if shape == "lean":
                data = {k: v for k, v in data.items() if k in LEAN_FIELDS}
            yield CreatorRecord.model_validate(data)

    with path.open("w", encoding="utf-8") as out:
        for chunk in iter_csv(records()):
            out.write(chunk)


def child(csv_path: Path, database_url: str) -> dict[str, Any]:
    """Import one file into a fresh database; runs in its own process."""
    from accounts.service import AccountService
    from creators.service import CreatorService
    from storage.database import Database
    from storage.migrate import upgrade

    database = Database(database_url)
    upgrade(database.engine)
    with database.session() as session:
        org = AccountService("bench").create_organization(session, "bench")
        org_id = org.id
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    with database.session() as session, csv_path.open("rb") as stream:
        summary = CreatorService().import_stream(
            session, org_id, iter(lambda: stream.read(64 * 1024), b""), batch_size=1000
        )
    seconds = time.perf_counter() - start
    database.dispose()
    return {
        "rows": summary.created,
        "seconds": round(seconds, 2),
        "rows_per_s": round(summary.created / seconds),
        "rss_before_import_mb": round(rss_before, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "file_mb": round(csv_path.stat().st_size / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="25000,50000,100000")
    parser.add_argument("--shapes", default="rich,lean", help="rich and/or lean rows")
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--child", nargs=2, metavar=("CSV", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(Path(args.child[0]), args.child[1])))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    load_before = os.getloadavg()
    result: dict[str, Any] = {
        "benchmark": "import_csv",
        "machine": {
            "arch": platform.machine(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "database": "postgresql" if args.database_url.startswith("postgres") else "sqlite",
        "embedding": "none (the importer only validates and upserts; encoding is queued)",
        "load_average_before": [round(x, 2) for x in load_before],
    }
    for shape in args.shapes.split(","):
        runs = []
        with tempfile.TemporaryDirectory() as tmp:
            for size in sizes:
                csv_path = Path(tmp) / f"roster-{shape}-{size}.csv"
                write_csv(csv_path, size, shape)
                url = args.database_url or f"sqlite:///{tmp}/bench-{shape}-{size}.db"
                out = subprocess.run(
                    [sys.executable, "-m", "bench.bench_import", "--child", str(csv_path), url],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                runs.append({"size": size, **json.loads(out)})
        peaks = [r["peak_rss_mb"] for r in runs]
        result[shape] = {
            "runs": runs,
            "rows_per_s_at_largest": runs[-1]["rows_per_s"],
            "peak_rss_growth_mb_smallest_to_largest": round(peaks[-1] - peaks[0], 1),
        }
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
