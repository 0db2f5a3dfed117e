"""How much a plan's kept curriculum costs in the database.

Starts N plans of one role (default 500 of ai-architect) in a temporary PLANNER_HOME,
in process, and prints the size of each stored curriculum snapshot, the per-plan map of
role to snapshot, and the database file after a checkpoint.

    python benchmarks/snapshot_size.py [--plans 500] [--role ai-architect]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=500)
    parser.add_argument("--role", default="ai-architect")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="planner-snapshots-") as home:
        os.environ["PLANNER_HOME"] = home
        from planner import service

        today = date.today()
        started = time.perf_counter()
        for n in range(args.plans):
            service.start_plan(
                db=None,
                roles=[args.role],
                name=f"person {n}",
                hours_per_week=8,
                start=today,
                know=[],
                industry=None,
                today=today,
            )
        seconds = time.perf_counter() - started
        path = Path(home) / "planner.db"
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            rows = conn.execute(
                "SELECT substr(digest, 1, 12), length(body) FROM curriculum_snapshot"
            ).fetchall()
            (maps,) = conn.execute("SELECT SUM(length(curriculum_digests)) FROM plan").fetchone()
        print(f"{args.plans} plans of {args.role} started in {seconds:.1f} s")
        for digest, size in rows:
            print(f"snapshot {digest}...: {size:,} bytes of JSON")
        print(f"snapshot rows: {len(rows)}; role -> digest maps: {maps:,} bytes in all")
        print(f"database file: {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
