"""The vectorised evaluation gives exactly the per-shipment answers: every line, every field.

The reference is computed here, independently of chipcontrol.batch: each line's raw fields go through
``assess.check_item`` with the party screener the `check` command uses, and its JSON is turned into the output
fields by this file's own code (owners' hits, which ``check`` does not list, by a screening call of their own).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from chipcontrol.batch.evaluate import OUTPUT_SCHEMA, Evaluator, decision_dates
from chipcontrol.batch.generate import generate_shipments
from chipcontrol.batch.reader import read_input
from chipcontrol.catalog import Catalog
from chipcontrol.rules.ruleset import Ruleset
from chipcontrol.services import assess
from chipcontrol.services.parties import default_party_screener
from chipcontrol.services.specfile import spec_from_mapping
from chipcontrol.settings import Settings

UNTIL = dt.date(2026, 12, 1)
COLS = ["line_id", "chip", "spec", "quantity", "destination", "origin", "end_user", "end_user_hq", "exporter",
        "end_use", "date", "purchaser", "ultimate_consignee", "intermediate_consignee", "owners", "made_in", "region",
        "answers"]


def _blank(v: str | None) -> str | None:
    return None if v is None or not v.strip() else v


def _split(v: str | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in (v or "").split(";") if x.strip())


def _hits(hits: list[dict[str, Any]]) -> str:
    return " | ".join(f"{h['list']}: {h['listed_name']} ({h['score']:.2f})" for h in hits)


def reference(row: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """What the per-shipment path says about one raw line, in the batch output's terms."""
    row = {k: _blank(v) for k, v in row.items()}
    if row.get("chip"):
        item = assess.resolve_item(row["chip"], None)
    else:
        item = assess.Item(spec_from_mapping(json.loads(row["spec"]), origin="spec", catalog=Catalog.load()), None)
    uses = tuple(u for u in (row.get("end_use") or "").replace("|", ";").replace(",", ";").split(";") if u.strip())
    req = assess.CheckRequest(
        destination=row["destination"], origin=row.get("origin") or "US", end_user=row.get("end_user"),
        end_user_hq=row.get("end_user_hq"), exporter=row.get("exporter"),
        quantity=int(row["quantity"]) if row.get("quantity") else None, end_uses=tuple(u.strip() for u in uses),
        purchaser=row.get("purchaser"), ultimate_consignee=row.get("ultimate_consignee"),
        intermediate_consignees=_split(row.get("intermediate_consignee")), owners=_split(row.get("owners")),
        made_in=row.get("made_in"), region=row.get("region"),
        answers=tuple((a.split("=", 1)[0], a.split("=", 1)[1]) for a in _split(row.get("answers"))))
    day = dt.date.fromisoformat(row["date"].strip())
    screen = default_party_screener()
    data = assess.check_item(item, req, day, settings, screen=screen if req.named() else None)
    reasons: list[tuple[str, str]] = []
    for r in data["reasons"]:
        if (r["rule_id"], r["citation"]) not in reasons:
            reasons.append((r["rule_id"], r["citation"]))
    other = data.get("other_view")
    screened = data["screening"]
    eu = [s for s in screened if s["role"] == "end_user"]
    others = [(s["role"], s["party"], s["hits"]) for s in screened if s["role"] != "end_user"]
    for owner in _split(row.get("owners")):
        name = " ".join(owner.rsplit("=", 1)[0].split())
        others.append(("owner", name, [{"list": h.list, "listed_name": h.listed_name, "score": h.score}
                                       for h in screen(name, None)[0]]))
    questions = data["questions"]
    parties = data["parties"]
    eu_party = [p for p in parties if p["role"] == "end_user"]
    return {
        "line_id": row["line_id"], "item": data["item"]["name"], "destination": data["shipment"]["destination"],
        "as_of": data["as_of"], "outcome": data["outcome"], "license_required": data["license_required"],
        "prohibited": data["prohibited"], "subject_to_ear": data["subject_to_ear"],
        "review_policy": data["review_policy"],
        "license_exceptions": " | ".join(e["name"] for e in data["license_exceptions"]),
        "questions": " | ".join(
            q["id"] + ": " + ", ".join(f"{r['reply']}→{r['outcome']}" + (f"/{r['review_policy']}"
                                                                          if r["review_policy"] else "")
                                       for r in q["replies"]) for q in questions) or None,
        "reason_rule_ids": " | ".join(r for r, _ in reasons), "reason_citations": " | ".join(c for _, c in reasons),
        "paragraph": data["paragraph"], "indeterminate": data["indeterminate"],
        "parties": " | ".join(f"{p['role']}: {p['effect'] or 'clear'}" for p in parties) or None,
        "listed_share": eu_party[0]["listed_share"] if eu_party else None,
        "affiliate": any(p["affiliate"] for p in parties),
        "questions_json": json.dumps([{k: q[k] for k in ("id", "answer_with", "citation", "replies")}
                                      for q in questions], ensure_ascii=False, separators=(",", ":"))
        if questions else None,
        "rule_version": data["rule_version"],
        "other_view_outcome": None if other is None else other["outcome"],
        "other_view_license_required": None if other is None else other["license_required"],
        "other_view_review_policy": None if other is None else other["review_policy"],
        "screening_hits": _hits(eu[0]["hits"]) if eu else None,
        "party_hits": " | ".join(f"{role} {name}: {_hits([h])}" for role, name, hits in others for h in hits)
        if others else None,
        "view": data["view"],
    }


