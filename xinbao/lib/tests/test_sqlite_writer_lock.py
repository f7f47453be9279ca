"""SQLite writers queue on the file lock beside the database (``xinbao.lib.sqlite``)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the writer lock is SQLite's backend only"
)


def _begin(db: BaseDatabaseWrapper) -> None:
    # What an outermost transaction.atomic does on this backend.
    db.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def _end(db: BaseDatabaseWrapper) -> None:
    db.commit()
    db.set_autocommit(True)


def _copy(**options: object) -> BaseDatabaseWrapper:
    db = connection.copy()
    db.settings_dict = {**db.settings_dict, "OPTIONS": {**db.settings_dict["OPTIONS"], **options}}
    return db


@pytest.mark.django_db(transaction=True)
def test_it_lets_the_next_writer_in_as_soon_as_the_first_commits() -> None:
    first = _copy()
    _begin(first)
    first.cursor().execute("CREATE TABLE t_writer_lock (n INTEGER)")
    began: list[float] = []

    def writer() -> None:
        second = _copy()  # a connection belongs to the thread that made it
        _begin(second)
        began.append(time.monotonic())
        second.cursor().execute("INSERT INTO t_writer_lock VALUES (2)")
        _end(second)
        second.close()

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(0.3)
    assert thread.is_alive() and not began  # queued behind the first writer
    first.cursor().execute("INSERT INTO t_writer_lock VALUES (1)")
    committed = time.monotonic()
    _end(first)
    thread.join(5)
    assert began and began[0] - committed < 0.05
    rows = first.cursor().execute("SELECT n FROM t_writer_lock ORDER BY n").fetchall()
    assert rows == [(1,), (2,)]
    first.cursor().execute("DROP TABLE t_writer_lock")
    assert Path(f"{first.settings_dict['NAME']}-writer.lock").exists()
    first.close()


@pytest.mark.django_db(transaction=True)
def test_it_gives_up_after_the_connections_timeout_as_sqlite_would() -> None:
    holder, waiter = _copy(), _copy(timeout=0.3)
    _begin(holder)
    started = time.monotonic()
    with pytest.raises(OperationalError, match="database is locked"):
        _begin(waiter)
    assert 0.3 <= time.monotonic() - started < 2
    _end(holder)
    # The lock was never taken by the waiter: it begins at once now.
    _begin(waiter)
    _end(waiter)
    holder.close()
    waiter.close()


@pytest.mark.django_db(transaction=True)
def test_it_releases_the_lock_on_rollback() -> None:
    first, second = _copy(), _copy(timeout=0.5)
    _begin(first)
    first.rollback()
    first.set_autocommit(True)
    _begin(second)
    _end(second)
    first.close()
    second.close()
