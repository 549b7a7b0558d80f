"""The review queue: every hit is an item keyed on (party, entry, entry version); a decision is remembered and
shown on later screenings until the entry changes; clearing a blocking-list hit needs a second person."""

from __future__ import annotations

import dataclasses

import pytest

from chipcontrol.errors import Forbidden, InvalidInput
from chipcontrol.services import audit, decide, review
from chipcontrol.services.keys import Principal
from chipcontrol.services.runtime import Runtime

ALICE = Principal("alice", "analyst", 11)
ALICE_OTHER_KEY = Principal("alice", "admin", 12)
BOB = Principal("bob", "analyst", 13)
VIEWER = Principal("vic", "viewer", 14)
HUAWEI = "Huawei Technologies Co., Ltd."


def _queue(rt: Runtime, **kw: object) -> list[dict[str, object]]:
    return review.list_items(rt.store, review.QueueFilter(**kw), limit=1000)["items"]  # type: ignore[arg-type]


def _entity_item(rt: Runtime) -> dict[str, object]:
    return next(i for i in _queue(rt, party=HUAWEI) if i["list"] == "entity_list")


def test_a_screening_fills_the_queue_once(desk_rt: Runtime) -> None:
    first = decide.screen(desk_rt, ALICE, HUAWEI)
    n = len(_queue(desk_rt))
    assert n >= len(first["hits"]) >= 1
    assert all(i["status"] == "open" and i["source"] == "screen" for i in _queue(desk_rt))
    assert first["hits"][0]["review"]["status"] == "new"
    decide.screen(desk_rt, BOB, HUAWEI)  # the same party again: the same items, not new ones
    assert len(_queue(desk_rt)) == n
    blocking = _queue(desk_rt, blocking=True)
    assert blocking and all(i["list"] in ("entity_list", "meu", "dpl") for i in blocking)


def test_four_eyes_for_clearing_a_blocking_hit(desk_rt: Runtime) -> None:
    decide.screen(desk_rt, ALICE, HUAWEI)
    item = _entity_item(desk_rt)
    assert item["blocking"] is True
    out = review.decide(desk_rt.store, desk_rt.settings, ALICE, [item["id"]], "false_positive", "other firm")
    assert out[0]["status"] == "pending_second"
    with pytest.raises(review.FourEyesRequired, match="second person"):
        review.decide(desk_rt.store, desk_rt.settings, ALICE_OTHER_KEY, [item["id"]], "false_positive", "sure")
    out = review.decide(desk_rt.store, desk_rt.settings, BOB, [item["id"]], "false_positive", "checked the address")
    assert out[0]["status"] == "false_positive"
    assert [d["reviewer"] for d in out[0]["decisions"]] == ["alice", "bob"]
    kinds = [r["kind"] for r in audit.list_records(desk_rt.store, kind="review.decide", limit=10)["records"]]
    assert kinds == ["review.decide", "review.decide"]  # the refused confirmation left no record
    assert audit.verify(desk_rt.store).ok


def test_the_decision_is_applied_to_later_screenings(desk_rt: Runtime) -> None:
    decide.screen(desk_rt, ALICE, HUAWEI)
    item = _entity_item(desk_rt)
    review.decide(desk_rt.store, desk_rt.settings, ALICE, [item["id"]], "true_match", "it is them")
    later = decide.screen(desk_rt, BOB, HUAWEI)
    states = [s for h in later["hits"] for s in (h["review"].get("listings") or [h["review"]])]
    mine = next(s for s in states if s["item"] == item["id"])
    assert mine["status"] == "true_match" and mine["decided_by"] == "alice" and mine["reason"] == "it is them"
    rec = audit.get_record(desk_rt.store, later["audit_seq"])
    assert "true_match" in str(rec["result"]["hits"])  # the answer as recorded shows the remembered decision


