"""Reads beyond a plain filter: queues, the content of an issue as edited, revisions as
diffs, who has read an issue, and the instruction ledger with its overdue flag."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import pairwise

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.desk.models import ItemVersion
from xinbao.items.models import Attachment, AttachmentKind
from xinbao.lib.text import diff_html
from xinbao.org.models import Unit
from xinbao.periodicals.models import (
    Instruction,
    InstructionFeedback,
    InstructionStatus,
    Issue,
    IssueItem,
    IssuePicture,
    IssueState,
    ReadReceipt,
)
from xinbao.periodicals.routing import SIGNER_ROLES


def sign_queue(user: User) -> QuerySet[Issue]:
    """Issues waiting for ``user``'s signature: direct-route ones first, then oldest first."""
    return (
        Issue.objects.filter(state=IssueState.AWAITING_SIGNATURE, signer_role=user.role)
        .select_related("periodical")
        .annotate(item_count=Count("entries"))
        .order_by("-direct_route", "created_at", "pk")
    )


def section_check_queue() -> QuerySet[Issue]:
    return (
        Issue.objects.filter(state=IssueState.SECTION_CHECK)
        .select_related("periodical")
        .annotate(item_count=Count("entries"))
        .order_by("created_at", "pk")
    )


def countersign_queue() -> QuerySet[Issue]:
    """Direct-route issues signed and still waiting for the section chief's countersignature."""
    return Issue.objects.filter(
        direct_route=True,
        periodical__countersign=True,
        signed_at__isnull=False,
        countersigned_at__isnull=True,
    ).select_related("periodical")


@dataclass
class Revision:
    """One tracked change of an item's text: who made it, and the diff from the version before."""

    version: ItemVersion
    title_diff: SafeString
    body_diff: SafeString


@dataclass(frozen=True)
class PictureChoice:
    """A picture of an entry's item offered to the editor: chosen or not, with its caption."""

    attachment: Attachment
    chosen: bool
    caption: str


@dataclass
class EntryView:
    entry: IssueItem
    title: str
    body: str
    revisions: list[Revision] = field(default_factory=list)
    #: The pictures chosen for the issue, as the pages show them: attachment id and caption.
    pictures: list[dict[str, object]] = field(default_factory=list)
    #: Every picture of the item, for the editor's choice.
    choices: list[PictureChoice] = field(default_factory=list)
    #: The item's audio, video and documents, linked from the pages.
    media: list[Attachment] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.body.split("\n") if p]


def entries(issue: Issue) -> list[EntryView]:
    """The issue's items in order, with their current text and the leaders' revisions."""
    rows = list(issue.entries.select_related("item", "item__unit").order_by("position", "pk"))
    versions: dict[int, list[ItemVersion]] = {}
    for version in (
        ItemVersion.objects.filter(item__in=[r.item_id for r in rows])
        .select_related("author")
        .order_by("item_id", "number")
    ):
        versions.setdefault(version.item_id, []).append(version)
    files = _attachments([r.item_id for r in rows])
    chosen: dict[int, list[IssuePicture]] = {}
    for picture in IssuePicture.objects.filter(entry__in=[r.pk for r in rows]):
        chosen.setdefault(picture.entry_id, []).append(picture)
    out = []
    for row in rows:
        history = versions.get(row.item_id, [])
        title, body = row.item.title, row.item.body
        view = EntryView(entry=row, title=title, body=body)
        picked = {p.attachment_id: p.caption for p in chosen.get(row.pk, [])}
        view.pictures = [
            {"attachment": p.attachment_id, "caption": p.caption} for p in chosen.get(row.pk, [])
        ]
        for attachment in files.get(row.item_id, []):
            if attachment.kind != AttachmentKind.PICTURE:
                view.media.append(attachment)
                continue
            caption = picked.get(attachment.pk) or default_caption(attachment)
            view.choices.append(PictureChoice(attachment, attachment.pk in picked, caption))
        for before, after in pairwise(history):
            if after.role in SIGNER_ROLES:
                view.revisions.append(
                    Revision(
                        version=after,
                        title_diff=diff_html(before.title, after.title),
                        body_diff=diff_html(before.body, after.body),
                    )
                )
        out.append(view)
    return out


def frozen_entries(issue: Issue) -> list[dict[str, object]]:
    """The items of a signed issue as they were signed (with their chosen pictures), and each
    item's audio, video and documents to link to."""
    items = issue.frozen.get("items", [])
    files = _attachments([int(item["item"]) for item in items if item.get("item")])
    return [
        {
            **item,
            "paragraphs": [p for p in str(item.get("body", "")).split("\n") if p],
            "media": [
                a for a in files.get(item.get("item"), []) if a.kind != AttachmentKind.PICTURE
            ],
        }
        for item in items
    ]


