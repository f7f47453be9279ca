"""`xinbao backup FOLDER`: a backup of the database, the uploaded files and the audit key."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinbao.ops.services import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup or pg_dump), the uploaded files and the "
        "audit key into a new folder under FOLDER (mode 700, files 600), with a manifest."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("folder", type=Path, help="where the backup's folder is made")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path, manifest = make_backup(into=options["folder"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest.counts.values())
        self.stdout.write(
            f"backup written to {path}: {manifest.database}, {rows} rows, "
            f"{manifest.audit['events']} audit events"
        )
