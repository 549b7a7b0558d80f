"""The vectorised evaluation gives exactly the per-shipment answers: every line, every field.

The reference is computed here, independently of chipcontrol.batch: each line's raw fields go through
``assess.check_item`` (with a fresh screening call, as the `check` command does) and its JSON is turned into the
output fields by this file's own code.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from chipcontrol.batch.evaluate import OUTPUT_SCHEMA, Evaluator
from chipcontrol.batch.generate import generate_shipments
from chipcontrol.batch.reader import read_input
from chipcontrol.catalog import Catalog
from chipcontrol.services import assess
from chipcontrol.services.screening import party_hits
from chipcontrol.services.specfile import spec_from_mapping
from chipcontrol.settings import Settings

UNTIL = dt.date(2026, 7, 1)


def _blank(v: str | None) -> str | None:
    return None if v is None or not v.strip() else v


def reference(row: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """What the per-shipment path says about one raw line, in the batch output's terms."""
    row = {k: _blank(v) for k, v in row.items()}
    if row.get("chip"):
        item = assess.resolve_item(row["chip"], None)
    else:
        item = assess.Item(spec_from_mapping(json.loads(row["spec"]), origin="spec", catalog=Catalog.load()), None)
    uses = tuple(u for u in (row.get("end_use") or "").replace("|", ";").replace(",", ";").split(";") if u.strip())
    req = assess.CheckRequest(destination=row["destination"], origin=row.get("origin") or "US",
                              end_user=row.get("end_user"), end_user_hq=row.get("end_user_hq"),
                              exporter=row.get("exporter"),
                              quantity=int(row["quantity"]) if row.get("quantity") else None,
                              end_uses=tuple(u.strip() for u in uses))
    day = dt.date.fromisoformat(row["date"].strip())
    data = assess.check_item(item, req, day, settings, screen=party_hits)
    reasons: list[tuple[str, str]] = []
    for r in data["reasons"]:
        if (r["rule_id"], r["citation"]) not in reasons:
            reasons.append((r["rule_id"], r["citation"]))
    other = data.get("other_view")
    screened = data["screening"][0]["hits"] if data["screening"] else None
    return {
        "line_id": row["line_id"], "item": data["item"]["name"], "destination": data["shipment"]["destination"],
        "as_of": data["as_of"], "license_required": data["license_required"], "prohibited": data["prohibited"],
        "outcome": data["outcome"], "review_policy": data["review_policy"],
        "license_exceptions": " | ".join(e["name"] for e in data["license_exceptions"]),
        "reason_rule_ids": " | ".join(r for r, _ in reasons), "reason_citations": " | ".join(c for _, c in reasons),
        "paragraph": data["paragraph"], "indeterminate": data["indeterminate"], "rule_version": data["rule_version"],
        "other_view_license_required": None if other is None else other["license_required"],
        "other_view_review_policy": None if other is None else other["review_policy"],
        "screening_hits": None if screened is None else " | ".join(
            f"{h['list']}: {h['listed_name']} ({h['score']:.2f})" for h in screened),
        "view": data["view"],
    }


def _compare(raw: pl.DataFrame, settings: Settings) -> int:
    out, rejects = Evaluator(settings).evaluate(raw)
    assert list(out.columns) == list(OUTPUT_SCHEMA)
    rejected = set(rejects.get_column("line_id").drop_nulls().to_list())
    by_id = {r["line_id"]: r for r in raw.iter_rows(named=True)}
    assert out.height + rejects.height == raw.height
    mismatches: list[str] = []
    for got in out.iter_rows(named=True):
        want = reference(by_id[got["line_id"]], settings)
        for k, v in want.items():
            if got[k] != v:
                mismatches.append(f"{got['line_id']} {k}: batch {got[k]!r} != check_item {v!r}")
    assert not mismatches, f"{len(mismatches)} mismatches, e.g.\n" + "\n".join(mismatches[:10])
    assert not rejected & set(out.get_column("line_id").to_list())
    return out.height


