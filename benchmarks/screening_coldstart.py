"""Cold start of `chipcontrol screen NAME` with a warm index cache: wall and CPU time per run.

    .venv/bin/python benchmarks/screening_coldstart.py [--runs 9]

Each command runs once first (so the index cache for the current lists and code exists), then
``--runs`` times; wall time and the child's CPU time (getrusage) are reported as min / median,
beside ``chipcontrol --help`` (the CLI alone) and the load average. Target: <= 1 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["华为技术有限公司", "華為技術有限公司", "Huawei Technologies"]


def measure(cmd: list[str], runs: int) -> tuple[list[float], list[float]]:
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(runs):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        walls.append(time.perf_counter() - t)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
    return walls, cpus


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    exe = shutil.which("chipcontrol", path=str(Path(sys.executable).parent)) or "chipcontrol"
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for cmd in ([exe, "--help"], *([exe, "screen", n, "--format", "json"] for n in NAMES)):
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)  # the index cache is current
        walls, cpus = measure(cmd, args.runs)
        ok = "MET" if statistics.median(walls) <= 1.0 else "MISSED"
        label = " ".join(cmd[1:])
        print(f"  {label:<45} wall min {min(walls):.2f} median {statistics.median(walls):.2f} s; "
              f"CPU min {min(cpus):.2f} median {statistics.median(cpus):.2f} s"
              + (f"   (<= 1 s: {ok})" if cmd[1] == "screen" else "   (the CLI alone)"))
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
