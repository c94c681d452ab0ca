"""Set-based writes: many rows in one statement, their values sent as one JSON parameter.

A bulk write of a thousand rows through `bulk_create` or `unnest(%s::…[])` spends most of its
time in Python before PostgreSQL sees it: a model instance and a prepared value per field, or
an array literal built element by element by the driver. Sent as one JSON document (json.dumps
runs in C, the driver quotes one string) and read by `json_to_recordset`, the same rows cost a
few milliseconds of Python; PostgreSQL casts each column to its type.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def json_rows(rows: Sequence[Sequence[Any]], names: Sequence[str]) -> str:
    """`rows` (tuples of values in the order of `names`) as one JSON parameter for
    `json_to_recordset(%s::json) AS r(<names and types>)`."""
    # A batch's rows share a few moments (a docket's hearing slots): each written out once.
    written: dict[int, str] = {}

    def jsonable(value: Any) -> Any:
        if isinstance(value, dt.date | dt.datetime):
            text = written.get(id(value))
            if text is None:
                text = written[id(value)] = value.isoformat()
            return text
        raise TypeError(f"{type(value).__name__} cannot be sent in bulk.")

    return json.dumps([dict(zip(names, row, strict=True)) for row in rows], default=jsonable)


def int_array(values: Sequence[int]) -> str:
    """Integers as one `%s::bigint[]` parameter (an array literal), not element by element."""
    return "{" + ",".join(str(int(value)) for value in values) + "}"


def text_array(values: Sequence[str]) -> str:
    """Texts as one `%s::text[]` parameter (an array literal, each element quoted)."""
    return (
        "{"
        + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
        + "}"
    )


def recordset(names: Sequence[str], types: Sequence[str], alias: str = "r") -> str:
    """The FROM item reading a json_rows parameter, with the row's place as `ordinality`
    (from 1)."""
    columns = ", ".join(f"{name} {type_}" for name, type_ in zip(names, types, strict=True))
    return (
        f"ROWS FROM (json_to_recordset(%s::json) AS ({columns})) "
        f"WITH ORDINALITY AS {alias}({', '.join(names)}, ordinality)"
    )


def _concrete(field: Any) -> models.Field[Any, Any]:
    assert isinstance(field, models.Field) and field.concrete, field
    return field


def rows_insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    constants: dict[str, Any] | None = None,
) -> list[int]:
    """INSERT `rows` (values of `fields`, in order; `constants` the same for every row) into
    `model`'s table in one statement; the new primary keys, in the order of `rows`. No model
    instance, no save() or signal: what the database does (defaults, constraints, triggers,
    the audit trail) is all that happens."""
    if not rows:
        return []
    constants = constants or {}
    meta = model._meta
    sent = [_concrete(meta.get_field(name)) for name in fields]
    fixed = [_concrete(meta.get_field(name)) for name in constants]
    names = [f"c{n}" for n in range(len(sent))]
    types = [str(field.db_type(connection)) for field in sent]
    targets = ", ".join(connection.ops.quote_name(str(f.column)) for f in [*sent, *fixed])
    values = ", ".join([f"r.{name}" for name in names] + ["%s"] * len(fixed))
    assert meta.pk is not None
    pk = connection.ops.quote_name(str(meta.pk.column))
    statement = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({targets}) "  # noqa: S608
        f"SELECT {values} FROM {recordset(names, types)} ORDER BY r.ordinality RETURNING {pk}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*constants.values(), json_rows(rows, names)])
        # Keys are drawn in the order the rows are inserted, which is the ORDER BY's.
        return sorted(row[0] for row in cursor.fetchall())
