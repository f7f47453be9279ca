"""The JSON API, /api/v1/.

Callers authenticate with a personal token (``Authorization: Bearer xb_…``, made on the
token page and stored only as its SHA-256) or, for the web pages' own scripts, with their
logged-in session plus the CSRF token. Every answer other than success is JSON with a
``detail``: a message for 401/403/404/409, a list of field errors for 422.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from xinbao.accounts.models import User
from xinbao.accounts.services import authenticate_token
from xinbao.items.api import router as items_router
from xinbao.items.services import TransitionError
from xinbao.lib.api import field_errors


class TokenAuth(HttpBearer):
    """A personal API token; a revoked one, or one of an inactive user, finds nobody."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return authenticate_token(token) if token else None


class SessionCsrfAuth(SessionAuth):
    """The logged-in session, for the web pages' own scripts; writes need the CSRF token.

    Unlike ninja's ``django_auth`` the CSRF check runs only when there is a logged-in user,
    so a request with a bad token and no session is a plain 401, not a CSRF refusal.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if not isinstance(user, User) or not user.is_active:
            return None
        if check_csrf(request) is not None:
            raise HttpError(403, _("The CSRF token is missing or wrong; reload the page."))
        return user


api = NinjaAPI(
    title="Xinbao API",
    version="1",
    description=__doc__ or "",
    urls_namespace="api",
    auth=[TokenAuth(), SessionCsrfAuth()],
    # The interactive docs are for people already signed in; the contract itself is
    # docs/openapi.json in the repository.
    docs_decorator=login_required,
)
api.add_router("/items", items_router, tags=["items"])


def _detail(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return api.create_response(request, {"detail": message}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _detail(
        request, _("Authentication required: send a valid API token as a Bearer token."), 401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        # ninja answers an unparsable body with 400; for our clients every bad input is a
        # 422 with the same shape, so that one handler covers them all.
        errors = [
            {
                "type": "json_invalid",
                "loc": ["body"],
                "msg": _("The request body is not valid JSON."),
            }
        ]
        return api.create_response(request, {"detail": errors}, status=422)
    return _detail(request, str(exc), exc.status_code)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _detail(request, _("Not found."), 404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _detail(request, str(exc) or _("You may not do this."), 403)


@api.exception_handler(TransitionError)
def _conflict(request: HttpRequest, exc: TransitionError) -> HttpResponse:
    return _detail(request, str(exc), 409)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # Operations that know which input a rule checks translate the error themselves
    # (with its place in the body); what reaches here concerns the stored object.
    return api.create_response(request, {"detail": field_errors(exc)}, status=422)


@api.exception_handler(NinjaValidationError)
def _input_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    # pydantic adds ``ctx`` (which may hold exception objects) and ``input`` (which echoes
    # what was sent, possibly large); the contract is type, loc and msg.
    errors = [
        {"type": e.get("type", "invalid"), "loc": list(e.get("loc", ())), "msg": e.get("msg", "")}
        for e in exc.errors
    ]
    return api.create_response(request, {"detail": errors}, status=422)


def openapi_document() -> dict[str, Any]:
    """The OpenAPI schema as plain JSON data, in English (the source language)."""
    with translation.override("en"):
        data: dict[str, Any] = json.loads(
            json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder, sort_keys=True)
        )
    return data


def openapi_json() -> str:
    """The committed form of the schema (``docs/openapi.json``): byte-for-byte stable."""
    return json.dumps(openapi_document(), sort_keys=True, ensure_ascii=False, indent=2) + "\n"
