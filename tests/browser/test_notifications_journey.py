"""An HR officer acts on a notification in a real browser: the header shows the unread count, the inbox
lists what happened, the notification leads to the proposal, the answer is given there, and the count goes
down."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, select

from mobilite import notifications
from mobilite.extensions import db
from mobilite.models import InboxItem, Offer, Organisation, ProposalStatus, RequestStatus, User
from mobilite.services import demo
from tests.factories import OfferSessionFactory, ProposalFactory, RequestFactory, RoundFactory, UserFactory
from tests.fixtures import fresh, sign_in

PASSWORD = "demo password for tests"
LYON_HR = "rh.ville-de-lyon@demo.mobilite.fr"

pytestmark = pytest.mark.browser


@pytest.fixture
def two_proposals(app):
    """Two proposals of this week's round made to Ville de Lyon's offers, each one told to its HR officer."""
    with app.test_request_context():
        demo.load_demo(PASSWORD)
    officer = db.session.scalar(select(User).where(User.email == LYON_HR))
    db.session.execute(delete(InboxItem).where(InboxItem.user_id == officer.id))
    lyon = officer.organisation
    offer = db.session.scalars(select(Offer).where(Offer.organisation_id == lyon.id).order_by(Offer.id)).first()
    elsewhere = db.session.scalars(
        select(Organisation).where(Organisation.network_id == lyon.network_id, Organisation.id != lyon.id)
    ).first()
    round_ = RoundFactory(network=lyon.network, week_start=date.today() + timedelta(days=700))
    proposals = []
    for first_name in ("Anaïs", "Bruno"):
        agent = UserFactory(organisation=elsewhere, first_name=first_name, last_name="Visiteur")
        start = date.today() + timedelta(days=21)
        session = OfferSessionFactory(offer=offer, start_date=start, end_date=start + timedelta(days=2))
        request = RequestFactory(agent=agent, status=RequestStatus.MATCHED)
        proposals.append(
            ProposalFactory(session=session, request=request, round=round_, respond_by=date.today() + timedelta(7))
        )
    with app.app_context():
        for proposal in proposals:
            notifications.proposal_published(proposal, [(db.session.get(User, officer.id), "host")])
        db.session.commit()
    return proposals


def _inbox_link(page):
    return page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Notifications")


def test_an_hr_officer_follows_a_notification_answers_and_the_count_goes_down(two_proposals, page):
    first, _second = two_proposals
    sign_in(page, LYON_HR, PASSWORD)

    # The header: two unread notifications, on every page.
    link = _inbox_link(page)
    assert link.inner_text().split() == ["Notifications", "2", "non", "lues"]

    # The inbox: both proposals, each with its deadline.
    link.click()
    page.get_by_role("heading", name="Notifications").wait_for()
    notes = page.get_by_role("list", name="Mes notifications").get_by_role("listitem")
    expect(notes).to_have_count(2)
    assert "À faire au plus tard le" in notes.first.inner_text()

    # Follow the first one (the oldest is last): it leads to that very proposal.
    page.get_by_role("link", name=f"Une personne est proposée pour « {first.session.offer.title} »").last.click()
    page.wait_for_url(f"**/rh/propositions/{first.id}")
    assert first.request.agent.full_name in page.locator("main").inner_text()
    page.get_by_role("button", name="Accepter la proposition").click()
    page.get_by_text("Vous avez répondu à cette proposition.").wait_for()
    page.wait_for_load_state("networkidle")
    assert fresh(first).host_answer == "accepted" and fresh(first).status == ProposalStatus.PUBLISHED

    # One left to read.
    assert _inbox_link(page).inner_text().split() == ["Notifications", "1", "non", "lue"]
    _inbox_link(page).click()
    page.get_by_role("button", name="Tout marquer comme lu").click()
    page.get_by_text("1 notification marquée comme lue.").wait_for()
    assert _inbox_link(page).inner_text().strip() == "Notifications"
    # Nothing left in flight when the test's transaction ends (a late request would hold its connection).
    page.wait_for_load_state("networkidle")
