"""Plain multi-row inserts without SQLAlchemy's per-row parameter handling.

A 10,000-case first fill records some 27,000 Timeline events and 10,000 snapshots.
`Connection.execute(insert, rows)` builds, for every row, a parameter dictionary, then a
processed copy of it (`construct_params` and each column type's bind processor): more CPU than
SQLite's own insert. Here the statement is compiled once for the connection's dialect, each
column's bind processor is the one SQLAlchemy would use (`dialect_impl(...).bind_processor`),
the values are processed once into tuples or dictionaries as the driver's paramstyle wants, and
the driver's executemany runs them. Values of a column may repeat a lot (a sheet key, a run id,
an event kind, an event's data): a column can name a memo that keeps the processed form of a
value by its exact type and value, or of an object by its identity.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Insert, Table

Processor = Callable[[Any], Any]

# Values whose processed form only depends on their type and value (no time zones, no floats:
# 0.0 == -0.0 and NaN != NaN would share or miss entries), so a memo keyed on both is exact.
_EXACT_TYPES = frozenset({str, int, bool, type(None)})


def insert_rows(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    memo: Iterable[str] = (),
    statement: Insert | None = None,
) -> int:
    """INSERT `rows` (values in `columns` order) into `table` in one executemany; return how
    many rows the database says it inserted (the drivers here, sqlite3 and psycopg, sum it).

    The columns named in `memo` keep each processed value of a repeated str/int/bool/None (or
    dict of such), and of any other object given more than once (by identity: the rows are not
    changed while they are inserted).
    `statement`: an INSERT of `table` to run instead of the plain one (ON CONFLICT DO NOTHING;
    not RETURNING: a driver's executemany returns no rows)."""
    dialect = connection.dialect
    insert = table.insert() if statement is None else statement
    compiled = insert.compile(dialect=dialect, column_keys=list(columns))
    remembered = set(memo)
    processors = [_processor(table, name, connection, name in remembered) for name in columns]
    given = [tuple(row) for row in rows]
    if not given:
        return 0
    # Column by column: each processor is mapped over its column, and the rows are zipped back
    # (C loops, not a Python loop per value).
    values = [
        list(map(process, column)) if process is not None else column
        for process, column in zip(processors, zip(*given, strict=True), strict=True)
    ]
    parameters: list[Any]
    if not compiled.positional:
        parameters = [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]
    else:
        order = [list(columns).index(name) for name in compiled.positiontup or ()]
        parameters = list(zip(*(values[i] for i in order), strict=True))
    return connection.exec_driver_sql(compiled.string, parameters).rowcount


def _processor(table: Table, name: str, connection: Connection, memo: bool) -> Processor | None:
    dialect = connection.dialect
    process: Processor | None = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
    if process is None or not memo:
        return process
    by_value: dict[Hashable, Any] = {}
    # Values without an exact key, by identity: the rows hold every object until the insert is
    # done, so no id is taken by another. Equal instants are mostly one object (the 27,474
    # events of a 10,000-case first fill share one: the sync's time).
    by_object: dict[int, Any] = {}
    plain = process

    def remembered(value: Any) -> Any:
        key = _exact_key(value)
        if key is None:
            found = by_object.get(id(value), _MISSING)
            if found is _MISSING:
                found = by_object[id(value)] = plain(value)
            return found
        found = by_value.get(key, _MISSING)
        if found is _MISSING:
            found = by_value[key] = plain(value)
        return found

    return remembered


def _exact_key(value: Any) -> Hashable | None:
    """A key that two values share only when their processed forms are the same: a
    str/int/bool/None with its type (1, 1.0 and True are equal), or a dict of such in its order
    (a Timeline event's data: 27,474 dicts at a 10,000-case first fill, 113 different); None
    for any other value (a float: 0.0 == -0.0; an instant: equal ones in two zones)."""
    kind = type(value)
    if kind in _EXACT_TYPES:
        return (kind, value)
    if kind is not dict:
        return None
    items = []
    for key, item in value.items():
        item_kind = type(item)
        if type(key) is not str or item_kind not in _EXACT_TYPES:
            return None
        items.append((key, item_kind, item))
    return (dict, tuple(items))


_MISSING: Any = object()
