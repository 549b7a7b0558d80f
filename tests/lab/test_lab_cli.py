"""The `chipcontrol lab` commands: JSON contracts and one-line errors."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scenarios"


def test_impact_json(cli) -> None:
    # a distributor, not bound by NVIDIA's letter: the scenario's rule, which binds every exporter, changes the H20
    r = cli("lab", "impact", str(EXAMPLES / "cn-bandwidth-2025-06.yaml"), "--to", "CN", "--on", "2025-07-01",
            "--exporter", "Example Distributor Ltd", "--format", "json")
    assert r.code == 0, r.err
    d = r.json()
    assert d["status"] == "HYPOTHETICAL" and d["destination"] == "CN" and d["items_compared"] > 150
    names = {c["item"] for c in d["changes"]}
    assert "NVIDIA H20 (HGX)" in names
    h20 = next(c for c in d["changes"] if c["item"] == "NVIDIA H20 (HGX)")
    assert h20["before"]["license_required"] is False and h20["after"]["license_required"] is True
    assert "scenario-cn-bandwidth" in h20["reason"]


def test_impact_table_output(cli) -> None:
    r = cli("lab", "impact", str(EXAMPLES / "tpp-4000-2025-06.yaml"), "--to", "HK", "--on", "2025-07-01")
    assert r.code == 0, r.err
    assert "GeForce RTX 4090 D" in r.out and "HYPOTHETICAL" in r.out


def test_diff_json(cli) -> None:
    r = cli("lab", "diff", "--from", "2023-11-01", "--to-date", "2023-12-01", "--to", "CN", "--format", "json")
    assert r.code == 0, r.err
    names = {c["item"] for c in r.json()["changes"]}
    assert "NVIDIA A800 SXM4 80GB" in names and "NVIDIA H20 (HGX)" not in names


def test_envelope_json_with_check(cli) -> None:
    r = cli("lab", "envelope", "--base", "NVIDIA H100 SXM5 80GB", "--to", "CN", "--on", "2024-06-01",
            "--check", "NVIDIA H20 (HGX)", "--format", "json")
    assert r.code == 0, r.err
    d = r.json()
    assert d["feasible"] and d["candidates"][0]["admitted"] is True
    assert "eccn_3a090.b.1" in d["binding"]
    r = cli("lab", "envelope", "--base", "NVIDIA H100 SXM5 80GB", "--to", "CN", "--on", "2024-06-01")
    assert r.code == 0 and "binding" in r.out and "throughput" in r.out


def test_envelope_bad_input(cli) -> None:
    r = cli("lab", "envelope", "--base", "NVIDIA H100 SXM5 80GB", "--to", "XX", "--on", "2024-06-01")
    assert r.code == 2 and r.err.count("\n") == 1 and "unknown destination" in r.err
    r = cli("lab", "envelope", "--to", "CN")
    assert r.code == 2 and "--base" in r.err
    r = cli("lab", "envelope", "--base", "NVIDIA H100 SXM5 80GB", "--to", "CN", "--on", "2021-01-01")
    assert r.code == 2 and "2022-10-07" in r.err


def test_validate(cli) -> None:
    r = cli("lab", "validate", str(EXAMPLES / "tighter-2026.yaml"), "--format", "json")
    assert r.code == 0, r.err
    d = r.json()
    assert d["status"] == "HYPOTHETICAL" and d["ruleset_hash"] != d["base_ruleset_hash"]


def test_module_imports_first_and_registers() -> None:
    import subprocess
    import sys

    code = ("import chipcontrol.cli.lab as lab, typer; app = typer.Typer(); lab.register(app); "
            "print([g.name for g in app.registered_groups])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "'lab'" in out.stdout
