"""Pieces every router of the JSON API shares: error shapes and the caller."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PaginationBase

from xinbao.lib.pagination import CURSOR_PARAM, BadCursor, Cursor, paginate


class ErrorOut(Schema):
    """Any refusal other than invalid input: 401, 403, 404, 409, 413."""

    detail: str


class FieldError(Schema):
    """One problem with the input, in the shape ninja (and pydantic) use."""

    type: str
    loc: list[str | int]
    msg: str


class FieldErrorsOut(Schema):
    """Invalid input (422): every problem found, each with where it is."""

    detail: list[FieldError]


#: The refusals any authenticated operation may answer with; 413 is a request body over
#: DATA_UPLOAD_MAX_MEMORY_SIZE (or with too many form fields).
ERROR_RESPONSES: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    413: ErrorOut,
    422: FieldErrorsOut,
}
#: For operations on one object: another unit's object is "not found", like a missing one.
NOT_FOUND: dict[int, type[Schema]] = {404: ErrorOut}


#: The longest cursor accepted; the cursors handed out are a few dozen characters.
MAX_CURSOR = 1000


class CursorIn(Schema):
    limit: int = Field(20, ge=1, le=100, description="At most this many results.")
    cursor: str | None = Field(
        None,
        max_length=MAX_CURSOR,
        description="Where the page starts: the `next` of the page before; left out, the "
        "first page. Opaque: one that does not decode into a position in this list's order "
        "(altered by hand, say) is refused (422).",
    )


class CursorPagination(PaginationBase):
    """The paging of every list operation: ``limit`` and an opaque ``cursor``, no count.

    A keyset walk (:mod:`xinbao.lib.pagination`): each page reads ``limit + 1`` rows through
    an index from where the last one ended, never OFFSET and never COUNT(*), so the thousandth
    page costs what the first does. The operation returns a queryset, or several querysets of
    one model whose union is the list (each then read through its own index and merged), and
    is decorated ``@paginate(CursorPagination, keys=(...))`` with its whole ordering, the
    primary key last.

    A cursor this list did not hand out is invalid input (422), where the web pages show their
    first page: a client that follows ``next`` in a loop must not start over without knowing.
    ``next`` cursors only run forward; one that does not decode, runs backward (the web pages'
    "previous") or holds values its keys' fields cannot (which :func:`paginate` answers with
    the first page, so without a position behind it) is refused.
    """

    Input = CursorIn  # type: ignore[assignment]  # ninja declares its own empty Input here

    class Output(Schema):
        items: list[Any]
        next: str | None = Field(
            description="The cursor of the following page; null on the last page."
        )

    def __init__(self, *, keys: Sequence[str], **kwargs: Any) -> None:
        self.keys = tuple(keys)
        super().__init__(**kwargs)

    def paginate_queryset(
        self,
        queryset: QuerySet[Any, Any] | Sequence[QuerySet[Any, Any]],
        pagination: CursorIn,
        request: HttpRequest,
        **params: Any,
    ) -> dict[str, Any]:
        cursor = pagination.cursor
        if cursor is not None:
            try:
                forward = Cursor.decode(cursor, len(self.keys)).direction == _FORWARD
            except BadCursor:
                forward = False
            if not forward:
                raise _bad_cursor()
        page = paginate(queryset, self.keys, cursor=cursor, per_page=pagination.limit)
        if cursor is not None and not page.has_previous:
            # A forward position always has a page before it; none: paginate dropped it.
            raise _bad_cursor()
        following = None
        if page.next_url is not None:
            following = QueryDict(page.next_url.removeprefix("?")).get(CURSOR_PARAM)
        return {"items": page.object_list, "next": following}


#: The direction of a cursor that runs forward from its position (xinbao.lib.pagination).
_FORWARD = "n"


def _bad_cursor() -> NinjaValidationError:
    return NinjaValidationError(
        [
            {
                "type": "invalid_cursor",
                "loc": ["query", CURSOR_PARAM],
                "msg": _(
                    "This cursor is not one this list handed out. Leave it out to start "
                    "from the first page, then follow each page's “next”."
                ),
            }
        ]
    )


def field_errors(
    exc: ValidationError,
    loc: Sequence[str | int] = (),
    names: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """A Django ``ValidationError`` as a list of ``FieldError`` dicts.

    ``loc`` is where the input sits (``("body", "payload")`` for a request body); a field
    error adds the field's name, mapped through ``names`` where the API calls a model field
    something else (``{"unit": "unit_id"}``). A service's error without a field is placed
    on a field too when ``names`` maps its code (a ``code="unit"`` error is about the unit).
    """
    names = names or {}
    errors: list[dict[str, Any]] = []
    if hasattr(exc, "error_dict"):
        for field, field_exc_list in exc.error_dict.items():
            where = [*loc] if field == NON_FIELD_ERRORS else [*loc, names.get(field, field)]
            for error in field_exc_list:
                errors.append(_one(error, where))
    else:
        for error in exc.error_list:
            code_field = names.get(error.code or "")
            errors.append(_one(error, [*loc, code_field] if code_field else [*loc]))
    return errors


def _one(error: ValidationError, loc: list[str | int]) -> dict[str, Any]:
    message = error.message
    if error.params:
        message = message % error.params
    return {"type": error.code or "invalid", "loc": loc, "msg": str(message)}
