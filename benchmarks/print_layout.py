"""Where the time of a printed plan goes: WeasyPrint's CPU time for the full AI Architect
plan, whole and without each of its parts.

Usage::

    python benchmarks/print_layout.py            # 5 runs of each, the median
    python benchmarks/print_layout.py --runs 1   # a smoke test
    python benchmarks/print_layout.py --out DIR  # also keep the plan: A4 and Letter PDFs, HTML

The plan is made in a temporary ``PLANNER_HOME`` (the user's data is never touched):
``planner start ai-architect --hours-per-week 8`` six weeks ago, one milestone done,
study time, a note and two weeks away. Its HTML is rendered once; then each variant
(the whole document, and the document with one section removed) is laid out and
written to PDF ``--runs`` times, timed with ``time.process_time`` (CPU time of this
process, which a busy machine disturbs less than wall time). A part's cost is the whole
less the document without it. The script measures; it does not judge.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

SECTIONS = {
    "wall view": r'<section class="wall-page".*?</section>',
    "where you stand (chart)": r'<section class="standing".*?</section>',
    "week by week (grid)": r'<section class="weeks".*?</section>',
    "milestones": r'<section class="milestones".*?</section>',
}


def make_plan(home: Path, out: Path | None = None) -> str:
    """The plan's HTML, from the real commands; with ``out``, its PDFs and HTML there."""
    today = date.today()
    start = today - timedelta(weeks=6)
    env = {**os.environ, "PLANNER_HOME": str(home), "PLANNER_TODAY": today.isoformat()}
    commands = [
        ["start", "ai-architect", "--hours-per-week", "8", "--start", start.isoformat()],
        [
            "done",
            "python-programming",
            "--hours",
            "30",
            "--on",
            (start + timedelta(weeks=3)).isoformat(),
        ],
        ["study", "data-structures-algorithms", "5h"],
        ["note", "data-structures-algorithms", "Redo the DP problems"],
        [
            "away",
            (today + timedelta(days=21)).isoformat(),
            (today + timedelta(days=34)).isoformat(),
        ],
        ["plan", "--format", "html"],
    ]
    html = ""
    for command in commands:
        result = subprocess.run(
            [sys.executable, "-m", "planner", *command], env=env, capture_output=True, text=True
        )
        if result.returncode != 0:
            sys.exit(f"planner {' '.join(command)} failed: {result.stderr.strip()}")
        html = result.stdout
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for paper in ("A4", "Letter"):
            target = out / f"plan-{paper}.pdf"
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "planner",
                    "plan",
                    "--paper",
                    paper.lower(),
                    "-o",
                    str(target),
                ],
                env=env,
                check=True,
                capture_output=True,
            )
        (out / "plan.html").write_text(html, encoding="utf-8")
        print(f"wrote {out}/plan-A4.pdf, plan-Letter.pdf and plan.html")
    return html


def cpu(html: str, runs: int) -> tuple[float, int]:
    """Median CPU seconds to lay out and write ``html`` as PDF, and its page count."""
    from weasyprint import HTML

    times, pages = [], 0
    for _ in range(runs):
        began = time.process_time()
        document = HTML(string=html).render()
        document.write_pdf()
        times.append(time.process_time() - began)
        pages = len(document.pages)
    return statistics.median(times), pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each variant (default 5)")
    parser.add_argument("--out", type=Path, help="keep the plan's PDFs and HTML in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        html = make_plan(Path(folder), args.out)
    from weasyprint import HTML

    HTML(string="<p>warm-up</p>").render().write_pdf()
    whole, pages = cpu(html, args.runs)
    print(f"full AI Architect plan: {pages} pages, {whole:.2f} s CPU to lay out and write")
    print(f"{'part':<28} {'CPU s':>6}  {'share':>6}")
    for name, pattern in SECTIONS.items():
        without, _ = cpu(re.sub(pattern, "", html, flags=re.S), args.runs)
        print(f"{name:<28} {whole - without:>6.2f}  {(whole - without) / whole:>6.0%}")


if __name__ == "__main__":
    main()
