"""The review queue: a person decides each screening hit (true match, false positive, escalate) with a reason.

Every hit (from a check, a screening, a drawdown, a re-screening after a list change, a customer file) becomes a
review item keyed on (normalised party name, list entry id, entry version). The item's status *is* the remembered
decision: later screenings of the same party that hit the same entry show it (:func:`overlay`), until the entry
changes (a new content version is a new, open item). Clearing a hit on a list that imposes a licence requirement
or a prohibition needs a second person when ``Settings.review_four_eyes`` is on (the default): the first clearing
leaves the item ``pending_second``, a different person confirms it. Every decision has its own audit record.

Hits are read defensively: today's hit dicts carry ``entry_id`` but no ``entry_version`` (then the listing's own
fields are hashed), tomorrow's may group one company's listings under ``listings``.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from chipcontrol import screening as screening_pkg
from chipcontrol.errors import Conflict, InvalidInput, NotFound
from chipcontrol.model.shipment import PartyHit
from chipcontrol.screening.semantics import BLOCKING_EFFECTS, LISTS
from chipcontrol.services.keys import Principal
from chipcontrol.settings import Settings
from chipcontrol.store import Store
from chipcontrol.store import audit as audit_store
from chipcontrol.store.audit import AuditEntry
from chipcontrol.store.models import ReviewDecision, ReviewItem

VERDICTS = ("true_match", "false_positive", "escalate")
STATUSES = ("open", "pending_second", "true_match", "false_positive", "escalated")
SOURCES = ("check", "screen", "shipment", "rescreen", "customer_file", "batch")
# fields that belong to the query, not to the listed entry: they never enter the entry version
_QUERY_FIELDS = frozenset({"score", "matched_name", "explanation", "review", "listings", "name_score", "query",
                           "country_support", "possible_matches"})


class FourEyesRequired(Conflict):
    """The same person tried to confirm their own clearing of a blocking-list hit."""

    code = "four_eyes_required"


def _local_normalise(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


_normaliser: Callable[[str], str] = getattr(screening_pkg, "normalise_party_name", None) or _local_normalise


def party_key(name: str) -> str:
    """The normalised party name decisions are keyed on (the screening package's normaliser where it has one)."""
    key = _normaliser(name) or _local_normalise(name) or name.strip().casefold()
    return key[:400]


def entry_version(listing: dict[str, Any]) -> str:
    """The listing's content version: its own ``entry_version`` if the screening result gives one, else a hash
    of the listed entry's fields (everything that does not depend on the query)."""
    given = listing.get("entry_version")
    if isinstance(given, str) and given:
        return given[:64]
    content = {k: v for k, v in listing.items() if k not in _QUERY_FIELDS}
    return hashlib.sha256(audit_store.canonical_json(content).encode("utf-8")).hexdigest()[:16]


def listings_of(hit: dict[str, Any]) -> list[dict[str, Any]]:
    """One hit's listings: ``hit['listings']`` (one company on several lists) or the hit itself."""
    subs = hit.get("listings")
    if isinstance(subs, list) and subs:
        base = {k: v for k, v in hit.items() if k != "listings"}
        return [{**base, **s} for s in subs if isinstance(s, dict)]
    return [hit]


def is_blocking(listing: dict[str, Any]) -> bool:
    effect = listing.get("effect")
    if effect is None:
        sem = LISTS.get(str(listing.get("list", "")))
        effect = sem.effect if sem else None
    return effect in BLOCKING_EFFECTS


@dataclass(frozen=True, slots=True)
class Sighting:
    """A hit seen for a party: what goes to the queue."""

    party: str
    country: str | None
    listing: dict[str, Any]

    @property
    def key(self) -> tuple[str, str, str]:
        return party_key(self.party), str(self.listing.get("entry_id") or ""), entry_version(self.listing)


def sightings(party: str, country: str | None, hits: Iterable[dict[str, Any]]) -> list[Sighting]:
    out = []
    for hit in hits:
        for listing in listings_of(hit):
            if listing.get("entry_id"):
                out.append(Sighting(party, country, listing))
    return out


def item_row(s: Sighting, source: str) -> dict[str, Any]:
    """The row for the group-commit writer (``audit_seq`` and ``created_at`` are added by it)."""
    pk, entry_id, version = s.key
    return {"party_key": pk, "party": s.party[:1000], "country": (s.country or None), "entry_id": entry_id[:200],
            "entry_version": version, "list_id": str(s.listing.get("list", ""))[:40],
            "listed_name": str(s.listing.get("name") or s.listing.get("listed_name") or ""),
            "score": float(s.listing.get("score") or 0.0), "blocking": is_blocking(s.listing),
            "source": source, "hit_json": audit_store.canonical_json(s.listing), "status": "open",
            "decided_at": None}


def enqueue(session: Session, found: Sequence[Sighting], source: str, audit_seq: int | None) -> None:
    """Add the sightings to the queue inside the caller's transaction; a known (party, entry, version) keeps its
    item and its decision."""
    if not found:
        return
    rows = [{**item_row(s, source), "audit_seq": audit_seq, "created_at": audit_store.utc_now()} for s in found]
    conn = session.connection()
    conn.execute(audit_store.insert_ignoring_duplicates(conn.dialect.name, ReviewItem), rows)


def party_hit_json(h: PartyHit) -> dict[str, Any]:
    """A licence engine hit (:class:`PartyHit`) as the queue reads hits: list, listed name, score, entry id and
    version."""
    return {"list": h.list, "listed_name": h.listed_name, "score": round(h.score, 4), "kind": h.kind,
            "detail": h.detail, "citation": h.citation.short(), "entry_id": h.entry_id,
            "entry_version": h.entry_version, "review_policy": h.review_policy}


def enqueue_screened(store: Store, found: Iterable[tuple[str, str | None, Sequence[dict[str, Any] | PartyHit]]],
                     source: str = "batch", audit_seq: int | None = None) -> int:
    """Queue the hits of many screened parties at once (a batch run: ``(party, country, hits)`` per distinct party,
    hits as screening dicts or engine ``PartyHit``s) in one write transaction, pointing at the run's audit record.
    A (party, entry, version) already queued keeps its item and decision. Returns the number of listings queued."""
    if source not in SOURCES:
        raise InvalidInput(f"source must be one of {', '.join(SOURCES)}, got {source!r}")
    found_all = [s for party, country, hits in found
                 for s in sightings(party, country, [party_hit_json(h) if isinstance(h, PartyHit) else h
                                                     for h in hits])]
    if found_all:
        with store.write() as session:
            for i in range(0, len(found_all), 5000):
                enqueue(session, found_all[i:i + 5000], source, audit_seq)
    return len(found_all)


def overlay(store: Store, party: str, hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Attach the remembered decision to each hit (``hit['review']``: item id, status, who decided and why; status
    ``new`` for a hit never seen). Returns a summary per listing."""
    pk = party_key(party)
    with store.read() as session:
        rows = {(r.entry_id, r.entry_version): r for r in
                session.scalars(select(ReviewItem).where(ReviewItem.party_key == pk))}
        last = _last_decisions(session, [r.id for r in rows.values() if r.status != "open"])
    summary = []
    for hit in hits:
        states = []
        for listing in listings_of(hit):
            entry_id = str(listing.get("entry_id") or "")
            if not entry_id:
                continue
            row = rows.get((entry_id, entry_version(listing)))
            state: dict[str, Any] = {"entry_id": entry_id, "list": listing.get("list"),
                                     "status": row.status if row else "new", "item": row.id if row else None}
            if row is not None and row.id in last:
                d = last[row.id]
                state.update(decided_by=d.reviewer, decided_at=d.created_at, reason=d.reason)
            states.append(state)
            summary.append({"party": party, **state})
        if states:
            hit["review"] = states[0] if len(states) == 1 else {"listings": states,
                                                                 "status": _combined(states)}
    return summary


def _combined(states: list[dict[str, Any]]) -> str:
    order = ("true_match", "escalated", "new", "open", "pending_second", "false_positive")
    return str(min((s["status"] for s in states), key=order.index))


def _last_decisions(session: Session, item_ids: list[int]) -> dict[int, ReviewDecision]:
    if not item_ids:
        return {}
    out: dict[int, ReviewDecision] = {}
    for d in session.scalars(select(ReviewDecision).where(ReviewDecision.item_id.in_(item_ids))
                             .order_by(ReviewDecision.id)):
        out[d.item_id] = d
    return out


def listing_states(hit: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """Each listing of a hit with its remembered decision (as :func:`overlay` attached it), or None."""
    rv = hit.get("review") if isinstance(hit.get("review"), dict) else None
    states = {}
    if rv is not None:
        for st in rv.get("listings") or [rv]:
            if isinstance(st, dict):
                states[st.get("entry_id")] = st
    return [(lst, states.get(lst.get("entry_id"))) for lst in listings_of(hit)]


def cleared_entries(store: Store, party: str) -> dict[str, str]:
    """The list entries a party's hits were cleared on (false positive, confirmed where four-eyes applies): entry
    id -> entry version. For the licence determination to leave out hits a person cleared, as long as the entry
    is unchanged (compare the version)."""
    with store.read() as session:
        rows = session.execute(select(ReviewItem.entry_id, ReviewItem.entry_version)
                               .where(ReviewItem.party_key == party_key(party),
                                      ReviewItem.status == "false_positive"))
        return {e: v for e, v in rows}


_ITEMS = ReviewItem.__table__
# built once (its compiled form is cached): it runs on every check that names a party
_CLEARED = select(_ITEMS.c.party_key, _ITEMS.c.entry_id, _ITEMS.c.entry_version).where(
    _ITEMS.c.status == "false_positive", _ITEMS.c.party_key.in_(bindparam("keys", expanding=True)))


def cleared_for(store: Store, parties: Iterable[str]) -> dict[str, dict[str, str]]:
    """:func:`cleared_entries` for many parties in one query: each party as given -> {entry id: entry version}
    (empty where nothing is cleared)."""
    by_key: dict[str, list[str]] = {}
    for p in dict.fromkeys(parties):
        if p:
            by_key.setdefault(party_key(p), []).append(p)
    out: dict[str, dict[str, str]] = {p: {} for names in by_key.values() for p in names}
    keys = sorted(by_key)
    if not keys:
        return out
    with store.engine.connect() as conn:
        for i in range(0, len(keys), 500):
            for pk, entry_id, version in conn.execute(_CLEARED, {"keys": keys[i:i + 500]}):
                for p in by_key[pk]:
                    out[p][entry_id] = version
    return out


def cleared(review_state: dict[str, Any] | None) -> bool:
    """Whether a hit's remembered decision clears it (false positive, confirmed where four-eyes applies)."""
    return bool(review_state) and review_state.get("status") == "false_positive"  # type: ignore[union-attr]


# --- reading the queue ---------------------------------------------------------------------------

def item_json(row: ReviewItem, decisions: Sequence[ReviewDecision] | None = None) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": row.id, "party": row.party, "party_key": row.party_key, "country": row.country,
        "entry_id": row.entry_id, "entry_version": row.entry_version, "list": row.list_id,
        "listed_name": row.listed_name, "score": row.score, "blocking": row.blocking, "source": row.source,
        "audit_seq": row.audit_seq, "status": row.status, "created_at": row.created_at,
        "decided_at": row.decided_at, "hit": json.loads(row.hit_json),
    }
    if decisions is not None:
        d["decisions"] = [decision_json(x) for x in decisions]
    return d


def decision_json(d: ReviewDecision) -> dict[str, Any]:
    return {"id": d.id, "item": d.item_id, "verdict": d.verdict, "reason": d.reason, "reviewer": d.reviewer,
            "actor": d.actor, "created_at": d.created_at, "audit_seq": d.audit_seq}


@dataclass(frozen=True, slots=True)
class QueueFilter:
    status: str | None = None
    list_id: str | None = None
    blocking: bool | None = None
    source: str | None = None
    party: str | None = None

    def validate(self) -> QueueFilter:
        if self.status is not None and self.status not in (*STATUSES, "undecided"):
            raise InvalidInput(f"status must be one of {', '.join((*STATUSES, 'undecided'))}, got {self.status!r}")
        if self.source is not None and self.source not in SOURCES:
            raise InvalidInput(f"source must be one of {', '.join(SOURCES)}, got {self.source!r}")
        return self

    def apply(self, q: Any) -> Any:
        if self.status == "undecided":
            q = q.where(ReviewItem.status.in_(("open", "pending_second")))
        elif self.status:
            q = q.where(ReviewItem.status == self.status)
        if self.list_id:
            q = q.where(ReviewItem.list_id == self.list_id)
        if self.blocking is not None:
            q = q.where(ReviewItem.blocking.is_(self.blocking))
        if self.source:
            q = q.where(ReviewItem.source == self.source)
        if self.party:
            q = q.where(ReviewItem.party_key.contains(party_key(self.party), autoescape=True))
        return q


def list_items(store: Store, flt: QueueFilter | None = None, *, limit: int = 50, offset: int = 0
               ) -> dict[str, Any]:
    """A page of the queue (oldest first) with the total under the same filter."""
    f = (flt or QueueFilter()).validate()
    limit = max(1, min(limit, 1000))
    with store.read() as session:
        total = int(session.scalar(f.apply(select(func.count()).select_from(ReviewItem))) or 0)
        rows = session.scalars(f.apply(select(ReviewItem)).order_by(ReviewItem.id).limit(limit).offset(offset))
        items = [item_json(r) for r in rows]
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def get_item(store: Store, item_id: int) -> dict[str, Any]:
    if not 1 <= item_id < 2**62:
        raise NotFound(f"no review item {item_id}")
    with store.read() as session:
        row = session.get(ReviewItem, item_id)
        if row is None:
            raise NotFound(f"no review item {item_id}")
        decisions = list(session.scalars(select(ReviewDecision).where(ReviewDecision.item_id == item_id)
                                         .order_by(ReviewDecision.id)))
        return item_json(row, decisions)


# --- deciding ------------------------------------------------------------------------------------

def decide(store: Store, settings: Settings, who: Principal, item_ids: Sequence[int], verdict: str,
           reason: str) -> list[dict[str, Any]]:
    """Decide one or more items (analyst or admin), all or none. Returns the items as they now stand."""
    who.require("analyst")
    if verdict not in VERDICTS:
        raise InvalidInput(f"verdict must be one of {', '.join(VERDICTS)}, got {verdict!r}")
    text = " ".join((reason or "").split())
    if not text:
        raise InvalidInput("a decision needs a reason")
    if len(text) > 2000 or any(ord(c) < 32 for c in reason if c not in "\t\n\r"):
        raise InvalidInput("the reason must be at most 2000 characters of text")
    ids = list(dict.fromkeys(int(i) for i in item_ids))
    for i in ids:
        if not 1 <= i < 2**62:
            raise NotFound(f"no review item {i}")
    if not ids:
        raise InvalidInput("no review items given")
    if len(ids) > 500:
        raise InvalidInput("at most 500 items at once")
    out = []
    with store.write() as session:
        for item_id in ids:
            row = session.scalar(select(ReviewItem).where(ReviewItem.id == item_id).with_for_update())
            if row is None:
                raise NotFound(f"no review item {item_id}")
            before = row.status
            row.status = _next_status(session, row, verdict, who, settings)
            now = audit_store.utc_now()
            row.decided_at = now
            dec = ReviewDecision(item_id=row.id, verdict=verdict, reason=text, reviewer=who.name, actor=who.actor,
                                 created_at=now)
            session.add(dec)
            session.flush()
            rec = audit_store.append(session, AuditEntry(
                kind="review.decide", actor=who.actor,
                inputs={"item": row.id, "verdict": verdict, "reason": text},
                result={"item": row.id, "party": row.party, "entry_id": row.entry_id,
                        "entry_version": row.entry_version, "list": row.list_id, "listed_name": row.listed_name,
                        "blocking": row.blocking, "status_before": before, "status": row.status,
                        "four_eyes": settings.review_four_eyes}))
            dec.audit_seq = rec.seq
            session.flush()
            out.append(item_json(row, list(session.scalars(
                select(ReviewDecision).where(ReviewDecision.item_id == row.id).order_by(ReviewDecision.id)))))
    return out


def _next_status(session: Session, row: ReviewItem, verdict: str, who: Principal, settings: Settings) -> str:
    if verdict == "true_match":
        return "true_match"
    if verdict == "escalate":
        return "escalated"
    if not (row.blocking and settings.review_four_eyes):
        return "false_positive"
    if row.status == "pending_second":
        first = session.scalar(select(ReviewDecision).where(ReviewDecision.item_id == row.id,
                                                            ReviewDecision.verdict == "false_positive")
                               .order_by(ReviewDecision.id.desc()).limit(1))
        if first is not None and first.reviewer == who.name:
            raise FourEyesRequired(f"review item {row.id} ({row.listed_name}, {row.list_id}) was cleared by "
                                   f"{first.reviewer}; a second person must confirm it (four-eyes)")
        return "false_positive"
    if row.status == "false_positive":
        return "false_positive"
    return "pending_second"
