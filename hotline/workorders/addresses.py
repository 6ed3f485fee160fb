"""The address key (地址键): an address with its spaces and the punctuation people type into
addresses removed, so "幸福小区 3 号楼" and "幸福小区，3号楼。" are one place. Numbers are kept: the
building and the door are what tell two addresses apart. (Full-width digits are not folded:
SQLite's parser takes about 28 nested REPLACEs at most, and the 23 removed characters come first.)

The key is not a column: `AddressKey` is the same rule as an SQL expression, indexed with the
region and the time (`wo_region_addrkey_created`), and `address_key` computes it in Python for
the value looked up. The expression's literals are written into its SQL (not passed as
parameters), because SQLite uses an index on an expression only when the query's expression is
the very same text."""

from __future__ import annotations

from typing import Any

from django.db.models import Func

# Removed: spaces and the punctuation people type into addresses (half and full width).
_REMOVED = " \u3000,，.。、;；:：-－—_·()（）#＃/"

_TABLE = {ord(c): None for c in _REMOVED}


def address_key(address: str) -> str:
    """The key of an address, as the database computes it (`AddressKey`)."""
    return (address or "").translate(_TABLE)


def _sql_template() -> str:
    sql = "%(expressions)s"
    for char in _REMOVED:
        sql = f"REPLACE({sql}, '{char}', '')"
    return sql


class AddressKey(Func):
    """SQL: the address key of a text column (see `address_key`)."""

    arity = 1
    template = _sql_template()

    def __init__(self, expression: Any, **extra: Any) -> None:
        super().__init__(expression, **extra)
