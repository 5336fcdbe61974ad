"""Authentication, called directly: passwords, sign-in and its throttles, sessions, one-time links and the
language; each refusal says why and changes nothing it should not. (Races: test_auth_races.py.)"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import (
    ApiToken,
    AuditEvent,
    LoginAttempt,
    Notification,
    PasswordToken,
    SignInThrottle,
    ThrottleScope,
    TokenPurpose,
    utcnow,
)
from mobilite.services import api_tokens, auth
from mobilite.services.errors import ServiceError, Throttled
from tests.factories import PASSWORD, UserFactory
from tests.fixtures import fresh

IP = "192.0.2.10"


@pytest.fixture
def settings(ctx):
    return dict(ctx.config)


@pytest.fixture
def user(ctx):
    return UserFactory(email="claire.martin@example.fr")


def _actions(user) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.target_type == "User", AuditEvent.target_id == user.id)
            .order_by(AuditEvent.id)
        )
    )


def _notifications(user) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(Notification.recipient_id == user.id))


# Passwords.


def test_a_hashed_password_checks_and_another_does_not(user):
    user.password_hash = auth.hash_password("une phrase de passe")
    assert auth.check_password(user, "une phrase de passe")
    assert not auth.check_password(user, "une autre phrase")
    user.password_hash = None
    assert not auth.check_password(user, "une phrase de passe")


def test_normalise_email_trims_and_lowers():
    assert auth.normalise_email("  Claire.Martin@Example.FR ") == "claire.martin@example.fr"


def test_change_password_checks_the_current_one_and_ends_every_session(user):
    version = user.session_version
    auth.change_password(user, PASSWORD, "une nouvelle phrase")
    user = fresh(user)
    assert auth.check_password(user, "une nouvelle phrase") and user.session_version == version + 1
    assert _actions(user) == ["auth.password_changed"]


def test_change_password_refuses_a_wrong_current_password_on_its_field(user):
    with pytest.raises(ServiceError) as caught:
        auth.change_password(user, "pas le bon", "une nouvelle phrase")
    assert list(caught.value.errors) == ["current"]
    assert auth.check_password(fresh(user), PASSWORD)


# Signing in.


def test_authenticate_answers_the_user_and_records_the_sign_in(user, settings):
    signed_in = auth.authenticate(" Claire.Martin@example.fr", PASSWORD, IP, settings)
    assert signed_in.id == user.id and fresh(user).last_login_at is not None
    assert _actions(user) == ["auth.login"]


@pytest.mark.parametrize("case", ["wrong password", "unknown address", "inactive account", "no password yet"])
def test_authenticate_refuses_with_one_message_whatever_the_reason(user, settings, case):
    email, password = user.email, PASSWORD
    if case == "wrong password":
        password = "pas le bon"
    elif case == "unknown address":
        email = "personne@example.fr"
    elif case == "inactive account":
        user.active = False
        db.session.commit()
    else:
        user.password_hash = None
        db.session.commit()
    with pytest.raises(ServiceError) as caught:
        auth.authenticate(email, password, IP, settings)
    assert not isinstance(caught.value, Throttled)
    assert caught.value.errors == {"email": ["Adresse e-mail ou mot de passe incorrect."]}
    assert db.session.scalar(select(func.count(LoginAttempt.id))) == 1


def test_too_many_failures_from_one_address_are_throttled(user, settings):
    settings["LOGIN_MAX_FAILURES_PER_IP"] = 2
    now = utcnow()
    for n in range(2):
        with pytest.raises(ServiceError):
            auth.authenticate(f"inconnu{n}@example.fr", "x", IP, settings, now=now)
    with pytest.raises(Throttled) as caught:
        auth.authenticate(user.email, PASSWORD, IP, settings, now=now)
    assert caught.value.retry_after_minutes >= 1 and list(caught.value.errors) == ["_schema"]
    assert fresh(user).last_login_at is None


def test_an_ipv6_subscriber_s_addresses_count_as_one(user, settings):
    """Regression: the per-address limits counted each IPv6 address on its own, and a client holds a whole /64:
    a fresh address per attempt went round them."""
    settings["LOGIN_MAX_FAILURES_PER_IP"] = 2
    now = utcnow()
    for n in range(2):
        with pytest.raises(ServiceError):
            auth.authenticate(f"inconnu{n}@example.fr", "x", f"2001:db8:5:7::{n + 1:x}", settings, now=now)
    with pytest.raises(Throttled):
        auth.authenticate(user.email, PASSWORD, "2001:db8:5:7:ffff:1:2:3", settings, now=now)
    # The next /64 is someone else.
    assert auth.authenticate(user.email, PASSWORD, "2001:db8:5:8::1", settings, now=now).id == user.id
    for n in range(settings["RESET_MAX_PER_IP"]):
        auth.request_password_reset(f"personne{n}@example.fr", f"2001:db8:9:9::{n + 1:x}", settings, now=now)
    with pytest.raises(Throttled):
        auth.request_password_reset("encore@example.fr", "2001:db8:9:9:abcd::1", settings, now=now)


def test_the_address_key_of_each_kind_of_address():
    assert auth.address_key("192.0.2.10") == "192.0.2.10"
    assert auth.address_key("2001:DB8:0:1:2:3:4:5") == "2001:db8:0:1::/64"
    assert auth.address_key("::ffff:192.0.2.10") == "192.0.2.10"  # IPv4 seen through an IPv6 socket
    assert auth.address_key("unknown") == "unknown"


def test_an_account_tried_too_often_waits_then_the_right_password_works_and_clears_the_delay(user, settings):
    now = utcnow()
    free = settings["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for n in range(free):
        with pytest.raises(ServiceError):
            auth.authenticate(user.email, "pas le bon", f"198.51.100.{n}", settings, now=now)
    with pytest.raises(Throttled):
        auth.authenticate(user.email, PASSWORD, IP, settings, now=now)
    later = now + timedelta(seconds=settings["LOGIN_ACCOUNT_DELAY_SECONDS"])
    assert auth.authenticate(user.email, PASSWORD, IP, settings, now=later).id == user.id
    assert (
        db.session.scalar(
            select(func.count(SignInThrottle.id)).where(SignInThrottle.scope == ThrottleScope.SIGN_IN_ACCOUNT)
        )
        == 0
    )


def test_the_account_delay_doubles_up_to_the_window(settings):
    free, step = settings["LOGIN_MAX_FAILURES_PER_ACCOUNT"], settings["LOGIN_ACCOUNT_DELAY_SECONDS"]
    assert auth.account_delay_seconds(free - 1, settings) == 0
    assert auth.account_delay_seconds(free, settings) == step
    assert auth.account_delay_seconds(free + 1, settings) == 2 * step
    assert auth.account_delay_seconds(free + 100, settings) == settings["LOGIN_WINDOW_MINUTES"] * 60


# Sessions.


def test_a_session_id_holds_until_its_version_moves(user):
    value = user.get_id()
    assert auth.user_for_session_id(value, timedelta(hours=1)).id == user.id
    auth.end_sessions(user)
    assert auth.user_for_session_id(value, timedelta(hours=1)) is None
    assert _actions(user) == ["auth.sessions_ended"]


def test_a_session_id_is_refused_when_too_old_malformed_or_of_an_inactive_account(user):
    value = user.get_id()
    assert auth.user_for_session_id(value, timedelta(hours=1), now=utcnow() + timedelta(hours=2)) is None
    assert auth.user_for_session_id(f"{user.id}:0:abc", timedelta(hours=1)) is None
    assert auth.user_for_session_id("", timedelta(hours=1)) is None
    user.active = False
    db.session.commit()
    assert auth.user_for_session_id(value, timedelta(hours=1)) is None


# One-time links.


def test_a_reset_request_for_an_active_account_queues_a_link(user, settings):
    auth.request_password_reset(user.email.upper(), IP, settings)
    token = db.session.scalar(select(PasswordToken).where(PasswordToken.user_id == user.id))
    assert token.purpose == TokenPurpose.RESET_PASSWORD and _notifications(user) == 1
    assert _actions(user) == ["auth.reset_requested"]


def test_a_reset_request_for_an_unknown_or_inactive_account_sends_nothing(user, settings):
    auth.request_password_reset("personne@example.fr", IP, settings)
    user.active = False
    db.session.commit()
    auth.request_password_reset(user.email, IP, settings)
    assert db.session.scalar(select(func.count(PasswordToken.id))) == 0
    assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_a_reset_answer_takes_the_same_time_whether_the_account_exists_or_not(user, settings, monkeypatch):
    """Regression: only a real account's answer wrote a link, an e-mail and an audit row, so its time told
    that the account exists. Every accepted request now returns at the same moment after it began."""
    settings["RESET_ANSWER_MILLISECONDS"] = 5000
    pending = UserFactory(password_hash=None)
    inactive = UserFactory(active=False)
    waits: list[tuple[float, float]] = []
    monkeypatch.setattr(time, "sleep", lambda seconds: waits.append((time.monotonic(), seconds)))
    for address in (user.email, pending.email, inactive.email, "personne@example.fr"):
        began = time.monotonic()
        auth.request_password_reset(address, f"192.0.2.{len(address)}", settings)
        ((slept_at, seconds),) = waits
        waits.clear()
        # It slept until 5 s after the call began: no sooner, and not more than the call's own start later.
        assert began + 5 <= slept_at + seconds <= began + 5.05, address
    assert _notifications(user) == _notifications(pending) == 1 and _notifications(inactive) == 0
    # A refused request is refused at once, for every address alike (the refusal says nothing of the account).
    for _n in range(settings["RESET_MAX_PER_ACCOUNT"] - 1):
        auth.request_password_reset(user.email, IP, settings)
    waits.clear()
    with pytest.raises(Throttled):
        auth.request_password_reset(user.email, IP, settings)
    assert waits == []


def test_reset_requests_beyond_the_limit_are_throttled(user, settings):
    for _n in range(settings["RESET_MAX_PER_ACCOUNT"]):
        auth.request_password_reset(user.email, IP, settings)
    with pytest.raises(Throttled):
        auth.request_password_reset(user.email, IP, settings)
    assert _notifications(user) == settings["RESET_MAX_PER_ACCOUNT"]


def test_find_valid_token_answers_only_an_unused_unexpired_link_of_an_active_account(user):
    raw = auth.issue_password_link(user, TokenPurpose.RESET_PASSWORD, hours=1)
    db.session.commit()
    assert auth.find_valid_token(raw).user_id == user.id
    assert auth.find_valid_token(raw, now=utcnow() + timedelta(hours=2)) is None
    assert auth.find_valid_token("pas-un-lien") is None
    user.active = False
    db.session.commit()
    assert auth.find_valid_token(raw) is None


def test_a_link_sets_the_password_once_ends_sessions_stops_other_links_and_revokes_api_tokens(user):
    raw = auth.issue_password_link(user, TokenPurpose.RESET_PASSWORD, hours=1)
    other = auth.issue_password_link(user, TokenPurpose.RESET_PASSWORD, hours=1)
    db.session.commit()
    api_tokens.create_token(user, "script")
    version = user.session_version
    auth.set_password_with_token(raw, "une phrase toute neuve")
    user = fresh(user)
    assert auth.check_password(user, "une phrase toute neuve") and user.session_version == version + 1
    assert auth.find_valid_token(other) is None
    assert db.session.scalar(select(ApiToken.revoked_at).where(ApiToken.user_id == user.id)) is not None
    with pytest.raises(ServiceError) as caught:
        auth.set_password_with_token(raw, "encore une autre")
    assert list(caught.value.errors) == ["_schema"]
    assert auth.check_password(fresh(user), "une phrase toute neuve")


def test_a_link_may_keep_the_api_tokens(user):
    raw = auth.issue_password_link(user, TokenPurpose.SET_PASSWORD, hours=1)
    db.session.commit()
    api_tokens.create_token(user, "script")
    auth.set_password_with_token(raw, "une phrase toute neuve", keep_api_tokens=True)
    assert db.session.scalar(select(ApiToken.revoked_at).where(ApiToken.user_id == user.id)) is None


def test_an_expired_link_or_one_of_an_inactive_account_is_refused(user):
    raw = auth.issue_password_link(user, TokenPurpose.RESET_PASSWORD, hours=1)
    db.session.commit()
    with pytest.raises(ServiceError):
        auth.set_password_with_token(raw, "trop tard", now=utcnow() + timedelta(hours=2))
    user.active = False
    db.session.commit()
    with pytest.raises(ServiceError):
        auth.set_password_with_token(raw, "compte fermé")
    assert auth.check_password(fresh(user), PASSWORD)


# Language.


def test_set_locale_keeps_the_choice(user):
    auth.set_locale(user, "en")
    assert fresh(user).locale == "en"
