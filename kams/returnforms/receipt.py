"""收据证明: the printable receipt of a handover, a PDF drawn with reportlab.

The text uses reportlab's built-in CJK font ``STSong-Light`` (a CID font the PDF reader
supplies), so no font file ships with KAMS. Labels follow the active language.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _

from kams.returnforms.models import Handover

FONT = "STSong-Light"


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def receipt_pdf(handover: Handover) -> bytes:
    """The receipt of ``handover``: batch number, agent, time, receiving staff, the numbers
    with the subscribers' names, and lines for both signatures."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    title_style = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1)
    text = ParagraphStyle("text", fontName=font, fontSize=10, leading=15)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=f"{_('Return form handover receipt')} {handover.number}",
                            author="KAMS")
    agent = handover.agent
    received = handover.received_by.name if handover.received_by_id else ""
    facts = [
        (_("Handover number"), handover.number),
        (_("Agent"), f"{agent.name} ({agent.code})"),
        (_("Marketing department"), handover.org_unit.name),
        (_("Handed over at"), timezone.localtime(handover.handed_at).strftime("%Y-%m-%d %H:%M")),
        (_("Received by"), received),
        (_("Numbers"), str(handover.item_count)),
    ]
    if handover.note:
        facts.append((_("Note"), handover.note))
    story = [Paragraph(escape(_("Return form handover receipt")), title_style), Spacer(1, 6 * mm)]
    fact_table = Table([[Paragraph(escape(k), text), Paragraph(escape(v), text)] for k, v in facts], colWidths=[40 * mm, 130 * mm])
    fact_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [fact_table, Spacer(1, 5 * mm)]
    rows = [[_("No."), _("Number"), _("Subscriber name")]]
    rows += [[str(i), line.msisdn, line.subscriber_name] for i, line in enumerate(handover.lines.order_by("msisdn"), 1)]
    lines = Table(rows, colWidths=[18 * mm, 60 * mm, 92 * mm], repeatRows=1)
    lines.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
    ]))
    story += [lines, Spacer(1, 12 * mm)]
    sign = Table([
        [_("Handed over by (agent)"), "", _("Received by (staff)"), ""],
        [_("Signature"), "______________________", _("Signature"), "______________________"],
        [_("Date"), "______________________", _("Date"), "______________________"],
    ], colWidths=[32 * mm, 53 * mm, 32 * mm, 53 * mm], rowHeights=10 * mm)
    sign.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 10)]))
    story.append(sign)
    doc.build(story)
    return buffer.getvalue()
