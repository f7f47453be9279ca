"""The database's own refusal to change the audit log (triggers on SQLite and PostgreSQL).

The triggers refuse every UPDATE and DELETE of an audit event (and TRUNCATE on PostgreSQL),
the deletion of the chain head, and any update of the head other than forward to an event that
exists, with that event's hash (one append of several events moves it once). They
hold for every client of the database, not only for Django's models.

The one way past them is ``lifted()``: inside one transaction it takes the triggers away
(DDL, which only the tables' owner may run) and puts them back before the transaction ends, so
no other connection ever sees the log unguarded. Django's ``flush`` (``management/commands/
flush.py``) uses it only on a test database, where TransactionTestCase empties every table
between tests; tests that play an intruder with the owner's rights use it too.

The migration that installed the triggers keeps its own copy of this SQL; a change here needs
a migration of its own. On SQLite a migration that rebuilds ``audit_auditevent`` (most
AlterFields) drops its triggers with the old table: such a migration must install them again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.creation import TEST_DATABASE_PREFIX

REFUSAL = "audit events are append-only"
HEAD_REFUSAL = "the audit chain head only moves forward"

SQLITE_TRIGGERS = {
    "audit_event_no_update": f"""
        CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
        BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""",
    "audit_event_no_delete": f"""
        CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
        BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""",
    "audit_head_no_delete": f"""
        CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_chainhead
        BEGIN SELECT RAISE(ABORT, '{HEAD_REFUSAL}'); END""",
    "audit_head_forward_only": f"""
        CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_chainhead
        WHEN NEW.id <> OLD.id OR NEW.count <= OLD.count
            OR NEW.last_hash IS NOT (SELECT hash FROM audit_auditevent WHERE seq = NEW.count)
        BEGIN SELECT RAISE(ABORT, '{HEAD_REFUSAL}'); END""",  # noqa: S608  (constants only)
}

# SQLSTATE 23000 (integrity constraint violation): Django raises IntegrityError, as on SQLite.
POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{REFUSAL} (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = '23000';
    END $$""",
    f"""
    CREATE OR REPLACE FUNCTION audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.id <> OLD.id OR NEW.count <= OLD.count OR NEW.last_hash IS DISTINCT FROM
                (SELECT hash FROM audit_auditevent WHERE seq = NEW.count) THEN
            RAISE EXCEPTION '{HEAD_REFUSAL}' USING ERRCODE = '23000';
        END IF;
        RETURN NEW;
    END $$""",  # noqa: S608  (constants only)
    """CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
    """CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_chainhead
       FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    """CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_chainhead
       FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
    """CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_chainhead
       FOR EACH ROW EXECUTE FUNCTION audit_head_forward()""",
]
POSTGRESQL_TABLES = ("audit_auditevent", "audit_chainhead")


@contextmanager
def lifted(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Run the block with the triggers taken away, inside one transaction that restores them.

    An exception in the block rolls back the block and the lifting together.
    """
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE refuses a table with deferred checks pending (the actor's foreign key,
            # within a test's transaction): run them now, and keep them immediate until the
            # triggers are back, so that the block's own rows leave none pending either.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in POSTGRESQL_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        yield
        if connection.vendor == "postgresql":
            for table in POSTGRESQL_TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for sql in SQLITE_TRIGGERS.values():
                cursor.execute(sql)


def is_test_database(connection: BaseDatabaseWrapper) -> bool:
    """Whether the connection is to a database the test runner created.

    The runner points the connection at the database's TEST NAME, or at Django's ``test_``
    prefixed name (with a suffix per parallel worker).
    """
    name = str(connection.settings_dict.get("NAME") or "")
    test_name = (connection.settings_dict.get("TEST") or {}).get("NAME")
    return bool(name) and (
        name == str(test_name) or Path(name).name.startswith(TEST_DATABASE_PREFIX)
    )
