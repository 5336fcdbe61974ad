"""The inbox in the app: every message with its link, the unread count in the header (one cheap query),
marking read; preferences per category (legal deadlines stay on e-mail); the one-click unsubscribe; a
tutor's page; failing addresses shown to the person and their HR officers."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import event, func, select

from mobilite import notifications
from mobilite.extensions import db
from mobilite.models import (
    Channel,
    EmailOptOut,
    InboxDelivery,
    InboxItem,
    Notification,
    NotificationPreference,
    RequestStatus,
    Role,
    User,
)
from mobilite.notifications import links
from mobilite.services import inbox, retention
from tests.factories import (
    ImmersionFactory,
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    ProposalFactory,
    RequestFactory,
    UserFactory,
)
from tests.fixtures import csrf_token, fresh, login


@pytest.fixture
def people(app):
    home = OrganisationFactory()
    host = OrganisationFactory(network=home.network)
    return {
        "agent": UserFactory(organisation=home, first_name="Inès"),
        "home_hr": UserFactory(organisation=home, first_name="Hugo", roles=[Role.RH]),
        "host_hr": UserFactory(organisation=host, first_name="Léon", roles=[Role.RH]),
        "other_hr": UserFactory(roles=[Role.RH]),  # another network's
    }


_APP = []


def job(send) -> None:
    """Send as the scheduler or a service would, in an app context of its own (not the test client's)."""
    with _APP[0].app_context():
        send()
        db.session.commit()


@pytest.fixture(autouse=True)
def _the_app(app):
    _APP[:] = [app]


def _decided(agent: User, status=RequestStatus.APPROVED):
    request = RequestFactory(agent=agent, status=status)
    job(lambda: notifications.request_decided(request))
    return request


def _items(user: User) -> list[InboxItem]:
    return list(db.session.scalars(select(InboxItem).where(InboxItem.user_id == user.id).order_by(InboxItem.id)))


def _unread_badge(html: str) -> str | None:
    match = re.search(r'class="unread-count">([^<]+)<', html)
    return match.group(1) if match else None


# --- the inbox and the header's count -------------------------------------------------------------------


def test_every_message_is_in_the_inbox_with_the_e_mails_words_and_link(app, client, people):
    request = _decided(people["agent"])
    (item,) = _items(people["agent"])
    email = db.session.scalar(select(Notification).where(Notification.recipient_id == people["agent"].id))
    assert item.email is not None and item.email.id == email.id and item.delivery == InboxDelivery.EMAIL
    assert item.subject == email.subject and item.summary in email.body and item.link in email.body
    assert urlsplit(item.link).path == f"/agent/demandes/{request.id}"

    login(client, people["agent"].email)
    page = client.get("/notifications").get_data(as_text=True)
    assert email.subject.replace("'", "&#39;") in page and _unread_badge(page) == "1"


def test_the_header_counts_unread_in_one_query_and_following_a_notification_reads_it(app, client, people):
    agent = people["agent"]
    for _n in range(3):
        _decided(agent)
    first = _items(agent)[0]
    login(client, agent.email)

    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        html = client.get("/agent/offres").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert _unread_badge(html) == "3"
    counting = [s for s in statements if "inbox_items" in s]
    assert len(counting) == 1 and "FROM users" in counting[0]  # the header's count, read with the user

    opened = client.get(f"/notifications/{first.id}")
    assert opened.status_code == 302 and opened.headers["Location"] == urlsplit(first.link).path
    assert fresh(first).read_at is not None
    assert _unread_badge(client.get("/notifications").get_data(as_text=True)) == "2"


def test_the_count_is_capped_so_the_header_never_counts_far(app, people):
    agent = people["agent"]
    db.session.add_all(
        InboxItem(user_id=agent.id, kind="request.approved", subject="S", summary="", link="http://localhost/")
        for _n in range(inbox.UNREAD_CAP + 20)
    )
    db.session.commit()
    assert inbox.unread_count(agent.id) == inbox.UNREAD_CAP + 1  # shown as "99+"


def test_mark_one_and_mark_all_read(app, client, people):
    agent = people["agent"]
    for _n in range(3):
        _decided(agent)
    first, *others = _items(agent)
    login(client, agent.email)
    page = client.get("/notifications").get_data(as_text=True)
    client.post(f"/notifications/{first.id}/lue", data={"csrf_token": csrf_token(page)})
    assert fresh(first).read_at is not None and all(fresh(i).read_at is None for i in others)
    done = client.post("/notifications/tout-lu", data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "2 notifications marquées comme lues." in done.get_data(as_text=True)
    assert inbox.unread_count(agent.id) == 0 and _unread_badge(done.get_data(as_text=True)) is None


def test_someone_elses_notification_answers_404(app, client, people):
    _decided(people["agent"])
    (item,) = _items(people["agent"])
    login(client, people["home_hr"].email)
    page = client.get("/notifications").get_data(as_text=True)
    assert client.get(f"/notifications/{item.id}").status_code == 404
    assert client.post(f"/notifications/{item.id}/lue", data={"csrf_token": csrf_token(page)}).status_code == 404
    assert fresh(item).read_at is None


# --- preferences -------------------------------------------------------------------------------------------


def _preferences(client, user: User, **choices):
    login(client, user.email)
    page = client.get("/notifications/preferences").get_data(as_text=True)
    return client.post("/notifications/preferences", data={"csrf_token": csrf_token(page), **choices})


def test_preferences_decide_how_each_category_is_delivered(app, client, people):
    agent = people["agent"]
    response = _preferences(client, agent, agent_requests="app", agent_proposals="digest")
    assert response.status_code == 302
    _decided(agent)
    (item,) = _items(agent)
    assert item.delivery == InboxDelivery.APP and item.email is None
    assert db.session.scalar(select(func.count(Notification.id))) == 0

    session = OfferSessionFactory(offer=OfferFactory(organisation=people["host_hr"].organisation))
    proposal = ProposalFactory(session=session, request=RequestFactory(agent=agent, status=RequestStatus.MATCHED))
    job(lambda: notifications.proposal_published(proposal, [(agent, "agent")]))
    assert _items(agent)[-1].delivery == InboxDelivery.WAITING
    assert _items(agent)[-1].digest_key == f"round:{proposal.round_id}"
    # Urgent: a proposal expiring tomorrow goes at once, digest or not.
    job(lambda: notifications.proposal_expiring(proposal, [(agent, "agent")]))
    assert _items(agent)[-1].delivery == InboxDelivery.EMAIL


def test_a_legal_deadline_cannot_be_switched_off_e_mail(app, client, people):
    officer = people["home_hr"]
    response = _preferences(client, officer, hr_requests="app", hr_offers="app")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ces messages portent un délai légal\u00a0: ils vous sont toujours envoyés par e-mail." in html
    assert 'id="hr_requests-error"' in html or "hr_requests" in html
    assert db.session.scalar(select(func.count(NotificationPreference.id))) == 0  # nothing half-saved
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert 'id="hr_requests-app"' not in page and 'id="hr_offers-app"' in page

    # Even a choice stored behind the form's back: the request still reaches the mailbox.
    db.session.add(NotificationPreference(user_id=officer.id, category="hr_requests", channel=Channel.APP))
    db.session.commit()
    request = RequestFactory(agent=people["agent"])
    job(lambda: notifications.request_submitted(request, [officer]))
    assert _items(officer)[-1].delivery in (InboxDelivery.EMAIL, InboxDelivery.WAITING)


def test_an_unknown_channel_is_refused_by_name(app, client, people):
    response = _preferences(client, people["agent"], agent_requests="pigeon")
    assert response.status_code == 400
    assert "Choisissez l&#39;une des options proposées." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(NotificationPreference.id))) == 0


