"""A list import shows what changed and re-screens every party the store knows: new hits land in the review
queue and in the import's report. Answers state how fresh their lists and rules are."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pytest

from chipcontrol.errors import InvalidInput
from chipcontrol.screening import ListEntry
from chipcontrol.services import audit, decide, lists, review
from chipcontrol.services.keys import Principal
from chipcontrol.services.rescreen import diff_entries
from chipcontrol.services.runtime import Runtime
from chipcontrol.settings import Settings

ADMIN = Principal("ada", "admin", 1)
ANALYST = Principal("ana", "analyst", 2)
CSL = Callable[[list[tuple[str, str, str]]], str]

BEFORE = [("entity_list", "Old Harbour Trading Co., Ltd.", "1 Quay, Ningbo, Zhejiang, China, CN"),
          ("entity_list", "Lanternfish Photonics Ltd.", "9 Road, Shenzhen, Guangdong, China, CN"),
          ("entity_list", "Gone Away Electronics Ltd.", "3 Lane, Wuhan, Hubei, China, CN")]
AFTER = [BEFORE[0],
         ("entity_list", "Lanternfish Photonics Ltd.", "10 New Road, Shenzhen, Guangdong, China, CN"),  # changed
         ("entity_list", "Zephyrine Quantum Devices Co., Ltd.", "5 Park, Hefei, Anhui, China, CN")]  # added


def _e(entry_id: str, name: str, address: str = "") -> ListEntry:
    return ListEntry(entry_id=entry_id, list_id="entity_list", name=name, address=address or None)


def test_diff_by_entry_id_then_content() -> None:
    before = [_e("a", "A"), _e("b", "B", "x"), _e("c", "C")]
    after = [_e("a", "A"), _e("b", "B", "y"), _e("d", "D")]
    d = diff_entries(before, after, ["entity_list"])
    assert [e.entry_id for e in d.added] == ["d"] and [e.entry_id for e in d.removed] == ["c"]
    assert [b.entry_id for b, _ in d.changed] == ["b"]
    assert d.to_dict()["entries_changed"][0]["fields"] == ["address"]
    assert {e.entry_id for e in d.touched} == {"b", "d"}


def test_import_diffs_rescreens_and_queues_new_hits(desk_rt: Runtime, csl: CSL) -> None:
    lists.import_list(desk_rt, fmt="csl-csv", content=csl(BEFORE).encode(), source="before.csv", by=ADMIN,
                      snapshot_date="2026-11-01")
    # parties the store knows: one from a customer file, one from a screening, one from a check
    out = lists.import_parties(desk_rt, content="name,country\nZephyrine Quantum Devices,CN\nPlain Bakery GmbH,DE\n",
                               source="customers.csv", by=ANALYST)
    assert out["parties"] == 2 and out["hits"] == 0
    decide.screen(desk_rt, ANALYST, "Lanternfish Photonics")
    decide.check(desk_rt, ANALYST, decide.ItemRef(chip="NVIDIA H20"),
                 decide.ShipmentQuery(destination="CN", end_user="Old Harbour Trading"))
    queued_before = {i["id"] for i in review.list_items(desk_rt.store, limit=1000)["items"]}

    result = lists.import_list(desk_rt, fmt="csl-csv", content=csl(AFTER).encode(), source="after.csv", by=ADMIN,
                               snapshot_date="2026-12-01")
    ch = result["change"]
    assert (ch["added"], ch["removed"], ch["changed"]) == (1, 1, 1)
    assert ch["entries_added"][0]["name"] == "Zephyrine Quantum Devices Co., Ltd."
    assert ch["entries_removed"][0]["name"] == "Gone Away Electronics Ltd."
    rs = result["rescreen"]
    assert rs["parties"] == 4
    hit_parties = {h["party"] for h in rs["hits"]}
    assert "Zephyrine Quantum Devices" in hit_parties  # a new entry hits a customer
    assert "Lanternfish Photonics" in hit_parties  # a changed entry is a new version: decided again
    assert "Old Harbour Trading" not in hit_parties and "Plain Bakery GmbH" not in hit_parties  # unchanged / no hit
    new = [i for i in review.list_items(desk_rt.store, limit=1000)["items"] if i["id"] not in queued_before]
    assert {i["party"] for i in new} == {"Zephyrine Quantum Devices", "Lanternfish Photonics"}
    assert all(i["source"] == "rescreen" and i["status"] == "open" for i in new)
    stored = lists.get_change(desk_rt, ch["id"])
    assert stored["report"]["new_hits"] == rs["new_hits"] and stored["diff"]["removed"] == 1
    kinds = [r["kind"] for r in audit.list_records(desk_rt.store, limit=50)["records"]]
    assert kinds[:2] == ["lists.rescreen", "lists.import"] and "parties.import" in kinds
    assert audit.verify(desk_rt.store).ok


def test_customer_file_errors_name_the_line(desk_rt: Runtime) -> None:
    with pytest.raises(InvalidInput, match="line 3"):
        lists.import_parties(desk_rt, content="name,country\nAcme,CN\nBad Co,XX\n", source="x", by=ANALYST)
    with pytest.raises(InvalidInput, match="no names"):
        lists.import_parties(desk_rt, content="\n\n", source="x", by=ANALYST)


def test_freshness_warns_on_old_lists_and_dates_after_the_rules_review() -> None:
    s = Settings()
    fresh = lists.freshness(dt.date(2026, 6, 1), dt.date(2026, 6, 10), s, snapshot=dt.date(2026, 6, 1),
                            current_to=dt.date(2026, 7, 8))
    assert fresh["list_age_days"] == 9 and fresh["warnings"] == []
    old = lists.freshness(dt.date(2026, 6, 1), dt.date(2026, 12, 2), s, snapshot=dt.date(2026, 7, 9),
                          current_to=dt.date(2026, 7, 8))
    assert old["list_age_days"] == 146 and "146 days old" in old["warnings"][0] and "limit is 30" in old["warnings"][0]
    far = lists.freshness(dt.date(9999, 12, 31), dt.date(2026, 7, 10), s, snapshot=dt.date(2026, 7, 9),
                          current_to=dt.date(2026, 7, 8))
    assert len(far["warnings"]) == 1 and "rules current to 2026-07-08" in far["warnings"][0]
    strict = dataclasses.replace(s, list_max_age_days=5)
    assert lists.freshness(dt.date(2026, 6, 1), dt.date(2026, 6, 10), strict, snapshot=dt.date(2026, 6, 1),
                           current_to=dt.date(2026, 7, 8))["warnings"]


def test_list_max_age_setting() -> None:
    assert Settings.from_env({"CHIPCONTROL_LIST_MAX_AGE_DAYS": "7"}).list_max_age_days == 7
    assert Settings.from_env({"CHIPCONTROL_REVIEW_FOUR_EYES": "0"}).review_four_eyes is False
    with pytest.raises(InvalidInput):
        Settings.from_env({"CHIPCONTROL_LIST_MAX_AGE_DAYS": "soon"})


def test_every_answer_states_its_freshness(desk_rt: Runtime) -> None:
    data = decide.check(desk_rt, ANALYST, decide.ItemRef(chip="NVIDIA H20"), decide.ShipmentQuery(destination="CN"),
                        as_of="9999-12-31")
    assert data["freshness"]["as_of"] == "9999-12-31"
    assert any("rules current to" in w for w in data["warnings"])
    screened = decide.screen(desk_rt, ANALYST, "Acme Widgets")
    assert screened["freshness"]["list_snapshot_date"] and "warnings" in screened


def test_parallel_rescreening_finds_what_one_process_finds() -> None:
    from chipcontrol.screening import bundled_snapshots
    from chipcontrol.services.rescreen import rescreen_parties

    listed = [e for s in bundled_snapshots() for e in s.entries if e.list_id == "entity_list"]
    before, after = listed[20:], listed  # 20 entries added
    diff = diff_entries(before, after, ["entity_list"])
    parties = [(e.name, e.country_code) for e in listed[:30]] + [("Plain Bakery GmbH", "DE")] * 5
    one, r1 = rescreen_parties(parties, diff, workers=1)
    two, r2 = rescreen_parties(parties, diff, workers=2)
    assert r2["processes"] == 2 and r1["processes"] == 1
    assert sorted(s.key for s in one) == sorted(s.key for s in two)
    assert {s.party for s in one} >= {e.name for e in listed[:20]}  # each added entry hits the party named for it
