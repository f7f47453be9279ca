"""The JSON API, /api/v1/.

Callers authenticate with a personal token (``Authorization: Bearer xb_…``, made on the
token page and stored only as its SHA-256) or, for the web pages' own scripts, with their
logged-in session plus the CSRF token. Every answer other than success is JSON with a
``detail``: a message for 401/403/404/409/413, a list of field errors for 422 (input that
is not JSON, or is nested too deeply to read, included).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousMultipartForm,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.http.multipartparser import MultiPartParserError
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
from xinbao.items.attachments import human_size
from xinbao.items.search_api import router as search_router
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
api.add_router("/search", search_router, tags=["search"])


def _detail(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return api.create_response(request, {"detail": message}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _detail(
        request, _("Authentication required: send a valid API token as a Bearer token."), 401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


def _body_invalid(request: HttpRequest, kind: str, message: str) -> HttpResponse:
    errors = [{"type": kind, "loc": ["body"], "msg": message}]
    return api.create_response(request, {"detail": errors}, status=422)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and exc.__cause__ is not None:
        # ninja answers a body it cannot parse with 400; for our clients every bad input is
        # a 422 with the same shape, so that one handler covers them all.
        if isinstance(exc.__cause__, RecursionError):
            # Python's JSON reader gives up on arrays or objects nested about 1,000 deep.
            return _body_invalid(
                request, "json_too_deep", _("The request body is nested too deeply to read.")
            )
        return _body_invalid(request, "json_invalid", _("The request body is not valid JSON."))
    return _detail(request, str(exc), exc.status_code)


_security_log = logging.getLogger("django.security")


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Django raises it on reading a body over DATA_UPLOAD_MAX_MEMORY_SIZE (files in a
    # multipart upload do not count) and would answer with its HTML 400 page.
    _security_log.warning("API request body too large: %s", request.path)
    limit = human_size(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
    message = _("The request body is larger than %(limit)s, the most the API accepts.")
    return _detail(request, message % {"limit": limit}, 413)


@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def _too_many_fields(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    _security_log.warning("API request with too many fields: %s", request.path)
    return _detail(request, _("The request has too many form fields or files."), 413)


@api.exception_handler(MultiPartParserError)
@api.exception_handler(SuspiciousMultipartForm)
def _unreadable(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A malformed multipart body (Django would answer with its HTML 400 page).
    return _body_invalid(
        request, "body_invalid", _("The request body could not be read as form data.")
    )


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


#: Where the API is mounted (xinbao/urls.py); answers under it are JSON, errors included.
API_PATH = "/api/"


class JsonErrorsMiddleware:
    """Refusals under /api/ made outside the operations come back in the API's JSON shape.

    Django and ninja answer some requests before any operation runs: an unknown path (404),
    a method the path does not take (405, its ``Allow`` header kept), a request refused by
    the middleware (400), a crash (500). Their HTML pages become ``{"detail": "…"}`` with
    the same status and headers, so that API clients read every refusal the same way.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path_info.startswith(API_PATH)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        if response.status_code == 404:
            message = _("Not found.")
        elif response.status_code == 405:
            message = _("This path does not take the method %(method)s.") % {
                "method": request.method
            }
        else:
            message = response.reason_phrase
        answer = _detail(request, message, response.status_code)
        for header, value in response.items():
            if header.lower() not in ("content-type", "content-length"):
                answer[header] = value
        answer.cookies = response.cookies
        return answer


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
