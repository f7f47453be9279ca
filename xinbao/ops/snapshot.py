"""What a backup holds, read from one consistent view of a database: the rows of every table
and the head of the audit chain. The same reading is made of the restored copy and compared."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.apps import apps


class Cursor(Protocol):
    """A DB-API cursor: Django's or sqlite3's."""

    def execute(self, sql: str, /) -> Any: ...

    def fetchone(self) -> Any: ...


@dataclass(frozen=True)
class AuditHead:
    events: int
    last_id: int | None
    last_hash: str

    def as_dict(self) -> dict[str, Any]:
        return {"events": self.events, "last_id": self.last_id, "last_hash": self.last_hash}


def tables() -> dict[str, str]:
    """Every table the project's models keep rows in, by model label (many-to-many included)."""
    found: dict[str, str] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy:
            found[meta.label_lower] = meta.db_table
    return dict(sorted(found.items()))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def counts(cursor: Cursor) -> dict[str, int]:
    result: dict[str, int] = {}
    for label, table in tables().items():
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608  (a model's table)
        result[label] = int(cursor.fetchone()[0])
    return result


def audit_head(cursor: Cursor) -> AuditHead:
    """The last event of the audit chain: restoring a copy that lost events shows here."""
    meta = apps.get_model("audit", "AuditEvent")._meta
    table, pk = _quote(meta.db_table), _quote(meta.pk.column)
    cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608  (the model's table)
    events = int(cursor.fetchone()[0])
    cursor.execute(f"SELECT {pk}, {_quote('hash')} FROM {table} ORDER BY {pk} DESC LIMIT 1")  # noqa: S608  (the model's table)
    row = cursor.fetchone()
    if row is None:
        return AuditHead(events=events, last_id=None, last_hash="")
    return AuditHead(events=events, last_id=int(row[0]), last_hash=str(row[1]))
