"""Listed ownership: how much of a party listed parties own, directly or indirectly, individually or in aggregate.

The Affiliates Rule (90 FR 47201, 15 CFR 744.11(a)(3) as added) reaches an entity owned 50 percent or more,
directly or indirectly, individually or in the aggregate, by one or more listed parties. Computation here:

- a direct holding by a listed owner counts in full;
- an owner that is itself 50 % or more listed-owned (an affiliate) counts as a listed owner;
- an owner that is neither passes on its own listed share: a holding through it counts as the product of the
  percentages along the chain (``40 %`` of ``A`` held by a listed party, ``A`` holding ``100 %`` of ``B``: ``40 %``
  of ``B``); this is the cautious reading of "indirectly" and is recorded in docs/verification.md;
- holdings add up across owners ("in the aggregate").

Names are matched after folding case and spacing. Percentages are exact fractions, so 25.1 + 24.9 is exactly 50.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from chipcontrol.errors import InvalidInput
from chipcontrol.model.shipment import OwnershipLink

HUNDRED = Fraction(100)
AFFILIATE_SHARE = Fraction(50)


@functools.lru_cache(maxsize=65536)
def key(name: str) -> str:
    """The name as ownership links are matched: case and spacing folded."""
    return " ".join(name.casefold().split())


@dataclass(frozen=True, slots=True)
class Share:
    """Listed ownership of one entity: the percentage, and each path that contributes (owner first)."""

    percent: Fraction
    paths: tuple[tuple[tuple[str, Fraction], ...], ...]  # ((listed owner, pct), (intermediate, pct), ...)

    @property
    def affiliate(self) -> bool:
        return self.percent >= AFFILIATE_SHARE

    def describe(self) -> tuple[str, ...]:
        out = []
        for path in self.paths:
            out.append(" -> ".join(f"{name} ({_pct(p)})" for name, p in path))
        return tuple(out)


def _pct(p: Fraction) -> str:
    return f"{float(p):g} %"


def validate(links: Iterable[OwnershipLink]) -> tuple[OwnershipLink, ...]:
    """Reject what cannot be true: a percentage outside 0-100, an owner owning itself, more than 100 % of one
    entity, the same link given twice, or a cycle. The error names where the offending link was given."""
    out = tuple(links)
    total: dict[str, Fraction] = {}
    seen: dict[tuple[str, str], OwnershipLink] = {}
    for link in out:
        where = f"{link.origin}: " if link.origin else ""
        if not link.owner.strip() or not link.owned.strip():
            raise InvalidInput(f"{where}owner and owned entity must both be named")
        if link.percent < 0 or link.percent > HUNDRED:
            raise InvalidInput(f"{where}percentage {float(link.percent):g} is outside 0-100")
        o, d = key(link.owner), key(link.owned)
        if o == d:
            raise InvalidInput(f"{where}{link.owner!r} cannot own itself")
        if (o, d) in seen:
            raise InvalidInput(f"{where}{link.owner!r} -> {link.owned!r} is given twice "
                               f"(also {seen[(o, d)].origin or 'above'})")
        seen[(o, d)] = link
        total[d] = total.get(d, Fraction(0)) + link.percent
        if total[d] > HUNDRED:
            raise InvalidInput(f"{where}owners of {link.owned!r} add up to {float(total[d]):g} %, over 100 %")
    cycle = _find_cycle(out)
    if cycle:
        first = next(link for link in out if key(link.owner) == cycle[0] and key(link.owned) == cycle[1])
        where = f"{first.origin}: " if first.origin else ""
        raise InvalidInput(f"{where}ownership cycle: {' -> '.join(cycle)}")
    return out


def _find_cycle(links: tuple[OwnershipLink, ...]) -> list[str]:
    graph: dict[str, list[str]] = {}
    for link in links:
        graph.setdefault(key(link.owner), []).append(key(link.owned))
    state: dict[str, int] = {}
    stack: list[str] = []
    for node in list(graph):
        if state.get(node) is None:
            found = _visit(node, graph, state, stack)
            if found:
                return found
    return []


def _visit(n: str, graph: dict[str, list[str]], state: dict[str, int], stack: list[str]) -> list[str]:
    """Depth first from ``n``: the first cycle met, as the path that closes it, or []. (A module function, not a
    closure that calls itself: that would be a reference cycle per call.)"""
    state[n] = 1
    stack.append(n)
    for m in graph.get(n, ()):
        if state.get(m) == 1:
            return [*stack[stack.index(m):], m]
        if state.get(m) is None:
            found = _visit(m, graph, state, stack)
            if found:
                return found
    stack.pop()
    state[n] = 2
    return []


def listed_shares(links: Iterable[OwnershipLink], is_listed: Callable[[str], bool],
                  names: Iterable[str]) -> dict[str, Share]:
    """Listed ownership of each of ``names`` (and of every entity on the way), from validated, acyclic links.

    ``is_listed(name)`` says whether an owner is itself a listed party (screened by the caller)."""
    owners_of: dict[str, list[OwnershipLink]] = {}
    for link in links:
        owners_of.setdefault(key(link.owned), []).append(link)
    memo: dict[str, Share] = {}
    return {name: _share(key(name), owners_of, is_listed, memo) for name in names}


def _share(k: str, owners_of: Mapping[str, list[OwnershipLink]], is_listed: Callable[[str], bool],
           memo: dict[str, Share]) -> Share:
    """The listed share of the entity keyed ``k``, through its owners (remembered in ``memo``). (A module function,
    not a closure that calls itself: that would be a reference cycle per call.)"""
    found = memo.get(k)
    if found is not None:
        return found
    total = Fraction(0)
    paths: list[tuple[tuple[str, Fraction], ...]] = []
    for link in owners_of.get(k, ()):
        ok = key(link.owner)
        if is_listed(link.owner):
            total += link.percent
            paths.append(((link.owner, link.percent),))
            continue
        upstream = _share(ok, owners_of, is_listed, memo)
        if upstream.percent == 0:
            continue
        # an affiliate counts as a listed owner; any other owner passes on its own listed share
        total += link.percent if upstream.affiliate else link.percent * upstream.percent / HUNDRED
        paths.extend((*p, (link.owner, link.percent)) for p in upstream.paths)
    result = Share(min(total, HUNDRED), tuple(paths))
    memo[k] = result
    return result


def listed_owner_names(links: Iterable[OwnershipLink]) -> list[str]:
    """Every distinct owner named in the links, in the order first given."""
    seen: dict[str, str] = {}
    for link in links:
        seen.setdefault(key(link.owner), link.owner)
    return list(seen.values())


def share_map(shares: Mapping[str, Share]) -> dict[str, float]:
    return {name: float(s.percent) for name, s in shares.items()}
