"""The account pages for an account's whole life, through the browser's forms: edit, deactivate, reactivate,
erase (admin); the person's own data (JSON, CSV) and erasure; the audit log pages and their CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import AuditEvent, RequestStatus, Role, User
from mobilite.workdays import shift_years
from tests.factories import PASSWORD, CoordinatorFactory, OrganisationFactory, RequestFactory, UserFactory
from tests.fixtures import bearer, csrf_token, fresh, login


def _post(client, page: str, action: str, data: dict | None = None):
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(action, data={**(data or {}), "csrf_token": token})


def _actions(target: User) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.target_type == "User", AuditEvent.target_id == target.id)
            .order_by(AuditEvent.id)
        )
    )


def test_hr_deactivates_an_agent_whose_waiting_request_is_then_withdrawn_and_reactivates_them(client):
    hr = UserFactory(roles=[Role.RH])
    agent = UserFactory(organisation=hr.organisation)
    waiting = RequestFactory(agent=agent, status=RequestStatus.SUBMITTED)
    login(client, hr.email)
    page = f"/rh/comptes/{agent.id}"
    assert "Désactiver le compte" in client.get(page).get_data(as_text=True)
    response = _post(client, page, f"{page}/desactiver")
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    shown = client.get(page).get_data(as_text=True)
    assert "Désactivé" in shown and "Réactiver le compte" in shown
    assert not fresh(agent).active and fresh(waiting).status == RequestStatus.WITHDRAWN
    assert "désactivé" in client.get("/rh/comptes").get_data(as_text=True)
    # The person can no longer sign in.
    other = client.application.test_client()
    assert login(other, agent.email).status_code == 400  # refused
    _post(client, page, f"{page}/reactiver")
    assert fresh(agent).active
    assert login(other, agent.email).status_code == 302
    assert {"account.deactivate", "account.reactivate"} <= set(_actions(agent))


def test_hr_edits_names_email_and_roles_and_a_bad_form_names_each_field(client):
    hr = UserFactory(roles=[Role.RH])
    agent = UserFactory(organisation=hr.organisation)
    login(client, hr.email)
    page = f"/rh/comptes/{agent.id}/modifier"
    bad = _post(client, page, page, {"first_name": "", "last_name": "X", "email": "nope", "roles": ["agent"]})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert 'id="first_name-error"' in html and 'id="email-error"' in html
    given = {"first_name": "A", "last_name": "X", "email": agent.email, "roles": ["agent", "coordinator"]}
    beyond = _post(client, page, page, given)
    assert beyond.status_code == 400 and 'id="roles-error"' in beyond.get_data(as_text=True)
    assert fresh(agent).last_name != "X"
    good = _post(
        client,
        page,
        page,
        {"first_name": "Inès", "last_name": "Benali", "email": "ines@example.fr", "roles": ["agent", "rh"]},
    )
    assert good.status_code == 302
    agent = fresh(agent)
    assert (agent.full_name, agent.email, agent.roles) == ("Inès Benali", "ines@example.fr", {Role.AGENT, Role.RH})
    assert "account.roles" in _actions(agent) and "account.update" in _actions(agent)


def test_a_coordinator_manages_the_network_s_accounts_from_the_coordination_space(client):
    coordinator = CoordinatorFactory()
    agent = UserFactory(organisation=OrganisationFactory(network=coordinator.coordinated_network))
    login(client, coordinator.email)
    page = f"/coordination/comptes/{agent.id}"
    assert _post(client, page, f"{page}/desactiver").status_code == 302
    assert not fresh(agent).active


def test_an_agent_downloads_their_data_as_json_and_csv_and_each_download_is_logged(client):
    agent = UserFactory()
    RequestFactory(agent=agent, status=RequestStatus.SUBMITTED, motivation='=HYPERLINK("x")')
    someone_else = UserFactory(organisation=agent.organisation)
    login(client, agent.email)
    assert "Télécharger (JSON)" in client.get("/compte").get_data(as_text=True)
    response = client.get("/compte/mes-donnees.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["email"] == agent.email
    assert [r["status"] for r in data["requests"]] == ["submitted"]
    assert data["sign_ins"][0]["event"] == "auth.login"
    assert set(data) == {
        "generated_at",
        "profile",
        "requests",
        "proposals",
        "immersions",
        "feedback",
        "career",
        "sign_ins",
    }
    assert someone_else.email not in response.get_data(as_text=True)
    text = client.get("/compte/mes-donnees.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["rubrique", "numero", "champ", "valeur"]
    assert ["profile", "", "email", agent.email] in rows
    assert ["requests", "1", "motivation", '\'=HYPERLINK("x")'] in rows  # a formula stays text
    exports = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account.export")).all()
    assert sorted(e.details["format"] for e in exports) == ["csv", "json"]


def test_an_agent_erases_their_data_after_confirming_and_is_signed_out(client):
    agent = UserFactory()
    email = agent.email
    login(client, agent.email)
    refused = _post(client, "/compte/effacement", "/compte/effacement")
    assert refused.status_code == 400 and 'id="confirm-error"' in refused.get_data(as_text=True)
    assert fresh(agent).erased_at is None
    done = _post(client, "/compte/effacement", "/compte/effacement", {"confirm": "y"})
    assert done.status_code == 302 and "/connexion" in done.headers["Location"]
    assert client.get("/compte").status_code == 302  # signed out
    assert fresh(agent).erased_at is not None
    assert login(client.application.test_client(), email).status_code == 400  # refused


def test_the_admin_erases_a_person_s_data_on_request_and_hr_cannot(client):
    hr = UserFactory(roles=[Role.RH])
    agent = UserFactory(organisation=hr.organisation)
    login(client, hr.email)
    assert "Effacer les données" not in client.get(f"/rh/comptes/{agent.id}").get_data(as_text=True)
    admin = UserFactory(organisation=None, roles=[Role.ADMIN])
    login(client, admin.email)
    page = f"/admin/comptes/{agent.id}"
    assert _post(client, page, f"{page}/effacer").status_code == 302  # not confirmed: nothing done
    assert fresh(agent).erased_at is None
    assert _post(client, page, f"{page}/effacer", {"confirm": "y"}).status_code == 302
    assert fresh(agent).erased_at is not None
    assert "Données effacées" in client.get(page).get_data(as_text=True)


def test_the_coordinator_reads_their_network_s_log_only_with_filters_and_csv(client):
    coordinator = CoordinatorFactory()
    ours = UserFactory(organisation=OrganisationFactory(network=coordinator.coordinated_network))
    theirs = UserFactory()
    hr_ours = UserFactory(organisation=ours.organisation, roles=[Role.RH])
    hr_theirs = UserFactory(organisation=theirs.organisation, roles=[Role.RH])
    for hr, agent in ((hr_ours, ours), (hr_theirs, theirs)):
        login(client, hr.email)
        page = f"/rh/comptes/{agent.id}"
        _post(client, page, f"{page}/desactiver")
    login(client, coordinator.email)
    html = client.get("/coordination/journal?action=account").get_data(as_text=True)
    assert f"User n° {ours.id}" in html and f"User n° {theirs.id}" not in html
    only_sign_ins = client.get("/coordination/journal?action=auth").get_data(as_text=True)
    assert "account.deactivate" not in only_sign_ins and "auth.login" in only_sign_ins
    bad = client.get("/coordination/journal?du=2026-13-01&au=hier")
    assert bad.status_code == 400 and 'id="du-error"' in bad.get_data(as_text=True)
    text = client.get(f"/coordination/journal.csv?compte={ours.id}").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:2] == ["date", "action"]
    assert {row[1] for row in rows[1:]} >= {"account.deactivate"}
    assert all(row[5] in ("", str(ours.id)) or row[2] == str(ours.id) for row in rows[1:])
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.export")) is not None
    # The admin reads both networks.
    admin = UserFactory(organisation=None, roles=[Role.ADMIN])
    login(client, admin.email)
    every = client.get("/admin/journal?action=account.deactivate").get_data(as_text=True)
    assert f"User n° {ours.id}" in every and f"User n° {theirs.id}" in every


def test_a_log_period_beyond_what_is_kept_or_planned_is_named(client):
    """Regression: `au=9999-12-31` gave a 500 (the day after it overflowed), on the page and in the CSV."""
    coordinator = CoordinatorFactory()
    login(client, coordinator.email)
    for space in ("/coordination/journal", "/coordination/journal.csv"):
        for query, field in (("au=9999-12-31", "au"), ("du=0001-01-01", "du")):
            page = client.get(f"{space}?{query}")
            assert page.status_code == 400, (space, query)
            assert f'id="{field}-error"' in page.get_data(as_text=True), (space, query)
    today = date.today()
    kept = client.get(f"/coordination/journal.csv?du={shift_years(today, -10)}&au={shift_years(today, 2)}")
    assert kept.status_code == 200 and kept.get_data(as_text=True).lstrip("\ufeff").startswith("date;action")


def test_the_log_holds_no_password_token_or_free_text(app, client):
    hr = UserFactory(roles=[Role.RH])
    agent = UserFactory(organisation=hr.organisation)
    login(client, agent.email, password="wrong password here")  # a failure on a known account is logged
    login(client, agent.email)
    raw = bearer(app, agent)["Authorization"].split()[1]
    assert client.get("/api/v1/me/data", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    page = "/compte"
    _post(
        client,
        page,
        "/compte/mot-de-passe",
        {"current": PASSWORD, "password": "another horse battery", "confirm": "another horse battery"},
    )
    RequestFactory(agent=agent, status=RequestStatus.SUBMITTED, motivation="Mon secret médical")
    login(client, hr.email)
    _post(client, f"/rh/comptes/{agent.id}", f"/rh/comptes/{agent.id}/desactiver")
    actions = set()
    for event in db.session.scalars(select(AuditEvent)):
        actions.add(event.action)
        flat = json.dumps(event.details, ensure_ascii=False)
        for secret in (PASSWORD, "wrong password", "another horse", raw, "secret médical", agent.email):
            assert secret not in flat, (event.action, secret)
    assert {
        "auth.login_failed",
        "auth.login",
        "auth.password_changed",
        "account.export",
        "account.deactivate",
    } <= actions
