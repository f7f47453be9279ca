"""Items over the JSON API: create (idempotently), list, read, attach files, submit, withdraw.

Operations only parse, call the services and the permission-checked getters, and shape the
answer: an item another unit's user may not see is a 404, exactly as in the web pages.
"""

# No ``from __future__ import annotations``: ninja reads the operations' annotations at
# import time and cannot resolve ``Query[...]`` written as a string.
import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import QuerySet, prefetch_related_objects
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Header, Query, Router, Schema, UploadedFile
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import AfterValidator, AwareDatetime, ConfigDict
from pydantic_core import PydanticCustomError

from xinbao.accounts.http import api_user
from xinbao.items import batch, services
from xinbao.items.access import access_item, refuse_administrators, visible_item_parts
from xinbao.items.attachments import (
    MAX_ATTACHMENT_BYTES,
    SIZE_LIMITS,
    UploadRefused,
    human_size,
)
from xinbao.items.models import (
    Attachment,
    AttachmentKind,
    Channel,
    Item,
    ItemKind,
    ItemStatus,
    Urgency,
)
from xinbao.lib.api import (
    ERROR_RESPONSES,
    NOT_FOUND,
    CursorPagination,
    ErrorOut,
    field_errors,
)
from xinbao.lib.labels import Sensitivity
from xinbao.lib.validators import Text
from xinbao.org.models import Unit

router = Router()

#: Largest id a database integer column holds; a bigger one is invalid input, not a crash.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

#: Model field names that the API spells differently, for field errors.
API_NAMES = {"unit": "unit_id", "joint_units": "joint_unit_ids"}
BODY = ("body", "payload")
#: The list's order, the web list's: newest submission first, then id.
LIST_ORDER = ("-submitted_at", "-id")


_BEIJING = dt.timezone(dt.timedelta(hours=8))


def _local(value: dt.datetime) -> dt.datetime:
    local = timezone.localtime(value)
    offset = local.utcoffset()
    if offset is not None and offset % dt.timedelta(minutes=1):
        # Before 1901 the zone's local mean time (+08:05:43) is no RFC 3339 offset: Beijing time.
        return value.astimezone(_BEIJING)
    return local


#: Times go out in the office's time zone (with its offset), whether just written or read.
LocalTime = Annotated[dt.datetime, AfterValidator(_local)]


def _in_utc_range(value: dt.datetime) -> dt.datetime:
    try:
        value.astimezone(dt.UTC)
    except OverflowError:
        raise PydanticCustomError(
            "datetime_out_of_range", "The time must fall between the years 1 and 9999 in UTC."
        ) from None
    return value


#: An aware time that is stored in UTC, so must be one there.
StorableTime = Annotated[AwareDatetime, AfterValidator(_in_utc_range)]


class Label(StrEnum):
    """A sensitivity label (安全标记) as the API spells it: 普通, 内部, 敏感."""

    ORDINARY = "ordinary"
    INTERNAL = "internal"
    SENSITIVE = "sensitive"

    @classmethod
    def of(cls, value: int) -> "Label":
        return cls(Sensitivity(value).name.lower())

    def level(self) -> Sensitivity:
        return Sensitivity[self.name]


LABEL_DESCRIPTION = (
    "Sensitivity label: ordinary < internal < sensitive. A user cleared below it never sees "
    "it; nobody labels anything above their own clearance."
)


# -- answers -------------------------------------------------------------------------------


class UnitOut(Schema):
    id: int
    code: str
    name: str


class AttachmentOut(Schema):
    id: int
    kind: AttachmentKind
    name: str = Field(description="The file name it was uploaded with.")
    content_type: str
    size: int = Field(description="Bytes.")
    sensitivity: Label = Field(description=LABEL_DESCRIPTION)
    url: str = Field(description="Where a signed-in user of the web app downloads it.")

    @staticmethod
    def resolve_name(obj: Attachment) -> str:
        return obj.original_name

    @staticmethod
    def resolve_sensitivity(obj: Attachment) -> Label:
        return Label.of(obj.sensitivity)

    @staticmethod
    def resolve_url(obj: Attachment, context: dict[str, Any]) -> str:
        path = reverse("items:attachment", args=[obj.item_id, obj.pk])
        request: HttpRequest | None = context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ItemOut(Schema):
    id: int
    title: str
    body: str = Field(description="Plain paragraphs, one a line.")
    kind: ItemKind
    urgency: Urgency
    status: ItemStatus
    sensitivity: Label = Field(description=LABEL_DESCRIPTION)
    unit: UnitOut = Field(description="The unit that reports it (and is credited first).")
    joint_units: list[UnitOut] = Field(description="Units that reported it jointly.")
    writer_name: str
    writer_phone: str
    approved_by: str = Field(description="The unit leader who approved sending it.")
    topics: list[str]
    place: str
    event_at: LocalTime | None
    channel: Channel
    created_at: LocalTime
    submitted_at: LocalTime | None
    received_at: LocalTime | None
    attachments: list[AttachmentOut] = Field(
        description="The attachments within the caller's clearance."
    )

    @staticmethod
    def resolve_topics(obj: Item) -> list[str]:
        return [t.name for t in obj.topics.all()]

    @staticmethod
    def resolve_sensitivity(obj: Item) -> Label:
        return Label.of(obj.sensitivity)

    @staticmethod
    def resolve_attachments(obj: Item, context: dict[str, Any]) -> list[Attachment]:
        # Filtered in Python over the prefetched rows: no query per item.
        clearance = api_user(context["request"]).clearance_level
        return [a for a in obj.attachments.all() if a.sensitivity <= clearance]


