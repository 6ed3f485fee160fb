"""Connections to the work-order signals (made in SlaConfig.ready())."""

from __future__ import annotations

from typing import Any

from .services import clocks_on_change


def on_workorder_changing(sender: Any, **kwargs: Any) -> None:
    clocks_on_change(**kwargs)
