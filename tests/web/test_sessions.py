"""Sessions that end: logout, password change or reset, deactivation and "sign out everywhere" end every
session and remember-me cookie of the account; a remember-me cookie is new at each sign-in and expires."""

import re
import time
from datetime import timedelta

from flask_login.utils import encode_cookie
from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import ApiToken, Notification, TokenPurpose
from mobilite.services import accounts
from mobilite.services import api_tokens as tokens
from mobilite.services.auth import issue_password_link
from tests.factories import PASSWORD, UserFactory
from tests.fixtures import csrf_token, fresh, login

REMEMBER = "remember_token"


def _sign_in(client, email: str, remember: bool = False):
    token = csrf_token(client.get("/connexion").get_data(as_text=True))
    data = {"email": email, "password": PASSWORD, "csrf_token": token}
    if remember:
        data["remember"] = "on"
    response = client.post("/connexion", data=data)
    assert response.status_code == 302
    return response


def _signed_in(client) -> bool:
    return client.get("/agent/").status_code == 200


def _cookie(client, name: str) -> str:
    return client.get_cookie(name).value


def _with_only(app, name: str, value: str):
    """A new browser holding one copied cookie."""
    other = app.test_client()
    other.set_cookie(name, value)
    return other


def _logout(client) -> None:
    token = csrf_token(client.get("/agent/").get_data(as_text=True))
    assert client.post("/deconnexion", data={"csrf_token": token}).status_code == 302


def _reset_password(client, user, keep_tokens: bool = False) -> None:
    with client.application.app_context():  # the e-mail's link is built on the app's BASE_URL
        raw = issue_password_link(user, TokenPurpose.RESET_PASSWORD, hours=1)
        db.session.commit()
    page = client.get(f"/mot-de-passe/{raw}")
    data = {
        "password": "a much longer new passphrase",
        "confirm": "a much longer new passphrase",
        "csrf_token": csrf_token(page.get_data(as_text=True)),
    }
    if keep_tokens:
        data["keep_api_tokens"] = "on"
    assert client.post(f"/mot-de-passe/{raw}", data=data).status_code == 302


def test_a_session_cookie_replayed_after_logout_no_longer_works(app, client):
    user = UserFactory()
    _sign_in(client, user.email)
    copied = _cookie(client, "session")
    assert _signed_in(_with_only(app, "session", copied))
    _logout(client)
    assert not _signed_in(_with_only(app, "session", copied))


def test_logout_ends_the_account_s_sessions_on_other_devices_too(app, client):
    user = UserFactory()
    laptop, phone = app.test_client(), app.test_client()
    _sign_in(laptop, user.email)
    _sign_in(phone, user.email, remember=True)
    _logout(laptop)
    assert not _signed_in(phone)


def test_a_session_opened_before_a_reset_no_longer_works(app, client):
    user = UserFactory()
    thief = app.test_client()
    _sign_in(thief, user.email, remember=True)
    remembered = _cookie(thief, REMEMBER)
    _reset_password(client, fresh(user))
    assert not _signed_in(thief)
    assert not _signed_in(_with_only(app, REMEMBER, remembered))
    assert login(client, user.email, "a much longer new passphrase").status_code == 302


def test_the_remember_me_cookie_is_new_at_each_sign_in_and_works_alone(app, client):
    user = UserFactory()
    first, second = app.test_client(), app.test_client()
    _sign_in(first, user.email, remember=True)
    _sign_in(second, user.email, remember=True)
    one, two = _cookie(first, REMEMBER), _cookie(second, REMEMBER)
    assert one != two
    assert str(user.id) != one.split("|")[0]  # not the bare account id any more
    assert _signed_in(_with_only(app, REMEMBER, one)) and _signed_in(_with_only(app, REMEMBER, two))


def test_the_remember_me_cookie_fails_after_logout(app, client):
    user = UserFactory()
    _sign_in(client, user.email, remember=True)
    remembered = _cookie(client, REMEMBER)
    _logout(client)
    assert not _signed_in(_with_only(app, REMEMBER, remembered))


