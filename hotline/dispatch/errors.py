"""Errors of the dispatch app's input (the message is Chinese and names the field)."""

from __future__ import annotations


class BadParameter(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
