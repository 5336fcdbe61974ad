"""Accounts, called directly: who may create which account where, the first-password link, duplicates, and
deactivation; each refusal names its field and creates nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import AuditEvent, Notification, PasswordToken, Role, TokenPurpose, User
from mobilite.services import accounts as service
from mobilite.services.auth import check_password
from mobilite.services.errors import ServiceError
from tests.factories import CoordinatorFactory, NetworkFactory, OrganisationFactory, UserFactory
from tests.fixtures import bearer, fresh

OPTIONS = {"token_hours": 48}


def _data(**overrides) -> dict:
    data = {
        "email": "nouvelle.agente@example.fr",
        "first_name": "Nina",
        "last_name": "Lopez",
        "roles": [Role.AGENT],
        "organisation_id": None,
        "network_id": None,
        "team": "",
        "job_title": "",
    }
    data.update(overrides)
    return data


def _users() -> int:
    return db.session.scalar(select(func.count(User.id)))


def _refused(actor, data) -> ServiceError:
    before = _users()
    with pytest.raises(ServiceError) as caught:
        service.create_account(actor, data, **OPTIONS)
    db.session.rollback()
    assert _users() == before
    return caught.value


@pytest.fixture
def hr(ctx):
    return UserFactory(roles=[Role.RH])


@pytest.fixture
def admin(ctx):
    return UserFactory(organisation=None, roles=[Role.ADMIN])


def test_hr_creates_an_agent_of_their_organisation_who_gets_a_first_password_link(hr):
    organisation = hr.organisation
    user = service.create_account(
        hr, _data(email="  Nouvelle.Agente@Example.FR ", organisation_id=organisation.id, team="Accueil"), **OPTIONS
    )
    user = fresh(user)
    assert user.email == "nouvelle.agente@example.fr" and user.roles == {Role.AGENT}
    assert user.organisation_id == organisation.id and user.team == "Accueil" and user.password_hash is None
    assert (user.work_city, user.work_latitude) == (organisation.city, organisation.latitude)
    token = db.session.scalar(select(PasswordToken).where(PasswordToken.user_id == user.id))
    assert token.purpose == TokenPurpose.SET_PASSWORD and token.used_at is None
    invitation = db.session.scalars(select(Notification).where(Notification.recipient_id == user.id)).one()
    # The sign-up e-mail links the privacy notice, in both its parts.
    assert "/donnees-personnelles" in invitation.body and "/donnees-personnelles" in invitation.html_body
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.create"))
    assert (event.actor_id, event.target_id, event.details["roles"]) == (hr.id, user.id, ["agent"])


def test_the_cli_sets_a_password_and_sends_no_link(ctx):
    organisation = OrganisationFactory()
    user = service.create_account(
        None, _data(organisation_id=organisation.id, roles=[Role.RH]), password="un mot de passe solide", **OPTIONS
    )
    assert check_password(fresh(user), "un mot de passe solide")
    assert db.session.scalar(select(func.count(PasswordToken.id)).where(PasswordToken.user_id == user.id)) == 0


def test_a_coordinator_account_belongs_to_the_coordinators_network(ctx):
    coordinator = CoordinatorFactory()
    user = service.create_account(coordinator, _data(roles=[Role.COORDINATOR]), **OPTIONS)
    assert fresh(user).network_id == coordinator.network_id and fresh(user).organisation_id is None


def test_build_account_leaves_the_commit_to_the_caller(hr):
    service.build_account(hr, _data(organisation_id=hr.organisation_id), **OPTIONS)
    db.session.rollback()
    assert db.session.scalar(select(User.id).where(User.email == "nouvelle.agente@example.fr")) is None


def test_a_role_the_actor_may_not_give_is_refused_on_roles(hr):
    error = _refused(hr, _data(organisation_id=hr.organisation_id, roles=[Role.AGENT, Role.COORDINATOR]))
    assert list(error.errors) == ["roles"]


def test_hr_may_not_create_an_account_in_another_organisation(hr):
    other = OrganisationFactory(network=hr.organisation.network)
    assert list(_refused(hr, _data(organisation_id=other.id)).errors) == ["organisation_id"]


def test_an_unknown_organisation_is_refused(admin):
    assert list(_refused(admin, _data(organisation_id=999_999)).errors) == ["organisation_id"]


def test_an_agent_needs_an_organisation(admin):
    assert list(_refused(admin, _data(roles=[Role.AGENT])).errors) == ["organisation_id"]


def test_a_coordinator_of_an_unknown_network_is_refused(admin):
    assert list(_refused(admin, _data(roles=[Role.COORDINATOR], network_id=999_999)).errors) == ["network_id"]


def test_a_coordinator_may_not_create_one_in_another_network(ctx):
    coordinator = CoordinatorFactory()
    other = NetworkFactory()
    error = _refused(coordinator, _data(roles=[Role.COORDINATOR], network_id=other.id))
    assert list(error.errors) == ["network_id"]


def test_an_account_without_a_place_is_refused_unless_an_admin_creates_it(hr, admin):
    assert list(_refused(hr, _data(roles=[])).errors) == ["organisation_id"]
    assert fresh(service.create_account(admin, _data(roles=[Role.ADMIN]), **OPTIONS)).roles == {Role.ADMIN}


def test_an_address_already_used_is_refused_on_email_whatever_its_case(hr):
    UserFactory(email="deja.la@example.fr")
    error = _refused(hr, _data(email="Deja.La@example.fr", organisation_id=hr.organisation_id))
    assert list(error.errors) == ["email"]


def test_a_token_issued_before_a_deactivation_stays_revoked_after_the_reactivation(app, hr, client):
    """Regression: a deactivated account's API token answered 401, then worked again once the account was
    reactivated."""
    agent = UserFactory(organisation=hr.organisation)
    headers = bearer(app, agent)
    assert client.get("/api/v1/me/data", headers=headers).status_code == 200
    service.set_active(hr, agent, False)
    assert client.get("/api/v1/me/data", headers=headers).status_code == 401
    service.set_active(hr, agent, True)
    assert client.get("/api/v1/me/data", headers=headers).status_code == 401
    assert client.get("/api/v1/me/data", headers=bearer(app, agent)).status_code == 200  # a new one works


def test_deactivation_ends_every_session_and_reactivation_does_not_revive_them(hr):
    agent = UserFactory(organisation=hr.organisation)
    version = agent.session_version
    service.set_active(hr, agent, False)
    assert not fresh(agent).active and fresh(agent).session_version == version + 1
    service.set_active(hr, agent, True)
    assert fresh(agent).active and fresh(agent).session_version == version + 1
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_id == agent.id, AuditEvent.target_type == "User")
    ).all()
    assert actions == ["account.deactivate", "account.reactivate"]
