"""Facts the answer can turn on, and the replies a person could give.

When a rule needs a fact nobody gave (a headquarters, an owner, whether the item was on sale in the US), it asks
for it through ``Work.ask`` with one of the ``Fact`` objects built here. The driver (``license.determine``) then
runs the rules once per reply and reports the question with the answer each reply gives — never the favourable
branch. Replies are classes of values chosen so that every value in a class gives the same answer (for a
headquarters: the country groups the rules test), each represented by one value.

The first reply of every fact is the most restrictive one: the trace shown with an open question follows it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from chipcontrol.model.citation import Citation
from chipcontrol.model.decision import Classification
from chipcontrol.model.spec import ChipSpec
from chipcontrol.rules.ruleset import RuleContext

# Countries tried, in order, when a class of headquarters needs a representative (any member would do).
_CANDIDATES = ("CN", "MO", "US", "DE", "GB", "JP", "FR", "IN", "MY", "SG", "AE", "SA", "BR", "MX", "VN", "TH", "ID",
               "IL", "TR", "ZA", "EG", "KZ", "AR", "PH", "CH", "KR", "TW", "AU", "CA", "NL", "IE", "RU", "BY", "IR",
               "KP", "CU", "SY", "VE", "NI", "KH", "MM", "PK", "NG", "KE", "CL", "CO", "PE", "UA", "GE", "AM", "AZ",
               "UZ", "MN", "LK", "BD", "NP", "QA", "KW", "BH", "OM", "JO", "LB", "IQ", "MA", "DZ", "TN", "LY", "ET")
_NAMES = {"CN": "China", "MO": "Macau", "US": "the United States", "DE": "Germany", "GB": "the United Kingdom",
          "JP": "Japan", "FR": "France", "IN": "India", "MY": "Malaysia", "SG": "Singapore",
          "AE": "the United Arab Emirates", "SA": "Saudi Arabia", "BR": "Brazil", "MX": "Mexico", "VN": "Vietnam",
          "TH": "Thailand", "ID": "Indonesia", "IL": "Israel", "TR": "Turkey", "ZA": "South Africa", "TW": "Taiwan",
          "KR": "South Korea", "CH": "Switzerland", "RU": "Russia", "KZ": "Kazakhstan", "AR": "Argentina"}


@dataclass(frozen=True, slots=True)
class Reply:
    value: str  # as the user gives it (a country code, "yes", "no", a number)
    label: str  # in plain words


@dataclass(frozen=True, slots=True)
class Fact:
    """A question the rules can ask. ``answer_with`` tells how to give the answer on the command line and in the
    API; ``why`` names the rule that needs it."""

    id: str
    question: str
    why: str
    answer_with: str
    citation: Citation
    replies: tuple[Reply, ...]


def yes_no(fact_id: str, question: str, why: str, citation: Citation, *, yes: str, no: str,
           yes_first: bool = True, answer_with: str = "") -> Fact:
    """A yes/no fact; ``yes_first`` when "yes" is the more restrictive reply."""
    ry, rn = Reply("yes", yes), Reply("no", no)
    return Fact(fact_id, question, why, answer_with or f"--answer {fact_id}=yes|no (API: answers)", citation,
                (ry, rn) if yes_first else (rn, ry))


def country_name(code: str) -> str:
    return _NAMES.get(code, code)


# ------------------------------------------------------------------------------------------------ headquarters
def _signature(ctx: RuleContext, country: str, tier1: frozenset[str]) -> tuple[bool, bool, bool, bool]:
    d5mo = country == "MO" or ctx.in_group(country, "D5")
    a56 = ctx.in_group(country, "A5") or ctx.in_group(country, "A6")
    return (d5mo, country == "US", a56 and not d5mo, country in tier1)


_HQ_CACHE: dict[tuple[int, str, tuple[str, ...]], tuple[Reply, ...]] = {}


def headquarters_replies(ctx: RuleContext, destination: str, tier1: Iterable[str] = ()) -> tuple[Reply, ...]:
    """One reply per class of headquarters the rules tell apart on this date: Macau or D:5 (first: the most
    restrictive), elsewhere, A:5/A:6, the United States — split further by Supp. No. 5 para. (a) where the AI
    Diffusion Rule (as written) reads it."""
    t1 = tuple(sorted(tier1))
    ctx.track("@groups")  # the replies are classes over every country group's members
    cache_key = (id(ctx.groups), destination, t1)
    cached = _HQ_CACHE.get(cache_key)
    if cached is not None:
        return cached
    tier = frozenset(t1)
    members = sorted(set().union(*ctx.groups.values()))
    seen: dict[tuple[bool, bool, bool, bool], str] = {}
    for c in (destination, *_CANDIDATES, *members):
        sig = _signature(ctx, c, tier)
        seen.setdefault(sig, c)
    replies: list[tuple[int, Reply]] = []
    for sig, rep in seen.items():
        d5mo, us, a56, in_t1 = sig
        suffix = " (a Supp. No. 5 para. (a) country)" if (in_t1 and tier) else (
            " (not a Supp. No. 5 para. (a) country)" if tier else "")
        if d5mo:
            rank, text = 0, "in Macau or a Country Group D:5 country"
        elif us:
            rank, text = 3, "in the United States"
        elif a56:
            rank, text = 2, "in a Country Group A:5 or A:6 country" + suffix
        else:
            rank, text = 1, "elsewhere (not D:5, Macau, A:5, A:6 or the US)" + suffix
        replies.append((rank, Reply(rep, f"{text}, e.g. {country_name(rep)} ({rep})")))
    out = tuple(r for _, r in sorted(replies, key=lambda x: (x[0], x[1].label)))
    if len(_HQ_CACHE) > 4096:
        _HQ_CACHE.clear()
    _HQ_CACHE[cache_key] = out
    return out


def headquarters_fact(ctx: RuleContext, destination: str, party: str, citation: Citation, why: str,
                      tier1: Iterable[str] = ()) -> Fact:
    who = "the end user" if party == "end_user" else party.replace("_", " ")
    return Fact(f"{party}.headquarters", f"Where is {who}, or its ultimate parent, headquartered?", why,
                "--end-user-hq CC (API: end_user_hq; batch column end_user_hq)" if party == "end_user"
                else f"the {who}'s hq (API: parties[].hq)", citation,
                headquarters_replies(ctx, destination, tier1))


# ------------------------------------------------------------------------------------------------ item facts
_P3 = "ear.part_774.eccn_3a090."


def _v(x: float) -> str:
    return f"{x:.6g}"


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"


def item_fact(missing: str, spec: ChipSpec, cls: Classification, ctx: RuleContext) -> Fact | None:
    """The question for a fact the classification lacks, with one reply per class of values that the thresholds in
    force tell apart (the most restrictive first). None when no reply can be formed."""
    cit = cls.rule_citation
    name = spec.display_name
    if missing == "datacenter":
        return yes_no("item.datacenter", f"Is {name} designed or marketed for use in datacenters?",
                      "Note 2 to 3A090 excludes non-datacenter items below TPP 4800.", cit,
                      yes="yes: designed or marketed for datacenters", no="no",
                      answer_with="datacenter: true|false in the spec, or --answer item.datacenter=yes|no")
    if missing == "die_area_mm2":
        tpp = cls.tpp
        pds = sorted({float(r.value) for r in (ctx.read(_P3 + p) for p in ("a2_pd", "b1_pd", "b2_pd"))
                      if r is not None}, reverse=True)
        if tpp is None or not pds:
            return None
        replies = [Reply(_v(tpp / (pds[0] * 1.01)), f"{_fmt(tpp / pds[0])} mm2 or less (performance density "
                         f"{pds[0]:g} or more)")]
        for hi, lo in itertools.pairwise(pds):
            mid = (hi + lo) / 2
            replies.append(Reply(_v(tpp / mid), f"between {_fmt(tpp / hi)} and {_fmt(tpp / lo)} mm2 "
                                 f"(performance density {lo:g} to {hi:g})"))
        replies.append(Reply(_v(tpp / (pds[-1] / 2)), f"more than {_fmt(tpp / pds[-1])} mm2 (performance density "
                             f"below {pds[-1]:g})"))
        return Fact("item.die_area_mm2", f"What is {name}'s applicable die area (all non-planar logic dies, in mm2)?",
                    "Performance density (TPP / die area) decides 3A090.a.2 and 3A090.b.",
                    "die_area_mm2 in the spec, or --answer item.die_area_mm2=NUMBER", cit, tuple(replies))
    if missing == "io_bandwidth_gbs":
        read = ctx.read(_P3 + "a_2022_io_bandwidth_gbs")
        if read is None:
            return None
        t = float(read.value)
        return Fact("item.io_bandwidth_gbs", f"What is {name}'s aggregate bidirectional I/O bandwidth to non-memory "
                    "ICs (GB/s)?", "The 2022 test needs I/O of 600 GB/s or more.", "io_bandwidth_gbs in the spec, "
                    "or --answer item.io_bandwidth_gbs=NUMBER", read.citation,
                    (Reply(_v(t), f"{t:g} GB/s or more"), Reply(_v(t / 2), f"below {t:g} GB/s")))
    if missing == "memory_bandwidth_density":
        read = ctx.read(_P3 + "c_memory_bandwidth_density")
        if read is None:
            return None
        t = float(read.value)
        return Fact("item.memory_bandwidth_density", f"What is {name}'s memory bandwidth density (GB/s per mm2)?",
                    "3A090.c reaches high bandwidth memory above the threshold.", "memory_bandwidth_density in the "
                    "spec, or --answer item.memory_bandwidth_density=NUMBER", read.citation,
                    (Reply(_v(t * 1.5), f"above {t:g}"), Reply(_v(t / 2), f"{t:g} or less")))
    if missing == "dense_tops":
        names = ("a1_tpp", "a2_tpp", "b2_tpp") if ctx.read(_P3 + "a1_tpp") is not None else ("a_2022_tops_x_bits",)
        levels = sorted({float(r.value) for r in (ctx.read(_P3 + p) for p in names) if r is not None}, reverse=True)
        if not levels:
            return None
        replies = [Reply(_v(levels[0]), f"TPP {levels[0]:g} or more")]
        for hi, lo in itertools.pairwise(levels):
            replies.append(Reply(_v(lo), f"TPP {lo:g} to {hi:g}"))
        replies.append(Reply(_v(levels[-1] / 2), f"TPP below {levels[-1]:g}"))
        return Fact("item.tpp", f"What is {name}'s total processing performance (dense TOPS x bit length)?",
                    "No dense throughput is known; TPP decides 3A090.", "dense_tops in the spec, or --answer "
                    "item.tpp=NUMBER", cit, tuple(replies))
    return None
