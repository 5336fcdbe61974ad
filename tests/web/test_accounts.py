"""Accounts are created by admins, coordinators for their network and HR for their organisation."""

from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import Notification, Role, User
from tests.factories import CoordinatorFactory, OrganisationFactory, UserFactory
from tests.fixtures import csrf_token, login


def _post_account(client, path, **fields):
    token = csrf_token(client.get(path).get_data(as_text=True))
    data = {"first_name": "Inès", "last_name": "Benali", "email": "ines.benali@example.fr", "roles": ["agent"]}
    data.update(fields)
    return client.post(path, data={**data, "csrf_token": token})


def _user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_hr_creates_an_agent_of_their_organisation_and_a_link_is_queued(client):
    hr = UserFactory(roles=[Role.RH])
    login(client, hr.email)
    response = _post_account(client, "/rh/comptes/nouveau", email="Ines.Benali@Example.fr ")
    assert response.status_code == 302
    created = db.session.scalar(select(User).where(User.email == "ines.benali@example.fr"))
    assert created.organisation_id == hr.organisation_id
    assert created.roles == {Role.AGENT}
    assert created.password_hash is None
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == created.id))
    assert "/mot-de-passe/" in note.body


def test_hr_cannot_create_in_another_organisation_nor_give_coordination(client):
    hr = UserFactory(roles=[Role.RH])
    other = OrganisationFactory()
    login(client, hr.email)
    before = _user_count()
    response = _post_account(client, "/rh/comptes/nouveau", organisation_id=str(other.id))
    assert response.status_code == 400
    assert "Organisation inconnue." in response.get_data(as_text=True)
    response = _post_account(client, "/rh/comptes/nouveau", roles=["coordinator"])
    assert response.status_code == 400
    assert 'id="roles-error"' in response.get_data(as_text=True)
    assert _user_count() == before


def test_bad_input_names_each_field_and_saves_nothing(client):
    hr = UserFactory(roles=[Role.RH])
    login(client, hr.email)
    before = _user_count()
    response = _post_account(client, "/rh/comptes/nouveau", email="not-an-email", first_name="", roles=[])
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Adresse e-mail non valable." in html
    assert 'id="first_name-error"' in html
    assert 'id="roles-error"' in html
    assert _user_count() == before


def test_duplicate_address_is_refused(client):
    hr = UserFactory(roles=[Role.RH])
    existing = UserFactory()
    login(client, hr.email)
    response = _post_account(client, "/rh/comptes/nouveau", email=existing.email)
    assert response.status_code == 400
    assert "Un compte existe déjà avec cette adresse." in response.get_data(as_text=True)


def test_coordinator_creates_accounts_in_their_network_only(client):
    coordinator = CoordinatorFactory()
    inside = OrganisationFactory(network=coordinator.coordinated_network)
    outside = OrganisationFactory()
    login(client, coordinator.email)
    response = _post_account(
        client, "/coordination/comptes/nouveau", organisation_id=str(inside.id), roles=["rh", "agent"]
    )
    assert response.status_code == 302
    created = db.session.scalar(select(User).where(User.email == "ines.benali@example.fr"))
    assert created.roles == {Role.RH, Role.AGENT}
    response = _post_account(
        client, "/coordination/comptes/nouveau", organisation_id=str(outside.id), email="someone@example.fr"
    )
    assert response.status_code == 400


def test_admin_creates_a_coordinator(client):
    admin = UserFactory(roles=[Role.ADMIN], organisation=None)
    network_id = CoordinatorFactory().network_id
    login(client, admin.email)
    response = _post_account(client, "/admin/comptes/nouveau", roles=["coordinator"], network_id=str(network_id))
    assert response.status_code == 302
    created = db.session.scalar(select(User).where(User.email == "ines.benali@example.fr"))
    assert created.network_id == network_id and created.organisation_id is None


def test_cli_creates_an_account(app):
    org = OrganisationFactory()
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--email",
            "cli@example.fr",
            "--first-name",
            "Paul",
            "--last-name",
            "Durand",
            "--role",
            "agent",
            "--organisation",
            org.slug,
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "cli@example.fr"))
    assert user.organisation_id == org.id and user.password_hash.startswith("$argon2id$")


def test_cli_reports_bad_input_by_field(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "--email", "nope", "--first-name", "Paul", "--last-name", "Durand", "--role", "agent"]
    )
    assert result.exit_code != 0
    assert "email" in result.output
