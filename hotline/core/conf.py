"""Typed access to the hotline's city-specific settings (settings.HOTLINE)."""

from __future__ import annotations

from django.conf import settings


def hotline_int(name: str) -> int:
    value = settings.HOTLINE[name]
    if not isinstance(value, int):
        raise TypeError(f"settings.HOTLINE[{name!r}] must be an integer, not {value!r}")
    return value
