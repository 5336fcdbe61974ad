"""Sign in with ProConnect, through a real OpenID Connect provider on 127.0.0.1 (tests/oidc_provider.py):
accounts created, linked and found again, unknown SIRETs, deactivated accounts, password policy, logout."""

from __future__ import annotations

import base64
import hashlib
import uuid
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import AuditEvent, LoginAttempt, OrganisationSiret, Role, SignInThrottle, ThrottleScope, User
from mobilite.services import oidc
from tests import oidc_provider
from tests.factories import UserFactory
from tests.fixtures import csrf_token, fresh, login
from tests.oidc_provider import sign_in, siret


@pytest.fixture
def provider(app, monkeypatch):
    yield oidc_provider.use_provider(app, monkeypatch)
    oidc.forget_discovery()


@pytest.fixture
def organisation():
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory()
    db.session.add(OrganisationSiret(organisation=organisation, siret=siret(42)))
    db.session.commit()
    return organisation


def new_subject(provider, **claims) -> str:
    sub = f"sub-{uuid.uuid4()}"
    defaults = {"email": f"{sub}@agents.example.fr", "given_name": "Anne", "usual_name": "Durand", "siret": siret(42)}
    provider.set_user(sub, **{**defaults, **claims})
    return sub


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def signed_in_as(client) -> User | None:
    """Who the client's session names, as the app sees it."""
    response = client.get("/compte")
    if response.status_code != 200:
        return None
    html = response.get_data(as_text=True)
    return next((u for u in db.session.scalars(select(User)) if u.email in html), None)


# --- Without ProConnect configured -----------------------------------------------------------------------


def test_without_an_issuer_there_is_no_button_and_no_proconnect_pages(app, client):
    assert not app.config["OIDC_ISSUER"]
    html = client.get("/connexion").get_data(as_text=True)
    assert "ProConnect" not in html
    token = csrf_token(html)
    assert client.post("/connexion/proconnect", data={"csrf_token": token}).status_code == 404
    assert client.get("/connexion/proconnect/retour?state=x&code=y").status_code == 404


def test_pages_do_not_reach_the_provider_before_the_button_is_clicked(app, client, monkeypatch):
    # Nothing listens on port 9 of the loopback: the sign-in page shows the button all the same, and
    # nothing is fetched (discovery waits for the first click).
    monkeypatch.setitem(app.config, "OIDC_ISSUER", "http://127.0.0.1:9")
    monkeypatch.setitem(app.config, "OIDC_CLIENT_ID", "x")
    oidc.forget_discovery()
    fetched = []
    monkeypatch.setattr(oidc, "_get_json", lambda provider, url: fetched.append(url) or {})
    response = client.get("/connexion")
    assert response.status_code == 200 and 'class="proconnect-button"' in response.get_data(as_text=True)
    assert "form-action 'self' http://127.0.0.1:9;" in response.headers["Content-Security-Policy"]
    assert fetched == []


def test_an_unreachable_provider_gets_a_clear_page(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "OIDC_ISSUER", "http://127.0.0.1:9")
    monkeypatch.setitem(app.config, "OIDC_CLIENT_ID", "x")
    monkeypatch.setitem(app.config, "OIDC_TIMEOUT_SECONDS", 2)
    oidc.forget_discovery()
    token = csrf_token(client.get("/connexion").get_data(as_text=True))
    response = client.post("/connexion/proconnect", data={"csrf_token": token})
    assert response.status_code == 503
    assert "ProConnect ne répond pas pour le moment" in response.get_data(as_text=True)
    assert client.get("/connexion").status_code == 200  # password sign-in goes on


# --- The sign-in page ------------------------------------------------------------------------------------


def test_sign_in_page_shows_the_button_and_what_proconnect_is(provider, client):
    html = client.get("/connexion").get_data(as_text=True)
    assert 'class="proconnect-button"' in html
    assert "S'identifier avec</span>" in html and '<span class="proconnect-brand">ProConnect</span>' in html
    assert 'href="https://www.proconnect.gouv.fr/"' in html and "Qu'est-ce que ProConnect\u202f?</a>" in html
    assert 'name="password"' in html  # the password form stays beside it


def test_the_authorization_request_uses_pkce_state_nonce_and_the_configured_scopes(provider, client):
    url = oidc_provider.start(client)
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(provider.issuer + "/oauth2/authorize")
    assert query["response_type"] == ["code"]
    assert query["client_id"] == [oidc_provider.CLIENT_ID]
    assert query["scope"] == [oidc_provider.SCOPES]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["redirect_uri"] == ["http://localhost/connexion/proconnect/retour"]

    # The code is exchanged with the verifier whose S256 digest was the challenge.
    sub = new_subject(provider)
    client.get(oidc_provider.callback_path(provider.authorize(url, sub)))
    verifier = provider.token_requests[-1]["code_verifier"][0]
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert digest == query["code_challenge"][0]


def test_acr_values_are_asked_for_when_configured(app, provider, client, monkeypatch):
    monkeypatch.setitem(app.config, "OIDC_ACR_VALUES", "eidas1")
    query = parse_qs(urlsplit(oidc_provider.start(client)).query)
    assert query["acr_values"] == ["eidas1"]


