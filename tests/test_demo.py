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
