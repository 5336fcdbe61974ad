"""A confirmed immersion: its agreement summary, its calendar file, the reminder before it starts and its
end.

- An immersion is CONFIRMED when both sides accepted its proposal (services/proposals.py).
- The `complete_immersions` job marks it DONE the day after its end date, and closes its request (which
  stayed MATCHED until then). Feedback may be given from the last day of the immersion.
- It becomes CANCELLED only when both sides report in their feedback that it did not happen: its days then
  no longer count against the agent's quota.
- Confirmed and done immersions count against the agent's legal quota in every network
  (services/rules.used_quota_days).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mobilite import notifications
from mobilite.extensions import db
from mobilite.lifecycles import immersion as immersion_lifecycle
from mobilite.lifecycles import request as request_lifecycle
from mobilite.lifecycles.immersion import ImmersionMove
from mobilite.lifecycles.request import RequestMove
from mobilite.models import (
    Immersion,
    ImmersionStatus,
    Offer,
    OfferSession,
    Organisation,
    Proposal,
    User,
    utcnow,
)
from mobilite.services import audit, listings, rules
from mobilite.services.people import hr_officers
from mobilite.workdays import is_working_day

REMIND_DAYS_BEFORE = 3

STATUS_LABELS = {
    ImmersionStatus.CONFIRMED: _l("Confirmée"),
    ImmersionStatus.DONE: _l("Réalisée"),
    ImmersionStatus.CANCELLED: _l("Annulée"),
}


def local_day(moment: datetime) -> date:
    """The calendar day of a UTC moment where the service runs (Europe/Paris by default)."""
    return moment.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def load(immersion_id: int) -> Immersion | None:
    return db.session.scalars(
        select(Immersion)
        .where(Immersion.id == immersion_id)
        .options(
            selectinload(Immersion.session).selectinload(OfferSession.offer).selectinload(Offer.organisation),
            selectinload(Immersion.proposal).selectinload(Proposal.round),
            selectinload(Immersion.feedback),
        )
    ).first()


def address_of(organisation: Organisation) -> str:
    place = " ".join(part for part in (organisation.postcode, organisation.city) if part)
    return ", ".join(part for part in (organisation.address, place) if part)


def agreement_summary(immersion: Immersion) -> dict:
    """What the agreement page, its PDF and its calendar file say; plain values, no formatting."""
    offer = immersion.session.offer
    agent = db.session.get_one(User, immersion.agent_id)  # get_one: the foreign keys guarantee both rows
    home = db.session.get_one(Organisation, immersion.home_organisation_id)
    host = offer.organisation
    network = immersion.proposal.round.network
    # The quota as it stands for this immersion: the quota period before its first day, this immersion and
    # every other confirmed or done one included, in every network.
    used = rules.used_quota_days(immersion.agent_id, network, immersion.start_date)
    proposal = immersion.proposal
    return {
        "id": immersion.id,
        "reference": f"IMM-{immersion.id:06d}",
        "status": immersion.status,
        "agent_name": agent.full_name,
        "agent_job_title": agent.job_title,
        "agent_team": agent.team,
        "agent_email": agent.email,
        "home_name": home.name,
        "home_address": address_of(home),
        "host_name": host.name,
        "host_address": offer.location.full_address,  # the offer's site, else the host's own address
        "host_site": offer.location.site_name,
        "team": offer.team,
        "title": offer.title,
        "description": offer.description,
        "place": offer.place,
        "accessibility": offer.accessibility,
        "tutor_name": offer.tutor_name,
        "tutor_role": offer.tutor_role,
        "tutor_email": offer.tutor_email,
        "start_date": immersion.start_date,
        "end_date": immersion.end_date,
        "working_days": immersion.working_days,
        "network_name": network.name,
        "quota_days": network.quota_days,
        "quota_years": network.quota_years,
        "quota_used": used,
        "quota_remaining": max(network.quota_days - used, 0),
        "agent_accepted_at": proposal.agent_answered_at,
        "host_accepted_at": proposal.host_answered_at,
        "confirmed_at": immersion.created_at,
    }


def ics_uid(immersion: Immersion, day: date) -> str:
    """One stable id per day of the immersion, so that importing the file again updates the events."""
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "mobilite"
    return f"immersion-{immersion.id}-{day:%Y%m%d}@{host}"


def immersion_days(immersion: Immersion) -> list[date]:
    """The working days from the first day to the last: weekends and public holidays are days off."""
    span = (immersion.end_date - immersion.start_date).days + 1
    return [day for day in (immersion.start_date + timedelta(days=n) for n in range(span)) if is_working_day(day)]


def meeting_text(offer: Offer) -> str:
    """Where and when the visitor is met on the first day, in words; empty when the host did not say."""
    when = format_time(offer.meeting_time, "short", rebase=False) if offer.meeting_time else ""
    if when and offer.meeting_place:
        return _("à %(time)s, %(place)s", time=when, place=offer.meeting_place)
    if when:
        return _("à %(time)s", time=when)
    return offer.meeting_place


def immersion_ics(immersion: Immersion) -> bytes:
    """One all-day event per working day of the immersion (DTEND is the next day, as iCalendar wants), at the
    host's address, naming the tutor; the first day's event says where and when the visitor is met."""
    summary = agreement_summary(immersion)
    offer = immersion.session.offer
    days = immersion_days(immersion)
    address = ", ".join(part for part in (summary["host_name"], summary["host_address"]) if part)
    tutor = ", ".join(part for part in (summary["tutor_name"], summary["tutor_role"], summary["tutor_email"]) if part)
    meeting = meeting_text(offer)
    title = _("Immersion : %(title)s (%(host)s)", title=summary["title"], host=summary["host_name"])
    link = notifications.external_url("agents.immersion", immersion_id=immersion.id)
    status = "CANCELLED" if immersion.status == ImmersionStatus.CANCELLED else "CONFIRMED"

    calendar = Calendar()
    calendar.add("prodid", "-//mobilite//Immersions//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    for number, day in enumerate(days, start=1):
        first = number == 1
        event = Event()
        event.add("uid", ics_uid(immersion, day))
        event.add("dtstamp", immersion.updated_at or utcnow())
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        if first and offer.meeting_time:
            when = format_time(offer.meeting_time, "short", rebase=False)
            event.add("summary", _("%(title)s, rendez-vous à %(time)s", title=title, time=when))
        else:
            event.add("summary", title)
        place = offer.meeting_place if first else ""
        event.add("location", ", ".join(part for part in (place, address) if part))
        lines = [_("Jour %(n)d sur %(total)d", n=number, total=len(days))]
        if first and meeting:
            lines.append(_("Rendez-vous le premier jour : %(meeting)s", meeting=meeting))
        lines.append(_("Équipe : %(team)s", team=summary["team"]))
        if tutor:
            lines.append(_("Tuteur ou tutrice : %(name)s", name=tutor))
        if summary["host_address"]:
            lines.append(_("Adresse : %(address)s", address=summary["host_address"]))
        lines.append(link)
        event.add("description", "\n".join(lines))
        event.add("status", status)
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return calendar.to_ical()


def _due_for_reminder(today: date):
    return db.session.scalars(
        select(Immersion)
        .where(
            Immersion.status == ImmersionStatus.CONFIRMED,
            Immersion.reminder_sent_at.is_(None),
            Immersion.start_date >= today,
            Immersion.start_date <= today + timedelta(days=REMIND_DAYS_BEFORE),
        )
        .options(selectinload(Immersion.session).selectinload(OfferSession.offer).selectinload(Offer.organisation))
        .order_by(Immersion.start_date, Immersion.id)
        .with_for_update(of=Immersion, skip_locked=True)
    ).all()


def remind_upcoming(today: date | None = None, now: datetime | None = None) -> int:
    """Job: once per immersion, REMIND_DAYS_BEFORE days (or fewer) before it starts, remind the agent and the
    host HR. Returns how many immersions were reminded."""
    today, now = today or date.today(), now or utcnow()
    due = _due_for_reminder(today)
    for immersion in due:
        agent = db.session.get_one(User, immersion.agent_id)
        officers = [officer for officer in hr_officers(immersion.host_organisation_id) if officer.id != agent.id]
        notifications.immersion_reminder(immersion, agent, officers)
        immersion.reminder_sent_at = now
        audit.record(None, "immersion.remind", immersion, organisation_id=immersion.host_organisation_id)
    db.session.commit()
    return len(due)


def complete_immersions(today: date | None = None) -> int:
    """Job: confirmed immersions whose end date has passed are DONE, and their requests CLOSED."""
    today = today or date.today()
    ended = db.session.scalars(
        select(Immersion)
        .where(Immersion.status == ImmersionStatus.CONFIRMED, Immersion.end_date < today)
        .options(selectinload(Immersion.proposal).selectinload(Proposal.request))
        .order_by(Immersion.id)
        .with_for_update(of=Immersion, skip_locked=True)
    ).all()
    for immersion in ended:
        immersion.status = immersion_lifecycle.check_move(immersion.status, ImmersionMove.COMPLETE)
        immersion_request = immersion.proposal.request
        if request_lifecycle.LIFECYCLE.allows(immersion_request.status, RequestMove.CLOSE):
            immersion_request.status = request_lifecycle.check_move(immersion_request.status, RequestMove.CLOSE)
        audit.record(None, "immersion.done", immersion, organisation_id=immersion.host_organisation_id)
    db.session.commit()
    return len(ended)


def attach_immersion_ids(proposals: list[Proposal]) -> list[Proposal]:
    """Set each proposal's `immersion_id` (None before confirmation), in one query for the whole page."""
    found = listings.immersion_ids([p.id for p in proposals])
    for proposal in proposals:
        proposal.immersion_id = found.get(proposal.id)
    return proposals
