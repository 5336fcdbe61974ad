"""Sign-in, throttling, CSRF, cookies and one-time password links."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import LoginAttempt, Notification, PasswordToken, Role, TokenPurpose, utcnow
from mobilite.services.auth import hasher, issue_password_link
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD, UserFactory


def test_password_is_hashed_with_argon2id(app):
    user = UserFactory()
    assert user.password_hash.startswith("$argon2id$")
    assert hasher.verify(user.password_hash, PASSWORD)


def test_each_role_lands_on_its_home(client):
    hr = UserFactory(roles=[Role.RH, Role.AGENT])
    response = login(client, hr.email)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/rh/")


def test_wrong_password_names_the_field_and_records_a_failure(client):
    user = UserFactory()
    response = login(client, user.email, "wrong password")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="email-error"' in html
    assert "Adresse e-mail ou mot de passe incorrect." in html
    assert db.session.scalar(select(func.count(LoginAttempt.id))) == 1


def test_missing_fields_are_named(client):
    token = csrf_token(client.get("/connexion").get_data(as_text=True))
    response = client.post("/connexion", data={"csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="email-error"' in html and 'id="password-error"' in html
    assert "Ce champ est obligatoire." in html


def test_account_is_throttled_after_repeated_failures_even_with_the_right_password(app, client):
    user = UserFactory()
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        assert login(client, user.email, "wrong password").status_code == 400
    response = login(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Trop de tentatives" in response.get_data(as_text=True)


def test_throttle_is_counted_in_the_database_so_it_holds_across_workers(app, client):
    user = UserFactory()
    # Failures recorded by other workers are rows like these.
    key = __import__("hashlib").sha256(user.email.encode()).hexdigest()
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        db.session.add(LoginAttempt(account_key=key, ip="10.9.9.9", at=utcnow()))
    db.session.commit()
    assert login(client, user.email, PASSWORD).status_code == 429


def test_throttle_window_expires(app, client):
    user = UserFactory()
    key = __import__("hashlib").sha256(user.email.encode()).hexdigest()
    old = utcnow() - timedelta(minutes=app.config["LOGIN_WINDOW_MINUTES"] + 1)
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        db.session.add(LoginAttempt(account_key=key, ip="127.0.0.1", at=old))
    db.session.commit()
    assert login(client, user.email, PASSWORD).status_code == 302


def test_address_is_throttled_across_accounts(app, client):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 3
    try:
        for n in range(3):
            login(client, f"nobody{n}@example.fr", "wrong password")
        user = UserFactory()
        assert login(client, user.email, PASSWORD).status_code == 429
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_IP"] = 30


def test_post_without_csrf_token_is_rejected(client):
    user = UserFactory()
    response = client.post("/connexion", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Formulaire expiré" in response.get_data(as_text=True)


def test_session_cookie_is_httponly_and_lax(client):
    user = UserFactory()
    response = login(client, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookies_outside_development():
    from config import load_config

    settings = load_config("production", {"SECRET_KEY": "x" * 32})
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]
    assert settings["REMEMBER_COOKIE_DURATION"] <= timedelta(days=7)


def test_security_headers(client):
    response = client.get("/connexion")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_sign_in_does_not_redirect_to_another_site(client):
    user = UserFactory()
    token = csrf_token(client.get("/connexion").get_data(as_text=True))
    response = client.post("/connexion?next=https://evil.example/", data={
        "email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/agent/"


def test_logout(client):
    user = UserFactory()
    login(client, user.email)
    token = csrf_token(client.get("/agent/").get_data(as_text=True))
    assert client.post("/deconnexion", data={"csrf_token": token}).status_code == 302
    assert client.get("/agent/").status_code == 302


def _link_from_outbox(user) -> str:
    body = db.session.scalars(
        select(Notification.body).where(Notification.recipient_id == user.id).order_by(Notification.id.desc())
    ).first()
    return re.search(r"http://localhost(/mot-de-passe/\S+)", body).group(1)


def test_reset_link_sets_a_new_password_once(client):
    user = UserFactory()
    token = csrf_token(client.get("/mot-de-passe-oublie").get_data(as_text=True))
    client.post("/mot-de-passe-oublie", data={"email": user.email, "csrf_token": token})
    path = _link_from_outbox(user)

    page = client.get(path)
    assert page.status_code == 200
    new = "a much longer new passphrase"
    response = client.post(path, data={"password": new, "confirm": new,
                                       "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 302
    assert login(client, user.email, new).status_code == 302
    assert client.get(path).status_code == 404  # one use only


def test_reset_of_unknown_address_says_the_same_and_sends_nothing(client):
    token = csrf_token(client.get("/mot-de-passe-oublie").get_data(as_text=True))
    response = client.post("/mot-de-passe-oublie", data={"email": "ghost@example.fr", "csrf_token": token},
                           follow_redirects=True)
    assert "Si un compte existe" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_expired_link_is_refused(ctx, client):
    user = UserFactory()
    raw = issue_password_link(user, TokenPurpose.SET_PASSWORD, "http://localhost", hours=1)
    db.session.commit()
    row = db.session.scalar(select(PasswordToken).where(PasswordToken.user_id == user.id))
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/mot-de-passe/{raw}").status_code == 404


def test_new_password_too_short_or_mismatched_is_explained(client):
    user = UserFactory()
    token = csrf_token(client.get("/mot-de-passe-oublie").get_data(as_text=True))
    client.post("/mot-de-passe-oublie", data={"email": user.email, "csrf_token": token})
    path = _link_from_outbox(user)
    page = client.get(path)
    response = client.post(path, data={"password": "short", "confirm": "other",
                                       "csrf_token": csrf_token(page.get_data(as_text=True))})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "au moins 12 caractères" in html
    assert 'id="password-error"' in html
