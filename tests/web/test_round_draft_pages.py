"""The pages of "Essayer d'autres réglages": asked from the review page, read side by side once the scheduler
ran it, the original kept; after a kept draft, the review page says what changed."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest

from benchmarks.synthetic import load_network
from mobilite.extensions import db
from mobilite.models import DraftStatus, Network, Round, RoundDraft, RoundStatus
from mobilite.services import round_drafts, rounds
from tests.factories import CoordinatorFactory
from tests.fixtures import csrf_token, fresh, login


@pytest.fixture
def round_id(app):
    with app.test_request_context():
        network = db.session.get(
            Network, load_network(20, 60, 4, seed=3, all_approved=True, label="draftpages", refresh_statistics=False)
        )
        asked = rounds.request_round(network, rounds.week_of(date.today()), trigger="manual")
        done = rounds.run_round(asked.id)
        assert done.status == RoundStatus.PROPOSED, done.error
        return done.id


def _form(page: str, **changes) -> dict[str, str]:
    """The draft form as the page fills it, with `changes`."""
    form = page[page.index('/essais"') :]
    form = form[: form.index("</form>")]
    values = dict(re.findall(r'name="([a-z_]+)" [^>]*value="([^"]*)"', form))
    values["mode"] = "optimal"
    return {**values, **changes, "csrf_token": csrf_token(page)}


def test_ask_compare_and_keep_the_original(app, client, round_id):
    network_id = fresh(db.session.get(Round, round_id)).network_id
    coordinator = CoordinatorFactory(network_id=network_id)
    login(client, coordinator.email)
    page = client.get(f"/coordination/tours/{round_id}").get_data(as_text=True)
    assert "Essayer d'autres réglages" in page

    refused = client.post(f"/coordination/tours/{round_id}/essais", data=_form(page, poids_wish="99"))
    assert refused.status_code == 302 and refused.headers["Location"].endswith("#essai")
    assert "Un poids entre 0 et 20." in client.get(f"/coordination/tours/{round_id}").get_data(as_text=True)
    assert db.session.query(RoundDraft).count() == 0

    asked = client.post(f"/coordination/tours/{round_id}/essais", data=_form(page, poids_wish="0", poids_distance="10"))
    assert asked.status_code == 302
    draft = db.session.query(RoundDraft).one()
    assert asked.headers["Location"].endswith(f"/coordination/essais/{draft.id}")
    waiting = client.get(f"/coordination/essais/{draft.id}").get_data(as_text=True)
    assert "attend le planificateur" in waiting and 'http-equiv="refresh"' in waiting

    with app.test_request_context():
        assert round_drafts.run_pending_drafts() == [(draft.id, DraftStatus.DONE)]
    ready = client.get(f"/coordination/essais/{draft.id}").get_data(as_text=True)
    assert "Les deux résultats côte à côte" in ready and "Garder ce résultat" in ready
    assert "Place de l'offre dans les vœux de l'agent" in unescape(ready)
    kept = client.post(f"/coordination/essais/{draft.id}/ecarter", data={"csrf_token": csrf_token(ready)})
    assert kept.headers["Location"].endswith(f"/coordination/tours/{round_id}")
    assert fresh(draft).status == DraftStatus.DISCARDED
    review = unescape(client.get(f"/coordination/tours/{round_id}").get_data(as_text=True))
    assert "origine gardé" in review and "écarté, l'original gardé" in review
    assert "Ce qui a changé depuis la version précédente" not in review  # nothing was rerun

    # Another network's coordinator: nothing to see, nothing to keep.
    other = app.test_client()
    login(other, CoordinatorFactory().email)
    assert other.get(f"/coordination/essais/{draft.id}").status_code == 404


def test_after_a_kept_draft_the_review_page_says_what_changed(app, client, round_id):
    with app.test_request_context():
        round_ = db.session.get(Round, round_id)
        coordinator = CoordinatorFactory(network_id=round_.network_id)
        draft = round_drafts.start_draft(round_, coordinator, {"weights": {"wish": 0, "distance": 10}})
        round_drafts.run_pending_drafts()
        round_drafts.keep_draft(coordinator, fresh(draft))
    login(client, coordinator.email)
    review = client.get(f"/coordination/tours/{round_id}").get_data(as_text=True)
    assert "Ce qui a changé depuis la version précédente" in review
    assert re.search(r"\d+ agents? (gagnen?t|perden?t|changen?t)", review)
    assert "écart de score total" in review
