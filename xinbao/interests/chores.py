"""The scanner's part: new items matched to leaders' interests at once, and the digest at 08:00
(Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt

from xinbao.interests import services
from xinbao.lib.chores import register

SERVE = "interests.serve"
DIGEST = "interests.digest"


def serve() -> str:
    served = services.serve_new_items()
    return f"{served.items} items read, {served.hits} interest matches"


def digest_due() -> list[int]:
    return services.digest_due()


def send_digest(leader_id: int) -> None:
    services.send_digest(leader_id)


register(SERVE, dt.timedelta(minutes=1), run=serve)
register(DIGEST, dt.timedelta(minutes=10), due=digest_due, handle=send_digest)