def _compare(raw: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    out, rejects = Evaluator(settings).evaluate(raw)
    assert list(out.columns) == list(OUTPUT_SCHEMA)
    rejected = set(rejects.get_column("line_id").drop_nulls().to_list())
    by_id = {r["line_id"]: r for r in raw.iter_rows(named=True)}
    assert out.height + rejects.height == raw.height
    mismatches: list[str] = []
    for got in out.iter_rows(named=True):
        want = reference(by_id[got["line_id"]], settings)
        assert set(want) == set(got)
        for k, v in want.items():
            if got[k] != v:
                mismatches.append(f"{got['line_id']} {k}: batch {got[k]!r} != check_item {v!r}")
    assert not mismatches, f"{len(mismatches)} mismatches, e.g.\n" + "\n".join(mismatches[:10])
    assert not rejected & set(out.get_column("line_id").to_list())
    return out


def _frame(rows: list[dict[str, str | None]]) -> pl.DataFrame:
    return pl.DataFrame([{c: r.get(c) for c in COLS} for r in rows], schema=dict.fromkeys(COLS, pl.String))


def test_vectorised_equals_per_shipment_on_2000_random_lines(shipments_2k: Path) -> None:
    raw, _ = read_input(shipments_2k)
    out = _compare(raw, Settings())
    assert out.height > 1900
    # the sample exercises the interesting answers, not just "no licence required"
    outcomes = set(out.get_column("outcome").to_list())
    assert {"license_required", "no_license_required", "indeterminate"} <= outcomes
    assert out.filter(pl.col("reason_rule_ids").str.contains("screening.entity_list")).height > 0
    assert out.filter(pl.col("reason_rule_ids").str.contains("ear.744.is_informed")).height > 0
    assert out.filter(pl.col("other_view_license_required").is_not_null()).height > 0
    assert out.filter(pl.col("questions").str.contains("end_user.headquarters")).height > 0
    assert out.filter(pl.col("questions").str.contains("exporter.is_")).height > 0
    assert out.filter(pl.col("parties").str.contains("purchaser: licence required")).height > 0
    assert out.filter(pl.col("listed_share") > 0).height > 0
    assert out.filter(pl.col("party_hits").str.contains("owner ")).height > 0


def test_as_written_view_with_quantities_equals_per_shipment() -> None:
    """Law as written: License Exception LPP reads the quantity, so the quantity joins the key there."""
    raw = generate_shipments(1_500, seed=21, until=UNTIL).filter(pl.col("date") >= "2025-01-01")
    settings = Settings(view="as_written")
    out = _compare(raw, settings)
    lpp = pl.col("license_exceptions").str.contains("LPP")
    assert out.filter(lpp).height > 0
    assert out.filter(~lpp & (pl.col("paragraph") == "3A090.a") & pl.col("license_required")).height > 0


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
    raw = _frame([dict(zip(COLS[:11], r, strict=True)) for r in rows])
    _, rejects = Evaluator(Settings()).evaluate(raw)
    assert rejects.height == 0, rejects.to_dicts()
    for view in ("enforced", "as_written"):
        assert _compare(raw, Settings(view=view)).height == len(rows)


H100, H20 = "NVIDIA H100 SXM5 80GB", "NVIDIA H20 (HGX)"
EU = "Kestrel Compute Sdn. Bhd."


def _line(i: str, **kw: str | None) -> dict[str, str | None]:
    base: dict[str, str | None] = {"line_id": i, "chip": H100, "destination": "MY", "end_user": EU,
                                   "end_user_hq": "MY", "exporter": "Supermicro", "date": "2026-11-20"}
    base.update(kw)
    return base


WHOLE_TRANSACTION = [
    # every role, listed or clean
    _line("p0"),
    _line("p1", purchaser="Huawei International Pte. Ltd."),
    _line("p2", ultimate_consignee="Sugon", purchaser="Arrowhead Compute Distribution Pte. Ltd."),
    _line("p3", intermediate_consignee="Straits Freight Forwarding Pte. Ltd.; Huawei International Pte. Ltd."),
    _line("p4", intermediate_consignee="Straits Freight Forwarding Pte. Ltd.;Rhine Air Cargo GmbH",
          ultimate_consignee=EU, purchaser=EU.upper()),
    _line("p5", exporter="Huawei Technologies Co., Ltd.", origin="SG", made_in="US"),
    _line("p6", exporter="ADT Analog and Digital Technik"),
    _line("p7", purchaser="ADT Analog and Digital Technik"),
    # ownership shapes: listed 51 %, aggregate of two listed owners, 49.99 % against 50 %, clean owners
    _line("o1", owners="Huawei International Pte. Ltd.=51;Kestrel Holdings Sdn. Bhd.=49"),
    _line("o2", owners="Huawei Technologies Co., Ltd.=30; Inspur Group Co., Ltd.=25"),
    _line("o3", owners="Sugon=49.99;Kestrel Holdings Sdn. Bhd.=50.01"),
    _line("o4", owners="Sugon=50;Kestrel Holdings Sdn. Bhd.=50"),
    _line("o5", owners="Kestrel Holdings Sdn. Bhd.=100"),
    _line("o6", owners="华为技术有限公司=60"),
    _line("o7", owners="Sugon=50", purchaser=EU, ultimate_consignee="kestrel  compute sdn. bhd."),
    _line("o8", owners="Sugon=50", purchaser="Arrowhead Compute Distribution Pte. Ltd.",
          ultimate_consignee="Pinecrest Hosting Sdn. Bhd."),
    _line("o9", purchaser="Arrowhead Compute Distribution Pte. Ltd.", ultimate_consignee="Orion Hosting Sdn. Bhd.",
          date="2025-10-01"),
    # facts missing: headquarters, exporter (a letter applies), a spec without its datacenter flag
    _line("q1", end_user_hq=None),
    _line("q2", chip=H20, destination="CN", end_user_hq="CN", exporter=None, date="2025-06-01"),
    _line("q2b", chip=H20, destination="CN", end_user_hq="CN", exporter="Supermicro", date="2025-06-01"),
    _line("q3", chip=H20, destination="MY", end_user_hq=None, exporter=None, date="2025-06-01"),
    _line("q4", chip=None, spec=json.dumps({"name": "Z1", "vendor": "Example", "dense_tops": {"fp8": 2000},
                                            "die_area_mm2": 700}), date="2025-03-01"),
    _line("q5", end_user=None, end_user_hq=None, destination="CN", date="2024-06-01"),
    _line("q6", end_user="Inspur Cloud Malaysia Sdn Bhd", end_user_hq=None),
    _line("q7", end_user=None, end_user_hq=None, destination="CN", date="2024-06-01",
          purchaser="Arrowhead Compute Distribution Pte. Ltd."),
    _line("q8", end_user=None, end_user_hq=None, destination="CN", date="2024-06-01",
          purchaser="Arrowhead Compute Distribution Pte. Ltd.", ultimate_consignee="Sugon"),
    # answers, regions, places of production
    _line("a1", end_user_hq=None, answers="end_user.headquarters=CN"),
    _line("a2", end_user_hq=None, answers="end_user.headquarters=us; end_user.majority_owned_by_d5=NO"),
    _line("a3", chip=H20, destination="CN", end_user_hq="CN", exporter=None, date="2025-06-01",
          answers="exporter.is_nvidia=yes"),
    _line("a4", end_user="Inspur Cloud Malaysia Sdn Bhd", end_user_hq=None, answers="end_user.listed_ownership=no"),
    _line("r1", destination="UA", region="UA-43", end_user_hq="UA", date="2024-02-01"),
    _line("r2", destination="UA-14", end_user_hq="UA", date="2024-02-01"),
    _line("r3", destination="UA", end_user_hq="UA", date="2024-02-01"),
    _line("m1", origin="TW", made_in="TW", destination="CN", end_user_hq="CN", date="2025-02-01"),
    _line("m2", origin="TW", destination="CN", end_user_hq="CN", date="2025-02-01"),
]


def test_whole_transaction_lines_equal_per_shipment() -> None:
    """Parties in every role, ownership shapes, unknown headquarters and exporters, answers, regions."""
    raw = _frame(WHOLE_TRANSACTION)
    _, rejects = Evaluator(Settings()).evaluate(raw)
    assert rejects.height == 0, rejects.to_dicts()
    for view in ("enforced", "as_written"):
        out = _compare(raw, Settings(view=view))
        assert out.height == len(WHOLE_TRANSACTION)
    by = {r["line_id"]: r for r in out.iter_rows(named=True)}
    assert "purchaser: licence required" in by["p1"]["parties"]
    assert by["p6"]["outcome"] == by["p7"]["outcome"] == "prohibited"  # a denied person in any role
    assert by["o1"]["affiliate"] and by["o1"]["listed_share"] == 51.0
    assert by["o2"]["listed_share"] == 55.0 and by["o2"]["affiliate"]
    assert by["o3"]["listed_share"] == 49.99 and not by["o3"]["affiliate"]
    assert by["o4"]["affiliate"] and not by["o5"]["affiliate"]
    assert by["q1"]["outcome"] == "indeterminate" and "end_user.headquarters" in by["q1"]["questions"]
    assert by["a1"]["outcome"] != "indeterminate"
    assert by["q2"]["outcome"] == "indeterminate" and "exporter.is_nvidia" in by["q2"]["questions"]
    assert by["q2b"]["outcome"] != "indeterminate"  # a named exporter no letter binds is not an unknown one


@pytest.mark.parametrize("days", [("2025-09-28", "2025-09-29"), ("2025-11-09", "2025-11-10"),
                                  ("2026-11-09", "2026-11-10"), ("2025-11-28", "2025-11-29"),
                                  ("2025-10-29", "2025-10-30")])
def test_affiliates_rule_dates_inside_one_ruleset_period(days: tuple[str, str]) -> None:
    """The Affiliates Rule's dates (in force, stayed, reimposed; its temporary licence and savings clause end)
    sit inside parameter values, not only at the ruleset's breakpoints: the batch keys by them too."""
    rows = []
    for day in days:
        for oid, owners in (("a", "Huawei International Pte. Ltd.=51;Kestrel Holdings Sdn. Bhd.=49"),
                            ("b", "Sugon=50"), ("c", "Sugon=49.99")):
            rows.append(_line(f"{day}-{oid}", owners=owners, date=day))
            rows.append(_line(f"{day}-{oid}-sg", owners=owners, date=day, destination="SG", end_user_hq="SG"))
    out = _compare(_frame(rows), Settings())
    before = out.filter(pl.col("as_of") == days[0]).get_column("outcome").to_list()
    after = out.filter(pl.col("as_of") == days[1]).get_column("outcome").to_list()
    if days in (("2025-09-28", "2025-09-29"), ("2025-11-09", "2025-11-10"), ("2026-11-09", "2026-11-10")):
        assert before != after  # the rule starts, is stayed, is back
    assert dt.date.fromisoformat(days[1]) in decision_dates(Ruleset.load())


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


BAD: list[tuple[dict[str, str | None], str]] = [
    (_line("x1", owners="Kestrel Holdings=sixty"), "owners: owner 'Kestrel Holdings': percentage 'sixty' is not"),
    (_line("x2", owners="A Ltd=60;B Ltd=50"), "owners: owners of 'Kestrel Compute Sdn. Bhd.' add up to 110 %"),
    (_line("x3", owners="Kestrel Compute Sdn. Bhd.=10"), "owners: 'Kestrel Compute Sdn. Bhd.' cannot own itself"),
    (_line("x4", owners="A Ltd=10;a  ltd=20"), "owners: 'a ltd' -> 'Kestrel Compute Sdn. Bhd.' is given twice"),
    (_line("x5", owners="A Ltd=10", end_user=None), "owners: owners are the end user's owners"),
    (_line("x6", owners="A Ltd"), "owners: owner 'A Ltd': expected NAME=PERCENT"),
    (_line("x7", owners="A Ltd=-5"), "owners: owner 'A Ltd': percentage -5 is outside 0-100"),
    (_line("x8", answers="headquarters"), "answers: 'headquarters': expected QUESTION_ID=VALUE"),
    (_line("x9", answers="Bad Id=yes"), "answers: answer 'Bad Id'"),
    (_line("x10", end_user_hq=None, answers="end_user.headquarters=XX"), "answers: unknown end-user headquarters"),
    (_line("x11", region="UA-99"), "region: unknown region 'UA-99'"),
    (_line("x12", region="UA-43"), "region: region UA-43 is not in the destination MY"),
    (_line("x13", made_in="XX"), "made_in: unknown place of production code 'XX'"),
    (_line("x14", purchaser="bad\x01name"), "purchaser: purchaser name contains control characters"),
    (_line("x15", destination="UA-99"), "region: unknown region 'UA-99'"),
    (_line("x16", end_use="military;space"), "end_use: unknown end use 'space'"),
]


@pytest.mark.parametrize("engine", ["evaluate", "evaluate_rows"])
def test_bad_fields_are_rejects_with_one_line_reasons(engine: str) -> None:
    raw = _frame([r for r, _ in BAD] + [_line("ok")])
    ev = Evaluator(Settings())
    evaluate: Callable[[pl.DataFrame], tuple[pl.DataFrame, pl.DataFrame]] = getattr(ev, engine)
    out, rejects = evaluate(raw)
    assert out.get_column("line_id").to_list() == ["ok"]
    got = dict(zip(rejects.get_column("line_id").to_list(), rejects.get_column("reason").to_list(), strict=True))
    for row, reason in BAD:
        assert got[row["line_id"]].startswith(reason), (row["line_id"], got[row["line_id"]])
        assert "\n" not in got[row["line_id"]]


def test_quantity_around_the_lpp_cap_equals_per_shipment() -> None:
    """The quantity joins the key only as 'within License Exception LPP's cap or not' (or unknown): lines on each
    side of the cap, and without a quantity, get check's answers."""
    ev = Evaluator(Settings(view="as_written"))
    probe = _frame([_line("probe", date="2025-06-01", end_user_hq="MY")])
    ev.evaluate(probe)
    rule = ev.quantity_rule(0, ev.period_of(dt.date(2025, 6, 1)))
    assert rule is not None and rule != ()
    qmax = max(q for q in rule if q is not None)
    rows = [_line(f"q{q}", quantity=str(q), date="2025-06-01") for q in (1, qmax - 1, qmax, qmax + 1, qmax + 7)]
    rows.append(_line("qnone", date="2025-06-01"))
    for view in ("as_written", "enforced"):
        out = _compare(_frame(rows), Settings(view=view))
        col = "license_exceptions" if view == "as_written" else "other_view_outcome"
        by = dict(zip(out.get_column("line_id").to_list(), out.get_column(col).to_list(), strict=True))
        assert by[f"q{qmax}"] != by[f"q{qmax + 1}"]


def test_worker_processes_give_the_same_output(shipments_2k: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """New keys decided in worker processes: the same decisions, in the same order, as in-process."""
    from chipcontrol.batch import evaluate

    monkeypatch.setattr(evaluate, "_POOL_MIN", 10)
    monkeypatch.setattr(evaluate, "_SCREEN_MIN", 10)
    raw, _ = read_input(shipments_2k)
    one = Evaluator(Settings())
    two = Evaluator(Settings(), workers=2)
    a_out, a_rej = one.evaluate(raw)
    try:
        b_out, b_rej = two.evaluate(raw)
    finally:
        two.close()
    assert a_out.equals(b_out) and a_rej.equals(b_rej)
    assert one.stats.keys_evaluated == two.stats.keys_evaluated > 1000
    # the workers screened the frame's names, with the same results as this process
    assert one.stats.screened_in_workers == 0 < two.stats.screened_in_workers
    assert one.parties.screened_table == two.parties.screened_table


ASCEND = "Huawei Ascend 910B3"
HBM = json.dumps({"name": "HBM3E stack", "item_type": "hbm", "memory_bandwidth_density": 3.0})
ACROSS_PERIODS = [
    {},
    {"destination": "CN", "end_user_hq": "CN", "exporter": "NVIDIA"},
    {"chip": "NVIDIA A800 SXM4 80GB", "destination": "CN", "end_user_hq": "CN", "exporter": "NVIDIA Corporation"},
    {"destination": "SY", "end_user_hq": "SY"},
    {"destination": "UA", "end_user_hq": "UA"},
    {"chip": ASCEND, "origin": "CN", "destination": "SG", "end_user_hq": "SG", "exporter": "Example Exporter"},
    {"chip": None, "spec": HBM, "destination": "CN", "end_user_hq": "CN"},
    {"owners": "Sugon=50", "destination": "SG", "end_user_hq": "SG"},
    {"end_user": "Inspur Cloud Malaysia Sdn Bhd"},
    {"purchaser": "Huawei International Pte. Ltd.", "destination": "AE", "end_user_hq": "AE"},
    {"end_user_hq": None, "destination": "IN"},
    {"quantity": "40", "destination": "IN", "end_user_hq": "IN"},
    # country-group changes (D:5: Nicaragua in 2024-03-15, Cyprus out 2024-05-30, Cambodia in 2026-02-03), for the
    # country moved and for a shipment whose headquarters nobody gave (its question's replies span every group)
    {"destination": "CY", "end_user_hq": "CY"},
    {"destination": "NI", "end_user_hq": "NI"},
    {"destination": "KH", "end_user_hq": None},
    {"chip": "NVIDIA L40S", "destination": "KH", "end_user_hq": "KH", "exporter": "NVIDIA"},
    # reads narrowed to what reaches the answer: the headquarters rule's citation for a .a-level item (only where
    # an entity is headquartered in D:5 or asked), the case-by-case review (only inside its scope), ownership by a
    # clean owner (the Affiliates Rule's lists never matter), an end use declared outside its scope
    {"destination": "MY", "end_user_hq": "CN"},
    {"chip": "NVIDIA H20", "destination": "MO", "end_user_hq": "MO"},
    {"owners": "Kestrel Holdings Sdn. Bhd.=60", "end_user": "Inspur Cloud Malaysia Sdn Bhd"},
    {"end_use": "supercomputer", "destination": "AE", "end_user_hq": "AE"},
]


def test_the_same_lines_on_every_period_boundary_equal_per_shipment() -> None:
    """Keys that differ only in their period share a decision only where nothing the engine read differs: the same
    shipments on the first day of every decision period and the day before it, in one frame, each equal to
    ``check_item`` — and some decisions are shared (most boundaries cannot reach most shipments)."""
    rows = []
    for start in decision_dates(Ruleset.load())[1:]:
        for day in (start - dt.timedelta(days=1), start):
            for i, shape in enumerate(ACROSS_PERIODS):
                rows.append(_line(f"{day}-{i}", date=day.isoformat(), **shape))
    raw = _frame(rows)
    ev = Evaluator(Settings())
    out, rejects = ev.evaluate(raw)
    assert rejects.height == 0, rejects.to_dicts()
    assert ev.stats.keys_shared > 0
    assert ev.stats.keys_shared < ev.stats.keys_evaluated
    _compare(raw, Settings())
    by = {r["line_id"]: r for r in out.iter_rows(named=True)}
    assert by["2025-09-01-3"]["review_policy"] != by["2025-09-02-3"]["review_policy"]  # Syria, 2025-09-02
    assert by["2025-05-12-5"]["outcome"] != "prohibited" and by["2025-05-13-5"]["outcome"] == "prohibited"  # GP10
    # a decision shared across a new rule version carries the day's own version (the October 2023 rules)
    assert by["2023-11-16-0"]["rule_version"] != by["2023-11-17-0"]["rule_version"]


def test_headquarters_and_end_uses_not_read_are_shared_and_the_ones_read_are_not() -> None:
    """Keys that differ only in the end user's headquarters or the declared end uses share a decision where the
    engine did not read them (``@ship:hq``, ``@ship:end_use:USE``); every line still equals ``check_item``."""
    rows = []
    for day in ("2023-06-01", "2024-06-01", "2025-10-01", "2026-11-20"):
        for chip in (H100, H20, "NVIDIA Tesla T4"):
            for dest in ("MY", "CN", "DE"):
                for hq in ("MY", "CN", "DE", "US", None):
                    for uses in (None, "supercomputer", "military", "acm_storage;supercomputer"):
                        rows.append(_line(f"{day}-{chip}-{dest}-{hq}-{uses}", date=day, chip=chip, destination=dest,
                                          end_user_hq=hq, end_use=uses))
    raw = _frame(rows)
    ev = Evaluator(Settings())
    out, rejects = ev.evaluate(raw)
    assert rejects.height == 0, rejects.to_dicts()[:3]
    assert ev.stats.keys_shared > ev.stats.keys_evaluated // 3
    _compare(raw, Settings())
    by = {r["line_id"]: r for r in out.iter_rows(named=True)}
    # read where it reaches the answer: an H100 to Malaysia for a CN-headquartered end user (headquarters rule)
    assert by[f"2024-06-01-{H100}-MY-CN-None"]["license_required"] is True
    assert by[f"2024-06-01-{H100}-MY-MY-None"]["license_required"] is False
    # a declared supercomputer end use in China reaches even a T4 (744.23)
    assert by["2024-06-01-NVIDIA Tesla T4-CN-CN-supercomputer"]["license_required"] is True
    assert by["2024-06-01-NVIDIA Tesla T4-CN-CN-None"]["license_required"] is False


def test_affiliates_rule_shared_where_only_whether_it_applies_was_read() -> None:
    """The Affiliates Rule is not applied before 2025-09-29 nor during its stay (2025-11-10 to 2026-11-09). An end
    user whose name resembles a listed group, with no ownership given, depends only on that: one decision serves
    both days. Listed ownership depends on the rule's lists too (absent before it, present during the stay): the
    engine runs again. Every line equals ``check_item``."""
    rows = []
    for day in ("2025-09-28", "2025-11-15"):
        rows.append(_line(f"{day}-resembles", date=day, end_user="Inspur Cloud Malaysia Sdn Bhd"))
        rows.append(_line(f"{day}-owned", date=day, owners="Sugon=50", destination="SG", end_user_hq="SG"))
    raw = _frame(rows)
    ev = Evaluator(Settings())
    out, rejects = ev.evaluate(raw)
    assert rejects.height == 0, rejects.to_dicts()
    assert (ev.stats.keys_evaluated, ev.stats.keys_shared) == (4, 1)
    _compare(raw, Settings())
    by = {r["line_id"]: r for r in out.iter_rows(named=True)}
    assert "not applied on this date" in by["2025-11-15-owned"]["parties"]
    assert "not applied on this date" not in by["2025-09-28-owned"]["parties"]


def test_deciding_leaves_no_reference_cycles(shipments_2k: Path) -> None:
    """A worker process freezes what its decisions leave behind without a collector pass (``gc_paused(collect=
    False)``): that is only sound while deciding makes no reference cycles, which would never be freed. Evaluating
    random lines, every party role and ownership shape, and every period boundary with the collector off leaves
    nothing for it to find."""
    import gc

    raw, _ = read_input(shipments_2k)
    frames = [raw, _frame(WHOLE_TRANSACTION),
              _frame([{**_line(f"{d}-{i}", date=d), **row} for d in ("2023-10-23", "2025-09-29", "2026-11-10")
                      for i, row in enumerate(ACROSS_PERIODS)])]
    ev = Evaluator(Settings(view="as_written"))
    ev.evaluate(raw.slice(0, 20))  # imports, first caches
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        for frame in frames:
            ev.evaluate(frame)
        gc.set_debug(gc.DEBUG_SAVEALL)
        found = gc.collect()
        kinds = sorted({getattr(o, "__qualname__", type(o).__name__) for o in gc.garbage if callable(o)})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was:
            gc.enable()
    assert ev.stats.keys_evaluated > 1500
    assert found == 0, f"{found} objects in reference cycles; functions among them: {kinds}"