# -- input ---------------------------------------------------------------------------------


class ItemIn(Schema):
    """A new item. Unknown fields are refused, so that a misspelt one is not lost."""

    model_config = ConfigDict(extra="forbid")

    title: Text = Field(min_length=1, max_length=200)
    body: Text = Field(
        min_length=1,
        description="Paragraphs separated by line breaks; at most "
        f"{services.BODY_MAX_LENGTH} characters once blank lines are dropped.",
    )
    kind: ItemKind
    urgency: Urgency = Urgency.ROUTINE
    sensitivity: Label = Field(Label.ORDINARY, description=LABEL_DESCRIPTION)
    writer_name: Text = Field(min_length=1, max_length=50)
    writer_phone: Text = Field(
        min_length=1,
        max_length=32,
        description="7 to 12 digits; dashes, spaces and a leading +86 are allowed.",
    )
    approved_by: Text = Field("", max_length=50)
    place: Text = Field("", max_length=100)
    event_at: StorableTime | None = Field(
        None, description="When it happened, with its UTC offset (e.g. +08:00)."
    )
    topics: list[Annotated[Text, Field(min_length=1, max_length=50)]] = Field(
        default_factory=list, max_length=20, description="Topic names; new ones are created."
    )
    joint_unit_ids: list[Id] = Field(
        default_factory=list, max_length=50, description="Units reporting it jointly."
    )
    unit_id: Id | None = Field(
        None,
        description="The reporting unit. Required for office staff; a reporter may leave it "
        "out (their own unit) and may name no other.",
    )
    submit: bool = Field(False, description="Submit at once instead of keeping a draft.")

    def to_data(self) -> services.ItemData:
        return services.ItemData(
            title=self.title,
            body=self.body,
            kind=self.kind.value,
            urgency=self.urgency.value,
            writer_name=self.writer_name,
            writer_phone=self.writer_phone,
            approved_by=self.approved_by,
            place=self.place,
            event_at=self.event_at,
            topics=list(self.topics),
            joint_unit_ids=list(self.joint_unit_ids),
            sensitivity=self.sensitivity.level(),
        )


class ItemFilters(Schema):
    status: ItemStatus | None = None
    urgency: Urgency | None = None
    kind: ItemKind | None = None
    unit_id: Id | None = Field(None, description="Items this unit reports (as the main unit).")


# -- operations ----------------------------------------------------------------------------


def _with_relations(qs: QuerySet[Item]) -> QuerySet[Item]:
    return qs.select_related("unit").prefetch_related("joint_units", "topics", "attachments")


def _unit(unit_id: int | None) -> Unit | None:
    if unit_id is None:
        return None
    unit = Unit.objects.filter(pk=unit_id, is_active=True).first()
    if unit is None:
        raise NinjaValidationError(
            [
                {
                    "type": "unknown_unit",
                    "loc": [*BODY, "unit_id"],
                    "msg": _("There is no active unit with this id."),
                }
            ]
        )
    return unit


