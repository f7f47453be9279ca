"""Business code tells people through one entry point, ``xinbao.notify``, and nothing deeper."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import xinbao.notify
from xinbao.notify import ladders, services

XINBAO = Path(__file__).resolve().parents[2]


def _deep_imports(path: Path) -> list[str]:
    """Imports of ``xinbao.notify.<module>`` in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [
            f"{path.relative_to(XINBAO.parent)}:{node.lineno} {name}"
            for name in names
            if name.startswith("xinbao.notify.")
        ]
    return found


def test_it_is_the_only_way_into_notify_outside_notify_its_tests_and_the_demo() -> None:
    outside = [
        path
        for path in XINBAO.rglob("*.py")
        if path.relative_to(XINBAO).parts[0] not in {"notify", "demo"} and "tests" not in path.parts
    ]
    assert len(outside) > 100
    assert [where for path in outside for where in _deep_imports(path)] == []


def test_it_hands_out_the_objects_of_their_home_modules() -> None:
    assert xinbao.notify.notify is ladders.notify
    assert xinbao.notify.Recipient is services.Recipient
    assert {name: getattr(xinbao.notify, name).__name__ for name in xinbao.notify.__all__} == {
        "Channel": "Channel",
        "Dispatch": "Dispatch",
        "Recipient": "Recipient",
        "notify": "notify",
        "queue": "queue",
        "resolve": "resolve",
    }


def test_it_refuses_a_name_it_does_not_hand_out() -> None:
    with pytest.raises(AttributeError, match="deliver_due"):
        getattr(xinbao.notify, "deliver_due")  # noqa: B009  (the attribute is looked up on purpose)
