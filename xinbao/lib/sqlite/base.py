"""Django's SQLite backend, with writers queued on an OS file lock beside the database.

Every transaction here begins IMMEDIATE (settings): the write lock is taken at BEGIN. A writer
that finds it taken waits in SQLite's busy handler, which sleeps 1, 2, 5, 10 … up to 100 ms
between tries, so a lock released a moment after a waiter went to sleep stays unused for the
rest of that sleep; with several web workers, the worker and the scanner all writing, that
idle time is most of the queueing (``bench/intake.py``). Here a transaction first takes an
exclusive ``flock`` on ``<database>-writer.lock`` (tried every half millisecond until the
connection's timeout), so the next writer starts within half a millisecond of a commit.

SQLite's own locking stays what keeps the data safe: a client that does not take the file lock
(the ``sqlite3`` shell, a backup) is still serialised by SQLite, only without the short wait.
The lock is the kernel's: a process that dies releases it. Each connection opens the file
itself, so threads of one process queue on it like processes do.
"""

from __future__ import annotations

import fcntl
import os
import time
from typing import Any

from django.db.backends.sqlite3 import base
from django.db.utils import OperationalError

#: Seconds between two tries of a taken lock.
POLL = 0.0005


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_fd: int | None = None
    _writer_held: bool = False

    def _writer_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if self.is_in_memory_db() or not name:
            return None
        return f"{name}-writer.lock"

    def _take_writer_lock(self) -> None:
        path = self._writer_path()
        if path is None or self._writer_held:
            return
        if self._writer_fd is None:
            self._writer_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(self._writer_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OperationalError("database is locked") from None
                time.sleep(POLL)
        self._writer_held = True

    def _drop_writer_lock(self) -> None:
        if self._writer_held and self._writer_fd is not None:
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)
        self._writer_held = False

    def _start_transaction_under_autocommit(self) -> None:
        self._take_writer_lock()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private in django-stubs
        except BaseException:
            self._drop_writer_lock()
            raise

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]  # private in django-stubs
        finally:
            self._drop_writer_lock()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]  # private in django-stubs
        finally:
            self._drop_writer_lock()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]  # private in django-stubs
        finally:
            self._drop_writer_lock()
            if self._writer_fd is not None:
                os.close(self._writer_fd)
                self._writer_fd = None