@router.post(
    "",
    response={200: ItemOut, 201: ItemOut, **ERROR_RESPONSES},
    summary="Create an item",
    openapi_extra={
        "responses": {
            200: {"description": "The item this Idempotency-Key already created."},
            201: {"description": "Created."},
        }
    },
)
def create_item(
    request: HttpRequest,
    payload: ItemIn,
    idempotency_key: Annotated[
        Text | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=200,
            description="Resending the same body with the same key returns the item made the "
            "first time (200) instead of a second one; another body with it is a 422.",
        ),
    ] = None,
) -> Status[Item]:
    user = api_user(request)
    unit = _unit(payload.unit_id)
    data = payload.to_data()
    # The text's words and signature before the transaction: SQLite's write lock, taken at
    # its start, is then held only for the writes.
    indexed = services.index_text(data, reference=timezone.now())
    try:
        if idempotency_key is None:
            item = services.create_item(
                user=user,
                data=data,
                unit=unit,
                channel=Channel.API,
                submit=payload.submit,
                request=request,
                indexed=indexed,
            )
            created = True
        else:
            item, created = _create_idempotent(
                request,
                key=idempotency_key,
                data=data,
                unit=unit,
                submit=payload.submit,
                indexed=indexed,
            )
    except ValidationError as exc:
        raise NinjaValidationError(field_errors(exc, BODY, API_NAMES)) from exc
    except services.IdempotencyConflict:
        raise NinjaValidationError(
            [
                {
                    "type": "idempotency_conflict",
                    "loc": ["header", "Idempotency-Key"],
                    "msg": _(
                        "This Idempotency-Key was already used with a different request body; "
                        "use a new key for a new item."
                    ),
                }
            ]
        ) from None
    if not created:
        return Status(200, access_item(user, item.pk))
    # The item just stored, as saved (normalised text, final status); its relations read back.
    prefetch_related_objects([item], "joint_units", "topics", "attachments")
    return Status(201, item)


def _create_idempotent(
    request: HttpRequest,
    *,
    key: str,
    data: services.ItemData,
    unit: Unit | None,
    submit: bool,
    indexed: services.Indexed,
) -> tuple[Item, bool]:
    def attempt() -> tuple[Item, bool]:
        return services.create_item_idempotent(
            user=api_user(request),
            key=key,
            data=data,
            unit=unit,
            submit=submit,
            request=request,
            indexed=indexed,
        )

    try:
        return attempt()
    except IntegrityError:
        # Two requests with the same key raced and the other stored it first; asked again,
        # the service finds that key and answers as for any resend.
        return attempt()


class BatchItemIn(ItemIn):
    """One item of a batch: a new item with its own idempotency key."""

    key: Text = Field(
        min_length=1,
        max_length=200,
        description="This item's idempotency key (the same keys as the single create's "
        "Idempotency-Key): resent with the same content it hands back the item made the "
        "first time; with other content the batch is refused.",
    )


class BatchIn(Schema):
    """Up to 500 new items, stored together or not at all."""

    model_config = ConfigDict(extra="forbid")

    items: list[BatchItemIn] = Field(min_length=1, max_length=batch.MAX_BATCH)


class BatchItemOut(Schema):
    index: int = Field(description="The item's place in the request, from 0.")
    id: int
    status: ItemStatus
    created: bool = Field(description="False: its key had already made this item.")


class BatchOut(Schema):
    created: int = Field(description="How many items this request created.")
    items: list[BatchItemOut]


@router.post(
    "/batch",
    response={200: BatchOut, 201: BatchOut, **ERROR_RESPONSES},
    summary="Create up to 500 items at once",
    description="All or nothing, in one transaction: if any item is invalid the answer is a "
    "422 listing every problem with the item's index in its loc (body, payload, items, "
    "index, field) and nothing is stored; an item the caller may not write (a reporter "
    "naming another unit) is a 403 and nothing is stored. Each item's key makes it "
    "idempotent: a resent batch creates nothing twice.",
    openapi_extra={
        "responses": {
            200: {"description": "Every item's key had already made its item."},
            201: {"description": "Created (some items may have been made before)."},
        }
    },
)
def create_batch(request: HttpRequest, payload: BatchIn) -> Status[BatchOut]:
    user = api_user(request)
    entries = [
        batch.Entry(key=i.key, data=i.to_data(), unit_id=i.unit_id, submit=i.submit)
        for i in payload.items
    ]
    try:
        outcomes = batch.create_items(user=user, entries=entries, request=request)
    except batch.BatchRefused as exc:
        errors: list[dict[str, Any]] = []
        for index, error in exc.errors:
            errors += field_errors(error, (*BODY, "items", index), API_NAMES)
        raise NinjaValidationError(errors) from exc
    answer = BatchOut(
        created=sum(o.created for o in outcomes),
        items=[
            BatchItemOut(index=n, id=o.item.pk, status=ItemStatus(o.item.status), created=o.created)
            for n, o in enumerate(outcomes)
        ],
    )
    return Status(201 if answer.created else 200, answer)


