"""Golden decision cases as data: one YAML file per case, named like the sentence it proves, in a tree that
mirrors the CFR parts (``ear/part_734`` ... ``ear/part_748``) as ``regulations/ear/`` does.

Each file holds the shipment in the keys of the command-line contract (``chip`` or ``spec``, ``to``, ``from``,
``end_user``, ``owners``, ``answers`` ...), the date, a ``source`` (the rule it checks, cited) and ``expect``:
``outcome``, ``license_required``, ``review_policy``, ``subject_to_ear``, ``reasons`` (exact rule ids, in any
order), ``reasons_include``/``reasons_exclude``, ``exceptions``/``exceptions_include``/``exceptions_exclude``,
``questions`` (exact ids), ``replies`` (question id -> reply -> outcome), ``warnings_include`` (substrings),
``notices`` (kinds), ``parties`` (role -> fields of that party's finding).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from chipcontrol.services import assess
from chipcontrol.services.parties import default_party_screener
from chipcontrol.services.specfile import spec_from_mapping
from chipcontrol.settings import Settings

ROOT = Path(__file__).parent
CASES = sorted(ROOT.rglob("*.yaml"))
_KEYS = {"as_of", "chip", "spec", "to", "from", "end_user", "end_user_hq", "purchaser", "ultimate_consignee",
         "intermediate_consignee", "exporter", "owners", "ownership", "qty", "end_use", "listed_party", "view",
         "made_in", "region", "answers", "veu", "veu_site", "expect", "source", "note"}


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    unknown = set(data) - _KEYS
    assert not unknown, f"{path.name}: unknown keys {sorted(unknown)}"
    assert data.get("source"), f"{path.name}: every case cites its source"
    return data


def _run(case: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    if "spec" in case:
        item = assess.Item(spec_from_mapping(case["spec"], origin="case"), None)
    else:
        item = assess.resolve_item(case["chip"], None)
    veu_file = None
    if case.get("veu"):
        veu_file = tmp_path / "veu.yaml"
        veu_file.write_text(yaml.safe_dump(case["veu"]), encoding="utf-8")
    req = assess.CheckRequest(
        destination=case["to"], origin=case.get("from", "US"), end_user=case.get("end_user"),
        end_user_hq=case.get("end_user_hq"), exporter=case.get("exporter"), quantity=case.get("qty"),
        end_uses=tuple(case.get("end_use") or ()), listed_parties=tuple(case.get("listed_party") or ()),
        purchaser=case.get("purchaser"), ultimate_consignee=case.get("ultimate_consignee"),
        intermediate_consignees=tuple(case.get("intermediate_consignee") or ()), owners=tuple(case.get("owners") or ()),
        ownership=tuple(tuple(str(x) for x in row) for row in case.get("ownership") or ()),
        made_in=case.get("made_in"), region=case.get("region"),
        answers=tuple((k, str(v)) for k, v in (case.get("answers") or {}).items()),
        veu_file=str(veu_file) if veu_file else None, veu_site=case.get("veu_site"))
    settings = Settings(view=case.get("view", "enforced"))
    return assess.check_item(item, req, dt.date.fromisoformat(str(case["as_of"])), settings,
                             screen=default_party_screener() if req.named() else None)


def _names(items: list[dict[str, Any]], key: str) -> list[str]:
    return [str(x[key]) for x in items]


@pytest.mark.parametrize("path", CASES, ids=[str(p.relative_to(ROOT).with_suffix("")) for p in CASES])
def test_case(path: Path, tmp_path: Path) -> None:
    case = _load(path)
    got = _run(case, tmp_path)
    exp: dict[str, Any] = case["expect"]
    bad: list[str] = []
    for key in ("outcome", "license_required", "review_policy", "subject_to_ear", "prohibited", "paragraph"):
        if key in exp and got.get(key) != exp[key]:
            bad.append(f"{key}={got.get(key)!r}, want {exp[key]!r}")
    reasons = _names(got["reasons"], "rule_id")
    if "reasons" in exp and sorted(set(reasons)) != sorted(set(exp["reasons"])):
        bad.append(f"reasons={reasons}, want {exp['reasons']}")
    bad += [f"reason {r} missing from {reasons}" for r in exp.get("reasons_include", ()) if r not in reasons]
    bad += [f"reason {r} must not be in {reasons}" for r in exp.get("reasons_exclude", ()) if r in reasons]
    excs = _names(got["license_exceptions"], "name")
    if "exceptions" in exp and sorted(excs) != sorted(exp["exceptions"]):
        bad.append(f"exceptions={excs}, want {exp['exceptions']}")
    bad += [f"exception {e} missing from {excs}" for e in exp.get("exceptions_include", ()) if e not in excs]
    bad += [f"exception {e} must not be in {excs}" for e in exp.get("exceptions_exclude", ()) if e in excs]
    questions = {q["id"]: q for q in got["questions"]}
    if "questions" in exp and sorted(questions) != sorted(exp["questions"]):
        bad.append(f"questions={sorted(questions)}, want {sorted(exp['questions'])}")
    for qid, replies in (exp.get("replies") or {}).items():
        q = questions.get(qid)
        if q is None:
            bad.append(f"no question {qid}")
            continue
        by_reply = {str(r["reply"]): r["outcome"] for r in q["replies"]}
        for reply, outcome in replies.items():
            if by_reply.get(str(reply)) != outcome:
                bad.append(f"{qid}={reply} gives {by_reply.get(str(reply))!r}, want {outcome!r} ({by_reply})")
    text = " ".join(got["warnings"])
    bad += [f"no warning containing {w!r}" for w in exp.get("warnings_include", ()) if w not in text]
    kinds = _names(got.get("notices") or [], "kind")
    bad += [f"no {k} notice" for k in exp.get("notices", ()) if k not in kinds]
    for role, fields in (exp.get("parties") or {}).items():
        found = [p for p in got["parties"] if p["role"] == role]
        if not found:
            bad.append(f"no party in role {role}")
            continue
        bad += [f"{role}.{k}={found[0].get(k)!r}, want {v!r}" for k, v in fields.items() if found[0].get(k) != v]
    if got["outcome"] == "indeterminate":  # an open question never comes with a clearance
        assert got["license_required"] is not False or got["questions"], path.name
    assert not bad, f"{path.name} ({case['source']}):\n  " + "\n  ".join(bad)


def test_cases_cover_every_part() -> None:
    parts = {p.relative_to(ROOT).parts[1] for p in CASES if len(p.relative_to(ROOT).parts) > 2}
    assert {"part_734", "part_736", "part_740", "part_742", "part_744", "part_746", "part_748"} <= parts
