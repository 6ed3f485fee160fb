"""Errors a work-order service raises; each names the problem so the caller can show it."""

from __future__ import annotations


class WorkOrderError(Exception):
    """Base: `code` for machines, the message for people, `field` when one input is at fault."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(WorkOrderError):
    code = "invalid"
    http_status = 400


class IllegalTransition(WorkOrderError):
    """The move is not allowed from the order's current state."""

    code = "illegal_transition"
    http_status = 409


class ConcurrentUpdate(WorkOrderError):
    """Someone else changed the order first; reload and try again."""

    code = "conflict"
    http_status = 409


class NotPermitted(WorkOrderError):
    """The actor may see the order but their role or unit may not make this move."""

    code = "forbidden"
    http_status = 403


class NotFound(WorkOrderError):
    code = "not_found"
    http_status = 404
