"""What a user sees from `chipcontrol measure`: one line and exit 2 for bad input, before any timing; with
--format json, stdout is the JSON report only (progress goes to stderr); the report is recorded in the audit log."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chipcontrol.services import audit
from chipcontrol.store import close_store, open_store

BAD = [
    (["--device", "tpu"], "unknown device 'tpu'"),
    (["--device", "cuda:x"], "N in cuda:N is a GPU index"),
    (["--device", "cpu", "no such chip zz9"], "zz9"),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line_and_exit_2(cli: Callable[..., Any], args: list[str], message: str) -> None:
    r = cli("measure", *args)
    assert r.code == 2, r.err
    assert r.out == ""
    assert r.err.count("\n") == 1 and r.err.startswith("error: ") and message in r.err


@pytest.mark.skipif(importlib.util.find_spec("torch") is not None, reason="PyTorch is installed here")
def test_cuda_without_pytorch(cli: Callable[..., Any]) -> None:
    r = cli("measure", "--device", "cuda", "NVIDIA H200 SXM 141GB")
    assert r.code == 2 and r.out == ""
    assert r.err == ("error: --device cuda needs PyTorch, which is not installed: pip install 'chipcontrol[measure]' "
                     "(PyTorch with CUDA)\n")


def test_quick_json_run_is_recorded(cli: Callable[..., Any], tmp_path: Path) -> None:
    # one BLAS thread: small multi-threaded matmuls crawl when a neighbour process holds the other core
    env = {"CHIPCONTROL_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}", "OPENBLAS_NUM_THREADS": "1"}
    html = tmp_path / "r.html"
    r = cli("measure", "--quick", "--format", "json", "--report", str(html), "--on", "2026-02-01", "NVIDIA H20",
            extra_env=env)
    assert r.code == 0, r.err
    data = r.json()  # stdout is the JSON and nothing else
    assert data["schema"] == "chipcontrol.measure/1" and data["measurement"]["plan"]["name"] == "quick"
    assert data["audit"]["seq"] == 1 and len(data["audit"]["report_sha256"]) == 64
    assert "measuring fp64" in r.err
    assert html.is_file()
    url = env["CHIPCONTROL_DATABASE_URL"]
    try:
        store = open_store(url)
        assert audit.verify(store).ok
        rec = audit.get_record(store, 1)
        assert rec["kind"] == "measure" and rec["result"]["report_sha256"] == data["audit"]["report_sha256"]
    finally:
        close_store(url)
