"""Work-order numbers: the local date of registration and the day's count in six digits
(`20261122000042`; a day past 999,999 orders gets seven). Unique, never issued twice.

PostgreSQL: one SEQUENCE per day (`workorder_number_20261122`). `nextval` never waits for another
transaction and is never rolled back, so concurrent registrations do not queue behind each
other's commit; the price is a gap where a registration rolled back (a refused desk call whose
second step failed, a message-board post checked by a dry run). The day's sequence is created on
its first use, in a connection of its own that commits at once, starting after the highest
number the day already has (`day_floor`).

SQLite: the day's `WorkOrderSequence` row, incremented inside the registration's transaction;
SQLite has one writer at a time anyway, and a rollback takes the number back (no gaps).

A daily job (`number_sequences_drop`) drops the sequences of days more than
NUMBER_SEQUENCE_KEEP_DAYS ago, once their last value is kept in the day's row: live
registrations only number on today, and a back-dated one (an import) on such a day creates the
sequence again above that floor."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from hotline.core.conf import hotline_int

from .models import WorkOrder, WorkOrderSequence

# The sequence of each day this process has used, by OID. Only a recent day's is used without
# a check: an older day's may have been dropped by the housekeeping job since.
_oids: dict[date, int] = {}
SEQUENCE_PREFIX = "workorder_number_"


def sequence_name(day: date) -> str:
    return f"{SEQUENCE_PREFIX}{day:%Y%m%d}"


def format_number(day: date, count: int) -> str:
    return f"{day:%Y%m%d}{count:06d}"


def next_number(at: datetime) -> str:
    """The next number of the local day of `at` (back-dated registrations number on their day)."""
    day = timezone.localdate(at)
    if connection.vendor == "postgresql":
        return format_number(day, _nextval(day))
    return format_number(day, _next_in_row(day))


# The number as an SQL expression, evaluated inside the order's INSERT (one round trip fewer):
# the day's prefix and the sequence's next value in at least six digits, as `format_number`.
# The inner SELECT's WHERE (the caller's guard, else TRUE) is checked before `nextval` runs, so
# a registration the guard refuses consumes no number: the number is NULL and the INSERT fails
# on the column's NOT NULL.
_NUMBER_SQL = (
    "SELECT %s || lpad(s.n::text, greatest(6, length(s.n::text)), '0')"
    " FROM (SELECT nextval(%s::int8::oid::regclass) AS n WHERE {guard}) AS s"
)


def number_expr(at: datetime, guard: tuple[str, list] | None = None) -> tuple[str, list] | None:
    """PostgreSQL: (SQL, params) giving the next number of the local day of `at` inside an
    INSERT, only if the SQL condition `guard` holds there. None where the number must be drawn
    beforehand with `next_number` (SQLite, or a day past the keep window)."""
    day = timezone.localdate(at)
    if connection.vendor != "postgresql" or day < _keep_from():
        return None
    oid = _oids.get(day) or _create_sequence(day)
    sql, params = guard or ("TRUE", [])
    return _NUMBER_SQL.format(guard=sql), [f"{day:%Y%m%d}", oid, *params]


def number_expr_failed(at: datetime) -> None:
    """An INSERT with `number_expr` failed on a database error: the cached sequence may be gone
    (the database replaced under this process), so it is looked up again next time."""
    _oids.pop(timezone.localdate(at), None)


def _next_in_row(day: date) -> int:
    """The day's row, incremented under the database's write lock until commit (SQLite)."""
    if not WorkOrderSequence.objects.filter(day=day).update(last=F("last") + 1):
        try:
            with transaction.atomic():
                WorkOrderSequence.objects.create(day=day, last=1)
        except IntegrityError:  # another registration created the day's row first
            WorkOrderSequence.objects.filter(day=day).update(last=F("last") + 1)
    return WorkOrderSequence.objects.values_list("last", flat=True).get(day=day)


def _nextval(day: date) -> int:
    if day < _keep_from():
        return _nextval_old(day)
    oid = _oids.get(day) or _create_sequence(day)
    try:
        return _call_nextval(oid)
    except DatabaseError:
        _oids.pop(day, None)  # the database was replaced under this process: look it up again
        raise


def _call_nextval(oid: int) -> int:
    with connection.cursor() as cursor:
        # By OID: a name this transaction looked up before the sequence existed may still be
        # remembered as missing (PostgreSQL caches the failed lookup until it next processes
        # catalogue invalidations).
        cursor.execute("SELECT nextval(%s::oid::regclass)", [oid])
        return int(cursor.fetchone()[0])


def _nextval_old(day: date) -> int:
    """A day past the keep window (back-dated imports): its cached sequence may be gone, so
    the call is tried in a savepoint, and on failure the sequence is made again."""
    oid = _oids.get(day)
    if oid is not None:
        try:
            with transaction.atomic():
                return _call_nextval(oid)
        except DatabaseError:
            _oids.pop(day, None)
    return _call_nextval(_create_sequence(day))


def _keep_from() -> date:
    return timezone.localdate() - timedelta(days=hotline_int("NUMBER_SEQUENCE_KEEP_DAYS"))


def number_sequences_drop() -> list[str]:
    """Drop the day sequences of days before the keep window (PostgreSQL; one per day would
    otherwise pile up forever), each after its last value is kept as the day's floor in its
    `WorkOrderSequence` row, so a number is never issued twice. Returns the names dropped."""
    if connection.vendor != "postgresql":
        return []
    keep_from = _keep_from()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'S' AND relname LIKE %s",
            [SEQUENCE_PREFIX.replace("_", r"\_") + "%"],
        )
        names = sorted(row[0] for row in cursor.fetchall())
    dropped = []
    for name in names:
        try:
            day = datetime.strptime(name[len(SEQUENCE_PREFIX) :], "%Y%m%d").date()
        except ValueError:
            continue
        if day >= keep_from:
            continue
        with transaction.atomic():
            last = _sequence_last(day)
            row = WorkOrderSequence.objects.select_for_update().filter(day=day).first()
            if row is None:
                WorkOrderSequence.objects.create(day=day, last=last)
            elif row.last < last:
                WorkOrderSequence.objects.filter(pk=row.pk).update(last=last)
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SEQUENCE IF EXISTS "{name}"')
        _oids.pop(day, None)
        dropped.append(name)
    return dropped


def _create_sequence(day: date) -> int:
    """Create the day's sequence if it is missing and return its OID. The floor is read here
    (this transaction sees its own uncommitted rows); the DDL runs in a second connection in
    autocommit, so the sequence exists for every process at once and never rolls back with a
    registration."""
    name = sequence_name(day)
    start = day_floor(day) + 1
    side = connection.copy()
    try:
        with side.cursor() as cursor:
            try:
                cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{name}" START WITH {int(start)}')
            except (IntegrityError, DatabaseError):
                # Two processes created it at the same instant and the catalogue's unique index
                # let one win: it exists either way (the lookup below fails if it does not).
                pass
            cursor.execute("SELECT %s::regclass::oid", [name])
            oid = int(cursor.fetchone()[0])
    finally:
        side.close()
    _oids[day] = oid
    return oid


def _sequence_exists(day: date) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [sequence_name(day)])
        return bool(cursor.fetchone()[0])


def _sequence_last(day: date) -> int:
    """The last value the day's sequence issued (0 if it has none yet)."""
    if connection.vendor != "postgresql" or not _sequence_exists(day):
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT last_value, is_called FROM "{sequence_name(day)}"')
        last, called = cursor.fetchone()
    return int(last) if called else int(last) - 1


