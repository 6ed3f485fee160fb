"""One INSERT of one model instance, with its SQL built once per process: the hot path of an
order's creation (the order, its event, the SMS log row, the outbox row, the channel request)
paid more CPU for Django compiling the same INSERT again on every request than for the rest of
the ORM's work (docs/channels.md, "Throughput").

`insert_row` writes exactly the row `obj.save(force_insert=True)` would: the same columns (every
local concrete field but the auto primary key and generated fields), each value from the field's
own `pre_save(obj, add=True)` and `get_db_prep_save`, the primary key (and `returning`) read
back. A column may instead take an SQL expression (`exprs`): the day's number from its
sequence, the SMS state from the opt-out list, each evaluated inside the INSERT instead of in a
round trip of its own. Model signals are not sent: no receiver listens to the models it is used
for (a test checks that), and none may be added without moving them back to `save()`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.signals import post_save, pre_save

Expr = tuple[str, Sequence[Any]]

_sql: dict[tuple[Any, ...], tuple[str, list[Any], list[Any]]] = {}


def _statement(
    model: type[models.Model], exprs: Mapping[str, Expr], returning: Sequence[str]
) -> tuple[str, list[Any], list[Any]]:
    connection = connections[DEFAULT_DB_ALIAS]
    key = (model, connection.vendor, tuple((k, v[0]) for k, v in exprs.items()), tuple(returning))
    found = _sql.get(key)
    if found is not None:
        return found
    meta = model._meta
    qn = connection.ops.quote_name
    fields: list[Any] = [
        f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field
    ]
    back: list[Any] = [*meta.db_returning_fields, *(meta.get_field(name) for name in returning)]
    values = [f"({exprs[f.attname][0]})" if f.attname in exprs else "%s" for f in fields]
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)})"
        f" VALUES ({', '.join(values)})"
        f" RETURNING {', '.join(qn(f.column) for f in back)}"
    )
    _sql[key] = (sql, fields, back)
    return sql, fields, back


def _cursor(connection: Any) -> Any:
    """PostgreSQL: a cursor binding the parameters on the server (psycopg's C dumpers) instead of
    quoting each into the SQL text in Python, which Django's default cursor does."""
    if connection.vendor != "postgresql" or connection.settings_dict["OPTIONS"].get(
        "server_side_binding"
    ):
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(ServerBindingCursor(connection.connection))  # type: ignore[call-arg]


def insert_row(
    obj: models.Model,
    *,
    exprs: Mapping[str, Expr] | None = None,
    returning: Sequence[str] = (),
) -> None:
    """INSERT `obj` (unsaved, with an automatic primary key) in one statement and set its primary
    key and the `returning` fields from the row written. `exprs` maps a field's attname to
    (SQL, params) giving its value instead of the instance's."""
    if obj.pk is not None:
        raise ValueError("insert_row writes new rows with an automatic primary key only")
    exprs = exprs or {}
    model = type(obj)
    sql, fields, back = _statement(model, exprs, returning)
    # The connection itself, not the proxy `django.db.connection`: each attribute read through
    # the proxy costs a context-local lookup, and the fields read it several times each.
    connection = connections[DEFAULT_DB_ALIAS]
    obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    params: list[Any] = []
    for f in fields:
        expr = exprs.get(f.attname)
        if expr is not None:
            params.extend(expr[1])
        else:
            params.append(f.get_db_prep_save(f.pre_save(obj, True), connection))
    with _cursor(connection) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    for value, f in zip(row, back, strict=True):
        col = f.cached_col
        for convert in (*connection.ops.get_db_converters(col), *f.get_db_converters(connection)):
            value = convert(value, col, connection)
        setattr(obj, f.attname, value)
    obj._state.adding = False
    obj._state.db = connection.alias


def receivers_of(model: type[models.Model]) -> bool:
    """Whether a pre_save or post_save receiver listens to `model` (insert_row sends neither)."""
    return pre_save.has_listeners(model) or post_save.has_listeners(model)
