"""Every CSV/XLSX export the application has: formulas neutralised (OWASP's CSV injection advice), no drafts.

The walk starts from the URL map, so a new export route fails here until it is added (and checked)."""

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import Offer, OfferStatus, RequestStatus, Role
from mobilite.services import audit
from mobilite.services.spreadsheets import FORMULA_STARTS, neutralised, write_csv
from tests.factories import (
    CoordinatorFactory,
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    RequestFactory,
    RoundFactory,
    UserFactory,
)
from tests.fixtures import login
from tests.web.test_dashboard import _immersion
from tests.web.test_rh_transfers import END, START, _upload

HOSTILE = [
    '=HYPERLINK("http://evil.example","ok")',
    "+33 1 23 45",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=2+2",
]
EXPORT_ROUTES = {
    "/rh/offres/export.csv",
    "/rh/demandes/export.csv",
    "/coordination/tableau-de-bord/<any(echanges, organisations, tours, mois):figure>.csv",
    "/compte/mes-donnees.csv",
    "/coordination/journal.csv",
    "/admin/journal.csv",
}


def _cells(response) -> list[str]:
    # One charset: "text/csv; charset=utf-8; charset=utf-8" was sent, which some clients refuse.
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = response.get_data().decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]


def _assert_neutralised(cells: list[str]) -> None:
    live = [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert not live, live


def test_the_export_routes_are_the_ones_walked_here(app):
    exports = {
        rule.rule for rule in app.url_map.iter_rules() if rule.rule.endswith((".csv", ".xlsx")) or "export" in rule.rule
    }
    assert exports == EXPORT_ROUTES


def test_every_spreadsheet_is_written_by_the_shared_writer():
    """No module writes CSV or XLSX on its own: write_csv is the one place that neutralises cells."""
    root = Path(__file__).resolve().parent.parent / "mobilite"
    writers = {
        path.relative_to(root).as_posix()
        for path in root.rglob("*.py")
        if re.search(r"csv\.writer|csv\.DictWriter|Workbook\(|xlsxwriter", path.read_text("utf-8"))
    }
    assert writers == {"services/spreadsheets.py"}


def test_the_offers_export_neutralises_every_text_cell(client):
    hr = UserFactory(roles=[Role.RH])
    OfferFactory(
        organisation=hr.organisation,
        title=HOSTILE[0],
        team=HOSTILE[1],
        description=HOSTILE[2] * 3,
        accessibility=HOSTILE[3],
        tutor_name=HOSTILE[4],
        tutor_role=HOSTILE[5],
    )
    login(client, hr.email)
    cells = _cells(client.get("/rh/offres/export.csv"))
    assert "'" + HOSTILE[0] in cells and "'" + HOSTILE[1] in cells and "'" + HOSTILE[3] in cells
    _assert_neutralised(cells)


def test_the_requests_export_neutralises_and_leaves_the_agents_drafts_out(client):
    hr = UserFactory(roles=[Role.RH])
    agent = UserFactory(organisation=hr.organisation, first_name=HOSTILE[3], last_name=HOSTILE[0], team=HOSTILE[1])
    RequestFactory(agent=agent, status=RequestStatus.REFUSED, decision_reason=HOSTILE[2])
    drafter = UserFactory(organisation=hr.organisation, last_name="Brouillon", email="brouillon@example.org")
    draft = RequestFactory(agent=drafter, status=RequestStatus.DRAFT)
    login(client, hr.email)
    cells = _cells(client.get("/rh/demandes/export.csv"))
    assert agent.email in cells and "'" + HOSTILE[2] in cells
    assert drafter.email not in cells and "Brouillon" not in cells
    assert str(draft.id) not in cells[::14] and "draft" not in cells  # ids are the first of 14 columns
    _assert_neutralised(cells)


def test_the_dashboard_export_neutralises_organisation_names(client):
    coordinator = CoordinatorFactory()
    network = coordinator.coordinated_network
    home = OrganisationFactory(network=network, name=HOSTILE[0])
    host = OrganisationFactory(network=network, name=HOSTILE[3])
    _immersion(RoundFactory(network=network), home, host, date.today() - timedelta(days=60), 3, satisfaction=(4,))
    login(client, coordinator.email)
    for figure in ("echanges", "organisations", "tours", "mois"):
        _assert_neutralised(_cells(client.get(f"/coordination/tableau-de-bord/{figure}.csv")))
    cells = _cells(client.get("/coordination/tableau-de-bord/echanges.csv"))
    assert "'" + HOSTILE[0] in cells and "'" + HOSTILE[3] in cells


@pytest.mark.parametrize("value", HOSTILE)
def test_text_that_would_run_is_quoted_numbers_and_dates_are_not(value):
    assert neutralised(value).startswith("'")
    assert neutralised(-3) == "-3" and neutralised(2.5) == "2.5" and neutralised(date(2026, 1, 2)) == "2026-01-02"
    assert neutralised("Lyon - Part-Dieu") == "Lyon - Part-Dieu"
    assert write_csv(["a"], [[value]]).decode("utf-8-sig").splitlines()[1].startswith(("'", "\"'"))


def test_an_exported_offer_reimports_with_its_text_as_it_was(client):
    hr = UserFactory(roles=[Role.RH])
    offer = OfferFactory(
        organisation=hr.organisation,
        status=OfferStatus.DRAFT,
        title=HOSTILE[0],
        description="-" + "Une description assez longue.",
    )
    OfferSessionFactory(offer=offer, start_date=START, end_date=END, working_days=4, capacity=1)
    login(client, hr.email)
    exported = client.get("/rh/offres/export.csv").get_data()
    assert _upload(client, "/rh/offres/import", "export.csv", exported).status_code == 302
    offers = db.session.scalars(select(Offer).where(Offer.organisation_id == hr.organisation_id)).all()
    assert [(o.title, o.description) for o in offers] == [(HOSTILE[0], offer.description)] * 2


def test_the_personal_data_export_neutralises_the_persons_own_texts(client):
    agent = UserFactory(first_name=HOSTILE[0], last_name=HOSTILE[3], job_title=HOSTILE[1])
    RequestFactory(agent=agent, motivation=HOSTILE[2] * 3)
    login(client, agent.email)
    cells = _cells(client.get("/compte/mes-donnees.csv"))
    _assert_neutralised(cells)
    assert neutralised(HOSTILE[0]) in cells


@pytest.mark.parametrize("space", ["coordination", "admin"])
def test_the_audit_log_export_neutralises_names_it_holds(client, space):
    coordinator = CoordinatorFactory()
    hostile_org = OrganisationFactory(network=coordinator.coordinated_network, name=HOSTILE[0])
    reader = coordinator if space == "coordination" else UserFactory(roles=[Role.ADMIN])
    agent = UserFactory(organisation=hostile_org)
    # The log's own columns come from the code, so the test writes one that would run if left as is.
    audit.record(reader, HOSTILE[3], agent, organisation_id=hostile_org.id, network_id=hostile_org.network_id)
    db.session.commit()
    login(client, reader.email)
    cells = _cells(client.get(f"/{space}/journal.csv"))
    _assert_neutralised(cells)
    assert neutralised(HOSTILE[3]) in cells
