"""Writes to the organisation."""

from __future__ import annotations

from .models import Membership, Unit, User

SYSTEM_USERNAME = "system"


def system_user() -> User:
    """The platform's own actor, used for automatic actions and citizen-facing intake."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"display_name": "系统", "is_system": True, "is_active": True},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def user_create(
    *,
    username: str,
    password: str | None,
    display_name: str = "",
    memberships: list[tuple[Unit, str]] | None = None,
    is_superuser: bool = False,
) -> User:
    """Create a user with roles in units. `password=None` leaves the password unusable."""
    user = User(
        username=username,
        display_name=display_name,
        is_staff=is_superuser,
        is_superuser=is_superuser,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    for unit, role in memberships or []:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user
