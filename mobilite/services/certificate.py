"""The certificate of participation the agent downloads once the immersion is over and both sides have
given their feedback: who, where, when, the days actually done, what the immersion was about and the
tutor's short appraisal if the host gave one. Not for a cancelled immersion, nor when a side says it did
not happen."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from mobilite.extensions import db
from mobilite.i18n import format_date
from mobilite.models import Agreement, FeedbackSide, Immersion, ImmersionStatus, Organisation, Outcome, User, utcnow
from mobilite.services.agreement_pdf import _Document, _heading, _row, latin1
from mobilite.services.errors import ServiceError
from mobilite.services.feedback import feedback_of


def refusal(immersion: Immersion) -> str | None:
    """Why the certificate cannot be had yet (or at all); None when it can."""
    if immersion.status == ImmersionStatus.CANCELLED:
        return _("Cette immersion est annulée : elle ne donne pas lieu à une attestation.")
    given = [feedback_of(immersion, side) for side in FeedbackSide]
    if any(f is None for f in given):
        return _("L'attestation est disponible une fois les deux bilans donnés, le vôtre et celui de l'accueil.")
    if any(f is not None and f.outcome == Outcome.DID_NOT_HAPPEN for f in given):
        return _("Un bilan indique que l'immersion n'a pas eu lieu : il n'y a pas d'attestation.")
    return None


def functions_observed(immersion: Immersion) -> str:
    """What the host wrote in the agreement (services/agreement.py); empty when it has none yet."""
    return db.session.scalar(select(Agreement.functions_observed).where(Agreement.immersion_id == immersion.id)) or ""


def certificate_data(immersion: Immersion) -> dict:
    reason = refusal(immersion)
    if reason is not None:
        raise ServiceError(reason)
    offer = immersion.session.offer
    agent = db.session.get_one(User, immersion.agent_id)
    home = db.session.get_one(Organisation, immersion.home_organisation_id)
    host = offer.organisation
    host_feedback = feedback_of(immersion, FeedbackSide.HOST)
    return {
        "reference": f"IMM-{immersion.id:06d}",
        "agent_name": agent.full_name,
        "agent_job_title": agent.job_title,
        "home_name": home.name,
        "host_name": host.name,
        "host_address": offer.location.full_address,
        "team": offer.team,
        "title": offer.title,
        # The functions observed as the agreement states them, else what the offer said.
        "activities": functions_observed(immersion) or offer.description,
        "tutor": ", ".join(p for p in (offer.tutor_name, offer.tutor_role) if p),
        "start_date": immersion.start_date,
        "end_date": immersion.end_date,
        "working_days": immersion.working_days,
        "days_done": immersion.days_done or immersion.working_days,
        "appraisal": host_feedback.appraisal if host_feedback else "",
        "network_name": immersion.proposal.round.network.name,
    }


def certificate_pdf(data: dict) -> bytes:
    """One A4 page, uncompressed (its text stays searchable and testable)."""
    pdf = _Document(format="A4")
    pdf.set_compression(False)
    pdf.set_title(latin1(_("Attestation de participation %(ref)s", ref=data["reference"])))
    pdf.set_author("mobilite")
    pdf.set_creator("mobilite")
    pdf.footer_text = _("mobilite · %(ref)s · immersion professionnelle, décret n° 2022-1043", ref=data["reference"])
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 16)
    pdf.set_text_color(30, 30, 30)
    pdf.multi_cell(
        0, 8, latin1(_("Attestation de participation à une immersion professionnelle")), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(2)
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(
        0,
        6,
        latin1(
            _(
                "%(host)s atteste que %(agent)s, agent de %(home)s, a effectué une immersion professionnelle "
                "dans l'équipe %(team)s du %(start)s au %(end)s, soit %(days)d jours ouvrés.",
                host=data["host_name"],
                agent=data["agent_name"],
                home=data["home_name"],
                team=data["team"],
                start=format_date(data["start_date"], "long"),
                end=format_date(data["end_date"], "long"),
                days=data["days_done"],
            )
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    _heading(pdf, _("L'immersion"))
    _row(pdf, _("Organisation d'accueil"), "\n".join(p for p in (data["host_name"], data["host_address"]) if p))
    _row(pdf, _("Équipe"), data["team"])
    _row(pdf, _("Immersion"), data["title"])
    _row(
        pdf,
        _("Dates"),
        _(
            "Du %(start)s au %(end)s",
            start=format_date(data["start_date"], "long"),
            end=format_date(data["end_date"], "long"),
        ),
    )
    _row(
        pdf,
        _("Jours réalisés"),
        _("%(n)d sur %(total)d jours ouvrés prévus", n=data["days_done"], total=data["working_days"]),
    )
    _row(pdf, _("Tuteur ou tutrice"), data["tutor"])
    _heading(pdf, _("Activités observées"))
    pdf.set_font("helvetica", size=10)
    pdf.multi_cell(0, 5, latin1(data["activities"] or "-"), new_x="LMARGIN", new_y="NEXT")
    if data["appraisal"]:
        _heading(pdf, _("Appréciation du tuteur ou de la tutrice"))
        pdf.set_font("helvetica", size=10)
        pdf.multi_cell(0, 5, latin1(data["appraisal"]), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("helvetica", size=9)
    pdf.set_text_color(80, 80, 80)
    pdf.multi_cell(
        0,
        5,
        latin1(
            _(
                "Établie par mobilite le %(date)s, d'après les bilans de l'agent et de l'organisation d'accueil "
                "(réseau %(network)s).",
                date=format_date(utcnow(), "long"),
                network=data["network_name"],
            )
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