# --- Accounts --------------------------------------------------------------------------------------------


def test_first_sign_in_creates_an_agent_in_the_organisation_of_the_siret(provider, client, organisation):
    # Claims that try to grant roles are ignored: only the agent role, given by mobilite.
    sub = new_subject(provider, email="Anne.Durand@Agents.example.fr", roles=["admin"], siret=siret(42))
    response = sign_in(client, provider, sub)
    assert response.status_code == 302
    assert response.headers["Location"] == "/agent/"

    user = db.session.scalar(select(User).where(User.proconnect_sub == sub))
    assert user.organisation_id == organisation.id
    assert user.email == "anne.durand@agents.example.fr"
    assert (user.first_name, user.last_name) == ("Anne", "Durand")
    assert user.roles == {Role.AGENT}
    assert user.password_hash is None and user.last_login_at is not None
    assert actions()[-2:] == ["auth.proconnect_account_created", "auth.login"]
    login_event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login")).one()
    assert login_event.details == {"method": "proconnect"}

    home = client.get("/agent/")
    assert home.status_code == 200 and "Anne" in home.get_data(as_text=True)


def test_a_siret_typed_with_spaces_by_the_provider_still_finds_the_organisation(provider, client, organisation):
    sub = new_subject(provider, siret=" ".join([siret(42)[:3], siret(42)[3:6], siret(42)[6:9], siret(42)[9:]]))
    assert sign_in(client, provider, sub).status_code == 302
    assert db.session.scalar(select(User.organisation_id).where(User.proconnect_sub == sub)) == organisation.id


def test_an_existing_account_with_the_same_email_is_linked(provider, client, organisation):
    hr = UserFactory(email="claire.rh@agents.example.fr", roles=[Role.RH, Role.AGENT])
    sub = new_subject(provider, email="CLAIRE.RH@agents.example.fr", siret=siret(99))  # SIRET unused: no creation
    response = sign_in(client, provider, sub)
    assert response.headers["Location"] == "/rh/"
    assert fresh(hr).proconnect_sub == sub
    assert db.session.scalar(select(func.count(User.id)).where(User.email.like("%agents.example.fr"))) == 1
    assert actions()[-2:] == ["auth.proconnect_linked", "auth.login"]


def test_once_linked_the_account_is_found_by_subject_after_its_email_changed(provider, client, organisation):
    agent = UserFactory(email="old.address@agents.example.fr")
    sub = new_subject(provider, email="old.address@agents.example.fr")
    assert sign_in(client, provider, sub).status_code == 302
    log_out(client)

    provider.set_user(sub, email="new.address@agents.example.fr", given_name="Anne", usual_name="D", siret=siret(42))
    assert sign_in(client, provider, sub).status_code == 302
    assert signed_in_as(client).id == agent.id
    assert fresh(agent).email == "new.address@agents.example.fr"  # the account follows the new address
    assert db.session.scalar(select(func.count(User.id)).where(User.proconnect_sub == sub)) == 1
    assert "auth.proconnect_email_updated" in actions()


def test_an_account_linked_to_another_subject_is_not_taken_over_by_email(provider, client, organisation):
    UserFactory(email="taken@agents.example.fr", proconnect_sub="someone-else")
    sub = new_subject(provider, email="taken@agents.example.fr")
    response = sign_in(client, provider, sub)
    assert response.status_code == 403
    assert "relié à une autre identité ProConnect" in response.get_data(as_text=True)
    assert signed_in_as(client) is None


def test_unknown_siret_gets_a_page_saying_whom_to_ask_and_creates_nothing(app, provider, client, monkeypatch):
    monkeypatch.setitem(app.config, "CONTACT_EMAIL", "contact@mobilite.example.fr")
    sub = new_subject(provider, siret=siret(7))
    response = sign_in(client, provider, sub)
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "pas encore dans un réseau du service" in html
    assert siret(7) in html
    assert 'href="mailto:contact@mobilite.example.fr"' in html
    assert db.session.scalar(select(User).where(User.proconnect_sub == sub)) is None
    assert signed_in_as(client) is None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.proconnect_unknown_siret")).one()
    assert event.details == {"siret": siret(7)} and event.actor_id is None
    assert db.session.scalar(select(func.count(LoginAttempt.id))) == 1


def test_deactivated_account_is_refused(provider, client, organisation):
    agent = UserFactory(email="gone@agents.example.fr", active=False)
    sub = new_subject(provider, email="gone@agents.example.fr")
    response = sign_in(client, provider, sub)
    assert response.status_code == 403
    assert "Ce compte est désactivé" in response.get_data(as_text=True)
    assert signed_in_as(client) is None
    assert fresh(agent).proconnect_sub is None  # not even linked
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.proconnect_refused")).one()
    assert event.details == {"reason": "inactive"} and event.target_id == agent.id


