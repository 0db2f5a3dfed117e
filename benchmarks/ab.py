"""Two builds of planner against each other: the same commands on the same plan, runs
alternating (A, B, A, B ...), so both see the same machine weather.

Usage::

    python benchmarks/ab.py OLD/bin/planner NEW/bin/planner            # 7 pairs
    python benchmarks/ab.py OLD/bin/planner NEW/bin/planner --pairs 15

Make OLD with, e.g., ``git worktree add /tmp/old REV && python -m venv /tmp/old-venv &&
/tmp/old-venv/bin/pip install /tmp/old``. The plan (the full AI Architect plan, six
weeks in: one milestone done, study time, two weeks away) is made by A in a temporary
``PLANNER_HOME``; A and B must read the same database schema. Reports each command's
median wall time for A and B and the median of the pairwise ratios B / A.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time

COMMANDS = {
    "plan --format pdf": ["plan", "--format", "pdf", "--output", "{home}/plan.pdf"],
    "plan --format html": ["plan", "--format", "html", "--output", "{home}/plan.html"],
    "plan (text)": ["plan", "--format", "txt", "--output", "{home}/plan.txt"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", help="the planner executable to compare against (old)")
    parser.add_argument("b", help="the planner executable measured (new)")
    parser.add_argument("--pairs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "PLANNER_HOME": home, "PLANNER_TODAY": "2026-11-30"}

        def run(exe: str, *argv: str) -> float:
            began = time.perf_counter()
            subprocess.run(
                [exe, *(a.format(home=home) for a in argv)],
                env=env,
                check=True,
                capture_output=True,
            )
            return time.perf_counter() - began

        run(args.a, "start", "ai-architect", "--hours-per-week", "8", "--start", "2026-10-19")
        run(args.a, "done", "python-programming", "--on", "2026-11-15", "--hours", "30")
        run(args.a, "study", "data-structures-algorithms", "5h", "--note", "heaps")
        run(args.a, "away", "2026-12-21", "2027-01-03")
        for name, argv in COMMANDS.items():
            run(args.a, *argv), run(args.b, *argv)  # warm-up
            a_times, b_times = [], []
            for _ in range(args.pairs):
                a_times.append(run(args.a, *argv))
                b_times.append(run(args.b, *argv))
            ratio = statistics.median(b / a for a, b in zip(a_times, b_times, strict=True))
            print(
                f"{name:<20} A {statistics.median(a_times) * 1000:>6.0f} ms   "
                f"B {statistics.median(b_times) * 1000:>6.0f} ms   B/A {ratio:.2f}x "
                f"({args.pairs} pairs)"
            )


if __name__ == "__main__":
    main()
