"""Django's ``flush``, which lifts the audit log's triggers on a test database only.

TransactionTestCase (and the live server tests) empty every table with ``flush`` after each
test; the audit triggers would refuse it. On a database the test runner created, the flush
runs inside ``guard.lifted()``: one transaction that takes the triggers away, empties the
tables and puts the triggers back. Anywhere else the triggers stay, and a flush is refused
rather than silently wiping the audit log.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections

from xinbao.audit import guard


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if not guard.is_test_database(connection):
            super().handle(**options)
            return
        with guard.lifted(connection):
            super().handle(**options)
