"""The registry that ties a suggestion served at intake to the order then registered.

`dispatch` records every suggestion it serves (category, unit, model version) and registers
its linker from its AppConfig.ready(); the agent desk (`intake`) posts back the id of the last
suggestion it showed (`dispatch_suggestion`) and, once the order is registered, calls
`link_suggestion(...)`, so the suggestion can later be compared with the unit that finally
handled the order. Neither app imports the other (architecture.md); with no linker registered
(dispatch not installed) nothing happens."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from hotline.accounts.models import User
    from hotline.workorders.models import WorkOrder

# The form field the desk posts the shown suggestion's id in.
FIELD = "dispatch_suggestion"


class Linker(Protocol):
    def __call__(self, *, user: User, served: str, order: WorkOrder) -> bool: ...


_LINKER: list[Linker] = []


def register(linker: Linker) -> None:
    """Make `linker` the platform's suggestion linker (replaces any earlier one)."""
    _LINKER[:] = [linker]


def link_suggestion(*, user: User, served: str, order: WorkOrder) -> bool:
    """Tie the suggestion `served` (an id as posted; anything else is ignored) that `user`
    was shown at intake to `order`; True when a suggestion was linked."""
    if not _LINKER or not served:
        return False
    return _LINKER[0](user=user, served=served, order=order)
