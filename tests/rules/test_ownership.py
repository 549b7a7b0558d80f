"""Listed ownership: direct, chains, aggregates, the 50 % boundary, and what cannot be true."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipcontrol.errors import InvalidInput
from chipcontrol.model.shipment import OwnershipLink
from chipcontrol.rules.ear.ownership import listed_shares, validate

LISTED = {"L1", "L2", "L3"}


def _link(owner: str, owned: str, pct: str | float) -> OwnershipLink:
    return OwnershipLink(owner, owned, Fraction(str(pct)))


def _share(links: list[OwnershipLink], name: str = "P") -> Fraction:
    return listed_shares(validate(links), lambda n: n in LISTED, [name])[name].percent


def test_direct_chain_aggregate_and_affiliate_intermediate() -> None:
    assert _share([_link("L1", "P", 51)]) == 51
    assert _share([_link("L1", "A", 40), _link("A", "P", 50)]) == 20          # 40 % of 50 %
    assert _share([_link("L1", "P", 30), _link("L2", "P", 25)]) == 55         # in aggregate
    assert _share([_link("L1", "A", 60), _link("A", "P", 60)]) == 60          # A is an affiliate: counts in full
    assert _share([_link("X", "P", 100)]) == 0


def test_the_50_percent_boundary_is_exact() -> None:
    assert not listed_shares(validate([_link("L1", "P", "49.99")]), lambda n: n in LISTED, ["P"])["P"].affiliate
    exact = listed_shares(validate([_link("L1", "P", "25.1"), _link("L2", "P", "24.9")]),
                          lambda n: n in LISTED, ["P"])["P"]
    assert exact.percent == 50 and exact.affiliate


@pytest.mark.parametrize(("links", "message"), [
    ([_link("A", "B", 50), _link("B", "A", 50)], "cycle"),
    ([_link("L1", "P", 60), _link("L2", "P", 50)], "over 100"),
    ([_link("L1", "P", -1)], "outside 0-100"),
    ([_link("P", "P", 10)], "cannot own itself"),
    ([_link("L1", "P", 10), _link("l1", "p", 20)], "given twice"),
])
def test_impossible_ownership_is_rejected(links: list[OwnershipLink], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        validate(links)


_names = st.sampled_from(["L1", "L2", "L3", "A", "B", "C"])
_pct = st.integers(min_value=0, max_value=40).map(Fraction)


@st.composite
def _graphs(draw: st.DrawFn) -> list[OwnershipLink]:
    """Acyclic ownership (owners only own entities later in a fixed order), each entity at most 100 % owned."""
    order = ["L1", "L2", "L3", "A", "B", "C", "P"]
    links = []
    for j, owned in enumerate(order[3:], start=3):
        owners = draw(st.lists(st.sampled_from(order[:j]), unique=True, max_size=2))
        links += [OwnershipLink(o, owned, draw(_pct)) for o in owners]
    return links


@settings(max_examples=200, deadline=None)
@given(_graphs(), st.sampled_from(["L1", "L2", "L3"]), st.integers(min_value=1, max_value=20))
def test_adding_a_listed_owner_never_lowers_a_share(links: list[OwnershipLink], extra: str, pct: int) -> None:
    before = _share(links)
    total = sum((link.percent for link in links if link.owned == "P"), Fraction(0))
    if any(link.owner == extra and link.owned == "P" for link in links) or total + pct > 100:
        return
    assert _share([*links, OwnershipLink(extra, "P", Fraction(pct))]) >= before


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=49), min_size=1, max_size=4), st.integers(1, 100))
def test_a_chain_below_50_at_each_step_is_the_product_of_its_links(middle: list[int], last: int) -> None:
    # L1 -> A0 -> A1 ... -> P; every intermediate holds < 50 % listed, so none counts in full
    names = [f"A{i}" for i in range(len(middle))]
    links = [_link("L1", names[0], middle[0])]
    links += [_link(names[i - 1], names[i], middle[i]) for i in range(1, len(middle))]
    links.append(_link(names[-1], "P", last))
    expected = Fraction(last)
    for p in middle:
        expected = expected * p / 100
    assert _share(links) == expected
