"""The item's one state table: every (state, move) pair, who may move, and that nothing else
assigns an item's status."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

import xinbao
from xinbao.accounts.models import User
from xinbao.audit.models import AuditEvent
from xinbao.items.models import Item, ItemStatus
from xinbao.items.workflow import (
    STEPS,
    Move,
    TransitionError,
    Who,
    allowed_moves,
    begin,
    transition,
)
from xinbao.test import BaseTestCase

#: Moves made on an item that exists (the creating ones start a new item instead).
MOVES_ON_ITEMS = [m for m in Move if m not in (Move.CREATE, Move.COMPOSE)]


class TableTest(BaseTestCase):
    def _mover(self, who: Who) -> User:
        return self.alice if who in (Who.AUTHOR, Who.WRITER) else self.ed

    def test_it_moves_every_allowed_pair_to_its_state_and_refuses_the_others(self) -> None:
        for status in ItemStatus:
            for move in MOVES_ON_ITEMS:
                with self.subTest(status=status, move=move):
                    item = self.make_item(self.alice, status=status, title=f"{status} {move}")
                    step = STEPS.get((status, move))
                    if step is None:
                        with pytest.raises(TransitionError) as refused:
                            transition(user=self.ed, item=item, move=move)
                        message = str(refused.value)
                        assert f"“{ItemStatus(status).label}”" in message, message
                        item.refresh_from_db()
                        assert item.status == status
                        assert not AuditEvent.objects.filter(object_id=str(item.pk)).exists()
                        continue
                    moved = transition(user=self._mover(step.who), item=item, move=move)
                    item.refresh_from_db()
                    assert moved.status == item.status == step.target
                    events = list(
                        AuditEvent.objects.filter(object_id=str(item.pk))
                        .order_by("id")
                        .values_list("action", flat=True)
                    )
                    entered = [ItemStatus.RECEIVED] if step.receives else []
                    if step.target != (entered[-1] if entered else status):
                        entered.append(step.target)
                    assert events == [f"item.{s}" for s in entered]

    def test_it_names_the_state_and_the_move_when_it_refuses(self) -> None:
        received = self.make_item(self.alice, status=ItemStatus.RECEIVED)
        refusals = {
            Move.SUBMIT: "This item cannot be submitted: it is “Received”.",
            Move.WITHDRAW: "This item cannot be withdrawn: it is “Received”.",
            Move.RECEIVE: "This item cannot be marked as received: it is “Received”.",
        }
        for move, expected in refusals.items():
            with pytest.raises(TransitionError) as refused:
                transition(user=self.alice, item=received, move=move)
            assert str(refused.value) == expected
        draft = self.make_item(self.alice, status=ItemStatus.DRAFT, title="草稿")
        with pytest.raises(TransitionError) as refused:
            transition(user=self.ed, item=draft, move=Move.MERGE)
        assert str(refused.value) == "“草稿” cannot be merged: it is “Draft”."

    def test_it_receives_a_submitted_item_on_the_way_to_a_decision(self) -> None:
        item = self.make_item(self.alice)
        item = transition(user=self.ed, item=item, move=Move.ADOPT)
        assert item.status == ItemStatus.ADOPTED
        assert item.received_by == self.ed and item.received_at is not None
        summaries = list(
            AuditEvent.objects.filter(object_id=str(item.pk))
            .order_by("id")
            .values_list("action", "summary")
        )
        assert summaries == [
            ("item.received", {"status": ["submitted", "received"], "move": "adopt"}),
            ("item.adopted", {"status": ["received", "adopted"], "move": "adopt"}),
        ]
        # A return takes a submitted item back without receiving it.
        other = transition(user=self.ed, item=self.make_item(self.alice), move=Move.RETURN)
        assert other.status == ItemStatus.RETURNED and other.received_by is None

    def test_it_lets_only_whom_the_table_names_make_a_move(self) -> None:
        submitted = self.make_item(self.alice)
        with pytest.raises(PermissionDenied, match="Only the writer's unit"):
            transition(user=self.bob, item=submitted, move=Move.WITHDRAW)
        with pytest.raises(PermissionDenied, match="Your role may not do this"):
            transition(user=self.alice, item=submitted, move=Move.RECEIVE)
        with pytest.raises(PermissionDenied, match="Only editors and section chiefs"):
            transition(user=self.duty, item=submitted, move=Move.ADOPT)
        submitted.refresh_from_db()
        assert submitted.status == ItemStatus.SUBMITTED
        # The duty officer receives at the office; whoever wrote an item may withdraw it.
        assert transition(user=self.duty, item=submitted, move=Move.RECEIVE).received_by == (
            self.duty
        )
        logged = self.make_item(self.duty, unit=self.county_a)
        assert transition(user=self.duty, item=logged, move=Move.WITHDRAW).status == "withdrawn"

    def test_it_offers_each_user_the_moves_the_table_allows(self) -> None:
        draft = self.make_item(self.alice, status=ItemStatus.DRAFT)
        submitted = self.make_item(self.alice)
        assert allowed_moves(self.alice, draft) == {Move.SUBMIT}
        assert allowed_moves(self.alice, submitted) == {Move.WITHDRAW}
        assert allowed_moves(self.bob, submitted) == set()
        assert allowed_moves(self.duty, submitted) == {Move.RECEIVE}
        assert allowed_moves(self.ed, submitted) == {
            Move.RECEIVE,
            Move.EDIT,
            Move.ADOPT,
            Move.MERGE,
            Move.RETURN,
            Move.REJECT,
            Move.FORWARD,
            Move.ARCHIVE,
        }
        assert allowed_moves(self.leader, submitted) == set()

    def test_it_starts_new_items_in_the_tables_first_state(self) -> None:
        item = Item(unit=self.county_a, created_by=self.duty)
        begin(user=self.duty, item=item, move=Move.CREATE)
        assert item.status == ItemStatus.DRAFT
        composed = Item(unit=self.county_a, created_by=self.ed)
        begin(user=self.ed, item=composed, move=Move.COMPOSE)
        assert composed.status == ItemStatus.RECEIVED
        with pytest.raises(PermissionDenied):
            begin(user=self.alice, item=Item(unit=self.county_a), move=Move.COMPOSE)
        with pytest.raises(TransitionError, match="Only a new item is written"):
            begin(user=self.alice, item=self.make_item(self.alice), move=Move.CREATE)

    def test_it_never_takes_the_status_as_a_stamp(self) -> None:
        item = self.make_item(self.alice)
        with pytest.raises(ValueError, match="table"):
            transition(
                user=self.ed, item=item, move=Move.RECEIVE, stamp={"status": ItemStatus.ADOPTED}
            )


class ButtonsTest(BaseTestCase):
    def _buttons(self, user: User, item: Item) -> set[str]:
        self.client.force_login(user)
        page = self.client.get(reverse("items:detail", args=[item.pk])).content.decode()
        actions = set(re.findall(r'action="/items/\d+/(\w+)/"', page))
        return actions & {"submit", "withdraw", "receive"}

    def test_it_shows_only_the_buttons_of_allowed_moves(self) -> None:
        draft = self.make_item(self.alice, status=ItemStatus.DRAFT)
        submitted = self.make_item(self.alice)
        received = self.make_item(self.alice, status=ItemStatus.RECEIVED)
        assert self._buttons(self.alice, draft) == {"submit"}
        assert self._buttons(self.alice, submitted) == {"withdraw"}
        assert self._buttons(self.alice, received) == set()
        assert self._buttons(self.duty, submitted) == {"receive"}
        assert self._buttons(self.duty, received) == set()
        # The button that is shown works.
        self.client.force_login(self.duty)
        self.client.post(reverse("items:receive", args=[submitted.pk]))
        submitted.refresh_from_db()
        assert submitted.status == ItemStatus.RECEIVED


# --- nothing but the transition assigns an item's status ---------------------------------

ROOT = Path(xinbao.__file__).parent
#: The table's own module, and the test personas' fixtures, which make items in any state.
EXEMPT = {ROOT / "items" / "workflow.py", ROOT / "test.py"}
#: Model write calls that take field values as keywords.
WRITERS = {"create", "update", "get_or_create", "update_or_create", "Item"}
ITEM_NAMES = re.compile(r"item|target|source|merged", re.IGNORECASE)


def _text(node: ast.AST) -> str:
    return ast.unparse(node)


def _other_status(value: ast.AST) -> bool:
    """The value is another model's status (``InstructionStatus.CLOSED`` and the like)."""
    names = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
    return any(n.endswith("Status") and n != "ItemStatus" for n in names)


