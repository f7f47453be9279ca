"""The audit log's HMAC key: a file outside the database (``XINBAO_AUDIT_KEY_FILE``).

Someone who can write the database can recompute every plain SHA-256 of a rewritten chain;
without this key they cannot recompute the signatures, so `xinbao audit verify` notices. The
key is never stored in the database.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from django.conf import settings

_CACHE: dict[Path, tuple[tuple[int, int, int], bytes]] = {}


class AuditKeyMissing(Exception):
    """The key file is gone: events signed with it can no longer be vouched for."""


def key_path() -> Path:
    return Path(settings.XINBAO_AUDIT_KEY_FILE)


def audit_key(*, create: bool) -> bytes:
    """The key, read from its file; with ``create``, a new one written first if there is none.

    Creation is atomic (a fully written temporary file linked into place): two processes
    starting at once end up with the same key.
    """
    path = key_path()
    if not path.exists():
        if not create:
            raise AuditKeyMissing(f"audit key file {path} is missing")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32) + "\n")
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another process made it first: theirs is the key
        finally:
            tmp.unlink(missing_ok=True)
    # Read once per file version, not once per event: a stat is all an append costs.
    stat = path.stat()
    stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    cached = _CACHE.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        key = bytes.fromhex(path.read_text().strip())
    except ValueError:
        key = b""
    if len(key) < 16:
        raise AuditKeyMissing(f"audit key file {path} holds no key")
    _CACHE[path] = (stamp, key)
    return key


def sign(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
