"""The demo network loads once, with the programme's twelve organisations and realistic people."""

from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import ImmersionRequest, Offer, OfferStatus, Organisation, Role, Skill, Theme, User, UserRole
from mobilite.seed import demo_data
from mobilite.services import demo
from tests.fixtures import login

PASSWORD = "demo password for tests"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_loads_the_programme_and_is_idempotent(ctx):
    demo.load_demo(PASSWORD)
    counts = {m: _count(m) for m in (Organisation, User, Offer, ImmersionRequest, Theme, Skill)}
    assert counts[Organisation] == 12
    assert {o.name for o in db.session.scalars(select(Organisation))} == {o["name"] for o in demo_data.ORGANISATIONS}
    agents_only = db.session.scalar(
        select(func.count(func.distinct(UserRole.user_id))).where(UserRole.role == Role.AGENT)
    )
    assert 75 <= agents_only <= 120
    assert counts[Theme] >= 20 and counts[Skill] >= 100
    lyon = db.session.scalar(select(Organisation).where(Organisation.slug == "ville-de-lyon"))
    assert abs(lyon.latitude - 45.76) < 0.05 and abs(lyon.longitude - 4.83) < 0.05

    demo.load_demo(PASSWORD)
    assert {m: _count(m) for m in counts} == counts


def test_demo_accounts_are_printed_by_the_cli(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "rh.ville-de-lyon@demo.mobilite.fr" in result.output
    assert "coordination@demo.mobilite.fr" in result.output
    again = app.test_cli_runner().invoke(args=["demo", "--if-empty"])
    assert "déjà" in again.output


def test_lyon_hr_sees_lyon_offers_and_only_those(app, client):
    with app.test_request_context():
        demo.load_demo(PASSWORD)
    lyon_titles = set(
        db.session.scalars(select(Offer.title).join(Organisation).where(Organisation.slug == "ville-de-lyon"))
    )
    other_titles = set(
        db.session.scalars(select(Offer.title).join(Organisation).where(Organisation.slug != "ville-de-lyon"))
    )
    assert lyon_titles and other_titles
    login(client, "rh.ville-de-lyon@demo.mobilite.fr", PASSWORD)
    html = client.get("/rh/").get_data(as_text=True).replace("&#39;", "'")
    assert all(title in html for title in lyon_titles)
    assert not any(title in html for title in other_titles)


def test_demo_has_published_offers_with_future_sessions_and_approved_requests(ctx):
    demo.load_demo(PASSWORD)
    published = db.session.scalars(select(Offer).where(Offer.status == OfferStatus.PUBLISHED)).all()
    assert len(published) >= 30
    assert all(offer.sessions for offer in published)
    assert db.session.scalar(select(func.count(ImmersionRequest.id)).where(ImmersionRequest.status == "approved")) >= 20


def test_demo_tells_a_coherent_story(ctx):
    """Job titles belong to the agent's own service, work places come from the gazetteer, and requests were
    written, sent and answered over the past weeks, in that order."""
    from datetime import timedelta

    from mobilite.models import RequestStatus, utcnow
    from mobilite.services import communes
    from mobilite.services.search import distance_km

    demo.load_demo(PASSWORD)
    agents = db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == Role.AGENT, User.organisation_id.is_not(None))
    ).all()
    away = 0
    for agent in agents:
        if not agent.has_role(Role.RH):
            _theme, titles = demo_data.TEAM_JOBS[agent.team]
            assert agent.job_title in titles, (agent.team, agent.job_title)
            assert agent.team in next(
                o["teams"] for o in demo_data.ORGANISATIONS if o["slug"] == agent.organisation.slug
            )
        commune = communes.by_code(agent.work_commune_code)
        assert commune is not None and agent.work_postcode in commune.postcodes
        assert (agent.work_city, agent.work_latitude, agent.work_longitude) == (
            commune.name,
            commune.latitude,
            commune.longitude,
        )
        organisation = agent.organisation
        distance = distance_km(agent.work_latitude, agent.work_longitude, organisation.latitude, organisation.longitude)
        assert distance < 250, (organisation.name, commune.name)  # one of its own sites
        away += distance > 5
    assert 0 < away < len(agents) / 2

    now = utcnow()
    requests = db.session.scalars(select(ImmersionRequest).where(ImmersionRequest.status != RequestStatus.CLOSED)).all()
    for item in requests:
        assert item.created_at <= now
        if item.status != RequestStatus.DRAFT:
            assert item.created_at <= item.submitted_at <= now
        if item.status == RequestStatus.SUBMITTED:
            assert now - item.submitted_at < timedelta(days=30)  # still within the employer's month to answer
        if item.status == RequestStatus.APPROVED:
            assert item.submitted_at < item.decided_at <= now
    days = {(now - item.created_at).days for item in requests}
    assert len(days) >= 15 and max(days) >= 21  # spread over the past weeks, not all written today