def test_the_remember_me_cookie_expires_even_if_replayed(app, client):
    user = UserFactory()
    lifetime = app.config["REMEMBER_COOKIE_DURATION"]
    with app.test_request_context():

        def cookie_issued(seconds_ago: float) -> str:
            issued = int(time.time() - seconds_ago)
            return encode_cookie(f"{user.id}:{fresh(user).session_version}:{issued}:abcdefghijklmnop")

        recent = cookie_issued(lifetime.total_seconds() - 60)
        stale = cookie_issued(lifetime.total_seconds() + 60)
        forged_future = cookie_issued(-3600)
    assert _signed_in(_with_only(app, REMEMBER, recent))
    assert not _signed_in(_with_only(app, REMEMBER, stale))
    assert not _signed_in(_with_only(app, REMEMBER, forged_future))
    assert lifetime <= timedelta(days=7)


def test_sign_out_everywhere_ends_every_session_and_remember_me_cookie(app, client):
    user = UserFactory()
    phone = app.test_client()
    _sign_in(phone, user.email, remember=True)
    remembered = _cookie(phone, REMEMBER)
    _sign_in(client, user.email)
    page = client.get("/compte")
    assert page.status_code == 200 and "Se déconnecter partout" in page.get_data(as_text=True)
    response = client.post("/compte/deconnexion-partout", data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")
    assert not _signed_in(client)
    assert not _signed_in(phone)
    assert not _signed_in(_with_only(app, REMEMBER, remembered))


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, client):
    user = UserFactory()
    phone = app.test_client()
    _sign_in(phone, user.email, remember=True)
    _sign_in(client, user.email)
    page = client.get("/compte").get_data(as_text=True)
    new = "another long passphrase"
    wrong = client.post(
        "/compte/mot-de-passe",
        data={"current": "not it", "password": new, "confirm": new, "csrf_token": csrf_token(page)},
    )
    assert wrong.status_code == 400 and 'id="current-error"' in wrong.get_data(as_text=True)
    assert _signed_in(phone)
    done = client.post(
        "/compte/mot-de-passe",
        data={"current": PASSWORD, "password": new, "confirm": new, "csrf_token": csrf_token(page)},
    )
    assert done.status_code == 302
    assert _signed_in(client)
    assert not _signed_in(phone)
    assert login(app.test_client(), user.email, new).status_code == 302


def test_deactivation_ends_sessions_for_good_even_after_reactivation(app, client):
    user = UserFactory()
    admin = UserFactory(organisation=None, roles=["admin"])  # deactivation is for those who manage accounts
    _sign_in(client, user.email, remember=True)
    remembered = _cookie(client, REMEMBER)
    with app.test_request_context():
        accounts.set_active(admin, fresh(user), False)
        accounts.set_active(admin, fresh(user), True)
    assert not _signed_in(client)
    assert not _signed_in(_with_only(app, REMEMBER, remembered))


def _token_states(user) -> list[bool]:
    return [
        t.revoked_at is not None
        for t in db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).execution_options(populate_existing=True)
        )
    ]


def test_a_reset_revokes_the_person_s_api_tokens_by_default(app, client):
    user = UserFactory()
    with app.test_request_context():
        _token, raw = tokens.create_token(user, "SIRH")
    _reset_password(client, fresh(user))
    assert _token_states(user) == [True]
    assert client.get("/api/v1/themes", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_a_reset_keeps_the_api_tokens_when_asked(app, client):
    user = UserFactory()
    with app.test_request_context():
        _token, raw = tokens.create_token(user, "SIRH")
    with app.app_context():
        raw_link_token = issue_password_link(fresh(user), TokenPurpose.RESET_PASSWORD, 1)
        db.session.commit()
    page = client.get(f"/mot-de-passe/{raw_link_token}")
    assert "Garder mes jetons d'API" in page.get_data(as_text=True)
    _reset_password(client, fresh(user), keep_tokens=True)
    assert _token_states(user) == [False]
    assert client.get("/api/v1/themes", headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def test_the_first_password_page_does_not_offer_to_keep_tokens(app, client):
    user = UserFactory(password_hash=None)
    with app.app_context():
        raw = issue_password_link(user, TokenPurpose.SET_PASSWORD, hours=1)
        db.session.commit()
    assert "keep_api_tokens" not in client.get(f"/mot-de-passe/{raw}").get_data(as_text=True)


def test_the_reset_e_mail_link_still_works_end_to_end(app, client):
    user = UserFactory()
    token = csrf_token(client.get("/mot-de-passe-oublie").get_data(as_text=True))
    client.post("/mot-de-passe-oublie", data={"email": user.email, "csrf_token": token})
    body = db.session.scalars(select(Notification.body).where(Notification.recipient_id == user.id)).one()
    assert re.search(r"/mot-de-passe/\S+", body)