def day_floor(day: date) -> int:
    """The highest count the day has issued: its row, its sequence, or the numbers in the table
    (orders written directly, such as the bulk demo seed, or numbered before an upgrade)."""
    row = WorkOrderSequence.objects.filter(day=day).values_list("last", flat=True).first() or 0
    prefix = f"{day:%Y%m%d}"
    # A range over the unique index: LIKE 'prefix%' would not use it under a non-C collation.
    top = WorkOrder.objects.filter(number__gte=prefix, number__lt=f"{prefix}~").aggregate(
        top=Max("number")
    )["top"]
    in_table = int(top[len(prefix) :]) if top and top[len(prefix) :].isdigit() else 0
    return max(row, in_table, _sequence_last(day))


def numbers_advance(*, day: date, last: int) -> None:
    """After numbers up to `last` were written for `day` without this module (a bulk seed),
    make the next registration of that day continue after them."""
    WorkOrderSequence.objects.update_or_create(day=day, defaults={"last": last})
    if connection.vendor == "postgresql" and _sequence_exists(day):
        with connection.cursor() as cursor:
            # setval is not transactional either: the sequence never goes back below `last`.
            cursor.execute(
                f'SELECT setval(%s, GREATEST(%s, (SELECT last_value FROM "{sequence_name(day)}")))',
                [sequence_name(day), last],
            )
