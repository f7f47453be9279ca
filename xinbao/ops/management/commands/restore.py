"""`xinbao restore BACKUP`: restore a backup made by `xinbao backup` into an empty target."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinbao.ops.services import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup folder into the database, media folder and audit key file the "
        "settings name. The target must be empty unless --force; the restored copy is "
        "compared with the backup's manifest."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("backup", type=Path, help="a folder made by `xinbao backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a target that already holds a database, files or another audit key",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = restore_backup(folder=options["backup"], force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest.counts.values())
        self.stdout.write(
            f"restored {options['backup']} (made {manifest.created_at}): {rows} rows, "
            f"{manifest.audit['events']} audit events as in its manifest"
        )
