"""The confirmed immersion's page, PDF and calendar file, and the feedback forms."""

from datetime import date, timedelta

from icalendar import Calendar
from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import Feedback, FeedbackSide, Organisation, Role
from mobilite.services.agreement_pdf import latin1
from tests.factories import ImmersionFactory, UserFactory
from tests.fixtures import csrf_token, login


def _ended():
    start = date.today() - timedelta(days=10)
    return ImmersionFactory(proposal__session__start_date=start, proposal__session__end_date=start + timedelta(days=2))


def test_agent_gets_the_printable_page_the_pdf_and_the_calendar_file(client):
    immersion = ImmersionFactory()
    agent = immersion.proposal.request.agent
    login(client, agent.email)
    page = client.get(f"/agent/immersions/{immersion.id}").get_data(as_text=True)
    assert "Récapitulatif de l'immersion professionnelle" in page and agent.full_name in page
    assert f"/agent/immersions/{immersion.id}/recapitulatif.pdf" in page and "no-print" in page

    pdf = client.get(f"/agent/immersions/{immersion.id}/recapitulatif.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF") and latin1(agent.full_name).encode("latin-1") in pdf.data
    assert "attachment" in pdf.headers["Content-Disposition"]

    ics = client.get(f"/agent/immersions/{immersion.id}/immersion.ics")
    assert ics.mimetype == "text/calendar"
    events = Calendar.from_ical(ics.data).walk("VEVENT")  # one a working day (tests/services/test_ics.py)
    assert events[0].decoded("dtstart") == immersion.start_date
    assert events[-1].decoded("dtend") == immersion.end_date + timedelta(days=1)


def test_feedback_form_tells_each_field_what_is_wrong_then_saves_once(client):
    immersion = _ended()
    agent = immersion.proposal.request.agent
    login(client, agent.email)
    path = f"/agent/immersions/{immersion.id}/bilan"
    page = client.get(path).get_data(as_text=True)
    assert "<legend>" in page and 'name="outcome"' in page
    token = csrf_token(page)
    response = client.post(path, data={"outcome": "partly_done", "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for field in ("outcome_reason", "satisfaction", "would_recommend", "days_done"):
        assert f'id="{field}-error"' in html, field
    assert db.session.scalars(select(Feedback)).all() == []
    response = client.post(
        path,
        data={
            "outcome": "partly_done",
            "outcome_reason": "Deux jours sur trois.",
            "days_done": "2",
            "satisfaction": "4",
            "learned": "Le travail de l'équipe.",
            "would_recommend": "1",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    feedback = db.session.scalar(select(Feedback))
    assert (feedback.side, feedback.satisfaction, feedback.would_recommend) == (FeedbackSide.AGENT, 4, True)
    assert "Deux jours sur trois." in client.get(path).get_data(as_text=True)  # read back, not editable
    again = client.post(
        path, data={"outcome": "done", "satisfaction": "1", "would_recommend": "0", "csrf_token": token}
    )
    assert again.status_code == 400 and len(db.session.scalars(select(Feedback)).all()) == 1


def test_host_hr_gives_the_host_feedback_and_home_hr_cannot(client):
    immersion = _ended()
    host_hr = UserFactory(organisation=db.session.get(Organisation, immersion.host_organisation_id), roles=[Role.RH])
    home_hr = UserFactory(organisation=db.session.get(Organisation, immersion.home_organisation_id), roles=[Role.RH])
    login(client, host_hr.email)
    path = f"/rh/immersions/{immersion.id}/bilan"
    token = csrf_token(client.get(path).get_data(as_text=True))
    response = client.post(
        path, data={"outcome": "done", "satisfaction": "5", "would_recommend": "1", "csrf_token": token}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Feedback.side)) == FeedbackSide.HOST
    login(client, home_hr.email)
    assert client.get(f"/rh/immersions/{immersion.id}").status_code == 200
    assert client.get(path).status_code == 404


def test_feedback_waits_for_the_last_day(client):
    immersion = ImmersionFactory()  # starts in two weeks
    login(client, immersion.proposal.request.agent.email)
    html = client.get(f"/agent/immersions/{immersion.id}/bilan").get_data(as_text=True)
    assert "Le bilan s'ouvre le dernier jour" in html and 'name="outcome"' not in html
