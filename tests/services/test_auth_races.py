"""Limits that hold when attempts arrive together: sign-in throttles, one-time reset links, reset e-mails,
the API token cap and account creation.

Like tests/services/test_round_concurrency.py, these use committed data and real, separate connections (one
per thread, each with its own session), so that the database arbitrates; on PostgreSQL that means row locks
and the unique keys, on SQLite its single writer. Everything created is deleted at the end.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, or_, select

from mobilite.extensions import db
from mobilite.models import (
    ApiToken,
    AuditEvent,
    LoginAttempt,
    Network,
    Notification,
    Organisation,
    OrganisationKind,
    PasswordToken,
    Role,
    SignInThrottle,
    TokenPurpose,
    User,
    utcnow,
)
from mobilite.services import accounts, auth
from mobilite.services import api_tokens as tokens
from mobilite.services.errors import ServiceError, Throttled

PASSWORD = "correct horse battery"


def _key(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()


@pytest.fixture
def world(_app):
    """A committed organisation; `add_user` commits accounts in it; all of it (and what the tests made) is
    deleted afterwards."""
    with _app.app_context():
        network = Network(name="Réseau des courses", slug="courses-auth")
        organisation = Organisation(
            network=network,
            name="Ville des courses",
            slug="ville-courses-auth",
            kind=OrganisationKind.COMMUNE,
            city="Lyon",
            postcode="69001",
            latitude=45.76,
            longitude=4.83,
        )
        db.session.add(organisation)
        db.session.commit()
        ids = {"network": network.id, "organisation": organisation.id}
        db.session.remove()
    password_hash = auth.hash_password(PASSWORD)

    def add_user(email: str) -> int:
        with _app.app_context():
            user = User(
                email=email,
                first_name="Rita",
                last_name="Course",
                password_hash=password_hash,
                organisation_id=ids["organisation"],
            )
            user.add_role(Role.AGENT)
            db.session.add(user)
            db.session.commit()
            user_id = user.id
            db.session.remove()
        return user_id

    ids["add_user"] = add_user
    yield ids
    with _app.app_context():
        user_ids = select(User.id).where(User.organisation_id == ids["organisation"])
        db.session.execute(
            delete(AuditEvent).where(
                or_(AuditEvent.organisation_id == ids["organisation"], AuditEvent.actor_id.in_(user_ids))
            )
        )
        for model in (Notification, PasswordToken, ApiToken):
            column = Notification.recipient_id if model is Notification else model.user_id
            db.session.execute(delete(model).where(column.in_(user_ids)))
        db.session.execute(delete(User).where(User.organisation_id == ids["organisation"]))
        db.session.execute(delete(Organisation).where(Organisation.id == ids["organisation"]))
        db.session.execute(delete(Network).where(Network.id == ids["network"]))
        db.session.execute(delete(SignInThrottle))
        db.session.execute(delete(LoginAttempt))
        db.session.commit()
        db.session.remove()


def _race(_app, racers: int, target) -> list:
    """Run target(n) in `racers` threads released together; each result, or the exception it raised."""
    barrier = threading.Barrier(racers)
    results: list = []

    def racer(n):
        with _app.app_context():
            try:
                barrier.wait()
                results.append(target(n))
            except (ServiceError, Throttled) as exc:
                results.append(exc)
            except Exception as exc:  # noqa: BLE001 - anything else is a failure, reported below
                results.append(("unexpected", exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == racers
    assert [r for r in results if isinstance(r, tuple)] == []
    return results


def _kinds(results) -> Counter:
    return Counter(type(r).__name__ for r in results)


def _scalar(_app, query):
    with _app.app_context():
        value = db.session.scalar(query)
        db.session.remove()
    return value


def test_simultaneous_wrong_passwords_cannot_beat_the_account_limit(_app, world):
    email = "cible@example.fr"
    world["add_user"](email)
    settings = dict(_app.config)
    now = utcnow()

    results = _race(_app, 40, lambda n: auth.authenticate(email, "wrong guess", f"10.2.{n}.1", settings, now=now))

    free = settings["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    assert _kinds(results) == {"ServiceError": free, "Throttled": 40 - free}
    # Only the attempts let through cost a password check (each failed check is logged).
    assert _scalar(_app, select(func.count(LoginAttempt.id)).where(LoginAttempt.account_key == _key(email))) == free


def test_simultaneous_wrong_passwords_cannot_beat_the_address_limit(_app, world):
    settings = {**_app.config, "LOGIN_MAX_FAILURES_PER_IP": 7}
    now = utcnow()

    results = _race(_app, 20, lambda n: auth.authenticate(f"nobody{n}@example.fr", "x", "10.3.0.1", settings, now=now))

    assert _kinds(results) == {"ServiceError": 7, "Throttled": 13}
    assert _scalar(_app, select(func.count(LoginAttempt.id)).where(LoginAttempt.ip == "10.3.0.1")) == 7


def test_a_reset_link_posted_six_times_at_once_is_used_once(_app, world):
    user_id = world["add_user"]("lien@example.fr")
    with _app.app_context():
        raw = auth.issue_password_link(db.session.get(User, user_id), TokenPurpose.RESET_PASSWORD, 1)
        db.session.commit()
        db.session.remove()

    results = _race(_app, 6, lambda n: auth.set_password_with_token(raw, f"new passphrase number {n}").id)

    assert _kinds(results) == {"int": 1, "ServiceError": 5}
    with _app.app_context():
        winner = next(r for r in results if isinstance(r, int))
        user = db.session.get(User, winner)
        accepted = [n for n in range(6) if auth.check_password(user, f"new passphrase number {n}")]
        assert len(accepted) == 1 and user.session_version == 1
        db.session.remove()


def test_simultaneous_reset_requests_queue_no_more_e_mails_than_the_limit(_app, world):
    email = "oubli@example.fr"
    user_id = world["add_user"](email)
    settings = {**_app.config, "RESET_MAX_PER_IP": 100}

    results = _race(_app, 10, lambda n: auth.request_password_reset(email, f"10.4.{n}.1", settings))

    limit = settings["RESET_MAX_PER_ACCOUNT"]
    assert _kinds(results) == {"NoneType": limit, "Throttled": 10 - limit}
    assert _scalar(_app, select(func.count(Notification.id)).where(Notification.recipient_id == user_id)) == limit


def test_simultaneous_token_creations_cannot_pass_the_cap(_app, world):
    user_id = world["add_user"]("jetons@example.fr")
    with _app.app_context():
        user = db.session.get(User, user_id)
        for n in range(tokens.MAX_ACTIVE_TOKENS - 3):
            tokens.create_token(user, f"existing {n}")
        db.session.remove()

    def create(n):
        with _app.test_request_context():
            return tokens.create_token(db.session.get(User, user_id), f"racer {n}")[0].id

    results = _race(_app, 6, create)

    assert _kinds(results) == {"int": 3, "ServiceError": 3}
    active = select(func.count(ApiToken.id)).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    assert _scalar(_app, active) == tokens.MAX_ACTIVE_TOKENS


def test_the_same_account_created_at_once_is_created_once_and_the_others_told_why(_app, world):
    data = {
        "email": "double@example.fr",
        "first_name": "Inès",
        "last_name": "Benali",
        "roles": [Role.AGENT],
        "organisation_id": world["organisation"],
    }

    def create(n):
        return accounts.create_account(None, dict(data), token_hours=1).id

    results = _race(_app, 6, create)

    assert _kinds(results) == {"int": 1, "ServiceError": 5}
    for refused in (r for r in results if isinstance(r, ServiceError)):
        assert refused.errors == {"email": ["Un compte existe déjà avec cette adresse."]}
    assert _scalar(_app, select(func.count(User.id)).where(User.email == "double@example.fr")) == 1


def test_the_account_delay_lets_the_next_attempt_through_once_it_has_passed(_app, world):
    """The counters live across workers: a later attempt, on another connection, sees the delay."""
    email = "patience@example.fr"
    world["add_user"](email)
    settings = dict(_app.config)
    now = utcnow()
    _race(_app, 8, lambda n: auth.authenticate(email, "wrong", f"10.5.{n}.1", settings, now=now))
    later = now + timedelta(seconds=settings["LOGIN_ACCOUNT_DELAY_SECONDS"])
    with _app.app_context():
        with pytest.raises(Throttled):
            auth.authenticate(email, PASSWORD, "10.5.9.9", settings, now=later - timedelta(seconds=1))
        assert auth.authenticate(email, PASSWORD, "10.5.9.9", settings, now=later).email == email
        db.session.remove()