def test_vectorised_equals_per_shipment_on_2000_random_lines(shipments_2k: Path) -> None:
    raw, _ = read_input(shipments_2k)
    settings = Settings()
    n = _compare(raw, settings)
    assert n > 1900
    out, _ = Evaluator(settings).evaluate(raw)
    # the sample exercises the interesting answers, not just "no licence required"
    outcomes = set(out.get_column("outcome").to_list())
    assert {"license_required", "no_license_required"} <= outcomes
    assert out.filter(pl.col("reason_rule_ids").str.contains("screening.entity_list")).height > 0
    assert out.filter(pl.col("reason_rule_ids").str.contains("ear.744.is_informed")).height > 0
    assert out.filter(pl.col("other_view_license_required").is_not_null()).height > 0


def test_as_written_view_with_quantities_equals_per_shipment() -> None:
    """Law as written: License Exception LPP reads the quantity, so the quantity joins the key there."""
    raw = generate_shipments(1_500, seed=21, until=UNTIL).filter(pl.col("date") >= "2025-01-01")
    settings = Settings(view="as_written")
    _compare(raw, settings)
    out, _ = Evaluator(settings).evaluate(raw)
    with_lpp = out.filter(pl.col("license_exceptions").str.contains("LPP")).height
    assert 0 < with_lpp < out.filter(pl.col("license_exceptions").str.contains("ACM")).height


@pytest.mark.parametrize("tf32", ["32"])
def test_tf32_setting_equals_per_shipment(tf32: str) -> None:
    raw = generate_shipments(600, seed=5, until=UNTIL)
    _compare(raw, Settings(tf32_bits=tf32))


def test_edge_lines_equal_per_shipment() -> None:
    """Hong Kong as China, names with odd spacing, lower-case codes, in-country transfers, reexports, end uses."""
    spec = json.dumps({"name": "Edge X", "vendor": "Edge", "datacenter": True, "dense_tops": {"fp8": 3000},
                       "die_area_mm2": 800, "memory_bandwidth_gbs": 4000})
    rows = [
        ("e1", "NVIDIA H20", None, "4", "HK", None, "  Huawei   Technologies Co., Ltd. ", None, "NVIDIA Corp", None,
         "2025-06-01"),
        ("e2", "h100 sxm5", None, "1", "cn", "us", "Nordic Compute AB", "se", "nvidia", "supercomputer",
         " 2024-01-02 "),
        ("e3", "MI308X", None, None, "SG", "SG", "Apex Cloud Pte. Ltd.", "CN", "Advanced Micro Devices, Inc.",
         "advanced_node_fab|supercomputer", "2025-08-09"),
        ("e4", None, spec, "3", "MO", "TW", "Sugon", "MO", "  ", None, "2026-02-03"),
        ("e5", "NVIDIA H200 SXM 141GB", None, "12", "CN", "US", None, None, "NVIDIA", None, "2026-01-15"),
        ("e6", "NVIDIA H200 SXM 141GB", None, "12", "CN", "DE", None, None, "NVIDIA", None, "2026-01-15"),
        ("e7", "NVIDIA GeForce RTX 4090", None, "2", "US", "US", "Blue Harbor Data Inc.", "US", None, None,
         "2022-10-07"),
        ("e8", "NVIDIA A100 SXM4 80GB", None, "5", "IR", None, None, None, None, None, "2023-03-01"),
    ]
    cols = ["line_id", "chip", "spec", "quantity", "destination", "origin", "end_user", "end_user_hq", "exporter",
            "end_use", "date"]
    raw = pl.DataFrame(rows, schema=dict.fromkeys(cols, pl.String), orient="row")
    _, rejects = Evaluator(Settings()).evaluate(raw)
    assert rejects.height == 0, rejects.to_dicts()
    for view in ("enforced", "as_written"):
        assert _compare(raw, Settings(view=view)) == len(rows)


def test_rows_engine_agrees_with_vectorised_including_rejects(shipments_2k: Path) -> None:
    raw, _ = read_input(shipments_2k)
    ev = Evaluator(Settings())
    a_out, a_rej = ev.evaluate(raw)
    b_out, b_rej = Evaluator(Settings()).evaluate_rows(raw)
    assert a_out.equals(b_out)
    assert a_rej.equals(b_rej)
    assert a_rej.height > 5
    # distinct work, not per-line work
    assert ev.stats.keys_evaluated < a_out.height
    assert ev.stats.parties_screened < a_out.filter(pl.col("screening_hits").is_not_null()).height
