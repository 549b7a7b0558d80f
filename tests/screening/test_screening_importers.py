"""Importers on real samples, malformed input, and the never-lose-a-good-snapshot rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chipcontrol.errors import ScreeningError
from chipcontrol.screening import (
    Screener,
    SnapshotStore,
    bundled_snapshots,
    import_csl_csv,
    import_csl_json,
    import_nsfreg_json,
    import_ofac_sdn_csv,
)
from chipcontrol.screening.store import bundled_bytes


def test_bundled_snapshot_counts_and_hashes() -> None:
    snaps = {s.list_ids[0]: s for s in bundled_snapshots()}
    assert {k: len(v) for k, v in snaps.items()} == {
        "entity_list": 3409, "meu": 70, "dpl": 564, "1260h": 80, "ns_cmic": 68}
    assert snaps["entity_list"].sha256.startswith("2a8fc0755e063688")
    assert snaps["1260h"].sha256.startswith("8b846b9290080ea1")
    assert all(s.snapshot_date == "2026-07-09" for s in snaps.values())
    el = snaps["entity_list"]
    inspur = next(e for e in el.entries if e.name == "Inspur (Beijing) Electronic Information Industry Co., Ltd.")
    assert "Langchao Beijing Electronic Information Co., Ltd." in inspur.aliases
    assert inspur.country_code == "CN"
    assert inspur.federal_register == "90 FR 14048, 3/28/25"
    assert len({e.entry_id for e in el.entries}) >= len(el.entries) - 5  # near-unique stable ids


def test_csl_csv_2025_schema(fixtures: Path) -> None:
    snap = import_csl_csv((fixtures / "csl_sample_2025-06.csv").read_bytes(), source="sample")
    assert snap.source_format == "csl-csv"
    assert len(snap) == 13
    assert snap.counts()["ssi"] == 3
    el = next(e for e in snap.entries if e.list_id == "entity_list")
    assert el.name.startswith("China Electronics Technology Group Corporation 13th Research Institute")
    assert "Hebei Semiconductor Research Institute" in el.aliases
    assert el.country_code == "CN"
    assert el.license_policy and "denial" in el.license_policy.lower()
    assert el.entry_id == "entity_list:99ed1b052fdb09695fae1ba87516d8a0882b0df04652e07aeb5ce7be"
    sdn = next(e for e in snap.entries if e.list_id == "sdn")
    assert sdn.programs == ("NPWMD",)
    assert len(snap.sha256) == 64


def test_csl_csv_legacy_2019_schema(fixtures: Path) -> None:
    snap = import_csl_csv((fixtures / "csl_sample_2019-12_legacy_schema.csv").read_bytes())
    assert len(snap) == 115
    assert snap.counts()["entity_list"] == 22
    assert snap.counts()["dpl"] == 8
    assert all(e.name == e.name.strip() for e in snap.entries)


def test_csl_json_layout(fixtures: Path) -> None:
    data = (fixtures / "csl_sample_2025-06.json").read_bytes()
    snap = import_csl_json(data)
    csv_snap = import_csl_csv((fixtures / "csl_sample_2025-06.csv").read_bytes())
    assert snap.source_format == "csl-json"
    assert [e.name for e in snap.entries] == [e.name for e in csv_snap.entries]
    assert [e.list_id for e in snap.entries] == [e.list_id for e in csv_snap.entries]
    assert [e.aliases for e in snap.entries] == [e.aliases for e in csv_snap.entries]
    # a bare list of results is accepted too
    bare = json.dumps(json.loads(data)["results"])
    assert len(import_csl_json(bare)) == 13


def test_csl_snapshot_screens_with_list_semantics(fixtures: Path) -> None:
    snap = import_csl_csv((fixtures / "csl_sample_2025-06.csv").read_bytes())
    scr = Screener([snap])
    r = scr.screen("Rosneft Trade Limited")
    assert r.hits[0].list_id == "ssi"
    r2 = scr.screen("Hebei Semiconductor Research Institute")
    assert r2.hits[0].list_id == "entity_list"
    assert r2.hits[0].meaning.effect == "license_required"


def test_ofac_sdn_csv(fixtures: Path) -> None:
    snap = import_ofac_sdn_csv(*((fixtures / f"ofac_{x}.csv").read_bytes() for x in ("sdn", "alt", "add")))
    assert snap.list_ids == ("sdn",)
    assert len(snap) == 48
    bnc = next(e for e in snap.entries if e.entry_id == "sdn:306")
    assert bnc.name == "BANCO NACIONAL DE CUBA"
    assert "NATIONAL BANK OF CUBA" in bnc.aliases
    assert bnc.programs == ("CUBA",)
    hits = Screener([snap]).screen("National Bank of Cuba").hits
    assert hits and hits[0].entry.entry_id == "sdn:306"


def test_nsfreg_roundtrip_and_hash_changes_with_content() -> None:
    raw = bundled_bytes("meu")
    a = import_nsfreg_json(raw)
    doc = json.loads(raw)
    doc["entities"] = doc["entities"][:-1]
    doc["count"] = len(doc["entities"])
    b = import_nsfreg_json(json.dumps(doc))
    assert a.list_ids == ("meu",) and len(a) == 70 and len(b) == 69
    assert a.sha256 != b.sha256


MALFORMED = [
    (import_nsfreg_json, b""),
    (import_nsfreg_json, b"{not json"),
    (import_nsfreg_json, b'{"list_id": "bis-meu", "entities": {}}'),
    (import_nsfreg_json, b'{"list_id": "bis-meu", "count": 3, "entities": [{"name": "A"}]}'),
    (import_nsfreg_json, b'{"list_id": "bis-meu", "entities": [{"aliases": []}]}'),
    (import_nsfreg_json, b'{"list_id": "bis-meu", "entities": [{"name": "A", "aliases": [1]}]}'),
    (import_nsfreg_json, b'{"list_id": "who-knows", "entities": [{"name": "A"}]}'),
    (import_nsfreg_json, b'{"list_id": "bis-meu", "entities": []}'),
    (import_nsfreg_json, b"\xff\xfe\x00garbage"),
    (import_csl_csv, b"just,some,columns\n1,2,3\n"),
    (import_csl_csv, b"source,name\n\"Entity List (EL),Foo\n"),
    (import_csl_csv, b"source,name\nEntity List (EL),\n"),
    (import_csl_csv, b"source,name\n"),
    (import_csl_csv, b"source,name\nEntity List (EL),Foo,extra\n"),
    (import_csl_json, b'{"results": "nope"}'),
    (import_csl_json, b'{"results": [{"source": "Entity List (EL)"}]}'),
    (import_csl_json, b"[1, 2]"),
    (import_ofac_sdn_csv, b"not,an,sdn,file\n"),
    (import_ofac_sdn_csv, b"12,ONLY TWO\n"),
]


@pytest.mark.parametrize(("importer", "data"), MALFORMED)
def test_malformed_input_raises_screening_error(importer: object, data: bytes) -> None:
    with pytest.raises(ScreeningError) as exc:
        importer(data)  # type: ignore[operator]
    assert "\n" not in str(exc.value)


def test_failed_import_keeps_the_previous_snapshot(fixtures: Path) -> None:
    store = SnapshotStore.bundled()
    before = store.snapshots
    scr = store.screener()
    assert scr.screen("Huawei Technologies Co., Ltd.").hits
    good_el = next(s for s in before if "entity_list" in s.list_ids)
    raw = bundled_bytes("entity_list")
    truncated = raw[: len(raw) // 2]
    with pytest.raises(ScreeningError):
        store.update(lambda: import_nsfreg_json(truncated, list_id="entity_list"))
    with pytest.raises(ScreeningError):
        store.update(lambda: import_csl_csv(b"garbage"))

    def buggy() -> object:
        raise KeyError("importer bug")

    with pytest.raises(ScreeningError):
        store.update(buggy)  # type: ignore[arg-type]
    assert store.snapshots == before
    assert store.screener() is scr  # not rebuilt
    assert next(s for s in store.snapshots if "entity_list" in s.list_ids) is good_el
    assert scr.screen("Huawei Technologies Co., Ltd.").hits[0].list_id == "entity_list"


def test_successful_import_replaces_only_its_lists(fixtures: Path) -> None:
    store = SnapshotStore.bundled()
    raw = json.loads(bundled_bytes("entity_list"))
    raw["entities"] = [e for e in raw["entities"] if "Huawei" not in e["name"]]
    raw["count"] = len(raw["entities"])
    raw["extracted"] = "2026-08-01"
    snap = store.update(lambda: import_nsfreg_json(json.dumps(raw), source="newer"))
    assert snap.snapshot_date == "2026-08-01"
    lists = sorted(lid for s in store.snapshots for lid in s.list_ids)
    assert lists == ["1260h", "dpl", "entity_list", "meu", "ns_cmic"]
    r = store.screener().screen("Huawei Technologies Co., Ltd.")
    assert not [h for h in r.hits if h.list_id == "entity_list" and "Huawei" in h.entry.name]
    assert "ns_cmic" in {x.list_id for h in r.hits for x in h.listings}  # other lists untouched
