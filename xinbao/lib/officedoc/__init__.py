"""Official outputs (刊物, 催报通知单, 通报, 积分通报) as DOCX and PDF in the GB/T 9704 layout.

Build an :class:`OfficialDocument` (pure data), then call :func:`render_docx` or
:func:`render_pdf`. Geometry and fonts are in :mod:`xinbao.lib.officedoc.layout`.
"""

from xinbao.lib.officedoc.model import (
    Block,
    ClassifiedMarkingError,
    Distribution,
    EditorNote,
    Figure,
    Heading,
    NumberedItem,
    OfficialDocument,
    Paragraph,
    Recipients,
    Table,
    Urgency,
    chinese_date,
)
from xinbao.lib.officedoc.pdf import render_html, render_pdf
from xinbao.lib.officedoc.word import render_docx

__all__ = [
    "Block",
    "ClassifiedMarkingError",
    "Distribution",
    "EditorNote",
    "Figure",
    "Heading",
    "NumberedItem",
    "OfficialDocument",
    "Paragraph",
    "Recipients",
    "Table",
    "Urgency",
    "chinese_date",
    "render_docx",
    "render_html",
    "render_pdf",
]
