"""Benchmark: 10,000 messages through the outbox to local sinks.

Queues in-app, SMS (a loopback gateway) and email (a loopback SMTP server) messages, then
lets two sender processes drain the outbox concurrently. Prints and saves (JSON) the rate,
and checks that every message arrived exactly once.

    .venv/bin/python bench/notify_outbox.py [--messages N] [--senders K]

Uses a fresh SQLite database in a temporary folder, or the PostgreSQL of DATABASE_URL
(a new database is created there and dropped afterwards).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchkit import bench_database, save  # noqa: E402  (bench/benchkit.py, after the path is set)

TOKEN = "bench-token"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--senders", type=int, default=2)
    args = parser.parse_args()
    with bench_database(migrate=False) as database:
        result = run(args.messages, args.senders, database.url)
    save("notify_outbox", result)
    if result["lost"] or result["duplicated"]:
        sys.exit(1)


def run(total: int, senders: int, db_url: str) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection, transaction

    from xinbao.accounts.models import Role, User
    from xinbao.notify.models import Channel, Message, MessageState, Notification
    from xinbao.notify.services import Recipient, queue
    from xinbao.notify.tests.peers import GenericSmsPeer, SmtpPeer
    from xinbao.org.models import Person, Unit, UnitClass, UnitKind

    call_command("migrate", verbosity=0)
    unit = Unit.objects.create(
        code="B01",
        name="基准测试县委办公室",
        kind=UnitKind.COUNTY,
        unit_class=UnitClass.objects.create(name="一类"),
    )
    people = []
    for i in range(100):
        user = User.objects.create(
            username=f"bench{i}", full_name=f"测试{i}", role=Role.REPORTER, unit=unit
        )
        people.append(
            Person.objects.create(
                name=f"测试{i}",
                unit=unit,
                phone=f"139{i:08d}",
                email=f"p{i}@bench.example",
                user=user,
            )
        )
    channels = [Channel.IN_APP, Channel.SMS, Channel.EMAIL]
    plan = [(channels[i % 3], people[i % len(people)], f"bench-{i}") for i in range(total)]

    started = time.perf_counter()
    for start in range(0, total, 1000):
        with transaction.atomic():
            for channel, person, key in plan[start : start + 1000]:
                queue(
                    channel=channel,
                    to=Recipient.of_person(person),
                    event="test",
                    context={},
                    dedupe_key=key,
                )
    queue_seconds = time.perf_counter() - started

    sms = GenericSmsPeer(TOKEN).start()
    smtp = SmtpPeer()
    with smtp.running():
        env = dict(
            os.environ,
            DATABASE_URL=db_url,
            XINBAO_SMS_PROVIDER="generic",
            XINBAO_SMS_URL=sms.url + "/sms",
            XINBAO_SMS_TOKEN=TOKEN,
            XINBAO_SMTP_HOST="127.0.0.1",
            XINBAO_SMTP_PORT=str(smtp.port),
            XINBAO_SMTP_FROM="xinbao@bench.example",
        )
        started = time.perf_counter()
        procs = [
            subprocess.Popen(
                [sys.executable, "manage.py", "notify_send", "--owner", f"sender-{n}"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for n in range(senders)
        ]
        outputs = [p.communicate()[0].decode(errors="replace").strip() for p in procs]
        deliver_seconds = time.perf_counter() - started
    sms.stop()

    states = Counter(Message.objects.values_list("state", flat=True))
    sent_ids = Counter(r.json()["id"] for r in sms.received)
    mail_ids = Counter(m.parsed()["Message-ID"] for m in smtp.received)
    in_app = Notification.objects.count()
    expected = Counter(channel for channel, _, _ in plan)
    arrived = {
        Channel.SMS: len(sent_ids),
        Channel.EMAIL: len(mail_ids),
        Channel.IN_APP: in_app,
    }
    lost = sum(max(expected[c] - arrived[c], 0) for c in channels)
    duplicated = sum(n - 1 for n in sent_ids.values()) + sum(n - 1 for n in mail_ids.values())
    return {
        "benchmark": "notify_outbox",
        "database": connection.vendor,
        "messages": total,
        "senders": senders,
        "queue_seconds": round(queue_seconds, 2),
        "queue_per_second": round(total / queue_seconds),
        "deliver_seconds": round(deliver_seconds, 2),
        "messages_per_second": round(total / deliver_seconds),
        "by_channel": {str(c): {"queued": expected[c], "arrived": arrived[c]} for c in channels},
        "states": dict(states),
        "all_sent": states.get(MessageState.SENT, 0) == total,
        "lost": lost,
        "duplicated": duplicated,
        "sender_output": outputs,
    }


if __name__ == "__main__":
    main()
