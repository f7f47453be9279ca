"""Inserting many rows that nobody reads back in the same statement: by COPY on PostgreSQL.

Django's ``bulk_create`` on PostgreSQL sends a batch as ``INSERT ... SELECT * FROM UNNEST``
with one array per column, and psycopg's client-side binding quotes every element of those
arrays in Python: for the 1,000 audit events, 500 search entries and 500 signatures of a
500-item batch that quoting, with the ORM's per-field preparation, was the larger part of
their cost. ``COPY ... FROM STDIN`` streams the same rows with psycopg's own dumpers.

COPY returns no primary keys and goes past Django's query log, so it is used only for rows
whose keys nobody needs and only from ``COPY_FROM`` rows on: one item's few rows stay an
ordinary INSERT, counted by the tests that freeze a page's or a create's queries.
On SQLite a large batch goes to the driver's ``executemany`` with one statement for all rows,
past the ORM's compilation of SQL for every batch of ``bulk_create`` (most of the time of a
grown demo's history); a small batch goes through ``bulk_create``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

#: Fewer rows than this go through ``bulk_create``.
COPY_FROM = 64


def copy_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """COPY ``rows`` (values in ``columns``' order, adaptable by psycopg) into ``table``.

    PostgreSQL only; the names are the models' own (never user input) and are quoted.
    """
    qn = connection.ops.quote_name
    names = ", ".join(qn(c) for c in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {qn(table)} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert unsaved ``objs`` of ``model`` (every concrete field but an automatic primary
    key); their primary keys stay unset on the large-batch paths (COPY, ``executemany``), so
    use it only where no caller reads them."""
    if not objs:
        return
    if connection.vendor not in ("postgresql", "sqlite") or len(objs) < COPY_FROM:
        model._default_manager.bulk_create(objs, batch_size=500)
        return
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, models.AutoField))
    ]
    for obj in objs:
        for f in fields:
            pre = f.pre_save(obj, add=True)
            if pre is not getattr(obj, f.attname):
                setattr(obj, f.attname, pre)
    if connection.vendor == "sqlite":
        _executemany(model._meta.db_table, fields, objs)
        return
    copy_rows(
        model._meta.db_table,
        [f.column for f in fields],
        [[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] for obj in objs],
    )


def _sqlite_value(f: models.Field[Any, Any]) -> Callable[[Any], Any]:
    """How a field's value goes to SQLite's driver: the plain types as they are, the others as
    ``get_db_prep_save`` would prepare them, without its per-value dispatch."""
    ops = connection.ops
    if isinstance(f, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(f, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(f, models.JSONField):
        return lambda v: json.dumps(v, cls=f.encoder)
    if isinstance(f, models.DecimalField):
        return lambda v: ops.adapt_decimalfield_value(v, f.max_digits, f.decimal_places)
    if isinstance(f, (models.ForeignKey, models.CharField, models.TextField, models.IntegerField)):
        return lambda v: v
    return lambda v: f.get_db_prep_save(v, connection)


def _executemany(
    table: str, fields: Sequence[models.Field[Any, Any]], objs: Sequence[models.Model]
) -> None:
    convert = [_sqlite_value(f) for f in fields]
    rows = [
        [
            None if (value := getattr(obj, f.attname)) is None else conv(value)
            for f, conv in zip(fields, convert, strict=True)
        ]
        for obj in objs
    ]
    qn = connection.ops.quote_name
    names = ", ".join(qn(f.column) for f in fields)
    marks = ", ".join("?" * len(fields))
    connection.ensure_connection()
    # Names from the models' meta, values as parameters.
    sql = f"INSERT INTO {qn(table)} ({names}) VALUES ({marks})"  # noqa: S608
    connection.connection.executemany(sql, rows)
