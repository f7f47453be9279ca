"""Benchmark: several machines' processes against one PostgreSQL, every piece of work done once.

Starts 2 web nodes (gunicorn, as ``xinbao serve`` starts it, each on its own loopback port),
2 task workers (``xinbao worker``) and 2 scanners (``xinbao scan``) over one database, with a
loopback SMS gateway and SMTP server (xinbao/notify/tests/peers.py) configured through the
environment of the child processes. Under load:

- reporters submit items through both web nodes in turn (the API with a token; every fifth
  one a draft with a picture, then submitted: a thumbnail task for the workers);
- incidents are opened while it runs, each demanding reports from two counties with the
  written deadline some seconds ahead: the scanners remind before it and chase after it (a
  chase notice, faxed by email, and SMS to the reporters);
- messages are queued in waves (SMS and email), delivered by the workers' delivery task and
  the scanners' ``notify.deliver`` chore at once;
- the chores due every 10 seconds to every minute run on both scanners;
- part-way through, one worker and one scanner are killed with SIGKILL.

Afterwards it checks: each chore's runs were made by one scanner per due slot (the scanners'
logs against ``Chore.runs`` and the slots the run's length allows); each demand reminded once,
chased once and given one chase notice; each message delivered once at its peer (SMS by its
id, mail by its Message-ID: 0 lost, 0 duplicated); no task run twice except a task of the
killed worker queued again by the reaper; the audit chain verifies (``xinbao audit verify``).
Prints and saves bench/results/cluster.json (``--out`` elsewhere).

    DATABASE_URL=postgres://… .venv/bin/python bench/cluster.py [--seconds 120]

PostgreSQL only (a new database beside the one DATABASE_URL names, dropped afterwards).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchkit import free_port, percentile  # noqa: E402  (bench/benchkit.py, after the path is set)

PYTHON = sys.executable
TOKEN = "cluster-gateway"
#: The scanner's line for each run of a chore (``run_due`` logs every one, at DEBUG when idle).
RUN_LINE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (?:DEBUG|INFO) xinbao\.scheduler\.services "
    r"([a-z_]+\.[a-z_]+): "
)
TEXTS = [
    "7月3日夜间，东城县普降暴雨，最大降雨量达180毫米，县防汛指挥部启动应急响应。",
    "全县转移受威胁群众1200人，未造成人员伤亡，部分农田受淹，直接经济损失正在核查。",
    "县委召开专题会议，部署安全生产大检查，重点排查危化品、建筑施工和道路交通领域隐患。",
    "今年以来，全县新增就业岗位3500个，帮助困难群众就业820人，城镇登记失业率控制在3%以内。",
]


@dataclass
class Options:
    seconds: float = 120.0
    """How long the load runs (then the run waits for the work due to be done)."""
    clients: int = 4
    """Submitting threads, alternating between the two web nodes."""
    incidents: int = 6
    """Incidents opened during the run, each demanding reports from two counties."""
    deadline_seconds: float = 40.0
    """A demand's written deadline this long after it is made; its reminder at once."""
    waves: int = 6
    wave_size: int = 100
    """Messages queued per wave (half SMS, half email), ``waves`` times during the run."""
    kill_at: float | None = 0.4
    """When, as a share of ``seconds``, one worker and one scanner are killed (None: never)."""
    settle_seconds: float = 90.0
    """How long, after the load, the work still due may take."""
    scan_interval: float = 1.0
    web_workers: int = 2
    """gunicorn's sync workers per web node."""


@dataclass
class Node:
    name: str
    argv: list[str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    killed_at: float | None = None
    url: str = ""


@dataclass
class Load:
    times: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    by_node: Counter[str] = field(default_factory=Counter)
    items: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 60, 40)).save(out, "PNG")
    return out.getvalue()


