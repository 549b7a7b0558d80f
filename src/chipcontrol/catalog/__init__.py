"""Chip catalogue: curated ``chips.csv`` plus Epoch AI additions, with forgiving name lookup.

Pure: reads only the bundled CSV files; no CLI, web or storage frameworks.
"""

from chipcontrol.catalog.catalog import Catalog, UnknownChipName, default_catalog
from chipcontrol.catalog.entries import (
    ORIGIN_CHIPS,
    ORIGIN_EPOCH,
    REPORTED_TPP_SOURCE,
    CatalogEntry,
    rates_tpp,
)

__all__ = [
    "ORIGIN_CHIPS",
    "ORIGIN_EPOCH",
    "REPORTED_TPP_SOURCE",
    "Catalog",
    "CatalogEntry",
    "UnknownChipName",
    "default_catalog",
    "rates_tpp",
]
