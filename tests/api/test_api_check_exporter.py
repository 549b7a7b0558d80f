"""A check that names only the exporter runs on the event loop (no thread hop); one that names any other party runs
in a worker thread. Both paths give the same answer, recorded in full, with the exporter's hits in the review queue."""

from __future__ import annotations

from apitools import Api

from chipcontrol.services import decide

H20 = "NVIDIA H20"
LISTED = "Huawei Technologies Co., Ltd."


def test_which_checks_name_a_party_beyond_the_exporter() -> None:
    q = decide.ShipmentQuery
    assert not decide.names_beyond_exporter(q(destination="CN"))
    assert not decide.names_beyond_exporter(q(destination="CN", exporter="NVIDIA"))
    assert decide.names_beyond_exporter(q(destination="CN", exporter="NVIDIA", end_user="Example Cloud Sdn Bhd"))
    assert decide.names_beyond_exporter(q(destination="CN", owners=("Huawei Investment=51",)))
    assert decide.names_beyond_exporter(q(destination="CN", purchaser="Example Cloud Sdn Bhd"))


def test_a_listed_exporter_alone_is_screened_recorded_and_queued_for_review(api: Api) -> None:
    alone = {"chip": H20, "destination": "MY", "exporter": LISTED, "as_of": "2025-06-01"}
    r = api.client.post("/api/check", json=alone, headers=api.h("viewer"))
    assert r.status_code == 200, r.text
    data = r.json()
    # the same request with a second party goes through the worker thread: the exporter's part of the answer agrees
    r2 = api.client.post("/api/check", json={**alone, "end_user": "Example Cloud Sdn Bhd"}, headers=api.h("viewer"))
    assert r2.status_code == 200, r2.text
    other = r2.json()
    exporter_steps = [s for s in data["trace"] if "xporter" in s["question"]]
    assert exporter_steps and exporter_steps == [s for s in other["trace"] if "xporter" in s["question"]]
    assert any("restricted" in s["question"] and s["status"] == "warning" for s in exporter_steps), exporter_steps
    rec = api.client.get(f"/api/audit/{data['audit_seq']}", headers=api.h("viewer")).json()
    assert rec["result"] == {k: v for k, v in data.items() if k != "audit_seq"}
    assert rec["snapshot_id"].startswith("lists-")
    queue = api.client.get("/api/review", headers=api.h("analyst")).json()
    assert any(item["party"] == LISTED and item["blocking"] for item in queue["items"]), queue
