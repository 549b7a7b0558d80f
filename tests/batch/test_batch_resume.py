"""Kill a batch half-way with SIGKILL, resume it: every input line is in the output exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

from chipcontrol.batch.reader import sha256_file


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIPCONTROL_")}
    env["CHIPCONTROL_DATABASE_URL"] = f"sqlite:///{tmp / 'audit.db'}"
    return env


def _batch(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "chipcontrol", "batch", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_sigkill_then_resume_gives_every_line_exactly_once(shipments_50k: Path, tmp_path: Path) -> None:
    env = _env(tmp_path)
    out = tmp_path / "out.parquet"
    parts = tmp_path / "out.parquet.parts"
    manifest = parts / "manifest.json"
    proc = subprocess.Popen([sys.executable, "-m", "chipcontrol", "batch", str(shipments_50k), "-o", str(out),
                             "--chunk-size", "1000"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    done = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            done = len(json.loads(manifest.read_text())["done"])
        except (OSError, ValueError, KeyError):
            done = 0
        if done >= 5:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the batch finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()
    killed_at = len(json.loads(manifest.read_text())["done"])
    assert 5 <= killed_at < 50

    # without --resume the interrupted run is not silently thrown away
    again = _batch(str(shipments_50k), "-o", str(out), "--chunk-size", "1000", env=env)
    assert again.returncode == 2
    assert again.stderr.count("\n") == 1 and "--resume" in again.stderr

    # a different chunk size cannot continue this run
    other = _batch(str(shipments_50k), "-o", str(out), "--chunk-size", "999", "--resume", env=env)
    assert other.returncode == 2 and "chunk size differs" in other.stderr

    resumed = _batch(str(shipments_50k), "-o", str(out), "--chunk-size", "1000", "--resume", "-f", "json", env=env)
    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(resumed.stdout)
    assert summary["chunks_resumed"] >= killed_at
    assert not parts.exists()

    got = pl.read_parquet(out)
    rejects = pl.read_parquet(tmp_path / "out.rejects.parquet")
    source = pl.read_csv(shipments_50k, infer_schema=False)
    ids = got.get_column("line_id")
    assert ids.is_duplicated().sum() == 0
    assert got.height + rejects.height == source.height == 50_000
    expected = source.get_column("line_id").drop_nulls()
    rejected = set(rejects.get_column("line_id").drop_nulls().to_list())
    assert ids.to_list() == [i for i in expected.to_list() if i.strip() and i not in rejected]  # file order, once

    # identical to an uninterrupted run
    clean = tmp_path / "clean.parquet"
    full = _batch(str(shipments_50k), "-o", str(clean), "--chunk-size", "1000", env=env)
    assert full.returncode == 0, full.stderr
    assert got.equals(pl.read_parquet(clean))
    assert sha256_file(out) == summary["output_sha256"]