# --- one-click unsubscribe (RFC 8058) ------------------------------------------------------------------------


def test_one_click_unsubscribe_from_a_mail_client_needs_no_sign_in_nor_csrf(app, people):
    agent = people["agent"]
    _decided(agent)
    email = db.session.scalar(select(Notification))
    assert email.unsubscribe_url.startswith("http://localhost/desabonnement/")
    path = urlsplit(email.unsubscribe_url).path
    client = app.test_client()

    shown = client.get(path)
    assert shown.status_code == 200 and "«\u202fMes demandes d'immersion\u202f»" in shown.get_data(as_text=True)
    assert db.session.scalar(select(NotificationPreference)) is None  # a GET (a link scanner) changes nothing

    done = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    choice = db.session.scalar(select(NotificationPreference))
    assert (choice.user_id, choice.category, choice.channel) == (agent.id, "agent_requests", Channel.APP)
    _decided(agent)
    assert _items(agent)[-1].delivery == InboxDelivery.APP  # still in the app, no e-mail
    assert client.post(path).status_code == 200  # twice is harmless


def test_unsubscribe_links_are_signed_and_never_for_legal_deadlines(app, people):
    client = app.test_client()
    with app.app_context():
        token = links.unsubscribe_token("agent_requests", user_id=people["agent"].id)
        legal = links.unsubscribe_token("hr_requests", user_id=people["home_hr"].id)
    assert client.get(f"/desabonnement/{token[:-2]}xx").status_code == 404
    assert client.post(f"/desabonnement/{token[:-2]}xx").status_code == 404
    assert client.post(f"/desabonnement/{legal}").status_code == 404
    request = RequestFactory(agent=people["agent"])
    job(lambda: notifications.request_submitted(request, [people["home_hr"]]))
    assert all(n.unsubscribe_url == "" for n in db.session.scalars(select(Notification)))


# --- tutors ---------------------------------------------------------------------------------------------------


def _tutored_immersion(people, tutor_email="camille.roux@example.fr"):
    offer = OfferFactory(
        organisation=people["host_hr"].organisation, tutor_name="Camille Roux", tutor_email=tutor_email
    )
    session = OfferSessionFactory(offer=offer, start_date=date.today() + timedelta(days=3))
    request = RequestFactory(agent=people["agent"], status=RequestStatus.MATCHED)
    return ImmersionFactory(proposal=ProposalFactory(session=session, request=request))


