"""Reads of the organisation that several apps ask the same question of."""

from __future__ import annotations

from .choices import CENTRE_KINDS, Role
from .models import Unit, User


def agent_centre(user: User) -> Unit | None:
    """The hotline centre where `user` works as an agent, or None: only they use the desk (the
    agent desk in intake, and its 知识库 card in knowledge)."""
    for m in user.active_memberships():
        if m.role == Role.AGENT and m.unit.kind in CENTRE_KINDS:
            return m.unit
    return None