@router.get(
    "",
    response={200: list[ItemOut], **ERROR_RESPONSES},
    summary="List items",
    description="Items the caller may see, newest submission first, then by id: a reporter "
    "sees their unit's items, office staff every unit's submitted items (never others' "
    "drafts). Drafts, not yet submitted, come after the submitted items on SQLite and "
    "before them on PostgreSQL. The three administrators read no items: 403. Pages are "
    "walked with `next`: pass it as `cursor` for the following page until it is null.",
)
@paginate(CursorPagination, keys=LIST_ORDER)
def list_items(request: HttpRequest, filters: Query[ItemFilters]) -> list[QuerySet[Item]]:
    user = api_user(request)
    refuse_administrators(user)
    # The visible items in parts, each read through its own index (items.access), as the
    # web list reads them.
    parts = []
    for part in visible_item_parts(user):
        for name in ("status", "urgency", "kind"):
            value = getattr(filters, name)
            if value is not None:
                part = part.filter(**{name: value})
        if filters.unit_id is not None:
            part = part.filter(unit_id=filters.unit_id)
        parts.append(_with_relations(part))
    return parts


@router.get(
    "/{item_id}", response={200: ItemOut, **NOT_FOUND, **ERROR_RESPONSES}, summary="Read an item"
)
def get_item(request: HttpRequest, item_id: Id) -> Item:
    return access_item(api_user(request), item_id)


@router.post(
    "/{item_id}/submit",
    response={200: ItemOut, 409: ErrorOut, **NOT_FOUND, **ERROR_RESPONSES},
    summary="Submit a draft or withdrawn item",
)
def submit_item(request: HttpRequest, item_id: Id) -> Item:
    user = api_user(request)
    item = access_item(user, item_id)
    return services.submit_item(user=user, item=item, request=request)


@router.post(
    "/{item_id}/withdraw",
    response={200: ItemOut, 409: ErrorOut, **NOT_FOUND, **ERROR_RESPONSES},
    summary="Withdraw a submitted item",
    description="Only before the office has received it; it can then be edited and "
    "submitted again.",
)
def withdraw_item(request: HttpRequest, item_id: Id) -> Item:
    user = api_user(request)
    item = access_item(user, item_id)
    return services.withdraw_item(user=user, item=item, request=request)


#: Where a refused upload is, in a 422's ``loc``.
FILE_LOC = ["file", "file"]


def _limits() -> str:
    """ "picture 20 MB, audio 50 MB, …": the contract is in English, whatever the language."""
    return ", ".join(
        f"{AttachmentKind(kind).value} {human_size(limit)}" for kind, limit in SIZE_LIMITS.items()
    )


def _refused_file(kind: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([{"type": kind, "loc": FILE_LOC, "msg": message}])


@router.post(
    "/{item_id}/attachments",
    response={201: AttachmentOut, 409: ErrorOut, **NOT_FOUND, **ERROR_RESPONSES},
    summary="Attach a file to an item",
    description="A multipart/form-data upload of one file in the field `file` (required), to a "
    "draft, withdrawn or returned item of the caller's unit; attach the files first, then "
    "submit. The type is sniffed from the content, never taken from the file name, and the "
    f"size is limited by kind ({_limits()}). A file of another type, an empty one or one "
    "over its limit is refused with a 422 that names the reason or the limit.",
    openapi_extra={"responses": {201: {"description": "Stored."}}},
)
def add_attachment(
    request: HttpRequest,
    item_id: Id,
    file: Annotated[
        UploadedFile | None,
        File(description="The file; its name is kept, its content decides its type."),
    ] = None,
    sensitivity: Annotated[
        Label | None,
        Form(
            description="The file's sensitivity label: the item's when left out. Lower than "
            "the item's is allowed, above the caller's own clearance is refused (422)."
        ),
    ] = None,
) -> Status[Attachment]:
    user = api_user(request)
    item = access_item(user, item_id)
    if file is None:
        # The upload handler drops a file past the largest limit while it streams in.
        skipped = getattr(request, "upload_refusals", [])
        if skipped:
            raise _refused_file(
                "file_too_large",
                _("“%(name)s” is larger than %(limit)s, the most we accept for any file.")
                % {"name": skipped[0], "limit": human_size(MAX_ATTACHMENT_BYTES)},
            )
        raise _refused_file("missing", _("Send the file in the multipart field “file”."))
    try:
        attachment = services.attach(
            user=user,
            item=item,
            upload=file,
            sensitivity=None if sensitivity is None else sensitivity.level(),
            request=request,
        )
    except UploadRefused as exc:
        raise _refused_file("upload_refused", str(exc)) from None
    return Status(201, attachment)
