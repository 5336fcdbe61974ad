"""The agreement summary of a confirmed immersion as a PDF, with fpdf2 (pure Python: no system package).

fpdf2's core fonts hold latin-1 only, and no font file is needed on the machine: characters outside latin-1
are transliterated ("’" → "'", "œ" → "oe", "–" → "-"…) rather than embedding a Unicode font.
"""

from __future__ import annotations

import unicodedata

from flask_babel import gettext as _
from fpdf import FPDF

from mobilite.i18n import format_date
from mobilite.labels import label

_REPLACEMENTS = {
    "’": "'",
    "‘": "'",
    "‚": ",",
    "“": '"',
    "”": '"',
    "„": '"',
    "–": "-",
    "—": "-",
    "‑": "-",
    "‐": "-",
    "−": "-",
    "…": "...",
    "•": "·",
    "€": "EUR",
    "œ": "oe",
    "Œ": "OE",
    "\u202f": "\u00a0",  # French spacing (mobilite.i18n): still no line break before ; ! ? »
    "\u2009": " ",
    "™": "TM",
    "‰": "o/oo",
    "→": "->",
    "←": "<-",
    "✓": "v",
    "Ł": "L",
    "ł": "l",
    "Đ": "D",
    "đ": "d",
    "ı": "i",
}


def latin1(text: str) -> str:
    """Text the core fonts can show: latin-1 kept, common typography mapped, other accents stripped."""
    out = []
    for char in str(text):
        char = _REPLACEMENTS.get(char, char)
        try:
            char.encode("latin-1")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFKD", char)
            char = "".join(c for c in decomposed if not unicodedata.combining(c))
            char = char.encode("latin-1", "replace").decode("latin-1")
        out.append(char)
    return "".join(out)


class _Document(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("helvetica", size=8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 10, latin1(self.footer_text), align="L")
        self.cell(0, 10, f"{self.page_no()}/{{nb}}", align="R")


def _row(pdf: FPDF, name: str, value: str) -> None:
    pdf.set_font("helvetica", "B", 10)
    pdf.set_text_color(30, 30, 30)
    y = pdf.get_y()
    pdf.multi_cell(55, 6, latin1(name), new_x="LMARGIN", new_y="NEXT")
    label_bottom = pdf.get_y()
    pdf.set_font("helvetica", size=10)
    pdf.set_xy(pdf.l_margin + 57, y)
    pdf.multi_cell(0, 6, latin1(value or "-"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), label_bottom))
    pdf.ln(1)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("helvetica", "B", 12)
    pdf.set_text_color(0, 0, 145)
    pdf.cell(0, 8, latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(0, 0, 145)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(2)


def agreement_pdf(summary: dict, compress: bool = False) -> bytes:
    """The summary (services.immersions.agreement_summary) as a one- or two-page A4 PDF.

    Uncompressed by default: the file stays small and its text searchable (and testable)."""
    pdf = _Document(format="A4")
    pdf.set_compression(compress)
    pdf.set_title(latin1(_("Récapitulatif d'immersion %(ref)s", ref=summary["reference"])))
    pdf.set_author("mobilite")
    pdf.set_creator("mobilite")
    pdf.footer_text = _("mobilite · %(ref)s · immersion professionnelle, décret n° 2022-1043", ref=summary["reference"])
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()

    pdf.set_font("helvetica", "B", 16)
    pdf.set_text_color(30, 30, 30)
    pdf.multi_cell(0, 8, latin1(_("Récapitulatif de l'immersion professionnelle")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=10)
    pdf.set_text_color(80, 80, 80)
    pdf.multi_cell(
        0,
        5,
        latin1(
            _(
                "Référence %(ref)s · réseau %(network)s · confirmée le %(date)s",
                ref=summary["reference"],
                network=summary["network_name"],
                date=format_date(summary["confirmed_at"], "long"),
            )
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )

    _heading(pdf, _("La personne en immersion"))
    _row(pdf, _("Agent"), summary["agent_name"])
    _row(pdf, _("Fonction"), " · ".join(p for p in (summary["agent_job_title"], summary["agent_team"]) if p))
    _row(pdf, _("Employeur d'origine"), "\n".join(p for p in (summary["home_name"], summary["home_address"]) if p))

    _heading(pdf, _("L'accueil"))
    _row(pdf, _("Organisation d'accueil"), "\n".join(p for p in (summary["host_name"], summary["host_address"]) if p))
    _row(pdf, _("Équipe"), summary["team"])
    _row(pdf, _("Immersion"), summary["title"])
    _row(pdf, _("Lieu"), label(summary["place"]))
    tutor = ", ".join(p for p in (summary["tutor_name"], summary["tutor_role"]) if p)
    if summary["tutor_email"]:
        tutor = f"{tutor}\n{summary['tutor_email']}" if tutor else summary["tutor_email"]
    _row(pdf, _("Tuteur ou tutrice"), tutor)

    _heading(pdf, _("Dates et quota"))
    _row(
        pdf,
        _("Dates"),
        _(
            "Du %(start)s au %(end)s",
            start=format_date(summary["start_date"], "full"),
            end=format_date(summary["end_date"], "full"),
        ),
    )
    _row(pdf, _("Jours ouvrés"), _("%(n)d jours ouvrés, décomptés du quota d'immersion", n=summary["working_days"]))
    _row(
        pdf,
        _("Quota"),
        _(
            "%(used)d jours utilisés sur %(quota)d sur %(years)d ans, cette immersion comprise, tous "
            "employeurs confondus ; il en restera %(left)d.",
            used=summary["quota_used"],
            quota=summary["quota_days"],
            years=summary["quota_years"],
            left=summary["quota_remaining"],
        ),
    )

    _heading(pdf, _("Signatures"))
    pdf.set_font("helvetica", size=9)
    pdf.set_text_color(30, 30, 30)
    width = (pdf.w - pdf.l_margin - pdf.r_margin - 8) / 3
    y = pdf.get_y()
    for i, name in enumerate((_("L'agent"), _("L'employeur d'origine"), _("L'organisation d'accueil"))):
        x = pdf.l_margin + i * (width + 4)
        pdf.rect(x, y, width, 28)
        pdf.set_xy(x + 2, y + 2)
        pdf.multi_cell(width - 4, 5, latin1(name))
    pdf.set_y(y + 32)
    return bytes(pdf.output())
