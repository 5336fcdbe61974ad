"""After a published round, an approved agent without a proposal reads why, and what would open options: on
the request page, on the home page and by e-mail, in French and in English; nothing before publication, and
nothing of another agent's."""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from html import unescape

from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import (
    AvailabilityWindow,
    Notification,
    OfferStatus,
    RequestStatus,
    Round,
    RoundStatus,
    UnmatchedOutlook,
    Wish,
)
from mobilite.services import outlook, rounds
from tests.factories import (
    CoordinatorFactory,
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    RequestFactory,
    UserFactory,
)
from tests.fixtures import csrf_token, fresh, login

LYON = (45.764, 4.836)
KM_PER_DEGREE = math.pi * 6371.0 / 180.0
TITLE = "Instruction des permis de construire"


def _north(km: float) -> dict:
    return {"latitude": LYON[0] + km / KM_PER_DEGREE, "longitude": LYON[1]}


def _monday_in(days: int) -> date:
    day = date.today() + timedelta(days=days)
    return day + timedelta(days=(7 - day.weekday()) % 7)


class World:
    """Agents of Lyon with a 50 km limit; the host's only session is 69.7 km north (so 70 km opens it)."""

    def __init__(self, capacity: int = 1, agents: int = 1, locale: str = "fr"):
        self.coordinator = CoordinatorFactory()
        network_id = self.coordinator.network_id
        from mobilite.models import Network as NetworkModel

        network = db.session.get(NetworkModel, network_id)
        home = OrganisationFactory(network=network, **_north(0))
        self.host = OrganisationFactory(network=network, name="Métropole du Nord", **_north(69.7))
        near = OrganisationFactory(network=network, name="Commune voisine", **_north(5))
        start = _monday_in(14)
        self.offer = OfferFactory(organisation=self.host, status=OfferStatus.PUBLISHED, title=TITLE)
        OfferSessionFactory(offer=self.offer, start_date=start, end_date=start + timedelta(days=2), capacity=capacity)
        self.near_session = OfferSessionFactory(
            offer=OfferFactory(organisation=near, status=OfferStatus.PUBLISHED),
            start_date=start,
            end_date=start + timedelta(days=2),
            capacity=capacity,
        )
        self.requests = []
        for n in range(agents):
            agent = UserFactory(organisation=home, first_name=f"Inès{n}", locale=locale)
            item = RequestFactory(agent=agent, status=RequestStatus.APPROVED, max_distance_km=50, rounds_waited=n)
            item.windows[0].start_date, item.windows[0].end_date = start - timedelta(days=3), start + timedelta(days=11)
            item.wishes.append(Wish(offer=self.offer, rank=1))
            self.requests.append(item)
        db.session.commit()


def _post(client, path, page):
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token})


def _run_round(client, app, world) -> int:
    login(client, world.coordinator.email)
    response = _post(client, "/coordination/tours", "/coordination/")
    round_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        assert rounds.run_due_rounds() == [round_id]
    return round_id


def _publish(client, world, round_id):
    """Publish as a coordinator does: approve the proposals (only approved ones are sent), read the summary of
    what will be sent, confirm."""
    login(client, world.coordinator.email)
    page = f"/coordination/tours/{round_id}"
    review = client.get(page).get_data(as_text=True)
    every = re.search(r'name="token" value="([^"]+)"', review)  # the bulk form: shown when there are proposals
    if every:
        approve = {"decision": "approve", "target": "filter", "token": every.group(1)}
        client.post(f"{page}/decisions", data={"csrf_token": csrf_token(review), **approve})
    summary = client.get(f"{page}/publier").get_data(as_text=True)
    confirmed = re.search(r'name="token" value="([^"]+)"', summary).group(1)
    assert (
        client.post(f"{page}/publier", data={"csrf_token": csrf_token(summary), "token": confirmed}).status_code == 302
    )
    assert fresh(db.session.get(Round, round_id)).status == RoundStatus.PUBLISHED
    with client.application.test_request_context():
        outlook.notify_pending()  # the scheduler's part: the unmatched agents' e-mails


