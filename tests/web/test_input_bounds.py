"""Input that costs what it should, through the forms (issue 11, findings 5 and 6): dates beyond the horizon
are refused next to their field, unreadable files are explained; nothing is saved."""

from datetime import date, timedelta

from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import ImmersionRequest, OfferSession, OfferStatus, Role
from tests.factories import OfferFactory, UserFactory
from tests.fixtures import csrf_token, login
from tests.web.test_rh_transfers import _upload


def _post(client, path, data, form_path=None):
    token = csrf_token(client.get(form_path or path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def test_a_request_with_ten_windows_ending_in_9999_is_refused_next_to_each_window(client):
    agent = UserFactory()
    login(client, agent.email)
    start = (date.today() + timedelta(days=7)).isoformat()
    windows = {}
    for i in range(10):
        windows |= {f"windows-{i}-start": start, f"windows-{i}-end": "9999-12-31"}
    response = _post(
        client,
        "/agent/demandes/nouvelle",
        {"min_days": "2", "max_days": "5", "motivation": "Voir.", "action": "submit", **windows},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert all(f'id="windows-{i}-end-error"' in html for i in range(10))
    assert "Date trop lointaine" in html
    assert db.session.scalar(select(func.count(ImmersionRequest.id)).where(ImmersionRequest.agent_id == agent.id)) == 0


def test_a_session_ending_in_9999_is_refused_next_to_its_field(client):
    hr = UserFactory(roles=[Role.RH])
    offer = OfferFactory(organisation=hr.organisation, status=OfferStatus.DRAFT)
    login(client, hr.email)
    start = date.today() + timedelta(days=7)
    response = _post(
        client,
        f"/rh/offres/{offer.id}/sessions",
        {"start_date": start.isoformat(), "end_date": "9999-12-31", "capacity": "1"},
        form_path=f"/rh/offres/{offer.id}",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="end_date-error"' in html and "Date trop lointaine" in html
    assert db.session.scalar(select(func.count(OfferSession.id)).where(OfferSession.offer_id == offer.id)) == 0


def test_a_csv_of_random_bytes_is_explained(client):
    hr = UserFactory(roles=[Role.RH])
    login(client, hr.email)
    content = bytes(range(256)) * 16
    response = _upload(client, "/rh/offres/import", "offres.csv", content)
    assert response.status_code == 400
    assert "n&#39;est pas du texte lisible" in response.get_data(as_text=True)
    response = _upload(client, "/rh/comptes/import", "comptes.csv", content)
    assert response.status_code == 400


def test_a_small_workbook_declaring_a_full_sheet_is_explained(client):
    from tests.test_spreadsheets import HEAD, HEADER_ROW, _xlsx

    hr = UserFactory(roles=[Role.RH])
    login(client, hr.email)
    content = _xlsx(HEAD + '<dimension ref="A1:XFD1048576"/><sheetData>' + HEADER_ROW + "</sheetData></worksheet>")
    response = _upload(client, "/rh/offres/import", "offres.xlsx", content)
    assert response.status_code == 400
    assert "1048576 lignes" in response.get_data(as_text=True)
