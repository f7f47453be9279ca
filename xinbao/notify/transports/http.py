"""The one HTTP client of the HTTP transports: a timeout, JSON in and out, failures classified.

Classification, shared by every HTTP channel:

* no answer (refused, reset, DNS, timeout) → transient;
* HTTP 429 and 5xx → transient; any other status outside 2xx → permanent;
* an answer that is not JSON where JSON was expected → transient (a proxy's error page);
* ``{"errcode": n}`` with n ≠ 0, even under HTTP 200 → a failure, transient only for the codes
  the provider documents as "try later".

Error texts never contain the URL: webhook and token URLs carry secrets.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from xinbao.notify.conf import conf
from xinbao.notify.transports.base import TransportError

USER_AGENT = "Xinbao-notify/1"
#: How much of a provider's answer is kept with the attempt.
KEEP = 2000


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")[:KEEP]

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        """The body as JSON; an answer that is not JSON is a transient failure."""
        try:
            return json.loads(self.body)
        except ValueError:
            raise TransportError(
                f"the answer is not JSON (HTTP {self.status})", response=self.text
            ) from None


def with_params(url: str, params: Mapping[str, str] | None) -> str:
    """``url`` with ``params`` added to the query it already has (a webhook's key stays)."""
    if not params:
        return url
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def request(
    method: str,
    url: str,
    *,
    params: Mapping[str, str] | None = None,
    json_body: Any = None,
    form: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Send one request and return whatever HTTP status came back.

    Raises ``TransportError`` only when no answer came: transient, except for a URL that
    cannot work at all.
    """
    data: bytes | None = None
    all_headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    if json_body is not None:
        data = json.dumps(json_body, ensure_ascii=False).encode()
        all_headers["Content-Type"] = "application/json; charset=utf-8"
    elif form is not None:
        data = urlencode(form).encode()
        all_headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
    all_headers.update(headers or {})
    try:
        req = urllib.request.Request(  # noqa: S310  (the scheme is checked just below)
            with_params(url, params), data=data, headers=all_headers, method=method
        )
    except ValueError as exc:
        raise TransportError(f"unusable address: {exc}", permanent=True) from None
    if req.type not in ("http", "https"):
        raise TransportError(f"unusable address: scheme {req.type!r}", permanent=True)
    timeout = float(conf()["http_timeout"])
    try:
        answer = _client().request(
            method, req.full_url, content=data, headers=all_headers, timeout=timeout
        )
    except httpx.TimeoutException:
        raise TransportError(f"no answer within {timeout:g} s") from None
    except httpx.ConnectError as exc:
        raise TransportError(f"cannot connect: {exc}") from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise TransportError(f"unusable address: {exc}", permanent=True) from None
    except (httpx.HTTPError, OSError) as exc:
        raise TransportError(f"connection failed: {type(exc).__name__}: {exc}") from None
    return Response(status=answer.status_code, body=answer.content)


_local = threading.local()


def _client() -> httpx.Client:
    """This thread's client: its connections are kept open between requests (a gateway is
    asked many times in a row by a sender), at most a few per host."""
    client: httpx.Client | None = getattr(_local, "client", None)
    if client is None:
        limits = httpx.Limits(max_connections=8, max_keepalive_connections=4, keepalive_expiry=30)
        client = _local.client = httpx.Client(limits=limits, follow_redirects=False)
    return client


def check_status(response: Response) -> None:
    """Raise for an HTTP status outside 2xx: 429 and 5xx are worth a retry, others are not."""
    if response.ok:
        return
    transient = response.status == 429 or response.status >= 500
    raise TransportError(f"HTTP {response.status}", permanent=not transient, response=response.text)


def post_json(
    url: str,
    payload: Any,
    *,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> tuple[Any, Response]:
    """POST JSON, require 2xx, return the decoded answer (and the raw one, for the record)."""
    response = request("POST", url, params=params, json_body=payload, headers=headers)
    check_status(response)
    return response.json(), response


def get_json(url: str, *, params: Mapping[str, str] | None = None) -> tuple[Any, Response]:
    response = request("GET", url, params=params)
    check_status(response)
    return response.json(), response


def errcode_of(data: Any) -> int | None:
    """The ``errcode`` of a WeCom or DingTalk answer; None when the answer has none."""
    if not isinstance(data, dict):
        return None
    code = data.get("errcode")
    if isinstance(code, bool) or not isinstance(code, int | str):
        return None
    try:
        return int(code)
    except ValueError:
        return None


def check_errcode(data: Any, response: Response, *, transient: Collection[int]) -> None:
    """Raise unless the answer says ``errcode`` 0.

    An answer without an errcode is not the provider's API (a proxy, a portal): transient.
    An error code not listed as transient is permanent: a key, a setting or an address to fix,
    which resending cannot cure (an administrator's retry can, once it is fixed).
    """
    code = errcode_of(data)
    if code == 0:
        return
    if code is None:
        raise TransportError("the answer has no errcode", response=response.text)
    errmsg = data.get("errmsg", "") if isinstance(data, dict) else ""
    raise TransportError(
        f"errcode {code}: {errmsg}", permanent=code not in transient, response=response.text
    )
