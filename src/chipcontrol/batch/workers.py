"""Deciding many keys in parallel: worker processes that run ``check``'s own steps on the requests of the parent.

For each key the parent sends the request ``check`` would get for its first line, the item and the decision date;
a worker builds the shipment with ``assess.build_shipment`` (screening answered from the parent's results, sent
ahead: every name is screened once, by the parent — or, for the many new names of a large batch's first frame,
by the workers side by side on the parent's behalf, with the same screener), classifies the item (cached) and runs
``determine`` in the configured view and, where ``check`` reports it, the other view — :func:`decide_shipment`,
the function the parent uses in-process. Each worker is a fresh ``python -m chipcontrol.batch.workers`` process
(never a fork of the parent, whose Polars threads make ``fork`` unsafe, and never a re-run of the caller's main
module as ``multiprocessing`` would do); it loads the bundled rules once, reads pickled messages on stdin, answers
each on stdout, and lives as long as the pool.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import pickle
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from typing import IO, Any, NamedTuple

from chipcontrol.batch.columns import DECISION_FIELDS, key_request
from chipcontrol.batch.decision import Decision, from_determination
from chipcontrol.model.decision import Classification
from chipcontrol.model.shipment import PartyHit, Shipment
from chipcontrol.model.spec import ChipSpec
from chipcontrol.rules.ear.eccn_3a090 import classify
from chipcontrol.rules.ear.license import determine
from chipcontrol.rules.ruleset import Ruleset, tracking_reads
from chipcontrol.services import assess

# item id, date, request-only fields, kept parties, the key less its period, the period's token (see PeriodMemo)
Task = tuple[int, dt.date, tuple[Any, ...], tuple[tuple[str, str], ...], tuple[Any, ...], Hashable]
Screened = tuple[tuple[PartyHit, ...], tuple[PartyHit, ...]]


def decide_shipment(rs: Ruleset, view: str, spec: ChipSpec, day: dt.date, ship: Shipment,
                    classification: Callable[[str], Classification]) -> Decision:
    """The decision fields for one shipment on ``day``, as ``assess.check_item`` computes them."""
    ctx = rs.context(day, view)
    if not ctx.views_differ:
        return from_determination(determine(spec, classification(view), ship, ctx), None)
    other_view = "as_written" if view == "enforced" else "enforced"
    cls, other_cls = classification(view), classification(other_view)
    with tracking_reads() as reads:
        d = determine(spec, cls, ship, ctx)
    if cls == other_cls and reads.isdisjoint(rs.view_differences(day)):
        return from_determination(d, None)  # nothing it read differs in the other view: the same answer there
    return from_determination(d, determine(spec, other_cls, ship, rs.context(day, other_view)))


class PeriodToken(NamedTuple):
    """What shapes a key's decision in its period besides the key's own columns (see :class:`PeriodMemo`): the
    classification in both views as far as a decision reads it (a number per distinct form), whether the
    exporter's name can matter, the LPP quantity rule, and how the views stand (``views``: 0 where no rule version
    applies in one view only, so ``check`` reports no other view; 1 where some does and the item's classification is
    the same in both views; 2 where it differs)."""

    form: int
    exporter_matters: bool
    quantity_rule: tuple[int | None, ...] | None
    views: int


class PeriodMemo:
    """Keys that differ only in their decision period, the end user's headquarters or the declared end uses share
    one decision where what differs was not read.

    A decision period starts at every date on which anything in the data changes, for any item or place; most
    changes cannot reach most keys (a stay of the Affiliates Rule, a Syria rule, a compliance date for HBM). The
    engine is a function of the shipment, the classification and what it reads from the rules, so a decision made
    on day ``q`` holds on day ``p`` when (a) the key less its period is the same (``rest``) — or differs only in the
    headquarters (``hq_at``, its position in ``rest``) where the decision did not read it (``@ship:hq``), or in
    declared end uses the decision did not ask about (``uses_at``; ``@ship:end_use:USE``) — (b) the period tokens
    agree — the parent's per item and period facts that shape a key (:class:`PeriodToken`) — and (c) none of the
    parameters the decision read differs between the two days (:meth:`Ruleset.differing_parameters`: parameters,
    their in-force status or one entry, letters coming into force, logic features, country-group memberships, the
    classification logic, the rule version's citation). The decision's ``rule_version`` is the day's own.

    Tokens that differ only in how the views stand are compared too, since the other view only adds its fields: a
    decision from a day on which ``check`` reports no other view holds on a day on which it would, with the same
    classification in both views, where nothing the decision read differs between the views on that day (``check``
    then finds the same answer in the other view and reports none); and any decision holds, less its other-view
    fields, on a day on which no other view is reported. Otherwise the key is decided anew with the engine, its
    reads recorded."""

    def __init__(self, rs: Ruleset, view: str = "enforced", hq_at: int | None = None,
                 uses_at: int | None = None) -> None:
        self.rs = rs
        self.view = view
        self.hq_at, self.uses_at = hq_at, uses_at
        self._soft = tuple(i for i in (hq_at, uses_at) if i is not None)
        # core (rest less hq and end uses) -> token -> (entries that did not read hq, entries that did, by hq)
        self._seen: dict[Hashable, dict[Hashable, tuple[list[_Entry], dict[Any, list[_Entry]]]]] = {}
        self._reads: dict[frozenset[str], tuple[frozenset[str], bool, tuple[str, ...]]] = {}
        self.shared = 0
        # remembered per memo: tokens' sources, end-use sets, two days' differences, each day's rule version
        self._sources: dict[Hashable, list[tuple[Hashable, bool, bool]]] = {}
        self._use_sets: dict[Any, frozenset[str]] = {}
        self._differ: dict[tuple[dt.date, dt.date], frozenset[str] | None] = {}
        self._versions: dict[dt.date, str] = {}

    def _uses(self, value: Any) -> frozenset[str]:
        found = self._use_sets.get(value)
        if found is None:
            found = self._use_sets[value] = _uses(value)
        return found

    def core(self, rest: Hashable) -> Hashable:
        """The key less its period, headquarters and end uses."""
        if not isinstance(rest, tuple):
            return rest
        for i in self._soft:
            rest = (*rest[:i], None, *rest[i + 1:])
        return rest

    def decide(self, rest: Hashable, token: Hashable, day: dt.date, compute: Callable[[], Decision]) -> Decision:
        hq = rest[self.hq_at] if self.hq_at is not None and isinstance(rest, tuple) else None
        uses = self._uses(rest[self.uses_at]) if self.uses_at is not None and isinstance(rest, tuple) else _NO_USES
        core = self.core(rest)
        seen = self._seen.get(core)
        if seen is None:
            seen = self._seen[core] = {}
        own = seen.get(token)
        if own is None:
            own = seen[token] = ([], {})
        free, by_hq = own
        sources = self._sources.get(token)
        if sources is None:
            sources = self._sources[token] = _sources(token)
        for source, views_unread, drop_other in sources:
            found = own if source is token else seen.get(source)
            if found is None:
                continue
            for entries in (found[0], found[1].get(hq, ())):
                for q, reads, asked, e_uses, d in entries:
                    if asked and any((u in uses) != (u in e_uses) for u in asked):
                        continue
                    if q != day:
                        differ = self._differ.get((q, day), _UNKNOWN)
                        if differ is _UNKNOWN:
                            differ = self._differ[(q, day)] = self.rs.differing_parameters(q, day)
                        if differ is None or not reads.isdisjoint(differ):
                            continue
                    if views_unread and not reads.isdisjoint(self.rs.view_differences(day)):
                        continue
                    self.shared += 1
                    version = self._versions.get(day)
                    if version is None:
                        version = self._versions[day] = self.rs.context(day, self.view).version.id
                    if drop_other and d[_OTHER] != _NO_OTHER:
                        d = (*d[:_OTHER.start], *_NO_OTHER)
                    return d if d[_VERSION] == version else (*d[:_VERSION], version, *d[_VERSION + 1:])
        with tracking_reads() as names:
            d = compute()
        frozen = frozenset(names)
        known = self._reads.get(frozen)
        if known is None:
            known = self._reads[frozen] = (frozen, "@ship:hq" in frozen,
                                           tuple(n[len(_USE):] for n in frozen if n.startswith(_USE)))
        reads, read_hq, asked = known
        (by_hq.setdefault(hq, []) if read_hq else free).append((day, reads, asked, uses, d))
        return d


_Entry = tuple[dt.date, frozenset[str], tuple[str, ...], frozenset[str], Decision]
_USE = "@ship:end_use:"
_NO_USES: frozenset[str] = frozenset()
_UNKNOWN: Any = object()
_OTHER = slice(len(DECISION_FIELDS) - 3, None)  # the other view's outcome, requirement and review policy
_NO_OTHER = (None, None, None)
assert all(f.startswith("other_view_") for f in DECISION_FIELDS[_OTHER])


def _sources(token: Hashable) -> list[tuple[Hashable, bool, bool]]:
    """Tokens whose decisions may serve a key with ``token``: (token, whether the decision must not have read
    anything that differs between the views on the day, whether its other-view fields are dropped)."""
    if not isinstance(token, PeriodToken):
        return [(token, False, False)]
    out: list[tuple[Hashable, bool, bool]] = [(token, False, False)]
    if token.views == 1:
        out.append((token._replace(views=0), True, False))
    elif token.views == 0:
        out += [(token._replace(views=1), False, True), (token._replace(views=2), False, True)]
    return out


def _uses(value: Any) -> frozenset[str]:
    """A key's end uses (``columns.parse_end_uses``: ';'-joined) as a set."""
    return frozenset(value.split(";")) if isinstance(value, str) and value else frozenset()


_SHIPS_MAX = 20_000
_VERSION = DECISION_FIELDS.index("rule_version")


@contextlib.contextmanager
def gc_paused(collect: bool = True) -> Iterator[None]:
    """The cyclic garbage collector paused while keys are decided: each decision allocates many short-lived,
    acyclic objects (freed by reference counting), and the collector's passes over the caches that grow meanwhile
    (decisions, shipments, the period memo) cost about a sixth of the deciding time. When the block ends what
    survives — the caches, which live as long as the batch — is moved out of the collector's sight (``gc.freeze``),
    so later passes do not walk it again; with ``collect`` the young generations are collected first (for a caller
    that may have made reference cycles meanwhile). A worker process only decides in the block, and deciding makes no
    reference cycles (tests/batch/test_batch_equivalence.py): it freezes without that pass, which walks every
    survivor."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            if collect:
                gc.collect(1)
            gc.freeze()
            gc.enable()


def shipment_for(req: assess.CheckRequest, screen: Callable[[str, str | None], Any],
                 cache: dict[assess.CheckRequest, Shipment]) -> Shipment:
    """``assess.build_shipment`` for a request, remembered (keys that differ only in their date share it)."""
    ship = cache.get(req)
    if ship is None:
        if len(cache) >= _SHIPS_MAX:
            cache.clear()
        ship = cache[req] = assess.build_shipment(req, screen)[0]
    return ship


# ------------------------------------------------------------------------------------------- in a worker
_state: dict[str, Any] = {}


def _screen(name: str, country: str | None) -> tuple[list[PartyHit], list[PartyHit]]:
    hits, res = _state["screened"][(name, country or "\x00")]
    return list(hits), list(res)


def _decide_chunk(tasks: Sequence[Task]) -> list[Decision]:
    with gc_paused(collect=False):
        return [_decide_one(*task) for task in tasks]


def _decide_one(item: int, day: dt.date, own: tuple[Any, ...], kept: tuple[tuple[str, str], ...],
                rest: tuple[Any, ...], token: Hashable) -> Decision:
    rs: Ruleset = _state["rs"]
    spec: ChipSpec = _state["specs"][item]
    classes: dict[tuple[int, dt.date, str], Classification] = _state["classes"]

    def classification(view: str) -> Classification:
        key = (item, day, view)
        c = classes.get(key)
        if c is None:
            c = classes[key] = classify(spec, rs.context(day, view), _state["tf32"])
        return c

    def compute() -> Decision:
        ship = shipment_for(key_request(rest, own, kept), _screen, _state["ships"])
        return decide_shipment(rs, _state["view"], spec, day, ship, classification)

    memo: PeriodMemo = _state["memo"]
    return memo.decide(rest, token, day, compute)


def _write(stream: IO[bytes], obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack("<Q", len(data)) + data)
    stream.flush()


def _read(stream: IO[bytes]) -> Any:
    head = stream.read(8)
    if len(head) < 8:
        raise EOFError
    (n,) = struct.unpack("<Q", head)
    return pickle.loads(stream.read(n))  # written by this module's other end, never outside data


def _serve(view: str, tf32_bits: str, hq_at: int | None = None, uses_at: int | None = None,
           screens: bool = False) -> None:
    """The worker's loop, until stdin closes: ("learn", items, screened) adds items and screening results;
    ("decide", tasks) answers with the tasks' decisions; ("screen", pairs) with each (name, country)'s screening by
    the default party screener over the bundled lists (loaded at start when ``screens``)."""
    rs = Ruleset.load()
    _state.update(rs=rs, view=view, tf32=tf32_bits, classes={}, specs={}, screened={}, ships={},
                  memo=PeriodMemo(rs, view, hq_at, uses_at))
    if screens:
        _party_screener()
    while True:
        try:
            kind, *args = _read(sys.stdin.buffer)
        except EOFError:
            return
        if kind == "learn":
            _state["specs"].update(args[0])
            _state["screened"].update(args[1])
            _write(sys.stdout.buffer, None)
        elif kind == "screen":
            screen = _party_screener()
            _write(sys.stdout.buffer, [screened_pair(screen, name, country) for name, country in args[0]])
        else:
            _write(sys.stdout.buffer, _decide_chunk(args[0]))


def _party_screener() -> Callable[[str, str | None], Any]:
    if "screen" not in _state:
        from chipcontrol.services.parties import default_party_screener

        _state["screen"] = default_party_screener()
    screen: Callable[[str, str | None], Any] = _state["screen"]
    return screen


def screened_pair(screen: Callable[[str, str | None], Any], name: str, country: str | None) -> Screened:
    """A screener's answer for one name as a batch keeps it: (hits, resembled listings), or (hits, ()) from a
    screener that gives hits only."""
    res = screen(name, country)
    hits, resembles = res if isinstance(res, tuple) else (res, [])
    return tuple(hits), tuple(resembles)


# ------------------------------------------------------------------------------------------- in the parent
class WorkerError(RuntimeError):
    pass


class Job:
    """Decisions being made: ``result()`` waits for them."""

    def __init__(self, after: Job | None = None) -> None:
        self.after = after
        self._event = threading.Event()
        self._decisions: list[Decision] = []
        self.error: str | None = None

    @classmethod
    def done(cls, decisions: list[Decision]) -> Job:
        job = cls()
        job.set(None, decisions)
        return job

    def set(self, error: str | None, decisions: list[Decision]) -> None:
        self.error, self._decisions = error, decisions
        self.after = None
        self._event.set()

    def wait(self) -> None:
        self._event.wait()

    @property
    def finished(self) -> bool:
        return self._event.is_set()

    def result(self) -> list[Decision]:
        self._event.wait()
        if self.error is not None:
            raise WorkerError(self.error)
        return self._decisions


class DecisionPool:
    """``workers`` processes deciding tasks for the bundled ruleset, in one view and TF32 setting."""

    def __init__(self, workers: int, view: str, tf32_bits: str, hq_at: int | None = None,
                 uses_at: int | None = None, screens: bool = False) -> None:
        self.workers = workers
        if any(i is not None and i < 2 for i in (hq_at, uses_at)):
            raise ValueError("a key's first two parts (item, destination) choose its worker: they cannot vary")
        args = [str(-1 if i is None else i) for i in (hq_at, uses_at)] + (["screens"] if screens else [])
        self._procs = [subprocess.Popen([sys.executable, "-m", "chipcontrol.batch.workers", view, tf32_bits, *args],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE) for _ in range(workers)]
        self._items_sent = 0
        self._screened_sent = 0
        self._last: Job | None = None

    def submit(self, tasks: Sequence[Task], specs: Sequence[ChipSpec],
               screened: Mapping[tuple[str, str], Screened]) -> Job:
        """Start deciding ``tasks`` (after the jobs submitted before); ``specs`` (by item id) and ``screened`` (by
        name and country, in the order learnt) only grow between calls, and each worker is sent what it has not
        seen yet."""
        items = {i: specs[i] for i in range(self._items_sent, len(specs))}
        new = dict(list(screened.items())[self._screened_sent:])
        self._items_sent, self._screened_sent = len(specs), len(screened)
        # every variant of a key (its period, headquarters, end uses) goes to the same worker in every frame, so that
        # worker's PeriodMemo sees them all: the worker is chosen by the key's item and destination (part of its
        # core; hash() is stable within this process)
        shares: list[list[int]] = [[] for _ in self._procs]
        n = len(shares)
        for i, task in enumerate(tasks):
            rest = task[4]
            shares[hash(rest[:2] if isinstance(rest, tuple) else rest) % n].append(i)
        job = Job(self._last)
        self._last = job
        threading.Thread(target=self._run, args=(job, tasks, shares, items, new), daemon=True).start()
        return job

    def screen(self, pairs: Sequence[tuple[str, str | None]]) -> list[Screened] | None:
        """Screen (name, country) pairs with the default party screener over the bundled lists, split across the
        workers, in order; None when a job is still deciding (the pipes are busy) or a worker failed (the caller
        screens them itself)."""
        if self._last is not None and not self._last.finished:
            return None
        n = len(self._procs)
        size = -(-len(pairs) // n)
        parts = [list(pairs[i * size:(i + 1) * size]) for i in range(n)]
        answers: list[list[Screened] | None] = [None] * n

        def ask(k: int) -> None:
            proc = self._procs[k]
            assert proc.stdin is not None and proc.stdout is not None
            try:
                _write(proc.stdin, ("screen", parts[k]))
                answers[k] = _read(proc.stdout)
            except (OSError, EOFError, ValueError):
                answers[k] = None

        threads = [threading.Thread(target=ask, args=(k,), daemon=True) for k in range(n) if parts[k]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        out: list[Screened] = []
        for part, got in zip(parts, answers, strict=True):
            if part and (got is None or len(got) != len(part)):
                return None
            out.extend(got or [])
        return out

    def _run(self, job: Job, tasks: Sequence[Task], shares: list[list[int]], items: dict[int, ChipSpec],
             new: dict[tuple[str, str], Screened]) -> None:
        prior = job.after
        if prior is not None:
            prior.wait()
            if prior.error is not None:
                job.set(prior.error, [])
                return
        results: list[Decision | None] = [None] * len(tasks)
        failed: list[str] = []

        def feed(proc: subprocess.Popen[bytes], share: list[int]) -> None:
            assert proc.stdin is not None and proc.stdout is not None
            try:
                if items or new:
                    _write(proc.stdin, ("learn", items, new))
                    _read(proc.stdout)
                step = max(32, min(1000, len(share) // 4 or 1))
                for a in range(0, len(share), step):
                    if failed:
                        return
                    part = share[a:a + step]
                    _write(proc.stdin, ("decide", [tasks[i] for i in part]))
                    for i, d in zip(part, _read(proc.stdout), strict=True):
                        results[i] = d
            except (OSError, EOFError, ValueError) as exc:
                failed.append(f"decision worker {proc.pid} stopped ({type(exc).__name__}; exit code {proc.poll()}); "
                              "see its error above")

        threads = [threading.Thread(target=feed, args=(p, share), daemon=True)
                   for p, share in zip(self._procs, shares, strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if failed:
            job.set(failed[0], [])
            return
        done = [d for d in results if d is not None]
        job.set(None if len(done) == len(tasks) else "a decision worker answered fewer tasks than it was sent", done)

    def close(self) -> None:
        if self._last is not None:
            self._last.wait()
        for p in self._procs:
            if p.stdin is not None and not p.stdin.closed:
                p.stdin.close()
        for p in self._procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            if p.stdout is not None:
                p.stdout.close()
        self._procs = []


if __name__ == "__main__":
    _at = [None if int(a) < 0 else int(a) for a in sys.argv[3:5]]
    _serve(sys.argv[1], sys.argv[2], _at[0], _at[1], screens="screens" in sys.argv[5:])
