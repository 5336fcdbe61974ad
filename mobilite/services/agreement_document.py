"""The agreement's PDF (services/agreement.document_content) and, once signed, its signature page.

Deterministic: the document's dates are the agreement's own (its check), fpdf2's creation date and file id
derive from them, and no random id is written, so the same content always gives the same bytes. The bytes
signed are stored all the same (services/agreement.py): a later change of fpdf2 never alters a signed file.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF

from mobilite.i18n import format_date, format_datetime
from mobilite.labels import label
from mobilite.services.agreement_pdf import _Document, _heading, _row, latin1


def _party(name: str) -> str:
    return {
        "agent": _("L'agent"),
        "home": _("L'employeur d'origine"),
        "host": _("L'organisation d'accueil"),
    }[name]


def _method(name: str) -> str:
    return {
        "password": _("compte mobilite, mot de passe"),
        "proconnect": _("compte mobilite, connexion ProConnect"),
        "one_time_link": _("lien à usage unique"),
        "api_token": _("jeton d'API personnel"),
    }[name]


def _new(content: dict, moment: datetime) -> FPDF:
    pdf = _Document(format="A4")
    pdf.set_compression(False)
    pdf.set_creation_date(moment)
    pdf.set_title(latin1(_("Convention d'immersion %(ref)s", ref=content["reference"])))
    pdf.set_author("mobilite")
    pdf.set_creator("mobilite")
    pdf.set_producer("mobilite")
    pdf.footer_text = _(
        "mobilite · convention %(ref)s, version %(v)d · décret n° 2016-1732, art. 12 à 13-2",
        ref=content["reference"],
        v=content["version"],
    )
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=20)
    return pdf


def _body(pdf: FPDF, content: dict) -> None:
    pdf.add_page()
    pdf.set_font("helvetica", "B", 16)
    pdf.set_text_color(30, 30, 30)
    title = _("Convention d'immersion professionnelle")
    if content["draft"]:
        title = _("Projet de convention d'immersion professionnelle (non vérifié, à ne pas signer)")
    pdf.multi_cell(0, 8, latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=10)
    pdf.set_text_color(80, 80, 80)
    pdf.multi_cell(
        0,
        5,
        latin1(
            _(
                "Référence %(ref)s · version %(v)d · réseau %(network)s",
                ref=content["reference"],
                v=content["version"],
                network=content["network_name"],
            )
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )

    _heading(pdf, _("Les parties"))
    agent = ", ".join(p for p in (content["agent_name"], content["agent_job_title"], content["agent_team"]) if p)
    _row(pdf, _("L'agent"), agent)
    _row(pdf, _("L'employeur d'origine"), "\n".join(p for p in (content["home_name"], content["home_address"]) if p))
    _row(pdf, _("L'organisation d'accueil"), "\n".join(p for p in (content["host_name"], content["host_address"]) if p))

    _heading(pdf, _("L'immersion"))
    _row(pdf, _("Immersion"), content["title"])
    _row(pdf, _("Équipe"), content["team"])
    place = label(content["place"]) if content["place"] else ""
    _row(pdf, _("Lieu"), "\n".join(p for p in (place, content["host_address"]) if p))
    tutor = ", ".join(p for p in (content["tutor_name"], content["tutor_role"], content["tutor_email"]) if p)
    _row(pdf, _("Tuteur ou tutrice"), tutor)
    _row(
        pdf,
        _("Dates"),
        _(
            "Du %(start)s au %(end)s, %(n)d jours ouvrés",
            start=format_date(content["start_date"], "full"),
            end=format_date(content["end_date"], "full"),
            n=content["working_days"],
        ),
    )
    _row(pdf, _("Horaires"), content["daily_hours"])
    _row(pdf, _("Fonctions observées"), content["functions_observed"])
    _row(pdf, _("Objectifs"), content["objectives"])

    _heading(pdf, _("Clauses"))
    _row(
        pdf,
        _("Situation de l'agent"),
        _(
            "Pendant l'immersion, l'agent reste en position d'activité auprès de son employeur d'origine, qui "
            "continue de le rémunérer ; il est en mission."
        ),
    )
    _row(
        pdf,
        _("Assurance"),
        _(
            "L'employeur d'origine couvre l'agent au titre des accidents de service et du trajet ; "
            "l'organisation d'accueil assure sa responsabilité civile pour les dommages causés dans ses locaux."
        ),
    )
    bearer = (
        _("l'employeur d'origine, selon les règles des frais de mission")
        if content["travel_costs_by"] == "home"
        else _("l'organisation d'accueil")
    )
    _row(pdf, _("Frais de déplacement"), _("À la charge de %(who)s.", who=bearer))
    _row(
        pdf,
        _("Références"),
        _(
            "Décret n° 2016-1732 du 14 décembre 2016, articles 12 à 13-2, modifié par le décret n° 2022-1043 "
            "du 22 juillet 2022."
        ),
    )


def document_pdf(content: dict) -> bytes:
    """The agreement as its parties sign it."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")):
        pdf = _new(content, content["frozen_at"])
        _body(pdf, content)
        return bytes(pdf.output())


def signed_pdf(content: dict, evidence: list[dict]) -> bytes:
    """The agreement and a page listing each signature's evidence and the hash of the document signed."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")):
        last = max(e["signed_at"] for e in evidence)
        pdf = _new(content, last)
        _body(pdf, content)
        pdf.add_page()
        _heading(pdf, _("Signatures électroniques"))
        pdf.set_font("helvetica", size=10)
        pdf.set_text_color(30, 30, 30)
        pdf.multi_cell(
            0,
            5,
            latin1(
                _(
                    "Chaque partie a signé dans mobilite le document de la version %(v)d dont l'empreinte SHA-256 "
                    "est : %(sha)s",
                    v=content["version"],
                    sha=evidence[0]["sha256"] if evidence else "",
                )
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        for item in evidence:
            _heading(pdf, _party(item["party"]))
            _row(pdf, _("Signataire"), f"{item['name']} <{item['email']}>")
            _row(pdf, _("Signé le"), format_datetime(item["signed_at"], "yyyy-MM-dd HH:mm:ss zzzz"))
            _row(pdf, _("Adresse IP"), item["ip"])
            _row(pdf, _("Authentification"), _method(item["method"]))
            _row(pdf, _("Empreinte SHA-256"), item["sha256"])
        return bytes(pdf.output())