def _attachments(item_ids: list[int]) -> dict[int, list[Attachment]]:
    """The attachments of these items, by item, in upload order (one query)."""
    out: dict[int, list[Attachment]] = {}
    for attachment in Attachment.objects.filter(item__in=item_ids).order_by("pk"):
        out.setdefault(attachment.item_id, []).append(attachment)
    return out


def default_caption(attachment: Attachment) -> str:
    """A picture's caption until the editor writes one: its file name without the extension."""
    name = attachment.original_name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    stem, dot, _extension = name.rpartition(".")
    return ((stem if dot and stem else name).strip() or str(_("Picture")))[:200]


@dataclass(frozen=True)
class ReaderRow:
    user: User
    read_at: dt.datetime | None


def readers(issue: Issue) -> list[ReaderRow]:
    """Every reader of the issue's periodical with the time they first opened it (or None)."""
    receipts = {
        r.user_id: r.read_at
        for r in ReadReceipt.objects.filter(issue=issue).only("user", "read_at")
    }
    people = issue.periodical.readers.order_by("full_name", "username")
    return [ReaderRow(user=u, read_at=receipts.get(u.pk)) for u in people]


# --- instructions ----------------------------------------------------------------------------


def with_progress(qs: QuerySet[Instruction]) -> QuerySet[Instruction]:
    """Each instruction with ``unit_count`` and ``answered_count`` (units that gave feedback)."""
    return qs.annotate(
        unit_count=Count("units", distinct=True),
        answered_count=Count("feedback__unit", distinct=True),
    ).select_related("leader", "item", "issue", "issue__periodical", "incident")


def overdue_filter(today: dt.date | None = None) -> Q:
    """Open, past the deadline (to be combined with a check that some unit has not answered)."""
    today = today or timezone.localdate()
    return Q(status=InstructionStatus.OPEN, feedback_due__lt=today)


def is_overdue(instruction: Instruction, today: dt.date | None = None) -> bool:
    """Open, its deadline passed, and some unit concerned has given no feedback."""
    today = today or timezone.localdate()
    if instruction.status != InstructionStatus.OPEN or instruction.feedback_due is None:
        return False
    if instruction.feedback_due >= today:
        return False
    return bool(missing_units(instruction))


def missing_units(instruction: Instruction) -> list[Unit]:
    answered = instruction.feedback.values("unit_id")
    return list(instruction.units.exclude(pk__in=answered).order_by("code"))


def ledger(user: User, *, state: str = "") -> QuerySet[Instruction]:
    """The instruction ledger: ``open``, ``overdue``, ``closed`` or everything."""
    # Counted per row by correlated subqueries, not by a GROUP BY over the whole ledger: the
    # newest-first index then gives the page's rows without a sort.
    units = (
        Instruction.units.through.objects.filter(instruction=OuterRef("pk"))  # type: ignore[misc]  # django-stubs misreads .values("n") on the auto-created through model
        .order_by()
        .values("instruction")
        .annotate(n=Count("unit", distinct=True))
        .values("n")
    )
    answered = (
        InstructionFeedback.objects.filter(instruction=OuterRef("pk"))
        .order_by()
        .values("instruction")
        .annotate(n=Count("unit", distinct=True))
        .values("n")
    )
    qs = Instruction.objects.annotate(
        unit_count=Coalesce(Subquery(units), 0),
        answered_count=Coalesce(Subquery(answered), 0),
    ).select_related("leader", "item", "issue", "issue__periodical", "incident")
    if state == "open":
        qs = qs.filter(status=InstructionStatus.OPEN)
    elif state == "closed":
        qs = qs.filter(status=InstructionStatus.CLOSED)
    elif state == "overdue":
        qs = qs.filter(overdue_filter()).filter(answered_count__lt=F("unit_count"))
    return qs.order_by("-created_at", "-pk")


def leader_open_instructions(user: User) -> QuerySet[Instruction]:
    return with_progress(
        Instruction.objects.filter(leader=user, status=InstructionStatus.OPEN)
    ).order_by("feedback_due", "pk")


def to_answer(user: User) -> QuerySet[Instruction]:
    """Open instructions sent to the reporter's unit, each with whether the unit has answered."""
    if not user.is_reporter or user.unit_id is None:
        return Instruction.objects.none()
    return (
        Instruction.objects.filter(units=user.unit_id, status=InstructionStatus.OPEN)
        .annotate(
            our_answers=Count("feedback", filter=Q(feedback__unit=user.unit_id), distinct=True)
        )
        .select_related("leader", "item", "issue", "issue__periodical", "incident")
        .order_by("feedback_due", "pk")
    )


def waiting_for_feedback(user: User) -> QuerySet[Instruction]:
    """The instructions of :func:`to_answer` the reporter's unit has not answered yet."""
    return to_answer(user).exclude(feedback__unit=user.unit_id)