def request(
    url: str,
    token: str,
    *,
    body: Any = None,
    data: bytes | None = None,
    content_type: str = "application/json",
    key: str | None = None,
) -> tuple[int, Any]:
    payload = data if data is not None else json.dumps(body, ensure_ascii=False).encode()
    req = urllib.request.Request(url, data=payload, method="POST")  # noqa: S310  (loopback)
    req.add_header("Authorization", f"Bearer {token}")
    req.add_header("Content-Type", content_type)
    if key is not None:
        req.add_header("Idempotency-Key", key)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310  (loopback)
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")[:300]
    except OSError as exc:
        return 0, str(exc)


def multipart(name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), (
        f"multipart/form-data; boundary={boundary}"
    )


def submit(base: str, token: str, n: int, picture: bytes | None) -> tuple[int | None, str]:
    """One submission; the new item's id, or None and why not."""
    text = TEXTS[n % len(TEXTS)] + f"（第{n}条）"
    body = {
        "title": f"{text[:20]}（{n}）",
        "body": text,
        "kind": "dynamic",
        "writer_name": "赵小红",
        "writer_phone": "13800000001",
        "submit": picture is None,
    }
    status, answer = request(f"{base}/api/v1/items", token, body=body, key=f"cluster-{n}")
    if status != 201:
        return None, f"create {status} {answer}"
    item_id = int(answer["id"])
    if picture is not None:
        data, content_type = multipart(f"photo-{n}.png", picture)
        status, answer = request(
            f"{base}/api/v1/items/{item_id}/attachments",
            token,
            data=data,
            content_type=content_type,
        )
        if status != 201:
            return None, f"attach {status} {answer}"
        status, answer = request(f"{base}/api/v1/items/{item_id}/submit", token, body={})
        if status != 200:
            return None, f"submit {status} {answer}"
    return item_id, ""


