"""Connections to the work-order and calendar signals (made in SlaConfig.ready())."""

from __future__ import annotations

from typing import Any

from .services import clocks_on_change, schedule_calendar_retry


def on_workorder_changing(sender: Any, **kwargs: Any) -> None:
    clocks_on_change(**kwargs)


def on_calendar_saved(sender: Any, **kwargs: Any) -> None:
    """A calendar day or year saved (admin, import): retry the orders left without a deadline."""
    schedule_calendar_retry()
