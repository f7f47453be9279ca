"""Signed checkpoints of the audit chain, written outside the database.

A checkpoint is a small JSON file (the chain's length, its last hash, the time) signed with the
audit key, in ``XINBAO_AUDIT_CHECKPOINT_DIR``. The database cannot take back what a checkpoint
saw: a chain that is later shorter, or no longer holds the checkpoint's hash at that place, was
truncated or rewritten, whatever its own hashes say.

Each new checkpoint is handed to the listeners registered here, so that a higher layer (the
notifications) can send it to the audit administrators: the audit log sits below them and
imports none of them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from xinbao.audit.signing import sign

FORMAT = 1


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    """How many events the chain held: the place of the last one."""
    last_hash: str
    at: dt.datetime
    mac: str = ""

    def canonical(self) -> str:
        payload = {
            "format": FORMAT,
            "seq": self.seq,
            "last_hash": self.last_hash,
            "at": self.at.astimezone(dt.UTC).isoformat(),
        }
        return json.dumps(payload, sort_keys=True)

    def signed(self, key: bytes) -> Checkpoint:
        return Checkpoint(self.seq, self.last_hash, self.at, sign(key, self.canonical()))

    def is_signed_by(self, key: bytes) -> bool:
        return bool(self.mac) and secrets.compare_digest(self.mac, sign(key, self.canonical()))

    def to_json(self) -> str:
        return json.dumps({**json.loads(self.canonical()), "mac": self.mac}, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"unknown checkpoint format {data.get('format')!r}")
        return cls(
            seq=int(data["seq"]),
            last_hash=str(data["last_hash"]),
            at=dt.datetime.fromisoformat(data["at"]),
            mac=str(data.get("mac", "")),
        )


Listener = Callable[[Checkpoint, Path], None]
_LISTENERS: list[Listener] = []


def on_checkpoint(listener: Listener) -> Listener:
    """Register ``listener(checkpoint, path)``, called after each checkpoint is written."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)
    return listener


def remove_listener(listener: Listener) -> None:
    if listener in _LISTENERS:
        _LISTENERS.remove(listener)


def listeners() -> list[Listener]:
    return list(_LISTENERS)


def folder() -> Path:
    return Path(settings.XINBAO_AUDIT_CHECKPOINT_DIR)


def write(checkpoint: Checkpoint) -> Path:
    """Write the signed checkpoint into the folder (mode 600), whole or not at all."""
    where = folder()
    where.mkdir(parents=True, exist_ok=True)
    stamp = checkpoint.at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = where / f"checkpoint-{stamp}-{checkpoint.seq}.json"
    tmp = where / f".{path.name}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(checkpoint.to_json())
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(path)
    return path


def read_all() -> list[tuple[Path, Checkpoint | None]]:
    """Every checkpoint file of the folder, oldest first; ``None`` for one that does not parse."""
    where = folder()
    if not where.is_dir():
        return []
    found: list[tuple[Path, Checkpoint | None]] = []
    for path in sorted(where.glob("checkpoint-*.json")):
        try:
            found.append((path, Checkpoint.from_json(path.read_text())))
        except (ValueError, KeyError, TypeError):
            found.append((path, None))
    return found
