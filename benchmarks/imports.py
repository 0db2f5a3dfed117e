"""Where a command's start-up goes: an import-time profile, grouped by package.

Usage::

    python benchmarks/imports.py status            # any planner arguments
    python benchmarks/imports.py plan --format pdf --output /tmp/plan.pdf

Runs ``python -X importtime -m planner ARGS`` three times in a temporary
``PLANNER_HOME`` (after ``planner start ai-architect`` there) and prints, for the run
with the smallest total, the self time of the ten costliest top-level packages and of
the rest. Self times add up to the import total; ``-X importtime`` itself makes imports
a little slower.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

TOP = 10


def profile(args: list[str], env: dict[str, str]) -> Counter[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "planner", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode:
        sys.exit(f"planner {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    totals: Counter[str] = Counter()
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        self_us, _, name = line[len("import time:") :].split("|", 2)
        if self_us.strip().isdigit():
            totals[name.strip().split(".")[0]] += int(self_us)
    return totals


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.split("\n\n")[1], file=sys.stderr)  # noqa: T201
        return 2
    with tempfile.TemporaryDirectory(prefix="planner-imports-") as home:
        env = {**os.environ, "PLANNER_HOME": home, "COLUMNS": "100"}
        for name in ("PLANNER_DB", "PLANNER_DATABASE_URL", "PLANNER_PLAN", "PLANNER_FAULT"):
            env.pop(name, None)
        subprocess.run(
            [sys.executable, "-m", "planner", "start", "ai-architect"],
            capture_output=True,
            env=env,
            check=True,
            cwd=Path(home),
        )
        runs = [profile(argv, env) for _ in range(3)]
    best = min(runs, key=lambda totals: sum(totals.values()))
    total = sum(best.values())
    print(f"planner {' '.join(argv)}: imports took {total / 1000:,.0f} ms in all")  # noqa: T201
    top = best.most_common(TOP)
    rest = total - sum(micros for _, micros in top)
    for package, micros in [*top, (f"the other {len(best) - len(top)} packages", rest)]:
        print(f"{micros / 1000:8.1f} ms  {100 * micros / total:4.1f}%  {package}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
