"""Messages the office received by email and SMS in the demo, through the inbound services.

江湾区's reporter mails a report on the evening's rain (read as the IMAP poll reads a message,
``inbound.imap.store``) and texts a short one from the street (as the SMS gateway's callback
hands it to ``inbound.services.receive``): both become drafts of 江湾区委办公室 for the reporter
to complete and submit. A resident nobody knows writes to the office's mailbox too: that message
waits in quarantine. Each message is stored once by its source id, so a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from email.utils import format_datetime

from xinbao.demo.data import EMAIL_DOMAIN
from xinbao.demo.office import Book, replay
from xinbao.demo.urgent import when
from xinbao.inbound import imap
from xinbao.inbound import services as inbound
from xinbao.items.models import Channel

REPORTER = "reporter_jiangwan"
OFFICE_MAILBOX = f"xinxi@{EMAIL_DOMAIN}"
EMAIL_SUBJECT = "江湾区望江镇强降雨致老街局部积水"
SMS_ID = "demo-sms-20260601"
STRANGER_SUBJECT = "反映幸福里社区夜间施工噪音扰民"


def email_bytes(
    *, sender: str, name: str, subject: str, text: str, moment: dt.datetime, key: str
) -> bytes:
    """An email as it lies in the office's mailbox."""
    mail = EmailMessage()
    mail["From"] = f"{name} <{sender}>"
    mail["To"] = OFFICE_MAILBOX
    mail["Subject"] = subject
    mail["Date"] = format_datetime(moment)
    mail["Message-ID"] = f"<{key}@{EMAIL_DOMAIN}>"
    mail.set_content(text)
    return mail.as_bytes()


def mailbag(book: Book) -> None:
    now = book.now
    reporter = book.users.get(REPORTER)
    if reporter is None:
        book.skipped.append(f"inbound messages: no {REPORTER}")
        return
    # Whether each message was new (a second run finds them all).
    made: list[bool] = []

    def _store(raw: bytes) -> None:
        made.append(imap.store(raw).created)

    def _sms(*, sender: str, text: str) -> None:
        received = inbound.receive(channel=Channel.SMS, source_id=SMS_ID, sender=sender, text=text)
        made.append(received.created)

    stranger_at = now - dt.timedelta(days=1, hours=5)
    replay(
        stranger_at,
        lambda: _store(
            email_bytes(
                sender="lj_resident2019@mail.example",
                name="一位居民",
                subject=STRANGER_SUBJECT,
                text=(
                    "领导您好：幸福里社区旁边的工地最近一个星期每天晚上干到十二点以后，"
                    "打桩声音很大，老人孩子都睡不好。打过热线没有结果，希望帮忙协调。"
                ),
                moment=stranger_at,
                key="demo-inbound-stranger",
            )
        ),
    )

    mail_at = now - dt.timedelta(hours=3, minutes=10)
    replay(
        mail_at,
        lambda: _store(
            email_bytes(
                sender=reporter.email,
                name=reporter.full_name,
                subject=EMAIL_SUBJECT,
                text=(
                    f"{when(mail_at)}以来，江湾区普降大到暴雨，望江镇累计降雨量达86毫米。"
                    "望江镇老街、码头路等低洼地段出现积水，最深处约40厘米，部分沿街商铺进水。\n"
                    "灾情发生后，区防汛指挥部启动防汛四级应急响应，调派移动泵车2台赶赴现场抽排，"
                    "镇村干部86人分片巡查，目前未接到人员伤亡报告。有关情况将及时续报。"
                ),
                moment=mail_at,
                key="demo-inbound-jiangwan-1",
            )
        ),
    )

    sms_at = now - dt.timedelta(minutes=55)
    replay(
        sms_at,
        lambda: _sms(
            sender=f"+86{reporter.phone}",
            text=(
                f"{when(sms_at)}，望江镇菜场后一户居民院墙因雨水浸泡倒塌一角，无人员伤亡，"
                "社区已拉警戒带，详细情况续报。江湾区委办"
            ),
        ),
    )
    book.add("inbound_messages", sum(made))
