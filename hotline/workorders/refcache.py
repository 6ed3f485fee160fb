"""Per-process caches of the reference data every registration reads (request types, urgencies,
categories, regions, the intake centre, the system user): one query each saved per order.

An entry lives `TTL` seconds, and a model's whole cache is dropped when one of its rows is saved
or deleted in this process; other processes see an administrator's edit within `TTL`. Only for
rows an administrator changes by hand, never for work orders or anything a request writes.
Tests drop every cache between tests (the root conftest), as their rows come and go."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

TTL = 30.0
T = TypeVar("T")

_caches: list[RefCache] = []


class RefCache:
    """A dict of loaded values that forgets them after TTL or when one of `models` changes."""

    def __init__(self, *models: type[Model]) -> None:
        self._data: dict[Hashable, tuple[float, Any]] = {}
        for model in models:
            post_save.connect(self._drop, sender=model, weak=False)
            post_delete.connect(self._drop, sender=model, weak=False)
        _caches.append(self)

    def get(self, key: Hashable, load: Callable[[], T], *, store: bool = True) -> T:
        """The cached value of `key`, or `load()` (kept unless it is None or `store` is false:
        a row that `load` may create inside a transaction could still roll back)."""
        now = time.monotonic()
        hit = self._data.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]  # type: ignore[no-any-return]
        value = load()
        if value is not None and store:
            self._data[key] = (now + TTL, value)
        return value

    def clear(self) -> None:
        self._data.clear()

    def _drop(self, **kwargs: Any) -> None:
        self._data.clear()


def refcache_clear_all() -> None:
    """Forget every cached row (tests, after the database changed under the process)."""
    for cache in _caches:
        cache.clear()
