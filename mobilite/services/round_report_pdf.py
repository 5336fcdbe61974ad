"""The round's report (services.round_report) as an A4 PDF, with fpdf2 like the agreement summary: core
fonts, text kept searchable (uncompressed), characters outside latin-1 transliterated."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import format_decimal, format_percent, ngettext
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from mobilite.i18n import format_date
from mobilite.services.agreement_pdf import latin1
from mobilite.services.round_report import RoundReport, sentences

BLUE = (0, 0, 145)
HEADINGS = FontFace(emphasis="BOLD", fill_color=(245, 245, 254))


class _Document(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("helvetica", size=8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 10, latin1(self.footer_text), align="L")
        self.cell(0, 10, f"{self.page_no()}/{{nb}}", align="R")


def _heading(pdf: FPDF, text: str, size: int = 12) -> None:
    pdf.ln(3)
    pdf.set_font("helvetica", "B", size)
    pdf.set_text_color(*BLUE)
    pdf.multi_cell(0, 7, latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(30, 30, 30)
    pdf.set_font("helvetica", size=10)
    pdf.ln(1)


def _paragraph(pdf: FPDF, text: str) -> None:
    pdf.set_font("helvetica", size=10)
    pdf.multi_cell(0, 5, latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _table(
    pdf: FPDF,
    header: Sequence[str] | None,
    rows: Sequence[Sequence[str]],
    widths: Sequence[int],
    align: Sequence[str] | None = None,
) -> None:
    """A table whose header (if any) repeats on each page; `align`: each column's, LEFT by default."""
    pdf.set_font("helvetica", size=9)
    align = align or ["LEFT"] * len(widths)
    with pdf.table(
        col_widths=widths,
        headings_style=HEADINGS,
        first_row_as_headings=header is not None,
        text_align=align,
        line_height=5,
    ) as table:
        for values in [header, *rows] if header else rows:
            row = table.row()
            for value in values:
                row.cell(latin1(value))
    pdf.ln(2)


def render(r: RoundReport, percent: str) -> bytes:
    texts = sentences(r, percent)
    week = format_date(r.round.week_start, "long")
    pdf = _Document(format="A4")
    pdf.set_compression(False)  # small, and its text stays searchable (and testable)
    pdf.set_title(latin1(_("Compte rendu du tour — semaine du %(d)s", d=week)))
    pdf.set_author("mobilite")
    pdf.set_creator("mobilite")
    pdf.footer_text = _("mobilite · %(net)s · tour de la semaine du %(d)s", net=r.round.network.name, d=week)
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()

    pdf.set_font("helvetica", "B", 16)
    pdf.set_text_color(30, 30, 30)
    pdf.multi_cell(0, 8, latin1(_("Compte rendu du tour — semaine du %(d)s", d=week)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(80, 80, 80)
    _paragraph(pdf, " · ".join([r.round.network.name, *([texts["published"]] if "published" in texts else [])]))
    pdf.set_text_color(30, 30, 30)

    _heading(pdf, _("Placements"))
    _table(
        pdf,
        None,
        [
            [_("Demandes examinées"), format_decimal(r.requests)],
            [_("Placées"), texts["placed"]],
            [_("Depuis la publication"), texts["outcomes"]],
            [_("Non placées"), texts["unplaced"]],
        ],
        (45, 129),
    )

    _heading(pdf, _("Équité entre organisations"))
    if r.organisations:
        _paragraph(pdf, texts["fairness"])
        header = [_("Organisation"), _("Demandes"), _("Placées"), _("Taux"), _("Agents accueillis")]
        rows = [
            [o.organisation.name, format_decimal(o.requests), format_decimal(o.placed)]
            + [format_percent(o.rate, percent), format_decimal(o.hosted)]
            for o in r.organisations
        ]
        widths: tuple[int, ...] = (74, 25, 25, 25, 25)
        align = ["LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"]
        if r.fairness_floor:
            header.append(_("Objectif d'équité"))
            for row, o in zip(rows, r.organisations, strict=True):
                row.append(_("en dessous") if o.below_floor else _("atteint"))
            widths, align = (59, 21, 21, 21, 24, 28), [*align, "LEFT"]
        _table(pdf, header, rows, widths, align)
    else:
        _paragraph(pdf, _("Ce tour n'a examiné aucune demande."))

    _heading(pdf, _("Ce que la coordination a changé"))
    _paragraph(pdf, texts["actions"])
    if "rerun" in texts:
        _paragraph(pdf, texts["rerun"])
    if r.changes:
        _table(
            pdf,
            [_("Agent"), _("Immersion"), _("Changement"), _("Motif ou détail"), _("Par")],
            [
                [
                    f"{c.person.name}\n{c.person.organisation}",
                    c.offer,
                    c.change,
                    c.detail or "—",
                    c.by + (f"\n{format_date(c.at, 'long')}" if c.at else ""),
                ]
                for c in r.changes
            ],
            (34, 40, 26, 42, 32),
        )

    _heading(pdf, _("Pourquoi certaines demandes n'ont pas été placées"))
    if not r.reasons:
        _paragraph(pdf, _("Toutes les demandes examinées ont reçu une proposition."))
    for group in r.reasons:
        count = ngettext(
            "%(count)s demande", "%(count)s demandes", len(group.people), count=format_decimal(len(group.people))
        )
        _heading(pdf, f"{group.reason} ({count})", size=10)
        for person in group.people:
            line = f"{person.name}, {person.organisation}" + (f" — {person.detail}" if person.detail else "")
            pdf.set_x(pdf.l_margin + 4)
            pdf.multi_cell(0, 5, latin1(f"• {line}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
