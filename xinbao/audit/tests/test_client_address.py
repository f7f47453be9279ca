"""Behind our own reverse proxy every client must still count as itself: the audit log, the
login throttles and the lockout read the address from X-Forwarded-For, believing only what our
proxies wrote."""

from __future__ import annotations

import time_machine
from django.http import HttpRequest
from django.test import RequestFactory, override_settings
from django.urls import reverse

from xinbao.accounts.tests.test_login_throttle import T0
from xinbao.audit.services import client_address
from xinbao.test import BaseTestCase

NGINX = "127.0.0.1"


def request(peer: str, forwarded: str = "") -> HttpRequest:
    return RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)


@override_settings(XINBAO_TRUSTED_PROXIES=["127.0.0.1", "10.9.0.0/16"])
def test_it_reads_the_client_behind_a_trusted_proxy() -> None:
    assert client_address(request(NGINX, "203.0.113.7")) == "203.0.113.7"
    # Two proxies of ours in a row: the first address they did not write is the client.
    got = client_address(request(NGINX, "203.0.113.7, 10.9.1.2"))
    assert got == "203.0.113.7"


@override_settings(XINBAO_TRUSTED_PROXIES=["127.0.0.1"])
def test_it_does_not_believe_what_the_client_wrote() -> None:
    # A client forging X-Forwarded-For gets its forgery ignored: nginx appends the real peer.
    assert client_address(request(NGINX, "1.1.1.1, 198.51.100.9")) == "198.51.100.9"
    # A peer that is not our proxy is the client, whatever the header says.
    assert client_address(request("198.51.100.9", "1.1.1.1")) == "198.51.100.9"
    # Garbage in the header falls back to the peer.
    assert client_address(request(NGINX, "not-an-address")) == NGINX


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    assert client_address(request(NGINX, "203.0.113.7")) == NGINX


@override_settings(
    XINBAO_TRUSTED_PROXIES=[NGINX],
    XINBAO_LOGIN_FAILURES_PER_ADDRESS=3,
    XINBAO_LOGIN_FAILURES_GLOBAL=1000,
)
class BehindTheProxyTest(BaseTestCase):
    def post(self, username: str, client: str) -> int:
        response = self.client.post(
            reverse("accounts:login"),
            {"username": username, "password": "wrong"},
            REMOTE_ADDR=NGINX,
            HTTP_X_FORWARDED_FOR=client,
        )
        return response.status_code

    def test_it_throttles_one_client_and_not_the_others_behind_nginx(self) -> None:
        with time_machine.travel(T0, tick=False):
            for n in range(3):
                assert self.post(f"nobody{n}", "203.0.113.7") == 200
            assert self.post("nobody9", "203.0.113.7") == 429
            # Another county behind the same nginx is not slowed by the first one's flood.
            assert self.post("nobody9", "198.51.100.9") == 200
