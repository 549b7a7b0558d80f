"""Certificates: proof of one decision or screening, for an auditor, as a PDF and its JSON twin.

The JSON twin holds the audit record in full (inputs, answer, every hashed field), the reasons with their
citations, the questions still open, the list snapshot and ruleset hashes, the record's own hash and the chain
head when the certificate was issued, and ``certificate_sha256`` over all of that. The PDF shows the same for a
person (Chinese and other scripts in an embedded Noto CJK font) and carries the JSON twin as an embedded file.

:func:`verify_certificate` checks a certificate offline against its own hashes (the record hash is recomputed from
the record's fields exactly as the audit log computes it) and, given the store, against the chain: the record is
in the log with that hash, the log verifies, and the certified chain head is still in it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from chipcontrol.errors import InvalidInput
from chipcontrol.services import audit
from chipcontrol.services.keys import Principal
from chipcontrol.settings import Settings
from chipcontrol.store import Store
from chipcontrol.store import audit as audit_store
from chipcontrol.store.models import AuditHead, AuditRecord

FORMAT = "chipcontrol-certificate/1"
CERTIFIED_KINDS = ("check", "classify", "screen", "timeline", "shipment", "shipment.refused", "review.decide",
                   "lists.rescreen")
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
)
# marks the embedded JSON twin inside the PDF (base64 between them: found again by verify without a PDF parser)
BEGIN, END = b"%CHIPCONTROL-CERTIFICATE-BEGIN ", b" %CHIPCONTROL-CERTIFICATE-END"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _questions(kind: str, result: dict[str, Any]) -> list[str]:
    """What the answer leaves open: its own questions, missing facts, an indeterminate finding, hits to review."""
    out: list[str] = []
    for q in result.get("questions") or []:
        out.append(q if isinstance(q, str) else str(q.get("question") or q.get("text") or q))
    for m in result.get("missing") or []:
        out.append(f"missing fact: {m}")
    cls = result.get("classification") if isinstance(result.get("classification"), dict) else {}
    for m in (cls or {}).get("missing") or []:
        out.append(f"missing fact for classification: {m}")
    if result.get("indeterminate"):
        out.append("the outcome is indeterminate on the facts given")
    undecided: dict[str, dict[str, int]] = {}
    for r in result.get("review") or []:
        if isinstance(r, dict) and r.get("status") not in ("false_positive", "true_match"):
            by_list = undecided.setdefault(str(r.get("party")), {})
            by_list[str(r.get("list"))] = by_list.get(str(r.get("list")), 0) + 1
    if kind == "screen":
        for h in result.get("hits") or []:
            state = h.get("review") if isinstance(h.get("review"), dict) else {}
            for st in (state or {}).get("listings") or [state or {}]:
                if st.get("status") not in ("false_positive", "true_match"):
                    by_list = undecided.setdefault(str(result.get("query")), {})
                    lst = str(st.get("list") or h.get("list"))
                    by_list[lst] = by_list.get(lst, 0) + 1
    for party, by_list in undecided.items():
        n = sum(by_list.values())
        lists = ", ".join(f"{k} {v}" for k, v in sorted(by_list.items()))
        out.append(f"{n} screening hit{'s' if n != 1 else ''} for {party} not yet decided in the review queue "
                   f"({lists})")
    return list(dict.fromkeys(out))


def _answer(kind: str, result: dict[str, Any]) -> dict[str, Any]:
    if kind in ("check", "timeline", "classify"):
        keys = ("outcome", "license_required", "prohibited", "review_policy", "paragraph", "subparagraph", "tpp",
                "performance_density", "as_of", "view", "rule_version", "license_exceptions", "warnings")
        return {k: result[k] for k in keys if k in result}
    if kind == "screen":
        return {"query": result.get("query"), "country": result.get("country"),
                "hits": [{k: h.get(k) for k in ("name", "list", "score", "entry_id", "effect", "review")}
                         for h in result.get("hits") or []], "threshold": result.get("threshold"),
                "algorithm": result.get("algorithm"), "warnings": result.get("warnings") or []}
    return {k: v for k, v in result.items() if not isinstance(v, (list, dict))}


def _reasons(result: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for r in result.get("reasons") or []:
        if isinstance(r, dict):
            detail = r.get("citation_detail") if isinstance(r.get("citation_detail"), dict) else {}
            out.append({"kind": r.get("kind"), "rule_id": r.get("rule_id"), "detail": r.get("detail"),
                        "citation": r.get("citation"), "url": (detail or {}).get("url")})
    for h in result.get("hits") or []:
        if isinstance(h, dict):
            out.append({"kind": h.get("effect"), "rule_id": f"screening.{h.get('list')}",
                        "detail": f"{h.get('name')} ({h.get('list')}): {h.get('license_requirement') or ''}",
                        "citation": h.get("citation"), "url": (h.get("citation_detail") or {}).get("url")})
    return out


def build(store: Store, seq: int, who: Principal) -> dict[str, Any]:
    """The JSON twin of the certificate for audit record ``seq``."""
    with store.read() as session:
        rec = session.get(AuditRecord, seq) if 1 <= seq < 2**62 else None
        if rec is None:
            raise audit.RecordNotFound(f"no audit record {seq}")
        head = session.get(AuditHead, 1)
        record = audit_store.fields_of(rec)
        head_seq, head_hash = (head.seq, head.hash) if head else (rec.seq, rec.hash)
        snapshot = None
        if rec.snapshot_id:
            from chipcontrol.store import repositories as repo

            row = repo.snapshot(session, rec.snapshot_id)
            if row is not None:
                snapshot = {"id": row.id, "date": row.snapshot_date, "entries": row.entries,
                            "sources": [{k: s.get(k) for k in ("source", "lists", "snapshot_date", "sha256")}
                                        for s in json.loads(row.sources_json)]}
    inputs, result = json.loads(record["inputs_json"]), json.loads(record["result_json"])
    body: dict[str, Any] = {
        "format": FORMAT,
        "issued_at": audit_store.utc_now(), "issued_by": who.actor,
        "subject": {"seq": rec.seq, "kind": rec.kind, "created_at": rec.created_at, "actor": rec.actor},
        "inputs": inputs,
        "answer": _answer(rec.kind, result) if isinstance(result, dict) else {"result": result},
        "reasons": _reasons(result) if isinstance(result, dict) else [],
        "open_questions": _questions(rec.kind, result) if isinstance(result, dict) else [],
        "ruleset_hash": rec.ruleset_hash, "list_snapshot": snapshot or ({"id": rec.snapshot_id}
                                                                        if rec.snapshot_id else None),
        "algorithm": rec.algorithm,
        "audit_record": {**{k: v for k, v in record.items() if k not in ("inputs_json", "result_json")},
                         "inputs": inputs, "result": result},
        "chain_head": {"seq": head_seq, "hash": head_hash},
    }
    body["certificate_sha256"] = _sha(audit_store.canonical_json(body))
    return body


# --- PDF ----------------------------------------------------------------------------------------

def font_path(settings: Settings | None = None) -> str | None:
    given = settings.cjk_font if settings else None
    for p in ((given,) if given else ()) + FONT_CANDIDATES:
        if p and Path(p).is_file():
            return p
    return None


def render_pdf(cert: dict[str, Any], settings: Settings | None = None) -> bytes:
    """The certificate as a PDF (A4) with the JSON twin embedded. Needs a CJK-capable font (fonts-noto-cjk); without
    one, non-Latin-1 text is shown as '?' and the first page says so."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(f"chipcontrol certificate: audit record {cert['subject']['seq']}")
    pdf.set_creator("chipcontrol")
    path = font_path(settings)
    family = "helvetica"
    if path:
        pdf.add_font("noto", fname=path, collection_font_number=2 if path.endswith(".ttc") else 0)
        family = "noto"
    pdf.add_page()

    def text(s: Any) -> str:
        t = "" if s is None else str(s)
        return t if family == "noto" else t.encode("latin-1", "replace").decode("latin-1")

    def line(s: Any, size: float = 9, h: float = 5) -> None:
        pdf.set_font(family, size=size)
        pdf.multi_cell(0, h, text(s), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")

    def heading(s: str) -> None:
        pdf.ln(2)
        pdf.set_font(family, size=12)
        pdf.set_text_color(23, 50, 77)
        pdf.multi_cell(0, 7, text(s), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        pdf.set_text_color(0, 0, 0)

    subj = cert["subject"]
    pdf.set_font(family, size=16)
    pdf.multi_cell(0, 9, text(f"Certificate — audit record #{subj['seq']} ({subj['kind']})"),
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if family != "noto":
        line("No CJK font found (install fonts-noto-cjk): characters outside Latin-1 are shown as '?'.", 8)
    line(f"Recorded {subj['created_at']} by {subj['actor']}; certificate issued {cert['issued_at']} by "
         f"{cert['issued_by']}.", 9)
    heading("Inputs")
    for k, v in (cert.get("inputs") or {}).items():
        if v not in (None, [], {}, ""):
            line(f"{k}: {json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v}")
    heading("Answer")
    for k, v in (cert.get("answer") or {}).items():
        if k == "hits":
            for h in v:
                state = (h.get("review") or {}).get("status") if isinstance(h.get("review"), dict) else None
                line(f"hit: {h.get('name')} — {h.get('list')}, score {h.get('score')}"
                     + (f", review: {state}" if state else ""))
        elif v not in (None, [], {}, ""):
            line(f"{k}: {json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v}")
    heading("Reasons and citations")
    if not cert.get("reasons"):
        line("none")
    for r in cert.get("reasons") or []:
        line(f"• [{r.get('kind')}] {r.get('detail')}")
        line(f"   {r.get('citation') or ''}{'  ' + r['url'] if r.get('url') else ''}", 8)
    heading("Questions still open")
    for q in cert.get("open_questions") or ["none"]:
        line(f"• {q}")
    heading("Data and proof")
    snap = cert.get("list_snapshot") or {}
    line(f"ruleset hash: {cert.get('ruleset_hash') or '—'}", 8)
    line(f"list snapshot: {snap.get('id') or '—'} dated {snap.get('date') or '—'}", 8)
    for s in snap.get("sources") or []:
        line(f"   {s.get('source')}: sha256 {s.get('sha256')}", 7)
    rec = cert["audit_record"]
    line(f"audit record #{rec['seq']} hash {rec['hash']}", 8)
    line(f"previous record hash {rec['prev_hash']}", 8)
    line(f"chain head when issued: #{cert['chain_head']['seq']} {cert['chain_head']['hash']}", 8)
    line(f"certificate sha256: {cert['certificate_sha256']}", 8)
    line("Verify: chipcontrol audit verify-certificate THIS-FILE [--database URL]. The JSON twin is embedded in this "
         "PDF (certificate.json).", 8)
    twin = audit_store.canonical_json(cert).encode("utf-8")
    pdf.embed_file(bytes=twin, basename="certificate.json", desc="chipcontrol certificate (JSON twin)")
    out = bytes(pdf.output())
    # the twin once more as a base64 comment after the end of the file: PDF readers ignore it, verify reads it
    return out + b"\n" + BEGIN + base64.b64encode(twin) + END + b"\n"


# --- verification ---------------------------------------------------------------------------------

def load(data: bytes) -> dict[str, Any]:
    """A certificate from its JSON twin or its PDF."""
    if data.startswith(b"%PDF"):
        m = re.search(re.escape(BEGIN) + rb"([A-Za-z0-9+/=]+)" + re.escape(END), data)
        if m is None:
            raise InvalidInput("this PDF carries no chipcontrol certificate")
        data = base64.b64decode(m.group(1))
    try:
        cert = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInput("not a chipcontrol certificate (neither its PDF nor its JSON twin)") from None
    if not isinstance(cert, dict) or cert.get("format") != FORMAT:
        raise InvalidInput(f"not a chipcontrol certificate (format {FORMAT!r} expected)")
    return cert


def verify_certificate(cert: dict[str, Any], store: Store | None = None) -> dict[str, Any]:
    """Offline: the certificate hash, the record hash recomputed from the record's fields, the record's inputs
    and answer match the certified ones. With the store: the record is in the log with that hash, the chain
    verifies, and the certified chain head is in it."""
    try:
        return _verify(cert, store)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
        raise InvalidInput("the certificate is malformed: its audit record or chain head is not as issued") from None


def _verify(cert: dict[str, Any], store: Store | None) -> dict[str, Any]:
    checks: list[dict[str, Any]] = []

    def check(name: str, ok: bool, detail: str) -> None:
        checks.append({"check": name, "ok": ok, "detail": detail})

    body = {k: v for k, v in cert.items() if k != "certificate_sha256"}
    got = _sha(audit_store.canonical_json(body))
    check("certificate_hash", got == cert.get("certificate_sha256"),
          "the certificate's content matches its hash" if got == cert.get("certificate_sha256")
          else "the certificate was altered after it was issued")
    if not isinstance(cert.get("audit_record"), dict) or not isinstance(cert.get("chain_head") or {}, dict):
        raise InvalidInput("the certificate has no audit record")
    rec = dict(cert["audit_record"])
    try:
        fields = {k: rec[k] for k in audit_store.HASHED_FIELDS if k not in ("inputs_json", "result_json")}
        fields["inputs_json"] = audit_store.canonical_json(rec["inputs"])
        fields["result_json"] = audit_store.canonical_json(rec["result"])
        recomputed = audit_store.record_hash(fields)
    except KeyError as exc:
        raise InvalidInput(f"the certificate's audit record lacks {exc}") from None
    check("record_hash", recomputed == rec.get("hash"),
          f"audit record #{rec.get('seq')} hashes to {recomputed[:16]}…" if recomputed == rec.get("hash")
          else f"audit record #{rec.get('seq')} does not match its hash: its content was altered")
    same = rec.get("inputs") == cert.get("inputs") and cert.get("subject", {}).get("seq") == rec.get("seq")
    check("inputs_match_record", same, "the certified inputs are the record's" if same
          else "the certified inputs differ from the audit record's")
    if store is not None:
        seq = int(rec.get("seq") or 0)
        head_seq = int((cert.get("chain_head") or {}).get("seq") or 0)
        if not (0 <= seq < 2**62 and 0 <= head_seq < 2**62):
            raise ValueError("sequence numbers out of range")
        with store.read() as session:
            row = session.get(AuditRecord, seq)
            head_row = session.get(AuditRecord, head_seq) if head_seq else None
        found = row is not None and row.hash == rec.get("hash")
        check("record_in_log", found, f"record #{seq} is in the log with this hash" if found
              else f"record #{rec.get('seq')} is missing from the log or differs from the certified one")
        v = audit.verify(store)
        check("chain_intact", v.ok, f"the chain verifies: {v.records} record(s), head #{v.head_seq}" if v.ok
              else f"the chain is broken: {'; '.join(p.detail for p in v.problems[:3])}")
        head_ok = head_row is not None and head_row.hash == (cert.get("chain_head") or {}).get("hash")
        check("chain_head_in_log", head_ok, f"the certified chain head #{head_seq} is in the log" if head_ok
              else f"the certified chain head #{head_seq} is not in the log as certified")
    return {"ok": all(c["ok"] for c in checks), "seq": rec.get("seq"), "kind": rec.get("kind"),
            "checked_against_database": store is not None, "checks": checks,
            "verified_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
