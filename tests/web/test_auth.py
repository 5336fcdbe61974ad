"""Sign-in, throttling, CSRF, cookies and one-time password links."""

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import (
    LoginAttempt,
    Notification,
    PasswordToken,
    Role,
    SignInThrottle,
    ThrottleScope,
    TokenPurpose,
    utcnow,
)
from mobilite.services import auth as auth_service
from mobilite.services.auth import hasher, issue_password_link
from mobilite.services.errors import ServiceError, Throttled
from tests.factories import PASSWORD, UserFactory
from tests.fixtures import csrf_token, login


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


def _account_key(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()


def test_account_slows_down_after_repeated_failures_instead_of_locking_out(ctx, client):
    settings = ctx.config
    user = UserFactory()
    free = settings["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(free):
        assert login(client, user.email, "wrong password").status_code == 400
    # The right password waits a short delay, said in the answer, not the whole window...
    response = login(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Trop de tentatives pour ce compte" in response.get_data(as_text=True)
    assert 0 < int(response.headers["Retry-After"]) <= settings["LOGIN_ACCOUNT_DELAY_SECONDS"]
    # ...and goes through once it has passed.
    later = utcnow() + timedelta(seconds=settings["LOGIN_ACCOUNT_DELAY_SECONDS"])
    assert auth_service.authenticate(user.email, PASSWORD, "127.0.0.1", settings, now=later).id == user.id


def test_account_delay_doubles_up_to_the_window(ctx):
    settings = ctx.config
    free, base = settings["LOGIN_MAX_FAILURES_PER_ACCOUNT"], settings["LOGIN_ACCOUNT_DELAY_SECONDS"]
    delays = [auth_service.account_delay_seconds(n, settings) for n in range(1, free + 12)]
    assert delays[: free - 1] == [0] * (free - 1)
    assert delays[free - 1 : free + 2] == [base, 2 * base, 4 * base]
    assert max(delays) == delays[-1] == settings["LOGIN_WINDOW_MINUTES"] * 60


def test_an_attacker_keeping_the_delay_up_does_not_shut_the_owner_out_for_good(ctx, client):
    settings = ctx.config
    user = UserFactory()
    now = utcnow()
    for n in range(settings["LOGIN_MAX_FAILURES_PER_ACCOUNT"] + 6):  # the delay has grown to minutes
        now += timedelta(seconds=auth_service.account_delay_seconds(n, settings))
        with pytest.raises(ServiceError):
            auth_service.authenticate(user.email, "guess", f"10.0.0.{n}", settings, now=now)
    with pytest.raises(Throttled):
        auth_service.authenticate(user.email, PASSWORD, "127.0.0.1", settings, now=now)
    # The e-mailed reset link lifts the delay at once.
    raw = issue_password_link(user, TokenPurpose.RESET_PASSWORD, hours=1)
    db.session.commit()
    auth_service.set_password_with_token(raw, "a brand new passphrase", now=now)
    assert auth_service.authenticate(user.email, "a brand new passphrase", "127.0.0.1", settings, now=now)


def test_throttle_is_counted_in_the_database_so_it_holds_across_workers(app, client):
    user = UserFactory()
    # Attempts counted by other workers are this row; their delay is not over.
    db.session.add(
        SignInThrottle(
            scope=ThrottleScope.SIGN_IN_ACCOUNT,
            key=_account_key(user.email),
            count=6,
            window_start=utcnow(),
            last_at=utcnow(),
            next_allowed_at=utcnow() + timedelta(minutes=1),
        )
    )
    db.session.commit()
    assert login(client, user.email, PASSWORD).status_code == 429


def test_account_throttle_is_forgotten_after_a_quiet_day(app, client):
    user = UserFactory()
    old = utcnow() - timedelta(hours=app.config["LOGIN_ACCOUNT_MEMORY_HOURS"], minutes=1)
    db.session.add(
        SignInThrottle(
            scope=ThrottleScope.SIGN_IN_ACCOUNT,
            key=_account_key(user.email),
            count=40,
            window_start=old,
            last_at=old,
            next_allowed_at=utcnow() + timedelta(minutes=5),
        )
    )
    db.session.commit()
    assert login(client, user.email, PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_the_account_s_count(app, client):
    user = UserFactory()
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] - 1):
        login(client, user.email, "wrong password")
    assert login(client, user.email, PASSWORD).status_code == 302
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] - 1):
        assert login(client, user.email, "wrong password").status_code == 400