def test_deactivated_linked_account_is_refused(provider, client, organisation):
    sub = new_subject(provider)
    sign_in(client, provider, sub)
    log_out(client)
    user = db.session.scalar(select(User).where(User.proconnect_sub == sub))
    user.active = False
    db.session.commit()
    response = sign_in(client, provider, sub)
    assert response.status_code == 403 and signed_in_as(client) is None


def test_missing_names_create_no_account(provider, client, organisation):
    sub = new_subject(provider, given_name="", usual_name="")
    response = sign_in(client, provider, sub)
    assert response.status_code == 403
    assert "ProConnect n'a pas transmis\u00a0: prénom, nom" in unescape(response.get_data(as_text=True))
    assert db.session.scalar(select(User).where(User.proconnect_sub == sub)) is None


def test_the_page_asked_for_before_signing_in_is_where_the_person_lands(provider, client, organisation):
    sub = new_subject(provider)
    response = sign_in(client, provider, sub, next_url="/compte")
    assert response.headers["Location"] == "/compte"


# --- Organisations that sign in with ProConnect only ------------------------------------------------------


def test_an_organisation_refusing_passwords_sends_its_agents_to_proconnect(provider, client, organisation):
    organisation.password_sign_in = False
    db.session.commit()
    agent = UserFactory(organisation=organisation, email="agent.pc@agents.example.fr")
    response = login(client, agent.email)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Votre organisation se connecte avec ProConnect" in html
    assert signed_in_as(client) is None
    assert "auth.password_refused" in actions()

    sub = new_subject(provider, email=agent.email)
    assert sign_in(client, provider, sub).status_code == 302
    assert signed_in_as(client).id == agent.id


def test_the_password_policy_waits_for_proconnect_to_be_configured(client, organisation):
    organisation.password_sign_in = False
    db.session.commit()
    agent = UserFactory(organisation=organisation)
    assert login(client, agent.email).status_code == 302  # no issuer: refusing passwords would lock them out


def test_other_organisations_keep_their_passwords(provider, client, organisation):
    organisation.password_sign_in = False
    db.session.commit()
    other = UserFactory()
    assert login(client, other.email).status_code == 302


# --- Logout and throttling -------------------------------------------------------------------------------


def test_logout_ends_every_session_and_the_provider_session(provider, client, organisation):
    sub = new_subject(provider)
    sign_in(client, provider, sub)
    id_token = provider_id_token(client)
    user = db.session.scalar(select(User).where(User.proconnect_sub == sub))
    version = user.session_version

    response = client.post(
        "/deconnexion", data={"csrf_token": csrf_token(client.get("/compte").get_data(as_text=True))}
    )
    location = response.headers["Location"]
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(provider.issuer + "/oauth2/end_session")
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://localhost/connexion"]
    assert query["state"][0]
    assert fresh(user).session_version == version + 1
    assert signed_in_as(client) is None

    # The provider ends its session and sends the browser back to the sign-in page.
    page = requests.get(location, timeout=10)
    assert page.status_code == 200
    back = requests.post(
        f"{provider.issuer}/oauth2/end_session/confirm",
        data={"redirect_uri": query["post_logout_redirect_uri"][0]},
        allow_redirects=False,
        timeout=10,
    )
    assert back.headers["Location"] == "http://localhost/connexion"
    assert "Vous êtes déconnecté·e." in client.get("/connexion").get_data(as_text=True)


def log_out(client):
    return client.post("/deconnexion", data={"csrf_token": csrf_token(client.get("/compte").get_data(as_text=True))})


def provider_id_token(client) -> str:
    with client.session_transaction() as session:
        return session[oidc.SESSION_ID_TOKEN]


def test_logout_after_a_password_sign_in_stays_here(provider, client):
    user = UserFactory()
    login(client, user.email)
    response = client.post(
        "/deconnexion", data={"csrf_token": csrf_token(client.get("/compte").get_data(as_text=True))}
    )
    assert response.headers["Location"] == "/connexion"


def test_proconnect_sign_in_is_throttled_per_address_like_a_password(app, provider, client, organisation, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_IP", 2)
    user = UserFactory()
    login(client, user.email, "wrong password")  # one failure by password
    unknown = new_subject(provider, siret=siret(8))
    assert sign_in(client, provider, unknown).status_code == 403  # a second, through ProConnect
    sub = new_subject(provider)
    location = provider.authorize(oidc_provider.start(client), sub)
    exchanged = len(provider.token_requests)
    response = client.get(oidc_provider.callback_path(location))
    assert response.status_code == 429 and response.headers["Retry-After"]
    assert "Trop de tentatives de connexion depuis cette adresse" in response.get_data(as_text=True)
    assert len(provider.token_requests) == exchanged  # refused before the code was even exchanged
    assert db.session.scalar(select(User).where(User.proconnect_sub == sub)) is None


def test_a_successful_proconnect_sign_in_takes_back_its_provisional_failure(provider, client, organisation):
    sign_in(client, provider, new_subject(provider))
    counter = db.session.scalars(
        select(SignInThrottle).where(SignInThrottle.scope == ThrottleScope.SIGN_IN_ADDRESS)
    ).one()
    assert counter.count == 0
    assert db.session.scalar(select(func.count(LoginAttempt.id))) == 0
