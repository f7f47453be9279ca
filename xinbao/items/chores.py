"""Housekeeping of stored files."""

from __future__ import annotations

import datetime as dt

from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone

from xinbao.items.models import Attachment
from xinbao.items.search import index_missing
from xinbao.items.similarity import sign_missing
from xinbao.lib.chores import register


def sweep_orphan_files() -> str:
    """Remove stored files that no attachment names (left by a rolled-back upload).

    Only files older than an hour are touched, so an upload still in flight is safe.
    """
    cutoff = timezone.now() - dt.timedelta(hours=1)
    removed = 0
    for top in ("attachments", "thumbs"):
        if not default_storage.exists(top):
            continue
        dirs, files = default_storage.listdir(top)
        paths = [f"{top}/{f}" for f in files]
        for d in dirs:
            paths += [f"{top}/{d}/{f}" for f in default_storage.listdir(f"{top}/{d}")[1]]
        for path in paths:
            if default_storage.get_modified_time(path) > cutoff:
                continue
            if not Attachment.objects.filter(Q(file=path) | Q(thumbnail=path)).exists():
                default_storage.delete(path)
                removed += 1
    return f"{removed} orphan files removed"


register("items.sweep_orphan_files", dt.timedelta(hours=6), run=sweep_orphan_files)


def index_unsearchable_items() -> str:
    """Index items written past the services (the demo's bulk load, rows from before search)."""
    return f"{index_missing()} items indexed for search"


register("items.search_index", dt.timedelta(minutes=5), run=index_unsearchable_items)


def sign_unsigned_items() -> str:
    """Sign items written past the services, so that they join their same-event groups."""
    return f"{sign_missing()} items signed"


register("items.signatures", dt.timedelta(minutes=5), run=sign_unsigned_items)
