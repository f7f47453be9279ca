"""Pieces every router of the JSON API shares: error shapes and the caller."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination


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


#: The largest offset the databases take (a signed 64-bit integer); a bigger one is invalid
#: input (422), not a crash.
MAX_OFFSET = 2**63 - 1


class PageParams(Schema):
    limit: int = Field(20, ge=1, le=100, description="At most this many results.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Skip this many results first.")


class Pagination(LimitOffsetPagination):
    """The paging of every list operation: ``limit`` and ``offset``, both bounded."""

    Input = PageParams  # type: ignore[assignment]  # bounded, unlike ninja's default input


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
