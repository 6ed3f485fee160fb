"""The registry of the repeat-request search (重复诉求): one app offers it, others show it.

`dispatch` owns the search (similarity, reasons) and registers it from its AppConfig.ready();
`intake` (the agent's desk, the message-board confirmation page) asks `find_repeats(...)`. Both
sit above `core` and neither imports the other (architecture.md: apps import only downward).
With no search registered (dispatch not installed) the answer is an empty list: the pages work,
without the warning."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from hotline.accounts.models import Region, User
    from hotline.catalog.models import Category


class RepeatFinder(Protocol):
    """Likely repeats of a new request among the orders `user` may see, most similar first.
    Each item has `order`, `similarity` (0..1), `same_phone`, `same_address`, `same_matter`
    and `mergeable` (see dispatch.repeats.Repeat)."""

    def __call__(
        self,
        *,
        user: User,
        title: str,
        content: str,
        phone: str = "",
        address: str = "",
        region: Region | None = None,
        category: Category | None = None,
    ) -> Sequence[Any]: ...


_FINDER: list[RepeatFinder] = []


def register(finder: RepeatFinder) -> None:
    """Make `finder` the platform's repeat search (replaces any earlier one)."""
    _FINDER[:] = [finder]


def find_repeats(
    *,
    user: User,
    title: str,
    content: str,
    phone: str = "",
    address: str = "",
    region: Region | None = None,
    category: Category | None = None,
) -> list[Any]:
    """The registered search's answer, or [] when none is registered."""
    if not _FINDER:
        return []
    return list(
        _FINDER[0](
            user=user,
            title=title,
            content=content,
            phone=phone,
            address=address,
            region=region,
            category=category,
        )
    )
