"""How long `clausewatch --help` and a few `clausewatch <command> --help` take to start.

Each figure is the wall time of a fresh process (`python -m clausewatch ...`), run in turns
with the baseline `python -c "import typer"` (the least any Typer CLI pays), so machine drift
hits both alike. Printed: the median and the best run of each, and the median of the per-round
ratios to the baseline. A last row times importing every stage's commands up front, which is
what the CLI did before stages were imported lazily.

    .venv/bin/python bench/cli_start.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

BASELINE = ("import typer", ["-c", "import typer"])
CASES: list[tuple[str, list[str]]] = [
    ("clausewatch --help", ["-m", "clausewatch", "--help"]),
    ("clausewatch versions --help", ["-m", "clausewatch", "versions", "--help"]),
    ("clausewatch track --help", ["-m", "clausewatch", "track", "--help"]),
    ("clausewatch provisions diff --help", ["-m", "clausewatch", "provisions", "diff", "--help"]),
    ("clausewatch db --help", ["-m", "clausewatch", "db", "--help"]),
    (
        "all stages imported up front",
        [
            "-c",
            "import typer.main; from clausewatch import cli; cli.register_all(); "
            "typer.main.get_command(cli.app)",
        ],
    ),
]


def wall(args: list[str], env: dict[str, str]) -> float:
    """Seconds from spawning the interpreter to reaping it; fails loudly on a non-zero exit."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="rounds (default 15)")
    runs = parser.parse_args().runs
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAUSEWATCH_")}
    env["COLUMNS"] = "100"

    for _, args in [BASELINE, *CASES]:  # warm the file cache and the .pyc files
        wall(args, env)
    base: list[float] = []
    times: dict[str, list[float]] = {name: [] for name, _ in CASES}
    ratios: dict[str, list[float]] = {name: [] for name, _ in CASES}
    for _ in range(runs):
        for name, args in CASES:
            b = wall(BASELINE[1], env)
            t = wall(args, env)
            base.append(b)
            times[name].append(t)
            ratios[name].append(t / b)

    print(f"python {sys.version.split()[0]}, {runs} rounds, wall seconds (median / best)")
    print(
        f"{'baseline: python -c ' + repr(BASELINE[0]):<44} "
        f"{statistics.median(base):6.3f} / {min(base):6.3f}"
    )
    for name, _ in CASES:
        print(
            f"{name:<44} {statistics.median(times[name]):6.3f} / {min(times[name]):6.3f}"
            f"   x{statistics.median(ratios[name]):.2f} the baseline"
        )


if __name__ == "__main__":
    main()