def test_a_changed_entry_is_a_new_item(desk_rt: Runtime) -> None:
    hit = {"entry_id": "entity_list:abc", "list": "entity_list", "name": "Example Co", "address": "1 Road",
           "score": 0.95, "effect": "license_required"}
    moved = {**hit, "address": "2 Street"}
    s1, s2 = review.sightings("Example Co", "CN", [hit]), review.sightings("Example Co", "CN", [moved])
    assert s1[0].key[:2] == s2[0].key[:2] and s1[0].key[2] != s2[0].key[2]
    assert review.entry_version({**hit, "score": 0.5, "matched_name": "x"}) == s1[0].key[2]  # query fields ignored
    assert review.entry_version({**hit, "entry_version": "v2"}) == "v2"  # the screening's own version wins
    with desk_rt.store.write() as session:
        review.enqueue(session, s1, "screen", None)
    [item] = _queue(desk_rt)
    review.decide(desk_rt.store, desk_rt.settings, BOB, [item["id"]], "escalate", "ask legal")
    with desk_rt.store.write() as session:
        review.enqueue(session, s1 + s2, "rescreen", None)
    statuses = sorted(i["status"] for i in _queue(desk_rt))
    assert statuses == ["escalated", "open"]


def test_grouped_listings_are_decided_one_by_one() -> None:
    hit = {"name": "Acme", "score": 1.0, "listings": [
        {"entry_id": "entity_list:1", "list": "entity_list", "effect": "license_required"},
        {"entry_id": "1260h:2", "list": "1260h", "effect": "informational"}]}
    found = review.sightings("Acme", None, [hit])
    assert [s.listing["entry_id"] for s in found] == ["entity_list:1", "1260h:2"]
    assert [review.is_blocking(s.listing) for s in found] == [True, False]


def test_a_check_result_with_parties_is_read_first() -> None:
    data = {"shipment": {"destination": "CN"},
            "parties": [{"name": "Acme", "role": "purchaser", "country": "HK", "hits": [{"entry_id": "e:1"}]},
                        {"name": "Beta", "role": "end_user", "hits": [{"list": "entity_list"}]}],
            "screening": [{"party": "Ignored", "hits": []}]}
    assert decide.screened_parties(data) == [("Acme", "HK", [{"entry_id": "e:1"}]), ("Beta", "CN", None)]
    old = {"shipment": {"destination": "CN"}, "screening": [{"party": "Gamma", "role": "end_user", "hits": []}]}
    assert decide.screened_parties(old) == [("Gamma", "CN", [])]


def test_informational_hits_clear_with_one_person_and_four_eyes_can_be_off(desk_rt: Runtime) -> None:
    decide.screen(desk_rt, ALICE, HUAWEI)
    info = next(i for i in _queue(desk_rt, party=HUAWEI) if not i["blocking"])
    assert review.decide(desk_rt.store, desk_rt.settings, ALICE, [info["id"]], "false_positive",
                         "n/a")[0]["status"] == "false_positive"
    relaxed = dataclasses.replace(desk_rt.settings, review_four_eyes=False)
    item = _entity_item(desk_rt)
    assert review.decide(desk_rt.store, relaxed, ALICE, [item["id"]], "false_positive", "x")[0]["status"] == \
        "false_positive"


def test_bad_decisions(desk_rt: Runtime) -> None:
    decide.screen(desk_rt, ALICE, HUAWEI)
    item = _entity_item(desk_rt)
    with pytest.raises(Forbidden):
        review.decide(desk_rt.store, desk_rt.settings, VIEWER, [item["id"]], "true_match", "x")
    with pytest.raises(InvalidInput, match="reason"):
        review.decide(desk_rt.store, desk_rt.settings, ALICE, [item["id"]], "true_match", "   ")
    with pytest.raises(InvalidInput, match="verdict"):
        review.decide(desk_rt.store, desk_rt.settings, ALICE, [item["id"]], "maybe", "x")
    with pytest.raises(review.NotFound):
        review.decide(desk_rt.store, desk_rt.settings, ALICE, [item["id"], 99999], "true_match", "x")
    assert _entity_item(desk_rt)["status"] == "open"  # all or none
    with pytest.raises(InvalidInput):
        review.list_items(desk_rt.store, review.QueueFilter(status="bogus"))


def test_cleared_entries_for_the_licence_determination(desk_rt: Runtime) -> None:
    decide.screen(desk_rt, ALICE, HUAWEI)
    item = _entity_item(desk_rt)
    assert review.cleared_entries(desk_rt.store, HUAWEI) == {}
    review.decide(desk_rt.store, desk_rt.settings, ALICE, [item["id"]], "false_positive", "x")
    assert review.cleared_entries(desk_rt.store, HUAWEI) == {}  # one person is not enough
    review.decide(desk_rt.store, desk_rt.settings, BOB, [item["id"]], "false_positive", "y")
    assert review.cleared_entries(desk_rt.store, " huawei technologies co., LTD. ") == {
        item["entry_id"]: item["entry_version"]}