def _page(client, user, path) -> str:
    """The page as `user` reads it, in a browser of their own (the language follows their account)."""
    client = client.application.test_client()
    login(client, user.email)
    response = client.get(path)
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


WIDEN = "En portant votre distance maximale à 70 km, 1 offre devient possible."


def test_the_distance_that_opens_the_only_session_is_shown_after_publication_and_mailed(app, client):
    world = World()
    # The near session is taken away: the agent's only session is the one 69.7 km north.
    world.near_session.offer.status = OfferStatus.CLOSED
    db.session.commit()
    item = world.requests[0]
    round_id = _run_round(client, app, world)

    row = db.session.scalar(select(UnmatchedOutlook).where(UnmatchedOutlook.request_id == item.id))
    assert row.round_id == round_id and row.reason == "no_eligible_session"
    assert "outlook" not in fresh(db.session.get(Round, round_id)).unmatched["requests"][0]  # kept per request
    before = _page(client, item.agent, f"/agent/demandes/{item.id}")
    assert WIDEN not in before and "Pas de proposition à ce tour" not in before  # not before publication

    _publish(client, world, round_id)
    page = _page(client, item.agent, f"/agent/demandes/{item.id}")
    assert "La session ouverte à ce tour ne respecte pas toutes vos conditions\u00a0:" in page
    assert "1 est au-delà de votre distance maximale (50 km)" in page
    assert (
        f"Vœu n°1, «\u202f{TITLE}\u202f», Métropole du Nord\u00a0: à 70 km de votre lieu de travail\u202f; "
        "votre limite est de 50 km." in page
    )
    assert WIDEN in page
    assert "retirez-la puis faites une nouvelle demande" in page
    home = _page(client, item.agent, "/agent/")
    assert WIDEN in home and "Aucune proposition pour l'instant" not in home

    [mail] = db.session.scalars(select(Notification).where(Notification.kind == "round.unmatched")).all()
    assert mail.recipient_id == item.agent_id
    assert WIDEN in mail.body and WIDEN in unescape(mail.html_body)
    assert f"/agent/demandes/{item.id}" in mail.body


def test_in_english_the_page_and_the_mail_say_the_same(app, client):
    world = World(locale="en")
    world.near_session.offer.status = OfferStatus.CLOSED
    db.session.commit()
    item = world.requests[0]
    _publish(client, world, _run_round(client, app, world))
    widen = "Setting your maximum distance to 70 km would make 1 offer possible."
    page = _page(client, item.agent, f"/agent/demandes/{item.id}")
    assert widen in page and "1 is beyond your maximum distance (50 km)" in page
    mail = db.session.scalar(select(Notification).where(Notification.kind == "round.unmatched"))
    assert widen in mail.body and "portant" not in mail.body


def test_an_agent_outranked_on_the_only_seat_is_told_and_nothing_leaks_to_the_other(app, client):
    world = World(capacity=1, agents=2)
    world.near_session.offer.status = OfferStatus.CLOSED
    for item in world.requests:
        item.max_distance_km = 100  # both reach the one seat 69.7 km away
    db.session.commit()
    round_id = _run_round(client, app, world)
    _publish(client, world, round_id)
    placed = {r.id for r in world.requests if fresh(r).status == RequestStatus.MATCHED}
    [loser] = [r for r in world.requests if r.id not in placed]
    [winner] = [r for r in world.requests if r.id in placed]
    page = _page(client, loser.agent, f"/agent/demandes/{loser.id}")
    assert "La session qui vous correspondait n'avait plus de place pour vous\u00a0:" in page
    assert "1 a été attribuée à un agent mieux classé" in page
    assert "Votre vœu a été pourvu par des agents mieux classés sur cette offre." in page
    assert "Votre demande reste en lice" in page
    # The placed agent reads their proposal, not someone else's outlook; the loser's page is theirs alone.
    assert "Pas de proposition à ce tour" not in _page(client, winner.agent, "/agent/")
    login(client, winner.agent.email)
    assert client.get(f"/agent/demandes/{loser.id}").status_code == 404
    recipients = db.session.scalars(select(Notification.recipient_id).where(Notification.kind == "round.unmatched"))
    assert list(recipients) == [loser.agent_id]


