"""Applying a service's new values to a row, and saying what changed for the audit event."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def apply_changes(obj: object, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set each value that differs on ``obj``; return ``{field: [before, after]}`` of those."""
    changes: dict[str, list[Any]] = {}
    for name, value in values.items():
        before = getattr(obj, name)
        if before != value:
            changes[name] = [before, value]
            setattr(obj, name, value)
    return changes
