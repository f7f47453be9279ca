"""How each app builds its documents: the documents app learns nothing of the apps above it.

An app registers a kind in its ``AppConfig.ready``::

    register("periodicals.issue", model=Issue, build=outputs.document, frozen=is_frozen)

``build`` returns the :class:`~xinbao.lib.officedoc.OfficialDocument` of one subject; ``frozen``
says whether its content will not change again (signed, sent, delivered, published): only a
frozen subject's document is rendered by the worker and kept, a draft's is rendered in the
request as a preview.
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


_KINDS: dict[str, Kind] = {}


def register(
    name: str,
    *,
    model: type[models.Model],
    build: Callable[[Any], OfficialDocument],
    frozen: Callable[[Any], bool],
) -> Kind:
    kind = Kind(name=name, model=model, build=build, frozen=frozen)
    _KINDS[name] = kind
    return kind


def get(name: str) -> Kind:
    """The registered kind; ``LookupError`` names an unknown one."""
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"no document kind {name!r} is registered") from None
