"""Restricted-party screening: list snapshots, importers, list semantics and the name matcher.

Pure core: no I/O beyond reading the bundled package data, no delivery frameworks.
"""

from chipcontrol.screening.importers import (
    import_csl_csv,
    import_csl_json,
    import_nsfreg_json,
    import_ofac_sdn_csv,
)
from chipcontrol.screening.matcher import (
    ALGORITHM,
    DEFAULT_THRESHOLD,
    Hit,
    Screener,
    ScreeningResult,
    compare_names,
)
from chipcontrol.screening.model import ListEntry, ListSnapshot
from chipcontrol.screening.semantics import LISTS, ListSemantics, meaning_of, semantics_for
from chipcontrol.screening.store import BUNDLED_FILES, SnapshotStore, bundled_snapshots
from chipcontrol.screening.text import normalise_party_name

__all__ = [
    "ALGORITHM",
    "BUNDLED_FILES",
    "DEFAULT_THRESHOLD",
    "LISTS",
    "Hit",
    "ListEntry",
    "ListSemantics",
    "ListSnapshot",
    "Screener",
    "ScreeningResult",
    "SnapshotStore",
    "bundled_snapshots",
    "compare_names",
    "import_csl_csv",
    "import_csl_json",
    "import_nsfreg_json",
    "import_ofac_sdn_csv",
    "meaning_of",
    "normalise_party_name",
    "semantics_for",
]