def test_every_answer_costs_one_password_hash_check(ctx, monkeypatch):
    """Unknown, pending (no password yet), inactive, wrong: the same argon2 work, so timing tells nothing."""
    active = UserFactory()
    pending = UserFactory(password_hash=None)
    inactive = UserFactory(active=False)
    calls = []

    class CountingHasher:
        def verify(self, stored, password):
            calls.append(stored)
            return hasher.verify(stored, password)

    monkeypatch.setattr(auth_service, "hasher", CountingHasher())
    for n, email in enumerate(["ghost@example.fr", pending.email, inactive.email, active.email]):
        calls.clear()
        with pytest.raises(ServiceError):
            auth_service.authenticate(email, PASSWORD if email != active.email else "wrong", f"10.1.0.{n}", ctx.config)
        assert len(calls) == 1, email


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
    response = client.post(
        "/connexion?next=https://evil.example/", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
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
    response = client.post(
        path, data={"password": new, "confirm": new, "csrf_token": csrf_token(page.get_data(as_text=True))}
    )
    assert response.status_code == 302
    assert login(client, user.email, new).status_code == 302
    assert client.get(path).status_code == 404  # one use only


def test_reset_of_unknown_address_says_the_same_and_sends_nothing(client):
    token = csrf_token(client.get("/mot-de-passe-oublie").get_data(as_text=True))
    response = client.post(
        "/mot-de-passe-oublie", data={"email": "ghost@example.fr", "csrf_token": token}, follow_redirects=True
    )
    assert "Si un compte existe" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_expired_link_is_refused(ctx, client):
    user = UserFactory()
    raw = issue_password_link(user, TokenPurpose.SET_PASSWORD, hours=1)
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
    response = client.post(
        path, data={"password": "short", "confirm": "other", "csrf_token": csrf_token(page.get_data(as_text=True))}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "au moins 12 caractères" in html
    assert 'id="password-error"' in html


@pytest.fixture
def behind_one_proxy(app):
    from mobilite import behind_proxies

    saved_app, saved_setting = app.wsgi_app, app.config["TRUSTED_PROXIES"]
    app.config["TRUSTED_PROXIES"] = 1
    behind_proxies(app)
    yield
    app.wsgi_app, app.config["TRUSTED_PROXIES"] = saved_app, saved_setting


def _login_from(client, address: str, email: str, password: str):
    page = client.get("/connexion")
    return client.post(
        "/connexion",
        headers={"X-Forwarded-For": address},
        data={"email": email, "password": password, "csrf_token": csrf_token(page.get_data(as_text=True))},
    )


def test_behind_a_trusted_proxy_each_client_address_is_counted_on_its_own(app, client, behind_one_proxy):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 3
    try:
        for n in range(3):
            _login_from(client, "203.0.113.7", f"nobody{n}@example.fr", "wrong password")
        user = UserFactory()
        # The proxy's own address is not the client's: someone else behind it still signs in.
        assert _login_from(client, "198.51.100.2", user.email, PASSWORD).status_code == 302
        client = app.test_client()
        assert _login_from(client, "203.0.113.7", user.email, PASSWORD).status_code == 429
        # A client's own X-Forwarded-For in front of the proxy's is not believed.
        assert _login_from(client, "192.0.2.1, 203.0.113.7", user.email, PASSWORD).status_code == 429
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_IP"] = 30


def test_without_trusted_proxies_forwarded_addresses_are_ignored(app, client):
    assert app.config["TRUSTED_PROXIES"] == 0
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 3
    try:
        for n in range(3):
            _login_from(client, f"203.0.113.{n}", f"nobody{n}@example.fr", "wrong password")
        assert _login_from(client, "198.51.100.2", UserFactory().email, PASSWORD).status_code == 429
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_IP"] = 30


def _ask_reset(client, email: str):
    token = csrf_token(client.get("/mot-de-passe-oublie").get_data(as_text=True))
    return client.post("/mot-de-passe-oublie", data={"email": email, "csrf_token": token})


def _reset_mails() -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == "password.reset_password"))


def test_reset_requests_are_limited_per_account(app, client):
    user = UserFactory()
    limit = app.config["RESET_MAX_PER_ACCOUNT"]
    assert [_ask_reset(client, user.email).status_code for _ in range(limit)] == [302] * limit
    refused = _ask_reset(client, user.email)
    assert refused.status_code == 429
    assert "Trop de demandes de réinitialisation" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) <= app.config["RESET_WINDOW_MINUTES"] * 60
    assert _reset_mails() == limit
    # An unknown address is limited the same way, so the limit says nothing about who has an account.
    assert [_ask_reset(client, "ghost@example.fr").status_code for _ in range(limit + 1)][-1] == 429


def test_reset_requests_are_limited_per_address(app, client):
    users = [UserFactory() for _ in range(app.config["RESET_MAX_PER_IP"] + 1)]
    codes = [_ask_reset(client, user.email).status_code for user in users]
    assert codes == [302] * app.config["RESET_MAX_PER_IP"] + [429]
    assert _reset_mails() == app.config["RESET_MAX_PER_IP"]