def test_a_rerun_replaces_the_outlooks_and_a_later_round_without_the_request_hides_them(app, client):
    world = World()
    world.near_session.offer.status = OfferStatus.CLOSED
    db.session.commit()
    item = world.requests[0]
    round_id = _run_round(client, app, world)
    login(client, world.coordinator.email)
    _post(client, f"/coordination/tours/{round_id}/relancer", f"/coordination/tours/{round_id}")
    with app.app_context():
        assert rounds.run_due_rounds() == [round_id]
    count = select(func.count()).select_from(UnmatchedOutlook).where(UnmatchedOutlook.round_id == round_id)
    assert db.session.scalar(count) == 1
    _publish(client, world, round_id)
    assert WIDEN in _page(client, item.agent, f"/agent/demandes/{item.id}")

    # A week later the next round is published without this request (the agent's window changed): the
    # outlook of the earlier round is no longer the latest word, so none is shown.
    later = Round(
        network_id=world.coordinator.network_id,
        week_start=rounds.week_of(date.today()) + timedelta(days=7),
        status=RoundStatus.PUBLISHED,
        published_at=fresh(db.session.get(Round, round_id)).published_at + timedelta(days=7),
    )
    db.session.add(later)
    db.session.commit()
    page = _page(client, item.agent, f"/agent/demandes/{item.id}")
    assert WIDEN not in page and "Pas de proposition à ce tour" not in page


def test_a_withdrawn_request_no_longer_shows_its_outlook(app, client):
    world = World()
    world.near_session.offer.status = OfferStatus.CLOSED
    db.session.commit()
    item = world.requests[0]
    _publish(client, world, _run_round(client, app, world))
    item = fresh(item)
    item.status = RequestStatus.WITHDRAWN
    db.session.commit()
    assert WIDEN not in _page(client, item.agent, f"/agent/demandes/{item.id}")


def test_sessions_the_week_after_the_availability_are_suggested(app, client):
    world = World()
    item = world.requests[0]
    start = world.near_session.start_date
    # The availability ends the Friday before the near session (5 km away): a week more would hold it.
    item.windows[0].start_date, item.windows[0].end_date = start - timedelta(days=10), start - timedelta(days=3)
    db.session.add(
        AvailabilityWindow(
            request_id=item.id, start_date=start + timedelta(days=60), end_date=start + timedelta(days=70)
        )
    )
    db.session.commit()
    _publish(client, world, _run_round(client, app, world))
    page = _page(client, item.agent, f"/agent/demandes/{item.id}")
    assert "tombe hors de vos disponibilités" in page or "tombent hors de vos disponibilités" in page
    from flask_babel import force_locale

    from mobilite.i18n import format_date

    with app.test_request_context(), force_locale("fr"):
        written = format_date(start, "full")
    assert (
        f"En prolongeant vos disponibilités de 7 jours, 1 session devient possible\u202f; elle commence le {written}."
        in page
    )


def test_more_priority_is_promised_only_where_the_network_weighs_waiting(app, client):
    from mobilite.models import Network as NetworkModel

    world = World()
    world.near_session.offer.status = OfferStatus.CLOSED
    network = db.session.get(NetworkModel, world.coordinator.network_id)
    network.weights = {**(network.weights or {}), "waiting": 0}
    db.session.commit()
    item = world.requests[0]
    _publish(client, world, _run_round(client, app, world))
    page = _page(client, item.agent, f"/agent/demandes/{item.id}")
    assert "Votre demande reste en lice\u00a0: elle participera au prochain tour d'appariement." in page
    assert "priorité accrue" not in page
