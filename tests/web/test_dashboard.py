"""The coordinator's dashboard: chart, the same figures in tables, and CSV."""

from datetime import date, timedelta

from mobilite.extensions import db
from mobilite.models import (
    Feedback,
    FeedbackSide,
    Immersion,
    ImmersionStatus,
    Outcome,
    Proposal,
    ProposalStatus,
    Round,
    RoundStatus,
)
from tests.factories import CoordinatorFactory, OfferSessionFactory, OrganisationFactory, RequestFactory, UserFactory
from tests.fixtures import login


def _immersion(network, home, host, start, days, satisfaction=None):
    session = OfferSessionFactory(
        offer__organisation=host, start_date=start, end_date=start + timedelta(days=days), working_days=days
    )
    request = RequestFactory(agent=UserFactory(organisation=home))
    round_ = db.session.query(Round).filter_by(network_id=network.id).first() or Round(
        network_id=network.id,
        week_start=start - timedelta(days=start.weekday() + 14),
        status=RoundStatus.PUBLISHED,
        metrics={"placed": 3, "requests": 4},
    )
    proposal = Proposal(round=round_, request_id=request.id, session_id=session.id, status=ProposalStatus.CONFIRMED)
    immersion = Immersion(
        proposal=proposal,
        agent_id=request.agent_id,
        home_organisation_id=home.id,
        host_organisation_id=host.id,
        session_id=session.id,
        start_date=start,
        end_date=start + timedelta(days=days),
        working_days=days,
        status=ImmersionStatus.DONE,
    )
    if satisfaction:
        immersion.feedback.append(Feedback(side=FeedbackSide.AGENT, outcome=Outcome.DONE, satisfaction=satisfaction))
    db.session.add(immersion)
    db.session.commit()


def test_dashboard_shows_exchanges_in_a_chart_and_a_table(client):
    coordinator = CoordinatorFactory()
    network = coordinator.coordinated_network
    lyon = OrganisationFactory(network=network, name="Ville de Lyon")
    nantes = OrganisationFactory(network=network, name="Nantes Métropole")
    outsider = OrganisationFactory(name="Hors réseau")
    start = date(2026, 3, 2)
    _immersion(network, lyon, nantes, start, 3, satisfaction=5)
    _immersion(network, lyon, nantes, start + timedelta(days=35), 2, satisfaction=3)
    _immersion(network, nantes, lyon, start, 4)
    login(client, coordinator.email)

    html = client.get("/coordination/tableau-de-bord").get_data(as_text=True)
    assert 'src="/coordination/tableau-de-bord/echanges.svg"' in html
    assert "Nantes Métropole (2)" in html  # Lyon sent two agents to Nantes
    assert "Hors réseau" not in html and outsider.id

    svg = client.get("/coordination/tableau-de-bord/echanges.svg")
    assert svg.mimetype == "image/svg+xml" and "<svg" in svg.get_data(as_text=True)
    assert "Ville de Lyon" in svg.get_data(as_text=True)
    assert client.get("/coordination/tableau-de-bord/evolution.svg").status_code == 200

    csv = client.get("/coordination/tableau-de-bord/export.csv").get_data().decode("utf-8-sig")
    assert "echange;Ville de Lyon;Nantes Métropole;2" in csv
    assert "mois;2026-03;;7;;5" in csv  # 3 + 4 days started in March; the March feedback gave 5
    assert "mois;2026-04;;2;;3" in csv
    assert "tour;2026-02-16;;3;4;75" in csv


def test_dashboard_is_for_coordinators_only(client):
    hr = UserFactory(roles=["rh"])
    login(client, hr.email)
    assert client.get("/coordination/tableau-de-bord").status_code == 404
