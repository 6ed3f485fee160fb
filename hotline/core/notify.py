"""The registry of notifications to people: one app delivers them, its peers ask for them.

`sla` owns the in-app inbox and its channels (e-mail, SMS) and registers its `notify` from its
AppConfig.ready(); `dispatch` (a hot-topic early warning for supervisors) calls `notify(...)`
here. Neither imports the other (architecture.md: apps import only downward). With no
notifier registered (sla not installed) nothing is sent and the answer is an empty list."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from hotline.accounts.models import User


class Notifier(Protocol):
    """Write one notification per recipient (`kind` one the notifier knows) and deliver it
    through the configured channels once the caller's transaction commits."""

    def __call__(
        self, recipients: Iterable[User], *, kind: str, title: str, body: str = "", at: datetime
    ) -> Sequence[Any]: ...


_NOTIFIER: list[Notifier] = []


def register(notifier: Notifier) -> None:
    """Make `notifier` the platform's notifier (replaces any earlier one)."""
    _NOTIFIER[:] = [notifier]


def notify(
    recipients: Iterable[User], *, kind: str, title: str, body: str = "", at: datetime
) -> list[Any]:
    """The registered notifier's rows, or [] when none is registered."""
    if not _NOTIFIER:
        return []
    return list(_NOTIFIER[0](recipients, kind=kind, title=title, body=body, at=at))
