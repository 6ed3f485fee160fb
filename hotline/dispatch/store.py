"""The model store: versioned joblib files under `conf.model_dir()`, one DB row per version.

Loaded models are cached per process by version; the active version is read from the database
on each use, so activating a new version in one process reaches every other on its next
suggestion without a restart (no process holds state another needs)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import joblib
from django.utils import timezone

from .conf import model_dir
from .learning import TextClassifier
from .models import DispatchModel

log = logging.getLogger(__name__)

_CACHE: dict[int, TrainedModel] = {}


@dataclass
class TrainedModel:
    """What one training run produced: the two classifiers and the return rates."""

    version: int
    category: TextClassifier
    unit: TextClassifier
    # (category pk, unit pk) -> share of dispatches of that category to that unit that the
    # unit returned (退单): the negative evidence of returns.
    return_rate: dict[tuple[int, int], float] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


def save(model: TrainedModel) -> str:
    directory = model_dir()
    directory.mkdir(parents=True, exist_ok=True)
    # The time in the name keeps databases that share a directory from overwriting each other.
    name = f"dispatch-v{model.version}-{timezone.now():%Y%m%d%H%M%S}.joblib"
    # Written under a temporary name and renamed, so a reader never sees half a file.
    tmp = directory / (name + ".tmp")
    joblib.dump(model, tmp, compress=3)
    tmp.replace(directory / name)
    return name


def active() -> TrainedModel | None:
    """The active model, or None at cold start (or when its file is unreadable: logged)."""
    row = DispatchModel.objects.filter(is_active=True).values_list("version", "file_name").first()
    if row is None:
        return None
    version, file_name = row
    if version not in _CACHE:
        try:
            _CACHE[version] = joblib.load(model_dir() / file_name)
        except (OSError, EOFError, ValueError) as exc:
            log.warning("dispatch model v%s unreadable (%s): serving without it", version, exc)
            return None
    return _CACHE[version]


def clear_cache() -> None:
    _CACHE.clear()
