"""The policy lab: what-if scenarios over the real rules, the design envelope of a derivative chip, and the data
behind the lab's charts. Pure: no files, no delivery frameworks (the services layer reads files and draws)."""

from chipcontrol.lab.envelope import Envelope, Limit, envelope
from chipcontrol.lab.impact import Change, Comparison, Side, Status, compare, diff, evaluate, impact
from chipcontrol.lab.regions import Region, control_regions, region_of
from chipcontrol.lab.scenario import Scenario, ScenarioError, overlay_files, parse_scenario

__all__ = [
    "Change",
    "Comparison",
    "Envelope",
    "Limit",
    "Region",
    "Scenario",
    "ScenarioError",
    "Side",
    "Status",
    "compare",
    "control_regions",
    "diff",
    "envelope",
    "evaluate",
    "impact",
    "overlay_files",
    "parse_scenario",
    "region_of",
]
