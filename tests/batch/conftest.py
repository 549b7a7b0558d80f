"""Fixtures for the batch tests: synthetic shipment files (real catalogue, real bundled lists; no mocks)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from chipcontrol.batch.generate import generate_shipments, write_frame

UNTIL = dt.date(2026, 12, 1)


@pytest.fixture(scope="session")
def shipments_2k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 random lines (1 % with a defect) as CSV."""
    path = tmp_path_factory.mktemp("batch") / "shipments_2k.csv"
    write_frame(generate_shipments(2_000, seed=7, until=UNTIL, malformed=0.01), path)
    return path


@pytest.fixture(scope="session")
def shipments_50k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("batch") / "shipments_50k.csv"
    write_frame(generate_shipments(50_000, seed=11, until=UNTIL, malformed=0.002), path)
    return path