class Cluster:
    """The six processes, the two peers, and the driver's own Django (the same database)."""

    def __init__(self, db_url: str, folder: Path, options: Options) -> None:
        from django.conf import settings

        from xinbao.notify.tests.peers import GenericSmsPeer, SmtpPeer

        self.options = options
        self.folder = folder
        self.sms = GenericSmsPeer(TOKEN)
        self.smtp = SmtpPeer()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "xinbao.settings",
            "DATABASE_URL": db_url,
            "PYTHONUNBUFFERED": "1",
            "XINBAO_VAR_DIR": str(folder),
            # Every node signs the audit chain with the same key (shared storage in production).
            "XINBAO_AUDIT_KEY_FILE": str(settings.XINBAO_AUDIT_KEY_FILE),
            "XINBAO_AUDIT_CHECKPOINT_DIR": str(folder / "audit-checkpoints"),
            # One secret key for every web node: a session signed by one is read by the other.
            "XINBAO_SECRET_KEY": settings.SECRET_KEY,
            "XINBAO_SMS_PROVIDER": "generic",
            "XINBAO_SMS_TOKEN": TOKEN,
            "XINBAO_SMTP_HOST": "127.0.0.1",
            "XINBAO_SMTP_PORT": str(self.smtp.port),
            "XINBAO_SMTP_FROM": "xinbao@cluster.example",
            "XINBAO_FAX_ADDRESS_PATTERN": "{number}@fax.cluster.example",
            # A sender killed mid-batch leaves its messages leased: taken over this much later.
            "XINBAO_NOTIFY_LEASE_SECONDS": "15",
            "XINBAO_NOTIFY_HTTP_TIMEOUT": "5",
            "XINBAO_WORKER_HEARTBEAT_SECONDS": "1",
            "XINBAO_WORKER_STALE_SECONDS": "10",
        }
        self.nodes: list[Node] = []
        for n in (1, 2):
            port = free_port()
            web = Node(
                f"web-{n}",
                [
                    *(PYTHON, "-m", "gunicorn", "xinbao.wsgi:application"),
                    *("--bind", f"127.0.0.1:{port}", "--workers", str(options.web_workers)),
                    *("--timeout", "120", "--access-logfile", "-"),
                ],
                folder / f"web-{n}.log",
                url=f"http://127.0.0.1:{port}",
            )
            worker = Node(
                f"worker-{n}",
                [
                    *(PYTHON, "-m", "xinbao.cli", "worker", "--worker-id", f"worker-{n}"),
                    *("--no-startup-delay", "--interval", "0.5"),
                ],
                folder / f"worker-{n}.log",
            )
            scanner = Node(
                f"scanner-{n}",
                [PYTHON, "-m", "xinbao.cli", "scan", "--interval", str(options.scan_interval)],
                folder / f"scanner-{n}.log",
            )
            self.nodes += [web, worker, scanner]
        self.load = Load()
        self.in_flight_at_kill: set[str] = set()
        self.killed: list[str] = []

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    # -- set-up --------------------------------------------------------------------------

    def setup(self) -> str:
        """The cast (xinbao/test.py's personas), phones and mail addresses of their own, the
        chores due now; returns the reporter's API token."""
        from django.utils import timezone

        from xinbao.accounts.services import create_token
        from xinbao.org.models import Person
        from xinbao.scheduler.models import Chore
        from xinbao.test import Personas

        class Cast(Personas):
            pass

        Cast.create_personas()
        self.cast = Cast
        for n, person in enumerate(Person.objects.order_by("pk")):
            person.phone = f"1390000{n:04d}"
            person.email = f"p{n}@cluster.example"
            person.save(update_fields=["phone", "email"])
        for unit in (Cast.county_a, Cast.county_b):
            unit.fax = f"0571-8800 {unit.pk:04d}"
            unit.save(update_fields=["fax"])
        Chore.objects.all().delete()  # every chore is due at the scanners' first look
        self.people = list(Person.objects.order_by("pk"))
        self.started_at = timezone.now()
        return create_token(user=Cast.alice, name="cluster")[1]

    # -- processes -----------------------------------------------------------------------

    def start(self) -> None:
        self.sms.start()
        self.smtp_context = self.smtp.running()
        self.smtp_context.__enter__()
        self.env["XINBAO_SMS_URL"] = self.sms.url + "/sms"
        for node in self.nodes:
            env = dict(self.env)
            if node.name.startswith("scanner"):
                env["XINBAO_LOG_LEVEL"] = "DEBUG"  # a line for every run, idle or not
            with node.log.open("ab") as out:
                node.process = subprocess.Popen(
                    node.argv,
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        deadline = time.monotonic() + 60
        for node in self.nodes:
            if not node.url:
                continue
            while True:
                try:
                    urllib.request.urlopen(node.url + "/accounts/login/", timeout=2)  # noqa: S310
                    break
                except OSError as exc:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{node.name} did not start: {self.tail(node)}") from exc
                    time.sleep(0.2)

    def errors(self) -> dict[str, list[str]]:
        """The last line of each distinct traceback in the processes' logs."""
        found: dict[str, list[str]] = {}
        for node in self.nodes:
            lines = node.log.read_text(errors="replace").splitlines() if node.log.exists() else []
            said: list[str] = []
            for n, line in enumerate(lines):
                if line.startswith("Traceback"):
                    end = next(
                        (
                            m
                            for m in range(n + 1, len(lines))
                            if not lines[m].startswith((" ", "\t"))
                        ),
                        len(lines) - 1,
                    )
                    if lines[end] not in said:
                        said.append(lines[end])
            if said:
                found[node.name] = said[:5]
        return found

    def tail(self, node: Node) -> str:
        return node.log.read_text(errors="replace")[-2000:] if node.log.exists() else ""

    def kill(self, name: str) -> None:
        from xinbao.notify.models import Message, MessageState

        node = self.node(name)
        assert node.process is not None
        os.killpg(node.process.pid, signal.SIGKILL)
        node.process.wait()
        node.killed_at = time.monotonic()
        self.killed.append(name)
        # What was being sent at the kill may reach a peer twice (sent, not recorded): it goes
        # again under the same id once its lease ends, for the gateway to drop the copy.
        self.in_flight_at_kill |= set(
            Message.objects.filter(state=MessageState.SENDING).values_list("dedupe_key", flat=True)
        )

    def kill_worker_mid_task(self) -> None:
        """Kill worker-1 while it runs a task when it does within 5 seconds, and scanner-1."""
        from django_tasks_db.models import DBTaskResult

        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            running = DBTaskResult.objects.running().values_list("worker_ids", flat=True)
            if any(ids[-1:] == ["worker-1"] for ids in running):
                break
            time.sleep(0.02)
        self.kill("worker-1")
        self.kill("scanner-1")

    def stop(self) -> None:
        for node in self.nodes:
            if node.process is not None and node.process.poll() is None:
                os.killpg(node.process.pid, signal.SIGTERM)
        for node in self.nodes:
            if node.process is None:
                continue
            try:
                node.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(node.process.pid, signal.SIGKILL)
                node.process.wait()
        self.smtp_context.__exit__(None, None, None)
        self.sms.stop()

    # -- load ----------------------------------------------------------------------------

    def submitters(self, token: str, until: float) -> list[threading.Thread]:
        picture = png()
        webs = [n for n in self.nodes if n.url]
        counter = iter(range(10**9))
        load = self.load

        def client(c: int) -> None:
            while time.monotonic() < until:
                with load.lock:
                    n = next(counter)
                web = webs[n % len(webs)]
                started = time.perf_counter()
                item_id, error = submit(web.url, token, n, picture if n % 5 == 4 else None)
                ms = (time.perf_counter() - started) * 1000
                with load.lock:
                    load.times.append(ms)
                    load.by_node[web.name] += 1
                    if item_id is None:
                        load.failures.append(error)
                    else:
                        load.items.add(item_id)

        return [threading.Thread(target=client, args=(c,)) for c in range(self.options.clients)]

    def open_incident(self, n: int) -> None:
        """An incident with demands on two counties, the written deadline some seconds ahead
        (set on the rows directly: the deadline table counts in minutes)."""
        from django.utils import timezone

        from xinbao.incidents.models import ReportRequest
        from xinbao.incidents.services import LeadData, demand_reports, record_lead

        cast = self.cast
        now = timezone.now()
        incident = record_lead(
            user=cast.duty,
            lead=LeadData(
                received_at=now,
                source="市公安局指挥中心",
                place="东城县青石镇",
                what=f"青石镇双河村发生山体滑坡（第{n}起），掩埋民房2间。",
                casualties="造成3人死亡",
                caller_name="刘警官",
                caller_phone="110",
            ),
            title=f"青石镇山体滑坡（第{n}起）",
            category="natural_disaster",
        )
        requests = demand_reports(
            user=cast.duty, incident=incident, units=[cast.county_a, cast.county_b]
        )
        due = now + dt.timedelta(seconds=self.options.deadline_seconds)
        ReportRequest.objects.filter(pk__in=[r.pk for r in requests]).update(
            phone_due_at=None, written_due_at=due, next_check_at=now, reminded_at=None
        )

    def queue_wave(self, wave: int) -> None:
        from django.db import transaction

        from xinbao.notify.models import Channel
        from xinbao.notify.services import Recipient, queue

        with transaction.atomic():
            for n in range(self.options.wave_size):
                person = self.people[n % len(self.people)]
                queue(
                    channel=Channel.SMS if n % 2 else Channel.EMAIL,
                    to=Recipient.of_person(person),
                    event="test",
                    context={},
                    dedupe_key=f"cluster-{wave}-{n}",
                )

    def drive(self, token: str) -> float:
        """The load; returns its seconds."""
        options = self.options
        began = time.monotonic()
        until = began + options.seconds
        threads = self.submitters(token, until)
        for t in threads:
            t.start()
        events: list[tuple[float, str, int]] = []
        for n in range(options.incidents):
            events.append((options.seconds * 0.6 * n / max(options.incidents, 1), "incident", n))
        for n in range(options.waves):
            events.append((options.seconds * 0.8 * n / max(options.waves, 1), "wave", n))
        if options.kill_at is not None:
            events.append((options.seconds * options.kill_at, "kill", 0))
        for at, what, n in sorted(events):
            pause = began + at - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            if what == "incident":
                self.open_incident(n)
            elif what == "wave":
                self.queue_wave(n)
            else:
                self.kill_worker_mid_task()
        for t in threads:
            t.join()
        return time.monotonic() - began

    def settled(self) -> bool:
        """Nothing left to do: demands chased, messages out, tasks done."""
        from django_tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from xinbao.incidents.models import ReportRequest
        from xinbao.notify.models import Message, MessageState

        pending = {MessageState.QUEUED, MessageState.SENDING}
        return (
            not ReportRequest.objects.filter(chase_step=0).exists()
            and not Message.objects.filter(state__in=pending).exists()
            and not DBTaskResult.objects.filter(
                status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
            ).exists()
        )

    # -- checks --------------------------------------------------------------------------

    def chore_runs(self, seconds: float) -> dict[str, Any]:
        """Each chore's runs by scanner (their logs) against ``Chore.runs`` and its slots."""
        from xinbao.scheduler.models import Chore

        logged: dict[str, Counter[str]] = {}
        for node in self.nodes:
            if not node.name.startswith("scanner"):
                continue
            for line in node.log.read_text(errors="replace").splitlines():
                match = RUN_LINE.match(line)
                if match:
                    logged.setdefault(match.group(2), Counter())[node.name] += 1
        result: dict[str, Any] = {}
        duplicates = lost = 0
        for chore in Chore.objects.order_by("name"):
            interval = chore.interval.total_seconds()
            # Claimed at the first look, then at most once per interval since.
            slots = 1 + int(seconds // interval)
            by = logged.get(chore.name, Counter())
            finished = sum(by.values())
            # A run of the killed scanner may have been claimed and cut off before its line.
            cut_off = chore.runs - finished
            extra = max(chore.runs - slots, 0)
            duplicates += extra + max(-cut_off, 0)
            lost += max(cut_off - sum(k.startswith("scanner") for k in self.killed), 0)
            if chore.runs or interval <= 60:
                result[chore.name] = {
                    "interval_s": interval,
                    "runs": chore.runs,
                    "slots": slots,
                    "by_scanner": dict(by),
                    "last_run_s": round(
                        (chore.last_finished_at - chore.last_started_at).total_seconds(), 2
                    )
                    if chore.last_finished_at and chore.last_started_at
                    else None,
                }
        return {"chores": result, "duplicated_runs": duplicates, "unaccounted_runs": lost}

    def deadlines(self) -> dict[str, Any]:
        from xinbao.audit.models import AuditEvent
        from xinbao.incidents.models import ChaseNotice, ReportRequest

        requests = list(ReportRequest.objects.values_list("pk", flat=True))
        counts: dict[str, Counter[str]] = {}
        for action in ("incident.remind", "incident.chase", "incident.chase_notice"):
            counts[action] = Counter(
                AuditEvent.objects.filter(action=action).values_list("object_id", flat=True)
            )
        notices = Counter(ChaseNotice.objects.values_list("request_id", flat=True))
        once = {
            "reminded": sum(counts["incident.remind"][str(pk)] == 1 for pk in requests),
            "chased": sum(counts["incident.chase"][str(pk)] == 1 for pk in requests),
            "noticed": sum(notices[pk] == 1 for pk in requests),
        }
        twice = sum(
            max(counts["incident.remind"][str(pk)] - 1, 0)
            + max(counts["incident.chase"][str(pk)] - 1, 0)
            + max(notices[pk] - 1, 0)
            for pk in requests
        )
        # A reminder is only sent while the deadline is ahead: a demand no scanner visited
        # between its making and its deadline (a run cut off by the kill, a long scan) is
        # chased without one. Counted apart: late, not done twice nor lost.
        skipped = sum(counts["incident.remind"][str(pk)] == 0 for pk in requests)
        return {
            "demands": len(requests),
            "once": once,
            "reminder_skipped": skipped,
            "duplicated": twice,
        }

    def messages(self) -> dict[str, Any]:
        from xinbao.notify.models import Channel, Message

        sms = Counter(r.json()["id"] for r in self.sms.received if r.path == "/sms")
        mail = Counter(str(m.parsed()["Message-ID"]) for m in self.smtp.received)
        rows = list(Message.objects.values_list("dedupe_key", "channel", "state"))
        states = Counter(state for _key, _channel, state in rows)
        by_channel = Counter(channel for _key, channel, _state in rows)
        from xinbao.notify.transports.email import message_id

        domain = "cluster.example"
        lost_keys: list[str] = []
        duplicated_keys: list[str] = []
        for key, channel, _state in rows:
            if channel == Channel.SMS:
                seen = sms[key]
            elif channel in (Channel.EMAIL, Channel.FAX):
                seen = mail[message_id(Message(dedupe_key=key), domain)]
            else:
                continue
            if seen == 0:
                lost_keys.append(key)
            elif seen > 1:
                duplicated_keys.append(key)
        resent = [k for k in duplicated_keys if k in self.in_flight_at_kill]
        return {
            "queued": len(rows),
            "by_channel": dict(by_channel),
            "states": dict(states),
            "at_sms_gateway": sum(sms.values()),
            "at_smtp_server": sum(mail.values()),
            "lost": len(lost_keys),
            "duplicated": len(duplicated_keys) - len(resent),
            "resent_after_kill": len(resent),
            "lost_keys": lost_keys[:10],
            "duplicated_keys": [k for k in duplicated_keys if k not in resent][:10],
        }

    def tasks(self) -> dict[str, Any]:
        from django_tasks_db.models import DBTaskResult

        from xinbao.audit.models import AuditEvent

        requeued = Counter(
            AuditEvent.objects.filter(action="task.requeued").values_list("object_id", flat=True)
        )
        rows = list(DBTaskResult.objects.values_list("pk", "task_path", "status", "worker_ids"))
        twice = [str(pk) for pk, _path, _status, ids in rows if len(ids) - 1 > requeued[str(pk)]]
        taken_over = [
            str(pk)
            for pk, _p, _s, ids in rows
            if requeued[str(pk)] and ids[-1:] != ["worker-1"] and ids[:1] == ["worker-1"]
        ]
        return {
            "tasks": len(rows),
            "by_path": dict(Counter(path.rsplit(".", 1)[1] for _pk, path, _s, _i in rows)),
            "by_status": dict(Counter(str(status) for _pk, _p, status, _i in rows)),
            "by_worker": dict(Counter(ids[-1] if ids else "" for _pk, _p, _s, ids in rows)),
            "requeued_after_kill": sum(requeued.values()),
            "taken_over": len(taken_over),
            "run_twice": len(twice),
        }

    def audit_verify(self) -> tuple[int, str]:
        done = subprocess.run(
            [PYTHON, "-m", "xinbao.cli", "audit", "verify"],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return done.returncode, (done.stdout + done.stderr).strip().splitlines()[-1:][0]


def run(db_url: str, folder: Path, options: Options) -> dict[str, Any]:
    """Set up, load, settle and check; the figures (``ok``: every check passed)."""
    from django.db import connection

    began = time.monotonic()
    cluster = Cluster(db_url, folder, options)
    token = cluster.setup()
    cluster.start()
    start_seconds = time.monotonic() - began
    try:
        load_seconds = cluster.drive(token)
        settle_started = time.monotonic()
        while time.monotonic() - settle_started < options.settle_seconds:
            if cluster.settled():
                break
            time.sleep(0.5)
        settle_seconds = time.monotonic() - settle_started
        alive_at_end = {
            n.name: n.process is not None and n.process.poll() is None for n in cluster.nodes
        }
    finally:
        stopping = time.monotonic()
        cluster.stop()
        stop_seconds = time.monotonic() - stopping
    from django.utils import timezone

    from xinbao.items.models import Item

    elapsed = (timezone.now() - cluster.started_at).total_seconds()
    chores = cluster.chore_runs(elapsed)
    deadlines = cluster.deadlines()
    messages = cluster.messages()
    tasks = cluster.tasks()
    verify_status, verify_said = cluster.audit_verify()
    load = cluster.load
    result: dict[str, Any] = {
        "benchmark": "cluster",
        "database": connection.vendor,
        "processes": {
            "web": 2,
            "workers": 2,
            "scanners": 2,
            "killed": cluster.killed,
            "alive_at_end": alive_at_end,
        },
        "seconds": {
            "start": round(start_seconds, 1),
            "load": round(load_seconds, 1),
            "settle": round(settle_seconds, 1),
            "stop": round(stop_seconds, 1),
        },
        "items_submitted": len(load.items),
        "items_stored": Item.objects.filter(pk__in=load.items).count(),
        "submissions_by_node": dict(load.by_node),
        "submission_failures": len(load.failures),
        "first_failure": load.failures[0] if load.failures else None,
        "submission_p50_ms": percentile(load.times, 0.5) if load.times else None,
        "submission_p95_ms": percentile(load.times, 0.95) if load.times else None,
        "deadlines": deadlines,
        "messages": messages,
        "chores": chores,
        "tasks": tasks,
        "audit_verify": {"status": verify_status, "said": verify_said},
        "errors_logged": cluster.errors(),
    }
    result["seconds"]["all"] = round(time.monotonic() - began, 1)
    result["duplicates"] = (
        chores["duplicated_runs"]
        + deadlines["duplicated"]
        + messages["duplicated"]
        + tasks["run_twice"]
    )
    result["lost"] = (
        messages["lost"]
        + chores["unaccounted_runs"]
        + deadlines["demands"]
        - deadlines["once"]["chased"]
        + deadlines["demands"]
        - deadlines["once"]["noticed"]
    )
    result["ok"] = (
        result["duplicates"] == 0
        and result["lost"] == 0
        and not load.failures
        and verify_status == 0
        and tasks["by_status"].keys() <= {"SUCCESSFUL"}
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    defaults = Options()
    parser.add_argument("--seconds", type=float, default=defaults.seconds)
    parser.add_argument("--clients", type=int, default=defaults.clients)
    parser.add_argument("--incidents", type=int, default=defaults.incidents)
    parser.add_argument("--waves", type=int, default=defaults.waves)
    parser.add_argument("--wave-size", type=int, default=defaults.wave_size)
    parser.add_argument("--deadline-seconds", type=float, default=defaults.deadline_seconds)
    parser.add_argument("--web-workers", type=int, default=defaults.web_workers)
    parser.add_argument("--no-kill", action="store_true", help="Kill no process mid-run.")
    parser.add_argument("--keep", action="store_true", help="Keep the logs' folder.")
    parser.add_argument("--out", type=Path, help="Write the JSON here instead of bench/results.")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench/cluster.py needs DATABASE_URL naming a PostgreSQL (several machines)")
    options = Options(
        seconds=args.seconds,
        clients=args.clients,
        incidents=args.incidents,
        waves=args.waves,
        wave_size=args.wave_size,
        deadline_seconds=args.deadline_seconds,
        web_workers=args.web_workers,
        kill_at=None if args.no_kill else defaults.kill_at,
    )
    from benchkit import bench_database, save

    with bench_database(keep=args.keep) as database:
        result = run(database.url, database.folder, options)
    if args.out is not None:
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        save("cluster", result)
    if not result["ok"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
