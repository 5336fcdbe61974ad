"""The offer's tutor gives the host's feedback from the one-time link of their e-mails, without an account;
HR of the host read it; the host's side answers once; an expired link is refused."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import (
    AuditEvent,
    Feedback,
    FeedbackSide,
    ImmersionStatus,
    InboxItem,
    Notification,
    Organisation,
    Role,
)
from mobilite.notifications import links
from mobilite.services import tutors
from mobilite.services.errors import ServiceError
from mobilite.services.feedback import give_feedback, request_feedback
from tests.factories import ImmersionFactory, UserFactory
from tests.fixtures import csrf_token, fresh, login

TODAY = date.today()
END = TODAY - timedelta(days=1)
DONE = {"outcome": "done", "satisfaction": "4", "would_recommend": "1", "learned": "Un accueil réussi."}


def _ended(**values):
    immersion = ImmersionFactory(
        proposal__session__start_date=END - timedelta(days=2),
        proposal__session__end_date=END,
        proposal__session__working_days=3,
        proposal__session__offer__tutor_name="Marion Leroy",
        proposal__session__offer__tutor_email="marion.leroy@example.fr",
        **values,
    )
    host_hr = UserFactory(organisation=db.session.get(Organisation, immersion.host_organisation_id), roles=[Role.RH])
    return immersion, host_hr


def _tutor_path(app, immersion) -> str:
    with app.app_context():
        return f"/tuteur/{links.tutor_token(immersion.id, 'marion.leroy@example.fr')}"


def test_the_tutor_gives_the_host_feedback_once_from_the_link_and_hr_reads_it(app, client):
    immersion, host_hr = _ended(status=ImmersionStatus.DONE)
    path = _tutor_path(app, immersion)
    page = client.get(path)
    assert page.status_code == 200 and "Envoyer le bilan" in page.get_data(as_text=True)
    token = csrf_token(page.get_data(as_text=True))

    missing = client.post(path, data={"csrf_token": token, "outcome": "done"})
    body = missing.get_data(as_text=True)
    assert missing.status_code == 400 and 'id="satisfaction-error"' in body and 'id="would_recommend-error"' in body
    assert db.session.scalar(select(Feedback)) is None

    given = client.post(path, data={"csrf_token": token, **DONE, "appraisal": "Curieuse et rigoureuse."})
    assert given.status_code == 302
    feedback = db.session.scalar(select(Feedback).where(Feedback.immersion_id == immersion.id))
    assert feedback.side == FeedbackSide.HOST and feedback.author_id is None
    assert feedback.tutor_name == "Marion Leroy" and feedback.appraisal == "Curieuse et rigoureuse."
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "feedback.give"))
    assert event.actor_id is None and event.details["by"] == "tutor"
    told = db.session.scalar(select(InboxItem).where(InboxItem.user_id == host_hr.id))
    assert told.kind == "feedback.tutor.host"
    assert "Vous avez donné le bilan" in client.get(path).get_data(as_text=True)

    # Once per side: the tutor again, then HR, are refused.
    again = client.post(path, data={"csrf_token": token, **DONE})
    assert again.status_code == 400 and "déjà été donné" in again.get_data(as_text=True)
    login(client, host_hr.email)
    shown = client.get(f"/rh/immersions/{immersion.id}/bilan").get_data(as_text=True)
    assert "Marion Leroy, tuteur ou tutrice" in shown and "Curieuse et rigoureuse." in shown
    assert 'name="outcome"' not in shown
    assert db.session.scalar(select(Feedback.id).where(Feedback.immersion_id == immersion.id).offset(1)) is None


def test_hr_first_then_the_tutor_page_says_it_is_given_and_refuses_another(app, client):
    immersion, host_hr = _ended(status=ImmersionStatus.DONE)
    with app.test_request_context():
        give_feedback(
            host_hr, immersion, FeedbackSide.HOST, {"outcome": "done", "satisfaction": 5, "would_recommend": 1}
        )
    path = _tutor_path(app, immersion)
    page = client.get(path).get_data(as_text=True)
    assert "donné par votre service RH" in page and 'name="outcome"' not in page
    with app.test_request_context(), pytest.raises(ServiceError) as refused:
        tutors.give_host_feedback(fresh(immersion), {**DONE, "satisfaction": 4, "would_recommend": True})
    assert "déjà été donné" in str(refused.value.errors)


def test_before_the_last_day_the_form_waits_and_after_the_link_expires_it_is_refused(app, client):
    coming = ImmersionFactory(proposal__session__offer__tutor_email="marion.leroy@example.fr")
    page = client.get(_tutor_path(app, coming)).get_data(as_text=True)
    assert "Le bilan s'ouvre le dernier jour" in page.replace("\u202f", " ") and 'name="outcome"' not in page

    old_end = TODAY - timedelta(days=tutors.LINK_DAYS_AFTER_END + 1)
    old, _hr = _ended(
        status=ImmersionStatus.DONE,
        start_date=old_end - timedelta(days=2),
        end_date=old_end,
    )
    path = _tutor_path(app, old)
    assert client.get(path).status_code == 404
    assert client.post(path, data={**DONE}).status_code in (400, 404)
    assert db.session.scalar(select(Feedback).where(Feedback.immersion_id == old.id)) is None


def test_the_feedback_email_leads_the_tutor_to_the_form(app, client):
    immersion, host_hr = _ended()
    with app.test_request_context():
        request_feedback(today=TODAY)
    mail = db.session.scalar(select(Notification).where(Notification.to_email == "marion.leroy@example.fr"))
    assert "sans compte" in mail.body
    link = re.search(r"https?://\S+/tuteur/\S+", mail.body).group(0)
    page = client.get(link.split("localhost", 1)[-1])
    assert page.status_code == 200 and "Envoyer le bilan" in page.get_data(as_text=True)
