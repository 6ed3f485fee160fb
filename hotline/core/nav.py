"""The navigation registry: each app registers the pages it offers and who may use them.

Apps call `register(...)` from their AppConfig.ready(); the base template asks `items_for(user)`
for the links to show, and the landing page asks `landing_for(user)` where each role starts its
day. `core` knows nothing of the apps: an entry whose URL name does not resolve is skipped."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.urls import NoReverseMatch, reverse

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from hotline.accounts.models import User


@dataclass(frozen=True)
class NavItem:
    key: str
    label: StrOrPromise
    url_name: str
    # Roles (accounts.choices.Role values) that see the link; empty = every signed-in user.
    roles: frozenset[str] = field(default_factory=frozenset)
    order: int = 100
    # Lower wins when several landing pages fit a user's roles.
    landing: int | None = None
    staff_only: bool = False
    # Always in the header's row, never folded into 更多 (a link that carries a live count).
    pinned: bool = False


_ITEMS: dict[str, NavItem] = {}


def register(
    key: str,
    label: StrOrPromise,
    url_name: str,
    *,
    roles: Collection[str] = (),
    order: int = 100,
    landing: int | None = None,
    staff_only: bool = False,
    pinned: bool = False,
) -> None:
    """Add (or replace, by key) one navigation entry."""
    _ITEMS[key] = NavItem(
        key, label, url_name, frozenset(roles), order, landing, staff_only, pinned
    )


def _fits(item: NavItem, user: User) -> bool:
    if item.staff_only and not user.is_staff:
        return False
    return not item.roles or bool(item.roles & user.roles())


def _url(item: NavItem) -> str | None:
    try:
        return reverse(item.url_name)
    except NoReverseMatch:
        return None


def items_for(user: User) -> list[tuple[NavItem, str]]:
    """(item, url) for every entry this user may see, in order."""
    out = []
    for item in sorted(_ITEMS.values(), key=lambda i: (i.order, i.key)):
        if _fits(item, user) and (url := _url(item)) is not None:
            out.append((item, url))
    return out


def landing_for(user: User) -> str | None:
    """The URL of the workbench this user starts on, or None for the default."""
    candidates = sorted(
        (i for i in _ITEMS.values() if i.landing is not None and _fits(i, user)),
        key=lambda i: (i.landing, i.key),
    )
    for item in candidates:
        if item.roles and (url := _url(item)) is not None:
            return url
    return None
