"""The chain head's guard lets it move forward to any event that exists, with that event's
hash, instead of exactly one event a statement: an append of many events (a batch of items)
moves it once. Setting the head to a hash no event has is refused, which the old guard allowed.
A copy of ``xinbao.audit.guard`` as of this migration.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

HEAD_REFUSAL = "the audit chain head only moves forward"

SQLITE_NEW = f"""CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_chainhead
    WHEN NEW.id <> OLD.id OR NEW.count <= OLD.count
        OR NEW.last_hash IS NOT (SELECT hash FROM audit_auditevent WHERE seq = NEW.count)
    BEGIN SELECT RAISE(ABORT, '{HEAD_REFUSAL}'); END"""
SQLITE_OLD = f"""CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_chainhead
    WHEN NEW.id <> OLD.id OR NEW.count <> OLD.count + 1
    BEGIN SELECT RAISE(ABORT, '{HEAD_REFUSAL}'); END"""
POSTGRESQL_NEW = f"""CREATE OR REPLACE FUNCTION audit_head_forward() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.id <> OLD.id OR NEW.count <= OLD.count OR NEW.last_hash IS DISTINCT FROM
                (SELECT hash FROM audit_auditevent WHERE seq = NEW.count) THEN
            RAISE EXCEPTION '{HEAD_REFUSAL}' USING ERRCODE = '23000';
        END IF;
        RETURN NEW;
    END $$"""
POSTGRESQL_OLD = f"""CREATE OR REPLACE FUNCTION audit_head_forward() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.id <> OLD.id OR NEW.count <> OLD.count + 1 THEN
            RAISE EXCEPTION '{HEAD_REFUSAL}' USING ERRCODE = '23000';
        END IF;
        RETURN NEW;
    END $$"""


def _install(schema_editor: BaseDatabaseSchemaEditor, sqlite: str, postgresql: str) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_head_forward_only", params=None)
        schema_editor.execute(sqlite, params=None)
    elif vendor == "postgresql":
        schema_editor.execute(postgresql, params=None)


def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _install(schema_editor, SQLITE_NEW, POSTGRESQL_NEW)


def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _install(schema_editor, SQLITE_OLD, POSTGRESQL_OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_audit_guard"),
    ]

    operations = [migrations.RunPython(forward, backward)]