def status_writes(source: str) -> list[int]:
    """Lines of ``source`` that look like they assign an item's status.

    An assignment ``<x>.status = …`` (or ``setattr(<x>, "status", …)``) of an ``ItemStatus``
    value, or of any value to something named like an item in a module that uses items; a
    model write (``create``, ``update``, ``Item(…)``…) with ``status=`` on ``Item`` or of an
    ``ItemStatus`` value. Reads (``filter(status=…)``) are not writes.
    """
    tree = ast.parse(source)
    uses_items = "xinbao.items" in source
    lines: list[int] = []

    def suspicious(target: ast.AST, value: ast.AST) -> bool:
        if "ItemStatus" in _text(value):
            return True
        named_item = bool(ITEM_NAMES.search(_text(target)))
        return uses_items and named_item and not _other_status(value)

    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == "status":
                    if node.value is not None and suspicious(target.value, node.value):
                        lines.append(node.lineno)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if (
                name == "setattr"
                and len(node.args) == 3
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value == "status"
                and suspicious(node.args[0], node.args[2])
            ):
                lines.append(node.lineno)
            if name in WRITERS:
                for keyword in node.keywords:
                    if keyword.arg != "status":
                        continue
                    on_item = name == "Item" or re.search(r"\bItem\b", _text(func))
                    if on_item or "ItemStatus" in _text(keyword.value):
                        lines.append(node.lineno)
    return sorted(set(lines))


