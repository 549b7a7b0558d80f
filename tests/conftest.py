"""Shared fixtures.

Which to use when:
- ``ruleset``: the bundled regulations, parsed once per session (pure, read-only).
- ``ctx(day, view)``: the RuleContext on a date (``day`` as 'YYYY-MM-DD').
- ``spec(**kw)``: a ChipSpec with sensible defaults for a datacenter IC; override any field.
- ``cli(*args)``: runs the real `chipcontrol` entry point in a subprocess (exit code, stdout, stderr), for tests of
  what a user sees, including one-line errors. Use the services directly for logic tests: they are faster.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from chipcontrol.model.spec import ChipSpec
from chipcontrol.rules.ruleset import RuleContext, Ruleset


@pytest.fixture(scope="session")
def ruleset() -> Ruleset:
    return Ruleset.load()


@pytest.fixture(scope="session")
def ctx(ruleset: Ruleset) -> Callable[..., RuleContext]:
    def make(day: str, view: str = "enforced") -> RuleContext:
        return ruleset.context(dt.date.fromisoformat(day), view)
    return make


@pytest.fixture(scope="session")
def spec() -> Callable[..., ChipSpec]:
    def make(**kw: Any) -> ChipSpec:
        base: dict[str, Any] = {"name": "Test IC", "datacenter": True, "dense_tops": {"fp16": 100.0},
                                "die_area_mm2": 800.0}
        base.update(kw)
        return ChipSpec(**base)
    return make


class CliResult:
    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture(scope="session")
def cli() -> Callable[..., CliResult]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIPCONTROL_")}

    def run(*args: str, extra_env: dict[str, str] | None = None) -> CliResult:
        proc = subprocess.run([sys.executable, "-m", "chipcontrol", *args], capture_output=True, text=True,
                              env={**env, **(extra_env or {})}, timeout=120)
        return CliResult(proc)
    return run
