"""The ownership register as a service and on the command line, on SQLite and PostgreSQL: holdings with source and
date, history kept (superseded and removed rows, who and why), the register valid as a whole (the rules' check),
all-or-nothing imports naming file and line, every change audited, concurrent writers that cannot together break
it, and the holdings above a check's parties."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from fractions import Fraction
from pathlib import Path

import pytest
from sqlalchemy import select

from chipcontrol.errors import ChipControlError, Conflict, Forbidden, InvalidInput, NotFound
from chipcontrol.services import audit
from chipcontrol.services import ownership_register as reg
from chipcontrol.services.keys import Principal
from chipcontrol.store import Store
from chipcontrol.store.models import KnownParty, OwnershipEntry

ALICE = Principal("alice", "analyst", 1)
BOB = Principal("bob", "analyst", 2)
VIEWER = Principal("victor", "viewer", 3)


def _count(store: Store) -> int:
    with store.read() as s:
        return len(list(s.scalars(select(OwnershipEntry))))


def test_add_update_remove_keep_the_history_and_audit_every_change(desk_store: Store) -> None:
    first = reg.add(desk_store, ALICE, reg.Holding("Example Holdings Ltd", "Example Cloud Sdn Bhd", "51",
                                                    "registry filing", "2026-01-10"))["entry"]
    assert (first["percent"], first["as_of"], first["recorded_by"]) == ("51", "2026-01-10", "alice")
    with pytest.raises(Conflict, match="update that entry"):
        reg.add(desk_store, BOB, reg.Holding("EXAMPLE HOLDINGS  LTD", "example cloud sdn bhd", "60"))
    changed = reg.update(desk_store, BOB, first["id"], percent="49.99", reason="new filing")
    second = changed["entry"]
    assert changed["superseded"] == [first["id"]] and second["source"] == "registry filing"
    with pytest.raises(InvalidInput, match="nothing to change"):
        reg.update(desk_store, BOB, second["id"], percent="49.990")
    with pytest.raises(Conflict):
        reg.update(desk_store, BOB, first["id"], percent="10")
    with pytest.raises(InvalidInput, match="reason"):
        reg.remove(desk_store, BOB, second["id"], "  ")
    reg.remove(desk_store, ALICE, second["id"], "sold to a fund")
    hist = reg.get_entry(desk_store, second["id"])["history"]
    assert [(h["id"], h["status"], h["ended_by"], h["end_reason"]) for h in hist] == [
        (second["id"], "removed", "alice", "sold to a fund"), (first["id"], "superseded", "bob", "new filing")]
    assert hist[1]["superseded_by"] == second["id"] and hist[0]["supersedes"] == first["id"]
    assert reg.count_current(desk_store) == 0
    records = audit.list_records(desk_store, limit=10, full=True)["records"]
    assert [r["kind"] for r in records] == ["ownership.remove", "ownership.update", "ownership.add"]
    assert records[1]["actor"] == "bob (key 2)" and records[1]["result"]["superseded"] == [first["id"]]
    assert audit.verify(desk_store).ok
    with desk_store.read() as s:  # owner and owned are known parties, re-screened at each list change
        names = {p.name for p in s.scalars(select(KnownParty))}
    assert {"Example Holdings Ltd", "Example Cloud Sdn Bhd"} <= names
    with pytest.raises(Forbidden):
        reg.add(desk_store, VIEWER, reg.Holding("A", "B", "1"))
    with pytest.raises(NotFound):
        reg.get_entry(desk_store, 999)


@pytest.mark.parametrize(("content", "message"), [
    ("", "f.csv: empty ownership file"),
    ("owner,owned,percent,country\nA,B,5,CN\n", "f.csv:1: unknown column 'country'"),
    ("owner,percent\nA,5\n", "f.csv:1: missing column 'owned'"),
    ("owner,owned,percent\nA,B,5\nC,,5\n", "f.csv:3: empty owned name"),
    ("owner,owned,percent\nQ,R,1\nA,B,five\n", "f.csv:3: percentage 'five' is not a number"),
    ("owner,owned,percent\nQ,Y,99.6\n", "f.csv:2: owners of 'Y' add up to 100.1 %, over 100 %"),
    ("owner,owned,percent\nA,B,-0.01\n", "f.csv:2: percentage -0.01 is outside 0-100"),
    ("owner,owned,percent\nA,B,NaN\n", "f.csv:2: percentage 'NaN' is not a finite number"),
    ("owner,owned,percent\nA,B,60\nC,B,40.01\n", "f.csv:3: owners of 'B' add up to 100.01 %, over 100 %"),
    ("owner,owned,percent\nA,B,10\nB,C,10\nC,A,10\n", "f.csv:4: ownership cycle: a -> b -> c -> a"),
    ("owner,owned,percent\nA,B,10\nA,B,20\n", "f.csv:3: 'A' -> 'B' is given twice (also f.csv:2)"),
    ("owner,owned,percent\nA,a,10\n", "f.csv:2: 'A' cannot own itself"),
    ("owner,owned,percent,source,as_of\nA,B,10,x,2026-02-30\n", "f.csv:2: as_of '2026-02-30' is not a date"),
    ("owner,owned,percent\nA,B,10,extra\n", "f.csv:2: 4 fields, the header has 3"),
])
def test_a_bad_file_stores_nothing_and_names_its_line(desk_store: Store, content: str, message: str) -> None:
    reg.add(desk_store, ALICE, reg.Holding("Z", "Y", "0.5"))  # the register before: one row
    with pytest.raises(InvalidInput) as exc:
        reg.import_csv(desk_store, ALICE, content, "f.csv")
    assert str(exc.value).startswith(message) and "\n" not in str(exc.value)
    assert _count(desk_store) == 1
    assert audit.list_records(desk_store, limit=5)["total"] == 1


def test_an_import_adds_supersedes_and_leaves_identical_rows_alone(desk_store: Store) -> None:
    text = ("owner,owned,percent,source,as_of\n"
            "\"Huawei Technologies Co., Ltd.\",Example Holdings Ltd,60,annual report,2025-12-31\n"
            "Example Holdings Ltd,Example Cloud Sdn Bhd,51,registry,2026-01-10\n")
    out = reg.import_csv(desk_store, ALICE, text, "owners.csv")
    assert (out["added"], out["updated"], out["unchanged"]) == (2, 0, 0)
    again = reg.import_csv(desk_store, BOB, text.replace(",51,registry,2026-01-10", ",49.99,registry,2026-03-01"),
                           "owners-2.csv")
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 1, 1) and len(again["ended"]) == 1
    rec = audit.get_record(desk_store, again["audit_seq"])
    assert rec["kind"] == "ownership.import" and rec["inputs"]["file"] == "owners-2.csv"
    assert len(rec["inputs"]["sha256"]) == 64
    entries = reg.list_entries(desk_store, reg.Filter(status="all"))["entries"]
    assert sorted((e["percent"], e["status"]) for e in entries) == [("49.99", "current"), ("51", "superseded"),
                                                                     ("60", "current")]
    assert reg.list_entries(desk_store, reg.Filter(search="annual"))["total"] == 1
    assert reg.list_entries(desk_store, reg.Filter(owner="huawei"))["total"] == 1


def test_the_holdings_above_a_party_walk_up_the_chain_and_skip_what_the_request_gives(desk_store: Store) -> None:
    reg.import_csv(desk_store, ALICE, "owner,owned,percent,source,as_of\n"
                                      "Top Co,Mid Co,100,filing,2025-01-01\n"
                                      "Mid Co,Customer Ltd,60,,\n"
                                      "Other Co,Customer Ltd,40,,\n"
                                      "Top Co,Unrelated Ltd,10,,\n", "o.csv")
    above = reg.holdings_above(desk_store, ["customer  LTD"])
    assert sorted((e["owner"], e["owned"]) for e in above) == [("Mid Co", "Customer Ltd"),
                                                               ("Other Co", "Customer Ltd"), ("Top Co", "Mid Co")]
    links = {link.owner: link for link in map(reg.as_link, above)}
    assert links["Top Co"].percent == Fraction(100) and links["Top Co"].source == "filing"
    assert links["Top Co"].origin.endswith(", as of 2025-01-01") and links["Mid Co"].origin.endswith(", undated")
    mine = reg.holdings_above(desk_store, ["Customer Ltd", "Mid Co"], given=["Customer Ltd"])
    assert [(e["owner"], e["owned"]) for e in mine] == [("Top Co", "Mid Co")]


def test_two_writers_at_once_cannot_together_push_an_entity_over_100_percent(desk_store: Store) -> None:
    reg.add(desk_store, ALICE, reg.Holding("Seed", "Target Ltd", "40"))
    results: list[str] = []
    barrier = threading.Barrier(2)

    def write(owner: str, who: Principal) -> None:
        barrier.wait()
        try:
            reg.add(desk_store, who, reg.Holding(owner, "Target Ltd", "35"))
            results.append("ok")
        except ChipControlError as exc:
            results.append(str(exc))

    threads = [threading.Thread(target=write, args=(f"Owner {i}", who)) for i, who in enumerate((ALICE, BOB))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == 2 and "ok" in results
    assert next(r for r in results if r != "ok").startswith("owners of 'Target Ltd' add up to 110 %")
    assert reg.count_current(desk_store) == 2
    assert audit.verify(desk_store).ok


def _cli(args: list[str], db: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHIPCONTROL_DATABASE_URL": db, "CHIPCONTROL_CACHE_DIR": str(tmp / "cache")}
    return subprocess.run([sys.executable, "-m", "chipcontrol", "ownership", *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def test_the_command_line_records_lists_and_refuses_a_bad_file_in_one_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    good = tmp_path / "owners.csv"
    good.write_text("owner,owned,percent,source,as_of\nExample Holdings Ltd,Example Cloud Sdn Bhd,51,registry,"
                    "2026-01-10\n", encoding="utf-8")
    r = _cli(["import", str(good), "--as", "alice"], db, tmp_path)
    assert r.returncode == 0 and "1 added, 0 updated, 0 unchanged" in r.stdout, r.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("owner,owned,percent\nA,B,10\nB,A,5\n", encoding="utf-8")
    r = _cli(["import", str(bad)], db, tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == f"error: {bad}:3: ownership cycle: a -> b -> a\n"
    r = _cli(["add", "Tan Family Trust", "Example Cloud Sdn Bhd", "60", "--as", "bob"], db, tmp_path)
    assert r.returncode == 2 and r.stderr.startswith("error: owners of 'Example Cloud Sdn Bhd' add up to 111 %")
    r = _cli(["update", "1", "--percent", "49.99", "--reason", "filing", "--as", "bob"], db, tmp_path)
    assert r.returncode == 0 and "supersedes 1" in r.stdout
    r = _cli(["list", "--status", "all", "--format", "json"], db, tmp_path)
    import json

    data = json.loads(r.stdout)
    assert data["total"] == 2 and {e["status"] for e in data["entries"]} == {"current", "superseded"}
    r = _cli(["remove", "2"], db, tmp_path)
    assert r.returncode == 2 and "--reason" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = _cli(["remove", "2", "--reason", "sold"], db, tmp_path)
    assert r.returncode == 0
    r = _cli(["show", "2"], db, tmp_path)
    assert "removed" in r.stdout and "sold" in r.stdout and "by cli" in r.stdout
