"""The 3A090 control regions in the (TPP, performance density) plane on one date, for drawing.

The regions are read from the parameters in force (``RuleContext``), for the classification logic in force; they are
a picture of the rules, not a second implementation: the points on a chart are coloured by the real classification,
and the tests check that the regions agree with ``classify`` on a grid of synthetic chips.
"""

from __future__ import annotations

from dataclasses import dataclass

from chipcontrol.rules.ruleset import RuleContext

P = "ear.part_774.eccn_3a090."


@dataclass(frozen=True, slots=True)
class Region:
    """An axis-aligned box in (TPP, PD); ``None`` bounds are open. Lower bounds inclusive, upper bounds exclusive."""

    name: str
    label: str
    level: str  # "a" or "b"
    tpp_min: float
    tpp_max: float | None = None
    pd_min: float | None = None
    pd_max: float | None = None
    datacenter_only: bool = False
    note: str = ""

    def contains(self, tpp: float, pd: float | None, datacenter: bool = True) -> bool:
        if self.datacenter_only and not datacenter:
            return False
        if tpp < self.tpp_min or (self.tpp_max is not None and tpp >= self.tpp_max):
            return False
        if self.pd_min is None and self.pd_max is None:
            return True
        if pd is None:
            return False
        return not ((self.pd_min is not None and pd < self.pd_min) or (self.pd_max is not None and pd >= self.pd_max))


def _num(ctx: RuleContext, name: str) -> float | None:
    v = ctx.value(P + name)
    return None if v is None else float(v)


def control_regions(ctx: RuleContext) -> tuple[tuple[Region, ...], str]:
    """The regions of 3A090.a/.b in force on ``ctx.as_of`` and a one-line note about what the plane cannot show."""
    logic = ctx.classification_logic
    if logic == "classify_3a090_not_yet_effective":
        return (), "ECCN 3A090 not yet in force (from 2022-10-21)"
    if logic == "classify_3a090_2022":
        tops = _num(ctx, "a_2022_tops_x_bits")
        io = _num(ctx, "a_2022_io_bandwidth_gbs")
        if tops is None:
            return (), "no 2022 threshold in force"
        return (Region("3A090.a (2022)", f"3A090.a: TPP ≥ {tops:g} and I/O ≥ {io:g} GB/s", "a", tops,
                       note=f"also needs I/O bandwidth ≥ {io or 0:g} GB/s (not on this plane)"),), \
            f"October 2022 test: TPP ≥ {tops:g} AND aggregate I/O ≥ {io:g} GB/s; the I/O prong is not on this plane"
    a1, a2t, a2d = _num(ctx, "a1_tpp"), _num(ctx, "a2_tpp"), _num(ctx, "a2_pd")
    b1t, b1d, b2t, b2d = _num(ctx, "b1_tpp"), _num(ctx, "b1_pd"), _num(ctx, "b2_tpp"), _num(ctx, "b2_pd")
    if None in (a1, a2t, a2d, b1t, b1d, b2t, b2d):
        return (), "3A090 thresholds incomplete on this date"
    assert a1 is not None and a2t is not None and a2d is not None and b1t is not None and b1d is not None
    assert b2t is not None and b2d is not None
    note2 = _num(ctx, "note2_non_datacenter_tpp")
    regions = (
        Region("3A090.a.1", f"3A090.a.1: TPP ≥ {a1:g}", "a", a1),
        Region("3A090.a.2", f"3A090.a.2: TPP ≥ {a2t:g}, PD ≥ {a2d:g}", "a", a2t, a1, a2d, None, True),
        Region("3A090.b.1", f"3A090.b.1: TPP {b1t:g}–{a1:g}, PD {b1d:g}–{a2d:g}", "b", b1t, a1, b1d, a2d, True),
        Region("3A090.b.2", f"3A090.b.2: TPP ≥ {b2t:g}, PD {b2d:g}–{a2d:g}", "b", b2t, a1, b2d, a2d, True),
    )
    return regions, (f"density prongs (a.2, b) apply to datacenter items only below TPP {note2:g} (Note 2)"
                     if note2 is not None else "")


def region_of(regions: tuple[Region, ...], tpp: float, pd: float | None, datacenter: bool = True) -> str | None:
    """The first (most restrictive) region containing the point, as classify orders them (a.1, a.2, b.1, b.2)."""
    for r in regions:
        if r.contains(tpp, pd, datacenter):
            return r.name
    return None