def test_the_tutor_gets_the_arrival_by_e_mail_and_a_page_without_an_account(app, people):
    immersion = _tutored_immersion(people)
    job(lambda: notifications.immersion_reminder(immersion, people["agent"], [people["host_hr"]]))
    note = db.session.scalar(select(Notification).where(Notification.kind == "tutor.arrival"))
    assert note.recipient_id is None and note.to_email == "camille.roux@example.fr"
    assert note.body.startswith("Bonjour Camille Roux,") and note.unsubscribe_url
    assert db.session.scalar(select(func.count(InboxItem.id)).where(InboxItem.kind.like("tutor.%"))) == 0

    client = app.test_client()
    link = next(line for line in note.body.splitlines() if line.startswith("http://localhost/tuteur/"))
    page = client.get(urlsplit(link).path)
    assert page.status_code == 200 and people["agent"].full_name in page.get_data(as_text=True)
    assert people["host_hr"].email in page.get_data(as_text=True)
    calendar = client.get(urlsplit(link).path + "/immersion.ics")
    assert calendar.status_code == 200 and calendar.mimetype == "text/calendar"

    # Another tutor named on the offer: the old link no longer opens the page. A forged one never did.
    fresh(immersion.session.offer).tutor_email = "nouveau.tuteur@example.fr"
    db.session.commit()
    assert client.get(urlsplit(link).path).status_code == 404
    with app.app_context():
        forged = links.tutor_token(immersion.id, "nouveau.tuteur@example.fr")[:-3] + "abc"
    assert client.get(f"/tuteur/{forged}").status_code == 404


def test_a_tutor_who_unsubscribed_gets_nothing_more(app, people):
    immersion = _tutored_immersion(people)
    job(lambda: notifications.immersion_reminder(immersion, people["agent"], []))
    note = db.session.scalar(select(Notification).where(Notification.kind == "tutor.arrival"))
    assert app.test_client().post(urlsplit(note.unsubscribe_url).path).status_code == 200
    assert db.session.scalar(select(EmailOptOut)).email == "camille.roux@example.fr"
    job(lambda: notifications.proposal_confirmed(immersion.proposal, immersion, []))
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.kind.like("tutor.%"))) == 1


def test_a_tutor_who_is_also_the_host_hr_officer_is_told_once(app, people):
    immersion = _tutored_immersion(people, tutor_email=people["host_hr"].email)
    job(lambda: notifications.immersion_reminder(immersion, people["agent"], [people["host_hr"]]))
    # The HR officer's reminder waits for their morning digest; no tutor's e-mail besides.
    assert sorted(db.session.scalars(select(Notification.kind))) == ["immersion.reminder.agent"]
    assert [i.kind for i in _items(people["host_hr"])] == ["immersion.reminder.host"]


# --- failing addresses -----------------------------------------------------------------------------------------


def _bounced(user: User) -> None:
    user = db.session.get(User, user.id)  # as the database has it: requests in between replaced the session
    user.bounced_email, user.bounced_at, user.bounce_reason = user.email, datetime.now(UTC), "550 5.1.1 unknown"
    db.session.commit()


def test_a_failing_address_is_shown_to_the_person_and_their_hr_who_may_say_it_works_again(app, client, people):
    agent = people["agent"]
    _bounced(agent)
    login(client, agent.email)
    assert "ne sont pas remis" in client.get("/notifications").get_data(as_text=True)

    login(client, people["home_hr"].email)
    home = client.get("/rh/").get_data(as_text=True)
    assert "ne parviennent pas à 1 personne" in home and agent.full_name in home
    account = client.get(f"/rh/comptes/{agent.id}").get_data(as_text=True)
    assert "Adresse en échec depuis le" in account
    client.post(f"/notifications/adresse/{agent.id}", data={"csrf_token": csrf_token(account)})
    assert not fresh(agent).email_failing

    # Another organisation's HR officer may not.
    _bounced(agent)
    login(client, people["other_hr"].email)
    page = client.get("/notifications").get_data(as_text=True)
    response = client.post(f"/notifications/adresse/{agent.id}", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 404 and fresh(agent).email_failing


# --- retention ----------------------------------------------------------------------------------------------


def test_old_notifications_are_purged_but_not_those_waiting_for_a_digest(app, people):
    agent = people["agent"]
    long_ago = datetime.now(UTC) - timedelta(days=400)
    common = {"user_id": agent.id, "kind": "request.approved", "subject": "S", "summary": "", "link": "http://x/"}
    db.session.add_all(
        [
            InboxItem(**common, created_at=long_ago, read_at=long_ago, delivery=InboxDelivery.EMAIL),
            InboxItem(**common, created_at=long_ago, delivery=InboxDelivery.WAITING, digest_key="day"),
            InboxItem(**common, delivery=InboxDelivery.EMAIL),
        ]
    )
    db.session.commit()
    with app.app_context():
        assert retention.purge()["inbox_items"] == 1
    assert len(_items(agent)) == 2
