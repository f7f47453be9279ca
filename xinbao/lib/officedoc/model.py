"""The content of an official output (刊物 issue, 催报通知单, 通报, 积分通报), free of any format.

Pure, frozen dataclasses: a feature builds an :class:`OfficialDocument` from its own models and
hands it to :func:`~xinbao.lib.officedoc.render_docx` or :func:`~xinbao.lib.officedoc.render_pdf`.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from xinbao.lib.classified import classified_marking


class ClassifiedMarkingError(ValueError):
    """A document carried a classified marking (密级); such material never leaves this system."""


class Urgency(enum.StrEnum):
    """紧急程度, printed top left (GB/T 9704-2012 7.2.3).

    There is deliberately no classification (密级) here: classified material never enters the
    system, so no output may look like a classified document.
    """

    EXTRA_URGENT = "特急"
    URGENT = "加急"


@dataclass(frozen=True)
class Heading:
    """A structural heading; the caller writes its ordinal ("一、", "（一）").

    Level 1 is set in 黑体, level 2 in 楷体, as GB/T 9704-2012 7.3.3 orders them.
    """

    text: str
    level: int = 1

    def __post_init__(self) -> None:
        if self.level not in (1, 2):
            raise ValueError(f"heading level must be 1 or 2, not {self.level}")


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph in 仿宋, indented two characters."""

    text: str


@dataclass(frozen=True)
class EditorNote:
    """An editor's note (按语): the label in 黑体, the text in 楷体."""

    text: str
    label: str = "编者按"


@dataclass(frozen=True)
class NumberedItem:
    """One item of an issue: a numbered title and its paragraphs.

    Without a ``number`` the renderers count the document's items from 1.
    """

    title: str
    paragraphs: Sequence[str] = ()
    number: int | None = None


@dataclass(frozen=True)
class Table:
    """A plain grid of text; the first ``header_rows`` rows are set in 黑体."""

    rows: Sequence[Sequence[str]]
    header_rows: int = 1
    caption: str = ""


@dataclass(frozen=True)
class Figure:
    """A picture set to the width of the text, its caption centred below it in the body font.

    ``image`` is JPEG or PNG bytes of ``width`` × ``height`` pixels (for the aspect ratio; see
    :func:`xinbao.lib.officedoc.pictures.figure`). Without an image only the caption prints.
    """

    image: bytes | None
    width: int = 0
    height: int = 0
    caption: str = ""
    content_type: str = "image/jpeg"


Block = Heading | Paragraph | EditorNote | NumberedItem | Table | Figure


@dataclass(frozen=True)
class Recipients:
    """One line of the distribution footer (版记), e.g. 抄送 or 发 and who gets it."""

    label: str
    names: Sequence[str]

    def line(self) -> str:
        """ "抄送：甲，乙，丙。" — names joined by the full-width comma, ending in a full stop."""
        return f"{self.label}：{'，'.join(self.names)}。"


@dataclass(frozen=True)
class Distribution:
    """The distribution footer (版记): who receives the document, who printed it, the copies."""

    recipients: Sequence[Recipients] = ()
    printed_by: str = ""
    copies: int | None = None

    def copies_text(self) -> str:
        """ "（共印50份）", or "" when no count is given."""
        return f"（共印{self.copies}份）" if self.copies else ""


@dataclass(frozen=True)
class OfficialDocument:
    """An official output in the layout of an internal information periodical.

    Raises :class:`ClassifiedMarkingError` when any of its text carries a classified marking.
    """

    masthead: str
    issuing_office: str
    date: dt.date
    issue_line: str = ""
    title: str = ""
    signer: str = ""
    #: The sensitivity label (安全标记) printed top left, where GB/T 9704 puts 密级: "内部".
    marking: str = ""
    urgency: Urgency | None = None
    blocks: Sequence[Block] = ()
    distribution: Distribution | None = None

    def __post_init__(self) -> None:
        if self.urgency is not None and not isinstance(self.urgency, Urgency):
            raise TypeError("urgency must be an Urgency (特急 or 加急)")
        marking = classified_marking(*self.texts())
        if marking:
            raise ClassifiedMarkingError(f"classified marking {marking!r} in an official output")

    def texts(self) -> Iterator[str]:
        """Every piece of text the document prints, in reading order."""
        yield from (self.masthead, self.issue_line, self.signer, self.issuing_office, self.title)
        for block in self.blocks:
            match block:
                case Heading(text=text) | Paragraph(text=text):
                    yield text
                case EditorNote(text=text, label=label):
                    yield label
                    yield text
                case NumberedItem(title=title, paragraphs=paragraphs):
                    yield title
                    yield from paragraphs
                case Table(rows=rows, caption=caption):
                    yield caption
                    for row in rows:
                        yield from row
                case Figure(caption=caption):
                    yield caption
        if self.distribution is not None:
            yield self.distribution.printed_by
            for recipients in self.distribution.recipients:
                yield recipients.line()

    def date_text(self) -> str:
        """The date in Chinese (GB/T 9704: Arabic numerals, no leading zeros): "2026年11月29日"."""
        return chinese_date(self.date)

    def signer_text(self) -> str:
        """ "签发人：张明", or "" without a signer."""
        return f"签发人：{self.signer}" if self.signer else ""


def chinese_date(day: dt.date) -> str:
    """ "2026年1月5日": the year, month and day without leading zeros."""
    return f"{day.year}年{day.month}月{day.day}日"


def numbered(blocks: Sequence[Block]) -> Iterator[tuple[Block, int]]:
    """Each block with its item number (0 for blocks that are not items).

    Items without an explicit number are counted from 1, in order.
    """
    count = 0
    for block in blocks:
        if isinstance(block, NumberedItem):
            count = block.number if block.number is not None else count + 1
            yield block, count
        else:
            yield block, 0