def _checked_sources() -> list[Path]:
    paths = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if path in EXEMPT or "tests" in parts or "migrations" in parts or parts[0] == "demo":
            continue
        paths.append(path)
    return paths


class StatusWritesTest(BaseTestCase):
    def test_it_finds_the_ways_a_status_could_be_written(self) -> None:
        writes = """
from xinbao.items.models import Item, ItemStatus
item.status = ItemStatus.ADOPTED
target.status = status
setattr(item, "status", status)
Item.objects.filter(pk=1).update(status=ItemStatus.RECEIVED)
Item.objects.create(title="x", status=ItemStatus.RECEIVED)
merged = Item(status=status)
qs.update(status=ItemStatus.ARCHIVED)
"""
        assert status_writes(writes) == [3, 4, 5, 6, 7, 8, 9]
        reads = """
from xinbao.items.models import Item, ItemStatus
instruction.status = InstructionStatus.CLOSED
request.status = RequestStatus.RECEIVED
Item.objects.filter(status=ItemStatus.DRAFT).exists()
wanted = item.status == ItemStatus.DRAFT
"""
        assert status_writes(reads) == []

    def test_it_finds_no_status_written_outside_the_transition(self) -> None:
        sources = _checked_sources()
        assert ROOT / "desk" / "services.py" in sources
        found = [
            f"{path.relative_to(ROOT)}:{line}"
            for path in sources
            for line in status_writes(path.read_text(encoding="utf-8"))
        ]
        assert found == [], "An item's status is assigned only by items.workflow: " + ", ".join(
            found
        )
