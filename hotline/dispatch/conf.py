"""Settings of the dispatch app, each overridable in settings.DISPATCH (a dict)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Where trained models are written (one joblib file per version); the environment's
    # DISPATCH_MODEL_DIR wins, then this, then <BASE_DIR>/var/models.
    "MODEL_DIR": None,
    # Seconds a process keeps its snapshot of the category tree, units and dispatch catalogue
    # for suggestions before reloading it (its own saves reload it at once): catalogue.py.
    "CATALOGUE_SECONDS": 60,
    # Two texts at least this similar (cosine of character bigrams) are a likely repeat.
    "REPEAT_MIN_SIMILARITY": 0.35,
    # The same phone the same (local) day: this share of REPEAT_MIN_SIMILARITY will do (the
    # caller is most likely calling about the same thing, in other words); 1 turns it off.
    "REPEAT_SAME_DAY_SHARE": 0.5,
    # The batch command reports text-only pairs (no shared phone or address) from this up.
    "NEAR_REPEAT_SIMILARITY": 0.8,
    # Orders compared with a new request at intake (most recent first).
    "REPEAT_CANDIDATES": 200,
    # Hot topics: two requests this similar (cosine of word TF-IDF) join one cluster.
    "HOT_SIMILARITY": 0.45,
    # Smallest cluster shown as a hot topic.
    "HOT_MIN_SIZE": 3,
    # Early warning: at least this many requests in the period ...
    "HOT_WARN_MIN_SIZE": 5,
    # ... and at least this many times the previous period's count (at least 1).
    "HOT_WARN_GROWTH": 2.0,
    # Days in the period the periodic scan looks at (compared with the days before).
    "HOT_WARN_DAYS": 7,
    # Most requests clustered in one period (the most recent are kept).
    "HOT_MAX_ORDERS": 5000,
}


def dispatch_setting(name: str) -> Any:
    return getattr(settings, "DISPATCH", {}).get(name, DEFAULTS[name])


def model_dir() -> Path:
    configured = os.environ.get("DISPATCH_MODEL_DIR") or dispatch_setting("MODEL_DIR")
    return Path(configured) if configured else Path(settings.BASE_DIR) / "var" / "models"
