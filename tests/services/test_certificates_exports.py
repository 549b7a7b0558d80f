"""Certificates (PDF and JSON twin) verify offline against their own hashes and against the audit chain; any
change to the certificate or to the log is named. Exports stream the same rows the pages show."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from chipcontrol.services import audit, certificate, decide, export, ledger
from chipcontrol.services.audit import AuditFilter
from chipcontrol.services.keys import Principal
from chipcontrol.services.runtime import Runtime
from chipcontrol.store import Store
from chipcontrol.store.audit import canonical_json

ANA = Principal("ana", "analyst", 1)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIPCONTROL_")}
    return subprocess.run([sys.executable, "-m", "chipcontrol", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_certificate_verifies_offline_and_against_the_chain(desk_rt: Runtime) -> None:
    data = decide.check(desk_rt, ANA, decide.ItemRef(chip="NVIDIA H20"),
                        decide.ShipmentQuery(destination="CN", end_user="华为技术有限公司"), as_of="2025-06-01")
    cert = certificate.build(desk_rt.store, data["audit_seq"], ANA)
    assert cert["subject"]["kind"] == "check" and cert["answer"]["outcome"] == data["outcome"]
    assert cert["reasons"] and all("citation" in r for r in cert["reasons"])
    assert cert["ruleset_hash"] == data["ruleset_hash"] and cert["list_snapshot"]["id"].startswith("lists-")
    assert cert["chain_head"]["seq"] >= data["audit_seq"]
    assert any("review queue" in q for q in cert["open_questions"])  # the hits are not decided yet
    twin = json.loads(canonical_json(cert))
    assert certificate.verify_certificate(twin)["ok"]
    assert certificate.verify_certificate(twin, desk_rt.store)["ok"]

    forged = json.loads(canonical_json(cert))
    forged["answer"]["outcome"] = "no_license_required"
    bad = certificate.verify_certificate(forged)
    assert not bad["ok"] and [c["check"] for c in bad["checks"] if not c["ok"]] == ["certificate_hash"]
    # a forger who also re-hashes the certificate is caught by the record hash
    forged = json.loads(canonical_json(cert))
    forged["audit_record"]["result"]["outcome"] = "no_license_required"
    forged["certificate_sha256"] = certificate._sha(canonical_json(
        {k: v for k, v in forged.items() if k != "certificate_sha256"}))
    bad = certificate.verify_certificate(forged)
    assert [c["check"] for c in bad["checks"] if not c["ok"]] == ["record_hash"]

    pdf = certificate.render_pdf(cert, desk_rt.settings)
    assert pdf.startswith(b"%PDF") and b"/FontFile" in pdf, "the CJK font is embedded"
    assert certificate.load(pdf) == twin


def test_certificate_against_an_altered_log(desk_rt: Runtime) -> None:
    seq = decide.screen(desk_rt, ANA, "Acme Widgets")["audit_seq"]
    cert = json.loads(canonical_json(certificate.build(desk_rt.store, seq, ANA)))
    store: Store = desk_rt.store
    with store.engine.begin() as conn:  # a tamperer with database access
        if store.dialect == "sqlite":
            conn.execute(text("DROP TRIGGER audit_records_no_update"))
        else:
            conn.execute(text("ALTER TABLE audit_records DISABLE TRIGGER audit_records_append_only"))
        conn.execute(text("UPDATE audit_records SET actor = 'mallory' WHERE seq = :s"), {"s": seq})
    out = certificate.verify_certificate(cert, store)
    failed = {c["check"] for c in out["checks"] if not c["ok"]}
    assert certificate.verify_certificate(cert)["ok"]  # offline it still holds: the log is what changed
    assert "chain_intact" in failed and not out["ok"]


def test_cli_certificate_and_verify(desk_rt: Runtime, tmp_path: Path) -> None:
    if desk_rt.store.dialect != "sqlite":
        return  # the CLI reads the same store; once is enough
    seq = decide.screen(desk_rt, ANA, "中芯国际集成电路制造有限公司")["audit_seq"]
    url = desk_rt.store.url
    pdf, js = tmp_path / "c.pdf", tmp_path / "c.json"
    assert _cli("audit", "certificate", str(seq), "-o", str(pdf), "--database", url).returncode == 0
    assert _cli("audit", "certificate", str(seq), "-o", str(js), "--database", url).returncode == 0
    ok = _cli("audit", "verify-certificate", str(pdf), "--database", url)
    assert ok.returncode == 0 and "VALID" in ok.stdout and "record_in_log" in ok.stdout, ok.stdout + ok.stderr
    offline = _cli("audit", "verify-certificate", str(js), "--format", "json")
    assert offline.returncode == 0 and json.loads(offline.stdout)["checked_against_database"] is False
    forged = json.loads(js.read_text("utf-8"))
    forged["inputs"]["name"] = "someone else"
    js.write_text(json.dumps(forged, ensure_ascii=False), "utf-8")
    bad = _cli("audit", "verify-certificate", str(js))
    assert bad.returncode == 1 and "FAIL  certificate_hash" in bad.stdout
    junk = tmp_path / "junk.txt"
    junk.write_text("hello")
    err = _cli("audit", "verify-certificate", str(junk))
    assert err.returncode == 2 and err.stderr.startswith("error: not a chipcontrol certificate")
    assert len(err.stderr.strip().splitlines()) == 1


def test_unknown_cli_option_is_exit_2() -> None:
    r = _cli("check", "--no-such-option")
    assert r.returncode == 2 and r.stderr.strip() == "error: No such option: --no-such-option"


def test_exports_stream_every_dataset(desk_rt: Runtime) -> None:
    store = desk_rt.store
    ledger.create_licence(store, ledger.LicenceInput(number="E/1", items=("NVIDIA H20",), destinations=("CN",),
                                                     expires_on="2030-01-01", quantity_limit=5), ANA)
    ledger.record_shipment(store, ledger.ShipmentInput(licence_number="E/1", chip="NVIDIA H20", destination="CN",
                                                       quantity=1, reference="=cmd|' /C calc'!A0"), ANA)
    decide.screen(desk_rt, ANA, "华为")
    decide.check(desk_rt, ANA, decide.ItemRef(chip="NVIDIA H20"), decide.ShipmentQuery(destination="DE"))
    for dataset in export.DATASETS:
        lines = b"".join(export.stream(store, dataset, "jsonl")).decode().splitlines()
        rows = [json.loads(x) for x in lines]
        table = list(csv.DictReader(io.StringIO(b"".join(export.stream(store, dataset, "csv")).decode())))
        assert len(rows) == len(table) >= 1, dataset
    ship = list(csv.DictReader(io.StringIO(b"".join(export.stream(store, "shipments", "csv")).decode())))
    assert ship[0]["reference"].startswith("'="), "a formula in a cell is defused"
    screenings = [json.loads(x) for x in b"".join(export.stream(store, "screenings", "jsonl")).decode().splitlines()]
    assert screenings[0]["query"] == "华为"
    only = AuditFilter.of(["screen", "check"])
    audit_rows = [json.loads(x) for x in b"".join(export.stream(store, "audit", "jsonl", audit_filter=only))
                  .decode().splitlines()]
    assert [r["kind"] for r in audit_rows] == ["screen", "check"]
    assert audit.list_records(store, kind=["screen", "check"])["total"] == 2
    none = AuditFilter.of(None, None, "2001-01-01", "2001-12-31")
    assert b"".join(export.stream(store, "audit", "jsonl", audit_filter=none)) == b""
