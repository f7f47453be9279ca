"""How each app builds its documents: the documents app learns nothing of the apps above it.

An app registers a kind in its ``AppConfig.ready``::

    register("periodicals.issue", model=Issue, build=outputs.document, frozen=is_frozen)

``build`` returns the :class:`~xinbao.lib.officedoc.OfficialDocument` of one subject; ``frozen``
says whether its content will not change again (signed, sent, delivered, published): only a
frozen subject's document is rendered by the worker and kept, a draft's is rendered in the
request as a preview. ``on_ready`` and ``on_failed`` let an app act once the worker is done (a
notice mailed with its PDF attached, say).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models

from xinbao.lib.officedoc import OfficialDocument


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[models.Model]
    build: Callable[[Any], OfficialDocument]
    frozen: Callable[[Any], bool]
    #: Called with the subject and the row, in the transaction that records the file ready.
    on_ready: Callable[[Any, Any], None] | None = None
    #: Called likewise when a render failed (each time it does).
    on_failed: Callable[[Any, Any], None] | None = None


_KINDS: dict[str, Kind] = {}


def register(
    name: str,
    *,
    model: type[models.Model],
    build: Callable[[Any], OfficialDocument],
    frozen: Callable[[Any], bool],
    on_ready: Callable[[Any, Any], None] | None = None,
    on_failed: Callable[[Any, Any], None] | None = None,
) -> Kind:
    kind = Kind(
        name=name,
        model=model,
        build=build,
        frozen=frozen,
        on_ready=on_ready,
        on_failed=on_failed,
    )
    _KINDS[name] = kind
    return kind


def get(name: str) -> Kind:
    """The registered kind; ``LookupError`` names an unknown one."""
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"no document kind {name!r} is registered") from None
