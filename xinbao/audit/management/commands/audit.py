"""`xinbao audit verify`: check the hash chain, its signatures and the checkpoints; exit 1 if
any row was edited or removed. `xinbao audit checkpoint`: write a signed checkpoint now."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinbao.audit.models import AuditEvent
from xinbao.audit.services import verify, write_checkpoint


class Command(BaseCommand):
    help = (
        "Audit log tools. `verify`: walk the hash chain and report every break. "
        "`checkpoint`: write a signed checkpoint of the chain outside the database."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Verify the hash chain of the audit log.")
        sub.add_parser("checkpoint", help="Write a signed checkpoint of the audit chain.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "checkpoint":
            checkpoint, path = write_checkpoint()
            self.stdout.write(f"checkpoint at event {checkpoint.seq} written to {path}")
            return
        problems = verify()
        total = AuditEvent.objects.count()
        if problems:
            for p in problems:
                where = f"event {p.event_id}" if p.event_id is not None else "chain"
                self.stderr.write(f"{where}: {p.reason}")
            raise CommandError(f"audit chain broken: {len(problems)} problem(s) in {total} events")
        self.stdout.write(f"audit chain intact: {total} events")
