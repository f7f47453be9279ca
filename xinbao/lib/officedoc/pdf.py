"""An :class:`OfficialDocument` as HTML + CSS for print, and as PDF through WeasyPrint.

The fonts are embedded in the PDF. Where the office fonts (方正小标宋简体, 仿宋_GB2312 …) are not
installed the CSS falls back to Noto CJK (Debian's fonts-noto-cjk); an office installs its
licensed fonts on the server for the exact look.
"""

from __future__ import annotations

import base64
import functools
import math
from html import escape
from typing import Any, Final

from xinbao.lib.officedoc import layout as L
from xinbao.lib.officedoc.model import (
    Block,
    EditorNote,
    Figure,
    Heading,
    NumberedItem,
    OfficialDocument,
    Paragraph,
    Table,
    numbered,
)
from xinbao.lib.officedoc.pictures import size_mm

# Rounded down to 0.01 pt so that 28 characters never overflow the line by a rounding error.
_PITCH_PT: Final = math.floor(L.CHAR_PITCH_PT * 100) / 100
_LETTER_SPACING_PT: Final = round(_PITCH_PT - L.SIZE_3, 2)

# The masthead font is one heavy weight; where it is missing, Noto Serif CJK *Bold* comes
# closest, which a plain font-family list cannot ask for without also bolding the real font.
_CSS: Final = f"""
@font-face {{
  font-family: "Xinbao Biaosong";
  src: local("{L.XIAOBIAOSONG}"), local("FZXiaoBiaoSong-B05S"), local("方正小标宋_GBK"),
       local("Noto Serif CJK SC Bold");
}}
@page {{
  size: A4;
  margin: {L.MARGIN_TOP_MM}mm {L.MARGIN_RIGHT_MM}mm {L.MARGIN_BOTTOM_MM}mm {L.MARGIN_LEFT_MM}mm;
  @footnote {{ margin-top: 0; }}
}}
@page :right {{
  @bottom-right {{
    content: "— " counter(page) " —";
    font-family: {L.CSS_SONGTI}; font-size: {L.SIZE_4}pt;
    vertical-align: top; padding-top: {L.PAGE_NUMBER_GAP_MM}mm; padding-right: 1em;
  }}
}}
@page :left {{
  @bottom-left {{
    content: "— " counter(page) " —";
    font-family: {L.CSS_SONGTI}; font-size: {L.SIZE_4}pt;
    vertical-align: top; padding-top: {L.PAGE_NUMBER_GAP_MM}mm; padding-left: 1em;
  }}
}}
html {{ font-family: {L.CSS_FANGSONG}; font-size: {L.SIZE_3}pt; color: #000; }}
body {{ margin: 0; }}
p {{ margin: 0; line-height: {L.LINE_PITCH_PT}pt; }}
.body p, p.body {{
  text-indent: {2 * _PITCH_PT}pt; text-align: justify; letter-spacing: {_LETTER_SPACING_PT}pt;
  orphans: 2; widows: 2;
}}
.urgency {{ font-family: {L.CSS_HEITI}; text-align: left; }}
.masthead {{
  font-family: "Xinbao Biaosong", {L.CSS_XIAOBIAOSONG}; color: #{L.RED};
  text-align: center; font-weight: normal; margin: 6mm 0 4mm; line-height: 1.25;
  white-space: nowrap;
}}
.issue {{ text-align: center; }}
.split {{ display: flex; justify-content: space-between; padding: 0 1em; }}
.kai {{ font-family: {L.CSS_KAITI}; }}
.rule {{ border-bottom: {L.RULE_PT}pt solid #{L.RED}; padding-bottom: 2mm; margin-bottom: 8mm; }}
h1, h2, h3 {{ margin: 0; font-weight: normal; font-size: inherit; }}
.title {{
  font-family: "Xinbao Biaosong", {L.CSS_XIAOBIAOSONG}; font-size: {L.SIZE_2}pt;
  text-align: center; line-height: 1.5; margin: 0 0 {L.LINE_PITCH_PT}pt;
}}
h2.heading-1 {{ font-family: {L.CSS_HEITI}; text-indent: 2em; line-height: {L.LINE_PITCH_PT}pt;
  break-after: avoid; }}
h2.heading-2 {{ font-family: {L.CSS_KAITI}; text-indent: 2em; line-height: {L.LINE_PITCH_PT}pt;
  break-after: avoid; }}
h3.item-title {{ font-family: {L.CSS_HEITI}; text-indent: 2em; line-height: {L.LINE_PITCH_PT}pt;
  text-align: justify; break-after: avoid; }}
.note {{ font-family: {L.CSS_KAITI}; }}
.note .label {{ font-family: {L.CSS_HEITI}; }}
table {{ width: 100%; border-collapse: collapse; font-size: {L.SIZE_4}pt; margin: 2mm 0; }}
caption {{
  font-family: {L.CSS_HEITI}; font-size: {L.SIZE_3}pt; line-height: {L.LINE_PITCH_PT}pt;
  text-align: center;
}}
th, td {{ border: 0.75pt solid #000; padding: 1mm 2mm; line-height: 1.4; text-align: center; }}
th {{ font-family: {L.CSS_HEITI}; font-weight: normal; }}
td {{ text-align: left; }}
figure {{ margin: 0; text-align: center; break-inside: avoid; }}
figure img {{ display: block; margin: 0 auto; }}
figcaption {{
  font-family: {L.CSS_FANGSONG}; text-align: center; line-height: {L.LINE_PITCH_PT}pt;
}}
.distribution {{
  float: footnote; footnote-display: block;
  font-size: {L.SIZE_4}pt; border-top: {L.FOOTER_OUTER_RULE_PT}pt solid #000;
  border-bottom: {L.FOOTER_OUTER_RULE_PT}pt solid #000;
}}
.distribution::footnote-call {{ content: none; }}
.distribution::footnote-marker {{ content: none; }}
.distribution p {{ line-height: 1.6; padding: 0.5mm 1em; }}
.distribution .recipients {{ padding-left: 1em; text-indent: 0; }}
.distribution .printed {{ border-top: {L.FOOTER_INNER_RULE_PT}pt solid #000; }}
"""


