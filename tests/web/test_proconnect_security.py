"""The ProConnect callback refuses what does not prove who the person is: a missing, wrong, stale or replayed
`state`; an ID token with a wrong or missing nonce, from another issuer or for another audience, expired,
unsigned (`alg: none`) or signed by a key that is not the provider's; a missing acr when one is required.

The provider (tests/oidc_provider.py) runs the real flow; for the token checks it sends a token it would
never issue, built from the real one's claims and signed with its own key, so each refusal is the app's."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from joserfc.jwk import RSAKey
from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import AuditEvent, LoginAttempt, OrganisationSiret, User
from mobilite.services import oidc
from tests import oidc_provider
from tests.factories import OrganisationFactory
from tests.fixtures import csrf_token
from tests.oidc_provider import callback_path, sign_in, siret, start

REFUSED = "La réponse de ProConnect n'a pas pu être vérifiée"
STALE = "Cette connexion ProConnect n'est plus valable"


@pytest.fixture
def provider(app, monkeypatch):
    yield oidc_provider.use_provider(app, monkeypatch)
    oidc.forget_discovery()


@pytest.fixture
def sub(provider) -> str:
    organisation = OrganisationFactory()
    db.session.add(OrganisationSiret(organisation=organisation, siret=siret(5)))
    db.session.commit()
    sub = f"sub-{uuid.uuid4()}"
    provider.set_user(sub, email=f"{sub}@agents.example.fr", given_name="Paul", usual_name="Morel", siret=siret(5))
    return sub


def assert_refused(response, reason: str, text: str = REFUSED) -> None:
    assert response.status_code == 403
    assert text in unescape(response.get_data(as_text=True))
    assert db.session.scalar(select(func.count(User.id)).where(User.email.like("%@agents.example.fr"))) == 0
    assert db.session.scalar(select(func.count(LoginAttempt.id))) == 1
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.proconnect_refused")).one()
    assert event.details == {"reason": reason}
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "auth.login")) == 0


def signed_in(client) -> bool:
    return client.get("/compte").status_code == 200


def test_a_token_re_signed_by_the_provider_with_the_same_claims_is_accepted(provider, client, sub):
    # The control for the cases below: the tampering itself breaks nothing.
    provider.tamper = provider.sign
    assert sign_in(client, provider, sub).status_code == 302
    assert signed_in(client)


def test_a_signed_userinfo_answer_as_proconnect_sends_it_is_read(provider, client, sub):
    provider.signed_userinfo = True
    assert sign_in(client, provider, sub).status_code == 302
    assert db.session.scalar(select(User.last_name).where(User.proconnect_sub == sub)) == "Morel"


# --- state ---


def _without(url: str, name: str) -> str:
    path, query = url.split("?", 1)
    return path + "?" + "&".join(p for p in query.split("&") if not p.startswith(f"{name}="))


def test_missing_state_is_refused(provider, client, sub):
    location = provider.authorize(start(client), sub)
    response = client.get(_without(callback_path(location), "state"))
    assert_refused(response, "state", STALE)
    assert not signed_in(client)


def test_another_state_is_refused(provider, client, sub):
    location = provider.authorize(start(client), sub)
    response = client.get(_without(callback_path(location), "state") + "&state=" + "x" * 32)
    assert_refused(response, "state", STALE)


def test_a_state_that_is_not_ascii_is_refused_like_any_other(provider, client, sub):
    location = provider.authorize(start(client), sub)
    response = client.get(_without(callback_path(location), "state") + "&state=%C3%A9t%C3%A9")
    assert_refused(response, "state", STALE)


def test_a_callback_without_a_sign_in_started_in_this_browser_is_refused(app, provider, client, sub):
    location = provider.authorize(start(app.test_client()), sub)  # started in another browser
    assert_refused(client.get(callback_path(location)), "state", STALE)


def test_a_sign_in_started_too_long_ago_is_refused(provider, client, sub):
    location = provider.authorize(start(client), sub)
    with client.session_transaction() as session:
        session["proconnect_pending"] = {**session["proconnect_pending"], "at": int(time.time()) - 3600}
    assert_refused(client.get(callback_path(location)), "state_expired", STALE)


def test_a_replayed_callback_is_refused_even_with_the_old_session_cookie(provider, client, sub):
    location = provider.authorize(start(client), sub)
    cookie = client.get_cookie("session").value  # the browser's session before the callback, state inside
    assert client.get(callback_path(location)).status_code == 302
    exchanged = len(provider.token_requests)

    client.set_cookie("session", cookie)
    response = client.get(callback_path(location))
    assert response.status_code == 403 and STALE in unescape(response.get_data(as_text=True))
    assert len(provider.token_requests) == exchanged  # refused before reaching the provider
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.proconnect_refused")).one()
    assert event.details == {"reason": "state_replayed"}


def test_the_same_callback_twice_in_one_browser_is_refused(provider, client, sub):
    location = provider.authorize(start(client), sub)
    assert client.get(callback_path(location)).status_code == 302
    client.post("/deconnexion", data={"csrf_token": csrf_token(client.get("/compte").get_data(as_text=True))})
    response = client.get(callback_path(location))
    assert response.status_code == 403 and not signed_in(client)


# --- The ID token ---


def _claims(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def changed(claims: dict[str, Any]) -> dict[str, Any]:
        change(claims)
        return claims

    return changed


TOKEN_CASES: dict[str, tuple[str, Callable[[oidc_provider.TestProvider, dict[str, Any]], str]]] = {
    "wrong nonce": ("nonce", lambda p, c: p.sign({**c, "nonce": "not-the-one-sent"})),
    "missing nonce": ("nonce", lambda p, c: p.sign({k: v for k, v in c.items() if k != "nonce"})),
    "another issuer": ("iss", lambda p, c: p.sign({**c, "iss": "https://auth.example.com"})),
    "another audience": ("aud", lambda p, c: p.sign({**c, "aud": "another-client"})),
    "expired": ("exp", lambda p, c: p.sign({**c, "iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600})),
    "no expiry": ("exp", lambda p, c: p.sign({k: v for k, v in c.items() if k != "exp"})),
    "alg none": ("signature", lambda p, c: p.unsigned(c)),
    "another key": ("signature", lambda p, c: p.sign(c, key=RSAKey.generate_key(2048), kid=p.kid)),
    "signature cut": ("signature", lambda p, c: p.sign(c).rsplit(".", 1)[0] + "."),
}


@pytest.mark.parametrize("case", TOKEN_CASES, ids=list(TOKEN_CASES))
def test_id_token_refusals(provider, client, sub, case):
    reason, forge = TOKEN_CASES[case]
    provider.tamper = lambda claims: forge(provider, claims)
    response = sign_in(client, provider, sub)
    assert_refused(response, reason)
    assert not signed_in(client)


def test_an_acr_is_required_when_configured(app, provider, client, sub, monkeypatch):
    monkeypatch.setitem(app.config, "OIDC_ACR_VALUES", "eidas1")
    provider.tamper = provider.sign  # the mock issues no acr
    assert_refused(sign_in(client, provider, sub), "acr")


def test_the_acr_asked_for_is_accepted(app, provider, client, sub, monkeypatch):
    monkeypatch.setitem(app.config, "OIDC_ACR_VALUES", "eidas1")
    provider.tamper = lambda claims: provider.sign({**claims, "acr": "eidas1"})
    assert sign_in(client, provider, sub).status_code == 302


def test_a_sign_in_cancelled_at_the_provider_is_said_so(provider, client, sub):
    import requests

    url = start(client)
    denied = requests.post(url, data={"action": "deny"}, allow_redirects=False, timeout=10)
    response = client.get(callback_path(denied.headers["Location"]))
    assert_refused(response, "cancelled", "La connexion avec ProConnect a été annulée.")
