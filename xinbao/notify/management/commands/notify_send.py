"""`xinbao notify_send`: send what is due in the outbox now (the worker does this too)."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand

from xinbao.notify.services import deliver_due


class Command(BaseCommand):
    help = "Claim and send every due message of the outbox, then exit."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--owner", default="", help="Name of this sender in the records.")

    def handle(self, *args: Any, **options: Any) -> None:
        done = deliver_due(owner=options["owner"])
        self.stdout.write(f"{done} messages tried")