def test_the_demo_has_an_immersion_at_each_stage_for_the_printed_accounts(app, client):
    """A confirmed immersion to come with its agreement drafted, a proposal waiting for the agent, one waiting
    for the host's HR, and an immersion just ended waiting for both feedbacks: each reachable by the
    accounts `flask demo` prints, through their own pages."""
    from datetime import date

    from mobilite.models import Agreement, Immersion, ImmersionStatus, Proposal, ProposalStatus
    from mobilite.models.matching import Answer

    with app.test_request_context():
        printed = {email for role, _org, email in demo.load_demo(PASSWORD) if role in ("agent", "rh")}
    today = date.today()

    upcoming = db.session.scalars(
        select(Immersion).where(Immersion.status == ImmersionStatus.CONFIRMED, Immersion.start_date > today)
    ).all()
    assert len(upcoming) == 1 and (upcoming[0].start_date - today).days >= 14
    assert db.session.scalar(select(Agreement).where(Agreement.immersion_id == upcoming[0].id)) is not None
    confirmed = (db.session.get(User, upcoming[0].agent_id).email, upcoming[0].id)

    waiting = db.session.scalars(select(Proposal).where(Proposal.status == ProposalStatus.PUBLISHED)).all()
    for_agent = [p for p in waiting if p.host_answer == Answer.ACCEPTED and p.agent_answer is None]
    for_host = [p for p in waiting if p.agent_answer == Answer.ACCEPTED and p.host_answer is None]
    assert len(for_agent) == 1 and len(for_host) == 1
    agent_to_answer = (for_agent[0].request.agent.email, for_agent[0].id)
    host_slug = for_host[0].session.offer.organisation.slug
    host_to_answer = (next(e for e in printed if e.startswith("rh.") and host_slug in e), for_host[0].id)

    ended = db.session.scalars(
        select(Immersion).where(Immersion.status == ImmersionStatus.DONE, Immersion.end_date < today)
    ).all()
    to_assess = [i for i in ended if not i.feedback]
    assert len(to_assess) == 1 and (today - to_assess[0].end_date).days <= 14
    assessing = (db.session.get(User, to_assess[0].agent_id).email, to_assess[0].id)

    email, immersion_id = confirmed
    assert email in printed
    login(client, email, PASSWORD)
    assert f"/agent/immersions/{immersion_id}" in client.get("/agent/").get_data(as_text=True)
    assert client.get(f"/agent/immersions/{immersion_id}").status_code == 200
    assert client.get(f"/agent/immersions/{immersion_id}/immersion.ics").status_code == 200

    email, proposal_id = agent_to_answer
    assert email in printed
    login(client, email, PASSWORD)
    assert f"/agent/propositions/{proposal_id}" in client.get("/agent/").get_data(as_text=True)
    page = client.get(f"/agent/propositions/{proposal_id}").get_data(as_text=True)
    assert f"/agent/propositions/{proposal_id}/reponse" in page

    email, proposal_id = host_to_answer
    login(client, email, PASSWORD)
    assert f"/rh/propositions/{proposal_id}" in client.get("/rh/propositions").get_data(as_text=True)

    email, immersion_id = assessing
    assert email in printed
    login(client, email, PASSWORD)
    form = client.get(f"/agent/immersions/{immersion_id}/bilan")
    assert form.status_code == 200 and 'name="satisfaction"' in form.get_data(as_text=True)


def test_the_immersion_to_assess_starts_on_a_working_day_even_after_a_public_holiday(ctx):
    """Loaded on Tuesday 6 April 2027, last week's Monday was Easter Monday (29 March): the immersion that
    ended last week starts the day after."""
    from datetime import date

    from mobilite.models import Immersion, ImmersionStatus
    from mobilite.workdays import is_working_day

    today = date(2027, 4, 6)
    demo.load_demo(PASSWORD, today=today)
    ended = db.session.scalars(
        select(Immersion).where(Immersion.status == ImmersionStatus.DONE, Immersion.end_date < today)
    ).all()
    (to_assess,) = [i for i in ended if not i.feedback]
    assert to_assess.start_date == date(2027, 3, 30) and is_working_day(to_assess.start_date)
