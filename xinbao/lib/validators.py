"""Checks on text that comes in over the JSON API, shared by every router's schemas.

JSON may spell characters that no database stores: ``\\u0000`` (PostgreSQL refuses NUL in
text) and lone UTF-16 surrogates such as ``\\ud800`` (no UTF-8 encoding exists, so neither
database can store them and nothing can print them). Both are refused as invalid input (a
422 with a field error) rather than stripped, so that what is stored is what was sent.

Web forms never see either: Django decodes form data with replacement characters, and the
NUL check of Django's form fields already refuses ``\\x00``.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(value: object) -> object:
    """``value`` unchanged, unless it is text holding NUL or a lone surrogate (then refused).

    Runs before pydantic's own checks, so the same refusal is given whatever constraints the
    field has; anything other than text is left to pydantic's type check.
    """
    if isinstance(value, str):
        if "\x00" in value:
            raise PydanticCustomError("null_character", "Null characters are not allowed.")
        if _SURROGATE.search(value):
            raise PydanticCustomError(
                "surrogate_character",
                "Lone surrogates (\\ud800 to \\udfff) are not valid Unicode text.",
            )
    return value


#: Text that any database stores as it came: use it for every ``str`` field of API input.
Text = Annotated[str, BeforeValidator(check_text)]
