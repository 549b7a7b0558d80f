"""Settings from CHIPCONTROL_* environment variables, read once at the edge and passed in."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from chipcontrol.errors import InvalidInput

TF32_MODES = ("exclude", "19", "32")
VIEWS = ("enforced", "as_written")


@dataclass(frozen=True, slots=True)
class Settings:
    """``tf32_bits``: how TF32 counts in TPP (exclude | 19 | 32). ``view``: enforced | as_written.
    ``database_url``: the audit store (SQLite file by default). ``list_max_age_days``: answers warn when the
    restricted-party list snapshot is older. ``review_four_eyes``: clearing a hit on a list that imposes a licence
    requirement or a prohibition needs a second person. ``cjk_font``: the font file certificates embed (default:
    Noto Sans CJK from Debian's fonts-noto-cjk)."""

    tf32_bits: str = "exclude"
    view: str = "enforced"
    database_url: str = "sqlite:///chipcontrol.db"
    screening_threshold: float | None = None
    list_max_age_days: int = 30
    review_four_eyes: bool = True
    cjk_font: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        tf32 = e.get("CHIPCONTROL_TF32_BITS", "exclude").strip().lower()
        if tf32 not in TF32_MODES:
            raise InvalidInput(f"CHIPCONTROL_TF32_BITS must be one of {', '.join(TF32_MODES)}, got {tf32!r}")
        view = e.get("CHIPCONTROL_VIEW", "enforced").strip().lower()
        if view not in VIEWS:
            raise InvalidInput(f"CHIPCONTROL_VIEW must be one of {', '.join(VIEWS)}, got {view!r}")
        threshold = e.get("CHIPCONTROL_SCREENING_THRESHOLD")
        thr: float | None = None
        if threshold:
            try:
                thr = float(threshold)
            except ValueError:
                raise InvalidInput("CHIPCONTROL_SCREENING_THRESHOLD must be a number between 0 and 1") from None
            if not 0 < thr <= 1:
                raise InvalidInput("CHIPCONTROL_SCREENING_THRESHOLD must be a number between 0 and 1")
        age_text = e.get("CHIPCONTROL_LIST_MAX_AGE_DAYS", "30").strip()
        if not age_text.isdigit() or not 1 <= int(age_text) <= 3650:
            raise InvalidInput("CHIPCONTROL_LIST_MAX_AGE_DAYS must be a whole number of days between 1 and 3650")
        four = e.get("CHIPCONTROL_REVIEW_FOUR_EYES", "1").strip().lower()
        if four not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
            raise InvalidInput("CHIPCONTROL_REVIEW_FOUR_EYES must be 1 or 0")
        return cls(tf32_bits=tf32, view=view,
                   database_url=e.get("CHIPCONTROL_DATABASE_URL", "sqlite:///chipcontrol.db"),
                   screening_threshold=thr, list_max_age_days=int(age_text),
                   review_four_eyes=four in ("1", "true", "yes", "on"),
                   cjk_font=e.get("CHIPCONTROL_CJK_FONT") or None)
