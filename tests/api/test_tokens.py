"""Personal API tokens: shown once, stored hashed, revoked by their owner; authentication and rate limit."""

import hashlib
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import ApiToken, Role
from mobilite.services import api_tokens as tokens
from tests.factories import UserFactory
from tests.fixtures import api_rules, bearer, csrf_token, fresh, login

TOKEN = re.compile(r"mob_[A-Za-z0-9_-]{40,}")


def _create_in_browser(client, name="SIRH"):
    page = client.get("/compte/jetons")
    assert page.status_code == 200
    return client.post("/compte/jetons", data={"name": name, "csrf_token": csrf_token(page.get_data(as_text=True))})


def test_a_token_is_shown_once_stored_hashed_and_revoked_by_its_owner(app, client):
    user = UserFactory(roles=[Role.AGENT])
    login(client, user.email)
    created = _create_in_browser(client)
    assert created.status_code == 201
    raw = TOKEN.search(created.get_data(as_text=True)).group(0)

    row = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert row.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in (row.prefix, row.token_hash, row.name) and raw.startswith(row.prefix)

    listing = client.get("/compte/jetons").get_data(as_text=True)
    assert raw not in listing and row.prefix in listing  # never shown again, only recognisable

    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/themes", headers=headers).status_code == 200
    assert fresh(row).last_used_at is not None

    revoked = client.post("/compte/jetons/revoquer", data={"token": row.id, "csrf_token": csrf_token(listing)})
    assert revoked.status_code == 302
    assert fresh(row).revoked_at is not None
    response = client.get("/api/v1/themes", headers=headers)
    assert response.status_code == 401
    assert response.json["code"] == 401 and response.json["status"] == "Unauthorized"


def test_a_token_name_is_required(app, client):
    login(client, UserFactory().email)
    response = _create_in_browser(client, name="")
    assert response.status_code == 400
    assert 'id="name-error"' in response.get_data(as_text=True)


def test_nobody_revokes_another_persons_token(app, client):
    owner = UserFactory()
    headers = bearer(app, owner)
    row = db.session.scalars(select(ApiToken).where(ApiToken.user_id == owner.id)).one()
    login(client, UserFactory(roles=[Role.ADMIN]).email)
    page = client.get("/compte/jetons").get_data(as_text=True)
    response = client.post("/compte/jetons/revoquer", data={"token": row.id, "csrf_token": csrf_token(page)})
    assert response.status_code == 404
    assert fresh(row).revoked_at is None
    client.post("/deconnexion", data={"csrf_token": csrf_token(page)})
    assert client.get("/api/v1/themes", headers=headers).status_code == 200


def test_unknown_expired_malformed_or_missing_credentials_get_401_json(app, client):
    user = UserFactory()
    good = bearer(app, user)
    expired = bearer(app, user, expires_in_days=1)
    row = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())).first()
    row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    for headers in (
        {},
        expired,
        {"Authorization": "Bearer mob_unknown"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer "},
        {"Authorization": good["Authorization"].replace("Bearer", "Token")},
    ):
        response = client.get("/api/v1/themes", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert set(response.json) == {"code", "status", "message", "errors"}
    assert client.get("/api/v1/themes", headers=good).status_code == 200


def test_an_inactive_account_s_tokens_stop_working(app, client):
    user = UserFactory()
    headers = bearer(app, user)
    fresh(user).active = False
    db.session.commit()
    assert client.get("/api/v1/themes", headers=headers).status_code == 401


def test_every_api_operation_answers_401_without_credentials(app, client):
    checked = 0
    for rule in api_rules(app):
        url = rule.build({arg: 1 for arg in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, json={})
            assert response.status_code == 401, (method, url, response.status_code)
            assert response.is_json
            checked += 1
    assert checked >= 13


def test_the_rate_limit_answers_429_with_retry_after(app, client, rate_limit, monkeypatch):
    rate_limit(3)
    headers = bearer(app, UserFactory())
    minute = datetime(2030, 1, 7, 9, 30, 15, tzinfo=UTC)
    monkeypatch.setattr(tokens, "utcnow", lambda: minute)
    assert [client.get("/api/v1/themes", headers=headers).status_code for _ in range(3)] == [200] * 3
    response = client.get("/api/v1/themes", headers=headers)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "45"
    assert response.json["code"] == 429
    # The next minute opens a new window.
    monkeypatch.setattr(tokens, "utcnow", lambda: minute + timedelta(minutes=1))
    assert client.get("/api/v1/themes", headers=headers).status_code == 200


def test_each_token_has_its_own_count(app, client, rate_limit, monkeypatch):
    rate_limit(1)
    user = UserFactory()
    first, second = bearer(app, user), bearer(app, user)
    monkeypatch.setattr(tokens, "utcnow", lambda: datetime(2030, 1, 7, 9, 30, tzinfo=UTC))
    assert client.get("/api/v1/themes", headers=first).status_code == 200
    assert client.get("/api/v1/themes", headers=first).status_code == 429
    assert client.get("/api/v1/themes", headers=second).status_code == 200
