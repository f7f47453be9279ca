"""Backup and restore of a whole office: the database, the uploaded files and the audit key.

A backup is one folder, ``xinbao-<UTC time>``, mode 700, every file in it mode 600:

- ``database.sqlite3`` (SQLite, copied with the online backup API while the system runs) or
  ``database.dump`` (PostgreSQL, ``pg_dump -Fc``);
- ``media.tar``: the uploaded files (attachments, thumbnails, documents);
- ``audit.key``: the audit log's HMAC key, which lives outside the database (without it the
  restored chain cannot be verified; the backup must be kept as secret as the key);
- ``manifest.json``, written last: time, database kind, the rows of every table and the head of
  the audit chain, read from the same snapshot as the copy, and the SHA-256 of every file.

The folder is written under a temporary name and renamed when complete, so a folder with the
final name is a whole backup. Restore checks the manifest and every file's digest, refuses a
target that holds anything unless forced, and compares the restored copy with the manifest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from xinbao.audit.services import record
from xinbao.audit.signing import key_path
from xinbao.ops import snapshot

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.dump"
MEDIA_FILE = "media.tar"
KEY_FILE = "audit.key"
SQLITE = "sqlite"
POSTGRESQL = "postgresql"
DATABASE_FILES = {SQLITE: SQLITE_FILE, POSTGRESQL: POSTGRES_FILE}


class BackupError(Exception):
    """A backup that cannot be made or restored; the message says why."""


@dataclass(frozen=True)
class Manifest:
    created_at: str
    database: str
    counts: dict[str, int]
    audit: dict[str, Any]
    files: dict[str, dict[str, Any]]
    format: int = FORMAT

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """The manifest of a backup folder, after checking that every file it names is whole."""
        path = folder / MANIFEST
        if not path.is_file():
            raise BackupError(f"{folder} is not a backup: it has no {MANIFEST}")
        try:
            data = json.loads(path.read_text())
            manifest = cls(**data)
        except (ValueError, TypeError) as exc:
            raise BackupError(f"{path} cannot be read: {exc}") from exc
        if manifest.format != FORMAT:
            raise BackupError(f"{path} has format {manifest.format}; this version reads {FORMAT}")
        if manifest.database not in DATABASE_FILES:
            raise BackupError(f"{path} names an unknown database kind {manifest.database!r}")
        needed = {DATABASE_FILES[manifest.database], MEDIA_FILE}
        if missing := needed - set(manifest.files):
            raise BackupError(f"{path} does not list {', '.join(sorted(missing))}")
        for name, facts in manifest.files.items():
            file = folder / Path(name).name
            if not file.is_file():
                raise BackupError(f"{file} is missing")
            if _sha256(file) != facts["sha256"]:
                raise BackupError(f"{file} differs from the manifest (SHA-256): damaged or altered")
        return manifest


def database_kind() -> str:
    if connection.vendor == "sqlite":
        return SQLITE
    if connection.vendor == "postgresql":
        return POSTGRESQL
    raise BackupError(f"backups support SQLite and PostgreSQL, not {connection.vendor}")


# --- backup -----------------------------------------------------------------------------------


def make_backup(*, into: Path) -> tuple[Path, Manifest]:
    """Write a new backup folder under ``into`` and return it with its manifest."""
    with _umask(0o077):
        return _make_backup(into=into)


def _make_backup(*, into: Path) -> tuple[Path, Manifest]:
    kind = database_kind()
    into.mkdir(parents=True, exist_ok=True)
    now = timezone.now().astimezone(dt.UTC)
    final = into / f"xinbao-{now.strftime('%Y%m%dT%H%M%S%fZ')}"
    partial = into / f".{final.name}.partial"
    partial.mkdir(mode=0o700)
    partial.chmod(0o700)  # whatever the umask
    try:
        database = partial / DATABASE_FILES[kind]
        if kind == SQLITE:
            counts, head = _dump_sqlite(database)
        else:
            counts, head = _dump_postgresql(database)
        _tar_media(partial / MEDIA_FILE)
        key = key_path()
        if key.is_file():
            _copy_private(key, partial / KEY_FILE)
        files = {
            path.name: {"bytes": path.stat().st_size, "sha256": _sha256(path)}
            for path in sorted(partial.iterdir())
        }
        manifest = Manifest(
            created_at=now.isoformat(),
            database=kind,
            counts=counts,
            audit=head.as_dict(),
            files=files,
        )
        _write_private(partial / MANIFEST, manifest.to_json().encode())
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    _record(
        "ops.backup_made",
        {"folder": final.name, "database": kind, "audit_events": head.events},
    )
    return final, manifest


def _dump_sqlite(target: Path) -> tuple[dict[str, int], snapshot.AuditHead]:
    """Copy the live database with SQLite's online backup API: a consistent copy while other
    processes go on writing. The copy is switched to a rollback journal so that it is one
    self-contained file; its counts are read from the copy itself."""
    _create_private(target)
    source = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=60)
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        (check,) = copy.execute("PRAGMA integrity_check").fetchone()
        if check != "ok":
            raise BackupError(f"the copy of the database fails its integrity check: {check}")
        cursor = copy.cursor()
        return snapshot.counts(cursor), snapshot.audit_head(cursor)
    finally:
        copy.close()
        source.close()


def _dump_postgresql(target: Path) -> tuple[dict[str, int], snapshot.AuditHead]:
    """``pg_dump -Fc`` of a snapshot exported from a repeatable-read transaction, in which the
    counts and the audit head are read too: the manifest describes exactly the dump."""
    _create_private(target)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (exported,) = cursor.fetchone()
        _run(["pg_dump", "--format=custom", f"--snapshot={exported}", f"--file={target}"])
        return snapshot.counts(cursor), snapshot.audit_head(cursor)


def _tar_media(target: Path) -> None:
    media = Path(settings.MEDIA_ROOT)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out, tarfile.open(fileobj=out, mode="w") as tar:
        if media.is_dir():
            for path in sorted(media.rglob("*")):
                tar.add(path, arcname=str(path.relative_to(media)), recursive=False)


# --- restore ----------------------------------------------------------------------------------


def restore_backup(*, folder: Path, force: bool = False) -> Manifest:
    """Restore the backup in ``folder`` into the database, media folder and audit key file the
    settings name. Refuses a target that holds anything unless ``force``, and a restored copy
    whose rows or audit head differ from the manifest."""
    with _umask(0o077):
        return _restore_backup(folder=folder, force=force)


def _restore_backup(*, folder: Path, force: bool) -> Manifest:
    manifest = Manifest.read(folder)
    kind = database_kind()
    if manifest.database != kind:
        raise BackupError(
            f"the backup holds a {manifest.database} database; the settings name {kind}"
        )
    occupied = _occupied(folder)
    if occupied and not force:
        raise BackupError(
            "the target is not empty: "
            + "; ".join(occupied)
            + ". Restore into an empty one, or give --force to replace it."
        )
    if kind == SQLITE:
        _load_sqlite(folder / SQLITE_FILE)
    else:
        _load_postgresql(folder / POSTGRES_FILE, clean=bool(occupied))
    _untar_media(folder / MEDIA_FILE)
    if (folder / KEY_FILE).is_file():
        _copy_private(folder / KEY_FILE, key_path())
    _compare(manifest)
    _record(
        "ops.backup_restored",
        {"folder": folder.name, "created_at": manifest.created_at, "forced": bool(occupied)},
    )
    return manifest


def _occupied(folder: Path) -> list[str]:
    """What the target already holds, one phrase each; empty when it holds nothing."""
    found = []
    tables = connection.introspection.table_names()
    if tables:
        found.append(f"the database has {len(tables)} tables")
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(media.iterdir()):
        found.append(f"the media folder {media} has files")
    key = key_path()
    backup_key = folder / KEY_FILE
    if key.is_file() and (not backup_key.is_file() or key.read_bytes() != backup_key.read_bytes()):
        found.append(f"another audit key is at {key}")
    return found


def _load_sqlite(source_file: Path) -> None:
    target = Path(str(connection.settings_dict["NAME"]))
    connection.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        _create_private(target)
    source = sqlite3.connect(f"file:{source_file}?mode=ro", uri=True)
    copy = sqlite3.connect(str(target), timeout=60)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    target.chmod(0o600)


def _load_postgresql(dump: Path, *, clean: bool) -> None:
    connection.close()
    if clean:
        # Forced: the schema is emptied first, so that no table of the old copy survives.
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        connection.close()
    name = str(connection.settings_dict["NAME"])
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={name}",
            str(dump),
        ]
    )


def _untar_media(archive: Path) -> None:
    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        shutil.rmtree(media)
    media.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        # The "data" filter refuses absolute paths, "..", links out of the folder and devices.
        tar.extractall(media, filter="data")


def _compare(manifest: Manifest) -> None:
    connection.close()
    with connection.cursor() as cursor:
        counts, head = snapshot.counts(cursor), snapshot.audit_head(cursor)
    differ = {
        label: (manifest.counts.get(label), counts.get(label))
        for label in set(counts) | set(manifest.counts)
        if manifest.counts.get(label) != counts.get(label)
    }
    if differ:
        listed = ", ".join(f"{k}: {a} in the backup, {b} restored" for k, (a, b) in differ.items())
        raise BackupError(f"the restored rows differ from the manifest: {listed}")
    if head.as_dict() != manifest.audit:
        raise BackupError(
            f"the restored audit chain ends at {head.as_dict()}, the backup's at {manifest.audit}"
        )


# --- helpers ----------------------------------------------------------------------------------


@transaction.atomic
def _record(action: str, summary: dict[str, Any]) -> None:
    record(actor=None, actor_name="xinbao", action=action, summary=summary)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _create_private(path: Path) -> None:
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _copy_private(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    _write_private(target, source.read_bytes())


@contextmanager
def _umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def _run(command: list[str]) -> None:
    """Run a PostgreSQL client tool against the configured database (password by environment,
    never on the command line); its own message is the error's."""
    s = connection.settings_dict
    env = dict(os.environ)
    env.update(
        PGHOST=str(s["HOST"] or "127.0.0.1"),
        PGPORT=str(s["PORT"] or 5432),
        PGUSER=str(s["USER"]),
        PGPASSWORD=str(s["PASSWORD"]),
        PGDATABASE=str(s["NAME"]),
    )
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603  (fixed tools, no shell)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip() or done.returncode}")
