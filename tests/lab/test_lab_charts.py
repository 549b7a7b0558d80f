"""Charts render to files of the expected size, with the expected regions and labels; the report is self-contained.

The regions drawn on the landscape are checked against the real classification on a grid of synthetic chips.
"""

from __future__ import annotations

import datetime as dt
import struct
from pathlib import Path

import pytest

from chipcontrol.lab.regions import control_regions, region_of
from chipcontrol.lab.scenario import parse_scenario
from chipcontrol.model.spec import ChipSpec
from chipcontrol.rules.ear.eccn_3a090 import classify
from chipcontrol.rules.ruleset import Ruleset
from chipcontrol.services import lab, lab_charts
from chipcontrol.settings import Settings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scenarios"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", data[16:24])
    return w, h


def test_landscape_png_and_svg(tmp_path: Path) -> None:
    png = tmp_path / "landscape.png"
    info, _ = lab.landscape_chart(dt.date(2024, 6, 1), str(png), None, Settings())
    assert png.exists() and png.stat().st_size > 40_000
    assert png_size(png) == (info.width_px, info.height_px) == (1320, 888)
    assert set(info.regions) == {"3A090.a.1", "3A090.a.2", "3A090.b.1", "3A090.b.2"}
    assert {"NVIDIA H20 (HGX)", "NVIDIA H100 SXM5 80GB", "NVIDIA GeForce RTX 4090 D"} <= set(info.labels)
    assert info.points > 80
    svg = tmp_path / "landscape.svg"
    info2, _ = lab.landscape_chart(dt.date(2024, 6, 1), str(svg), None, Settings())
    text = svg.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and info2.format == "svg"
    for needle in ("3A090.a.1: TPP ≥ 4800", "3A090.b.2: TPP ≥ 1600, PD 3.2–5.92", "H20", "Epoch AI", "chips.csv",
                   "log scale", "not for datacenters"):
        assert needle in text, needle


def test_landscape_follows_the_date_and_the_scenario(tmp_path: Path, base: Ruleset) -> None:
    info, _ = lab_charts.landscape(base, dt.date(2023, 1, 1), tmp_path / "l.png")
    assert info.regions == ("3A090.a (2022)",)
    info, _ = lab_charts.landscape(base, dt.date(2022, 10, 10), tmp_path / "l0.png")
    assert info.regions == ()
    rs = parse_scenario((EXAMPLES / "tpp-4000-2025-06.yaml").read_text(encoding="utf-8"), "s.yaml", base).apply(base)
    _, data = lab_charts.landscape(rs, dt.date(2025, 7, 1), None, "svg")
    assert "3A090.a.1: TPP ≥ 4000" in data.decode()


@pytest.mark.parametrize("day", ["2024-06-01", "2025-07-01"])
def test_drawn_regions_agree_with_the_rules(day: str, base: Ruleset) -> None:
    rulesets = [base, parse_scenario((EXAMPLES / "tighter-2026.yaml").read_text(encoding="utf-8"), "t.yaml",
                                     base).apply(base)]
    for rs in rulesets:
        for d in (dt.date.fromisoformat(day), dt.date(2026, 3, 1)):
            ctx = rs.context(d)
            regions, _ = control_regions(ctx)
            for tpp in (1000, 1599, 1600, 2000, 2399, 2400, 3000, 4799, 4800, 9000):
                for pd in (1.0, 1.6, 2.4, 2.5, 3.2, 4.0, 5.0, 5.92, 8.0):
                    for dc in (True, False):
                        c = classify(ChipSpec(name="g", datacenter=dc, dense_tops={"fp16": tpp / 16},
                                              die_area_mm2=tpp / pd), ctx)
                        assert region_of(regions, tpp, pd, dc) == c.subparagraph, (d, tpp, pd, dc)


def test_timeline_chart(tmp_path: Path) -> None:
    out = tmp_path / "t.png"
    info, _ = lab.timeline_chart("NVIDIA H20", None, ["CN", "DE"], "NVIDIA", str(out), Settings(),
                                 today=dt.date(2026, 6, 1))
    assert png_size(out) == (info.width_px, info.height_px) and out.stat().st_size > 15_000
    assert info.labels == ("CN (NVIDIA)", "DE (NVIDIA)")
    # CN: NVIDIA's 2025 letter requires a licence (no review policy was published); DE: the letter also reaches
    # entities headquartered in Macau/D:5, and no headquarters is given, so the chart shows the open question
    assert set(info.extra["categories"]) == {"no_license", "license", "indeterminate"}
    _, data = lab.timeline_chart("NVIDIA H20", None, ["CN"], None, str(tmp_path / "t.svg"), Settings(),
                                 today=dt.date(2026, 6, 1))
    assert "licence status by destination" in data.decode() and "no licence required" in data.decode()


def test_before_after_chart_and_report(tmp_path: Path) -> None:
    loaded = lab.load_and_apply(EXAMPLES / "tpp-4000-2025-06.yaml")
    cmp = lab.impact_result(loaded, dt.date(2025, 7, 1), "CN", None, Settings())
    out = tmp_path / "ba.png"
    info, _ = lab.impact_chart(loaded, cmp, str(out))
    assert png_size(out) == (info.width_px, info.height_px) and info.points == len(cmp.changes) > 0
    assert "NVIDIA GeForce RTX 4090 D" in info.labels
    summary = lab.write_report(EXAMPLES / "tpp-4000-2025-06.yaml", tmp_path / "r.html", None, "CN", None, Settings())
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert summary["as_of"] == "2025-06-01" and summary["changed"] == len(cmp.changes)
    assert page.startswith("<!doctype html>") and page.count("<svg") == 3 and "HYPOTHETICAL" in page
    assert "GeForce RTX 4090 D" in page and "Epoch AI" in page
    assert "src=\"http" not in page and "href=\"http" not in page and "<script" not in page  # self-contained
    png_page, _ = lab.report_html(EXAMPLES / "tpp-4000-2025-06.yaml", None, "CN", None, Settings(), png=True)
    assert png_page.count("data:image/png;base64,") == 3


def test_cli_charts(cli, tmp_path: Path) -> None:
    out = tmp_path / "c.svg"
    r = cli("lab", "chart", "landscape", "--on", "2024-06-01", "--out", str(out), "--format", "json")
    assert r.code == 0, r.err
    assert r.json()["regions"] and out.exists()
    r = cli("lab", "chart", "landscape", "--out", str(tmp_path / "c.jpg"))
    assert r.code == 2 and "must end in .png or .svg" in r.err and r.err.count("\n") == 1
    r = cli("lab", "report", str(EXAMPLES / "cn-bandwidth-2025-06.yaml"), "-o", str(tmp_path / "r.html"))
    assert r.code == 0, r.err
    assert (tmp_path / "r.html").stat().st_size > 50_000
