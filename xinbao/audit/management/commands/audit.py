"""`xinbao audit verify`: check the hash chain; exit 1 if any row was edited or removed."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinbao.audit.models import AuditEvent
from xinbao.audit.services import verify


class Command(BaseCommand):
    help = "Audit log tools. `verify`: walk the hash chain and report every break."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Verify the hash chain of the audit log.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify":
            problems = verify()
            total = AuditEvent.objects.count()
            if problems:
                for p in problems:
                    where = f"event {p.event_id}" if p.event_id is not None else "chain head"
                    self.stderr.write(f"{where}: {p.reason}")
                raise CommandError(
                    f"audit chain broken: {len(problems)} problem(s) in {total} events"
                )
            self.stdout.write(f"audit chain intact: {total} events")