def _p(text: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{escape(text)}</p>"


def _block_html(block: Block, number: int) -> str:
    match block:
        case Heading(text=text, level=level):
            return f'<h2 class="heading-{level}">{escape(text)}</h2>'
        case Paragraph(text=text):
            return _p(text, "body")
        case EditorNote(text=text, label=label):
            return (
                f'<p class="body note"><span class="label">{escape(label)}：</span>'
                f"{escape(text)}</p>"
            )
        case NumberedItem(title=title, paragraphs=paragraphs):
            body = "".join(_p(text) for text in paragraphs)
            return (
                f'<section class="item"><h3 class="item-title">{number}.{escape(title)}</h3>'
                f'<div class="body">{body}</div></section>'
            )
        case Table(rows=rows, header_rows=header_rows, caption=caption):
            parts = ["<table>"]
            if caption:
                parts.append(f"<caption>{escape(caption)}</caption>")
            for index, row in enumerate(rows):
                tag = "th" if index < header_rows else "td"
                cells = "".join(f"<{tag}>{escape(cell)}</{tag}>" for cell in row)
                parts.append(f"<tr>{cells}</tr>")
            parts.append("</table>")
            return "".join(parts)
        case Figure():
            return _figure_html(block)
    raise TypeError(f"not a block: {block!r}")


def _figure_html(block: Figure) -> str:
    """The picture, embedded as a data URI (the document loads nothing), and its caption."""
    parts = ["<figure>"]
    width, height = size_mm(block, L.TYPE_WIDTH_MM)
    if block.image is not None and width:
        data = base64.b64encode(block.image).decode("ascii")
        parts.append(
            f'<img src="data:{block.content_type};base64,{data}" alt="{escape(block.caption)}" '
            f'style="width: {width}mm; height: {height}mm">'
        )
    if block.caption:
        parts.append(f"<figcaption>{escape(block.caption)}</figcaption>")
    parts.append("</figure>")
    return "".join(parts)


def _head_html(doc: OfficialDocument) -> str:
    parts = ['<header class="rule">']
    if doc.marking:
        parts.append(_p(doc.marking, "urgency marking"))
    if doc.urgency is not None:
        parts.append(_p(doc.urgency.value, "urgency"))
    size = L.masthead_size_pt(doc.masthead)
    parts.append(f'<h1 class="masthead" style="font-size: {size}pt">{escape(doc.masthead)}</h1>')
    if doc.signer:
        # GB/T 9704 7.2.4: 签发人 in 仿宋, the name in 楷体, right of the issue number.
        parts.append(
            f'<p class="split"><span>{escape(doc.issue_line)}</span>'
            f'<span>签发人：<span class="kai">{escape(doc.signer)}</span></span></p>'
        )
    elif doc.issue_line:
        parts.append(_p(doc.issue_line, "issue"))
    parts.append(
        f'<p class="split office"><span>{escape(doc.issuing_office)}</span>'
        f"<span>{escape(doc.date_text())}</span></p>"
    )
    parts.append("</header>")
    return "".join(parts)


def _distribution_html(doc: OfficialDocument) -> str:
    dist = doc.distribution
    if dist is None:
        return ""
    parts = ['<aside class="distribution">']
    parts.extend(_p(recipients.line(), "recipients") for recipients in dist.recipients)
    if dist.printed_by or dist.copies:
        parts.append(
            f'<p class="split printed"><span>{escape(dist.printed_by)}</span>'
            f"<span>{escape(dist.copies_text())}</span></p>"
        )
    parts.append("</aside>")
    return "".join(parts)


def _page_html(doc: OfficialDocument, style: str) -> str:
    title = escape(f"{doc.masthead} {doc.issue_line}".strip())
    body = "".join(_block_html(block, number) for block, number in numbered(doc.blocks))
    doc_title = f'<h1 class="title">{escape(doc.title)}</h1>' if doc.title else ""
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{title}</title>{style}</head><body>"
        f"{_head_html(doc)}{doc_title}<main>{body}</main>{_distribution_html(doc)}"
        "</body></html>"
    )


def render_html(doc: OfficialDocument) -> str:
    """The document as one self-contained HTML page laid out for A4 print."""
    return _page_html(doc, f"<style>{_CSS}</style>")


@functools.cache
def _printer() -> tuple[Any, Any]:
    """WeasyPrint's font configuration and our stylesheet, made once per process.

    Parsing the stylesheet and resolving its ``@font-face`` (fontconfig looking the masthead's
    font up) took about a tenth of a 30-item issue's render when done for every document; both
    depend on nothing but the fonts installed, which do not change while a process runs.
    """
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return fonts, weasyprint.CSS(string=_CSS, font_config=fonts)


def render_pdf(doc: OfficialDocument) -> bytes:
    """The document as PDF with its fonts embedded (subset to the characters used).

    WeasyPrint is imported here, not at module level: it loads Pango and takes a while, and most
    processes that import this package never print.
    """
    import weasyprint

    fonts, stylesheet = _printer()
    html = weasyprint.HTML(string=_page_html(doc, ""))
    pdf = html.write_pdf(stylesheets=[stylesheet], font_config=fonts)
    if not isinstance(pdf, bytes):
        raise TypeError("WeasyPrint returned no PDF")
    return pdf
