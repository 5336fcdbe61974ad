"""The network settings page (/coordination/reglages) and its API (GET/PATCH /api/v1/network/settings): every
setting saved with its audit entry (old → new), out-of-law values refused by field with nothing saved, another
network's settings out of reach."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from benchmarks.synthetic import load_network
from mobilite import limits
from mobilite.extensions import db
from mobilite.models import (
    AuditEvent,
    DraftStatus,
    MatchingMode,
    Network,
    OpinionSetting,
    PublicationScope,
    Role,
    Round,
    RoundDraft,
    RoundMode,
    RoundStatus,
)
from mobilite.schemas.network_settings import NetworkSettingsSchema
from mobilite.services import network_settings, round_drafts, rounds
from tests.factories import CoordinatorFactory, UserFactory
from tests.fixtures import bearer, csrf_token, fresh, login

PAGE = "/coordination/reglages"
TODAY = date.today()


def _form(network: Network, **changes) -> dict[str, str]:
    """The form as the page fills it for this network, with `changes` typed over it (None: left empty)."""
    values = network_settings.current(network)
    form: dict[str, str] = {}
    for name, value in values.items():
        if isinstance(value, bool):
            if value:
                form[name] = "on"
        elif value is None:
            form[name] = ""
        elif isinstance(value, time):
            form[name] = value.strftime("%H:%M")
        elif isinstance(value, date):
            form[name] = value.isoformat()
        else:
            form[name] = str(getattr(value, "value", value))
    for name, value in changes.items():
        if value is None or value is False:
            form.pop(name, None)
        else:
            form[name] = "on" if value is True else str(value)
    return form


def _post(client, data: dict[str, str]):
    token = csrf_token(client.get(PAGE).get_data(as_text=True))
    return client.post(PAGE, data={**data, "csrf_token": token})


def _changes(network: Network) -> dict[str, tuple]:
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "network.settings", AuditEvent.network_id == network.id)
    )
    return {e.details["setting"]: (e.details["old"], e.details["new"], e.actor_id) for e in events}


# Every setting, a new value different from the default: (form input, typed value, stored attribute, stored).
NEW_VALUES = [
    ("min_days", "1", "min_days", 1),
    ("max_days", "8", "max_days", 8),
    ("quota_days", "15", "quota_days", 15),
    ("quota_years", "4", "quota_years", 4),
    ("answer_deadline_days", "20", "answer_deadline_days", 20),
    ("proposal_response_days", "10", "proposal_response_days", 10),
    ("line_manager_opinion", "required", "line_manager_opinion", OpinionSetting.REQUIRED),
    ("opinion_deadline_days", "10", "opinion_deadline_days", 10),
    ("notice_days", "60", "notice_days", 60),
    ("publication_scope", "approved_and_unreviewed", "publication_scope", PublicationScope.APPROVED_AND_UNREVIEWED),
    ("mileage_rate_cents", "35", "mileage_rate_cents", 35),
    ("signing_order", "host,home,agent", "signing_order", "host,home,agent"),
    ("matching_mode", "stable", "matching_mode", MatchingMode.STABLE),
    ("diversity_per_session", "3", "diversity_per_session", 3),
    ("continuity_max_away", "2", "continuity_max_away", 2),
    ("fairness_floor_percent", "40", "fairness_floor_percent", 40),
    ("retention_days", "400", "retention_days", 400),
    ("immersion_retention_days", "2000", "immersion_retention_days", 2000),
    ("sign_in_log_retention_days", "200", "sign_in_log_retention_days", 200),
    ("audit_retention_days", "800", "audit_retention_days", 800),
]


def test_the_coordination_home_links_to_the_settings_page_which_explains_each_setting(client):
    coordinator = CoordinatorFactory()
    login(client, coordinator.email)
    assert f'href="{PAGE}"' in client.get("/coordination/").get_data(as_text=True)
    html = client.get(PAGE).get_data(as_text=True)
    for name in NetworkSettingsSchema().fields:
        assert f'id="{name}"' in html, name
        if name not in ("round_day", "round_time") and not name.startswith("weight_"):
            assert f'id="{name}-help"' in html, name
    assert "Place de l'offre dans les vœux de l'agent" in html  # a weight in the users' words


def test_every_setting_is_saved_with_its_audit_entry_old_and_new(client):
    coordinator = CoordinatorFactory()
    network = db.session.get(Network, coordinator.network_id)
    login(client, coordinator.email)
    changes = {name: typed for name, typed, _attr, _stored in NEW_VALUES}
    changes.update(
        requires_offer_validation=False,
        reciprocity=True,
        rounds_paused=True,
        round_day="wed",
        round_time="18:30",
        weight_wish="7",
        weight_fairness="0",
    )
    response = _post(client, _form(network, **changes))
    assert response.status_code == 302, response.get_data(as_text=True)
    network = fresh(network)
    for _name, _typed, attribute, stored in NEW_VALUES:
        assert getattr(network, attribute) == stored, attribute
    assert network.requires_offer_validation is False and network.reciprocity and network.rounds_paused
    assert network.match_cron == "30 18 * * wed"
    assert network.weights["wish"] == 7 and network.weights["fairness"] == 0
    audited = _changes(network)
    assert audited["min_days"] == (limits.DEFAULT_MIN_DAYS, 1, coordinator.id)
    assert audited["line_manager_opinion"] == ("advisory", "required", coordinator.id)
    assert audited["continuity_max_away"] == (None, 2, coordinator.id)
    assert audited["requires_offer_validation"] == (True, False, coordinator.id)
    assert audited["match_cron"] == ("0 6 * * mon", "30 18 * * wed", coordinator.id)
    assert audited["weights.wish"][:2] == (limits.DEFAULT_WEIGHTS["wish"], 7)
    expected = {name for name, *_ in NEW_VALUES} | {
        "requires_offer_validation",
        "reciprocity",
        "rounds_paused",
        "match_cron",
        "weights.wish",
        "weights.fairness",
    }
    assert set(audited) == expected
    # Saving again unchanged writes nothing more.
    assert _post(client, _form(fresh(network))).status_code == 302
    assert len(_changes(network)) == len(expected)
    # The page shows what is saved.
    html = client.get(PAGE).get_data(as_text=True)
    assert 'value="18:30"' in html and 'value="wed" selected' in html


def test_emptying_the_continuity_limit_and_the_floor_removes_them(client):
    coordinator = CoordinatorFactory()
    network = db.session.get(Network, coordinator.network_id)
    network.continuity_max_away = 3
    db.session.commit()
    login(client, coordinator.email)
    assert _post(client, _form(network, continuity_max_away="", fairness_floor_percent="")).status_code == 302
    network = fresh(network)
    assert network.continuity_max_away is None and network.fairness_floor_percent is None


@pytest.mark.parametrize(
    ("name", "typed", "says"),
    [
        ("min_days", "0", "Entre 1 et 10 jours ouvrés."),
        ("max_days", "11", "Entre 1 et 10 jours ouvrés."),
        ("quota_days", "21", "au plus 20 jours d'immersion sur 3 ans"),
        ("quota_years", "2", "sur 3 ans au moins"),
        ("answer_deadline_days", "31", "un mois au plus"),
        ("sign_in_log_retention_days", "400", "de six mois à un an"),
        ("weight_wish", "21", "20"),
        ("min_days", "deux", "Nombre entier attendu."),
        ("signing_order", "agent,agent,host", "Choix inconnu."),
    ],
)
def test_an_out_of_law_value_is_refused_by_field_and_nothing_is_saved(client, name, typed, says):
    coordinator = CoordinatorFactory()
    network = db.session.get(Network, coordinator.network_id)
    login(client, coordinator.email)
    response = _post(client, _form(network, **{name: typed, "notice_days": "45"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{name}-error"' in html and says.replace("'", "&#39;") in html
    network = fresh(network)
    assert network.notice_days == limits.DEFAULT_NOTICE_DAYS  # the valid change beside it is not saved either
    assert _changes(network) == {}


def test_the_rules_between_settings_are_all_shown_at_once_with_the_schemas(client):
    coordinator = CoordinatorFactory()
    network = db.session.get(Network, coordinator.network_id)
    login(client, coordinator.email)
    response = _post(
        client,
        _form(
            network,
            min_days="5",
            max_days="3",
            opinion_deadline_days="30",
            immersion_retention_days="500",
            quota_days="99",
            round_mode="campaign",
            campaign_collection_end=(TODAY + timedelta(days=20)).isoformat(),
            campaign_round_date=(TODAY + timedelta(days=10)).isoformat(),
        ),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for name in ("max_days", "opinion_deadline_days", "immersion_retention_days", "quota_days", "campaign_round_date"):
        assert f'id="{name}-error"' in html, name
    assert "durée maximale doit être supérieure" in html
    assert fresh(network).min_days == limits.DEFAULT_MIN_DAYS and _changes(network) == {}


def test_a_campaign_needs_its_two_dates_not_in_the_past(client):
    coordinator = CoordinatorFactory()
    network = db.session.get(Network, coordinator.network_id)
    login(client, coordinator.email)
    response = _post(client, _form(network, round_mode="campaign"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="campaign_collection_end-error"' in html and 'id="campaign_round_date-error"' in html
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    response = _post(
        client, _form(network, round_mode="campaign", campaign_collection_end=yesterday, campaign_round_date=yesterday)
    )
    assert "Cette date est passée" in response.get_data(as_text=True)
    end, on = TODAY + timedelta(days=14), TODAY + timedelta(days=21)
    response = _post(
        client,
        _form(
            network, round_mode="campaign", campaign_collection_end=end.isoformat(), campaign_round_date=on.isoformat()
        ),
    )
    assert response.status_code == 302
    network = fresh(network)
    assert network.round_mode == RoundMode.CAMPAIGN and network.campaign_round_date == on
    assert _changes(network)["round_mode"][:2] == ("weekly", "campaign")
    assert _changes(network)["campaign_round_date"][:2] == (None, on.isoformat())


def test_a_schedule_that_is_not_one_day_and_hour_is_shown_as_it_is_and_kept(client):
    coordinator = CoordinatorFactory()
    network = db.session.get(Network, coordinator.network_id)
    network.match_cron = "0 6 * * mon,thu"
    db.session.commit()
    login(client, coordinator.email)
    html = client.get(PAGE).get_data(as_text=True)
    assert "0 6 * * mon,thu" in html and 'id="cron-notice"' in html
    assert _post(client, _form(network, notice_days="60")).status_code == 302
    assert fresh(network).match_cron == "0 6 * * mon,thu"
    # Only a day without its hour is refused; both replace the schedule.
    response = _post(client, _form(network, round_day="fri"))
    assert response.status_code == 400 and 'id="round_time-error"' in response.get_data(as_text=True)
    assert _post(client, _form(network, round_day="fri", round_time="07:00")).status_code == 302
    assert fresh(network).match_cron == "0 7 * * fri"


def test_a_standard_schedule_cannot_be_emptied(client):
    coordinator = CoordinatorFactory()
    network = db.session.get(Network, coordinator.network_id)
    login(client, coordinator.email)
    response = _post(client, _form(network, round_day=None, round_time=None))
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="round_day-error"' in html and 'id="round_time-error"' in html


def test_the_cron_reading():
    assert network_settings.day_and_time("30 7 * * tue") == ("tue", time(7, 30))
    assert network_settings.day_and_time("0 6 * * 1") == ("mon", time(6, 0))
    assert network_settings.day_and_time("0 6 * * 0") == ("sun", time(6, 0))
    for odd in ("0 6 * * mon,thu", "*/5 * * * *", "0 25 * * mon", "0 6 1 * *", ""):
        assert network_settings.day_and_time(odd) is None, odd
    assert network_settings.cron_of("fri", time(18, 5)) == "5 18 * * fri"


def test_every_soft_goal_of_the_engine_has_its_weight_in_the_form():
    fields = NetworkSettingsSchema().fields
    assert {f"weight_{name}" for name in limits.DEFAULT_WEIGHTS} == {n for n in fields if n.startswith("weight_")}


def test_every_signing_order_has_its_sentence():
    from mobilite.schemas.network_settings import SIGNING_ORDERS
    from mobilite.web.coordination.settings_views import SIGNING_ORDER_WORDS

    assert set(SIGNING_ORDER_WORDS) == set(SIGNING_ORDERS) and len(SIGNING_ORDERS) == 6


def test_only_the_networks_coordinator_reaches_its_settings(client):
    coordinator = CoordinatorFactory()
    for role in (Role.AGENT, Role.RH):
        login(client, UserFactory(roles=[role]).email)
        assert client.get(PAGE).status_code in (403, 404)
    other = CoordinatorFactory()
    login(client, other.email)
    response = _post(client, _form(db.session.get(Network, other.network_id), notice_days="30"))
    assert response.status_code == 302
    # The other coordinator changed their own network, never the first one's.
    assert fresh(db.session.get(Network, coordinator.network_id)).notice_days == limits.DEFAULT_NOTICE_DAYS
    assert db.session.get(Network, other.network_id).notice_days == 30


def test_the_service_refuses_another_networks_coordinator(ctx):
    coordinator, other = CoordinatorFactory(), CoordinatorFactory()
    network = db.session.get(Network, coordinator.network_id)
    from werkzeug.exceptions import NotFound

    with pytest.raises(NotFound):
        network_settings.update_settings(other, network, {"notice_days": 10})
    assert fresh(network).notice_days == limits.DEFAULT_NOTICE_DAYS


# --- the API ----------------------------------------------------------------------------------------------


def test_the_api_reads_and_patches_the_settings_with_the_same_rules(app, client):
    coordinator = CoordinatorFactory()
    network_id = coordinator.network_id
    network = db.session.get(Network, network_id)
    headers = bearer(app, coordinator)
    body = client.get("/api/v1/network/settings", headers=headers).get_json()
    assert body["min_days"] == limits.DEFAULT_MIN_DAYS and body["round_day"] == "mon" and body["round_time"] == "06:00"
    assert body["weight_wish"] == limits.DEFAULT_WEIGHTS["wish"]
    response = client.patch("/api/v1/network/settings", json={"max_days": 6, "rounds_paused": True}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["max_days"] == 6 and response.get_json()["rounds_paused"] is True
    network = fresh(network)
    assert network.max_days == 6 and network.rounds_paused and network.notice_days == limits.DEFAULT_NOTICE_DAYS
    assert _changes(network)["max_days"] == (limits.DEFAULT_MAX_DAYS, 6, coordinator.id)
    refused = client.patch("/api/v1/network/settings", json={"min_days": 7, "quota_days": 40}, headers=headers)
    assert refused.status_code == 422
    errors = refused.get_json()["errors"]
    assert "quota_days" in errors
    refused = client.patch("/api/v1/network/settings", json={"min_days": 7}, headers=headers)
    assert refused.status_code == 422 and "max_days" in refused.get_json()["errors"]
    assert db.session.get(Network, network_id, populate_existing=True).min_days == limits.DEFAULT_MIN_DAYS
    for role in (Role.AGENT, Role.RH):
        assert client.get("/api/v1/network/settings", headers=bearer(app, UserFactory(roles=[role]))).status_code == 404


# --- Aperçu: the last round solved again with the typed matching settings, in the scheduler ----------------


@pytest.fixture
def round_id(app):
    with app.test_request_context():
        network = db.session.get(
            Network, load_network(12, 30, 3, seed=5, all_approved=True, label="apercu", refresh_statistics=False)
        )
        asked = rounds.request_round(network, rounds.week_of(date.today()), trigger="manual")
        done = rounds.run_round(asked.id)
        assert done.status == RoundStatus.PROPOSED, done.error
        return done.id


def test_with_no_round_yet_the_preview_says_there_is_nothing_to_compare(client):
    coordinator = CoordinatorFactory()
    network = db.session.get(Network, coordinator.network_id)
    login(client, coordinator.email)
    assert "rien à comparer avant le premier tour" in client.get(PAGE).get_data(as_text=True)
    token = csrf_token(client.get(PAGE).get_data(as_text=True))
    response = client.post(f"{PAGE}/apercu", data={**_form(network, weight_wish="0"), "csrf_token": token})
    assert response.status_code == 400
    assert 'id="preview-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RoundDraft)) == 0


def test_preview_runs_in_the_scheduler_then_shows_what_would_change_and_saves_nothing(app, client, round_id):
    network_id = db.session.get(Round, round_id).network_id
    coordinator = CoordinatorFactory(network_id=network_id)
    login(client, coordinator.email)
    network = db.session.get(Network, network_id)
    assert "recalcule le dernier tour" in client.get(PAGE).get_data(as_text=True)
    token = csrf_token(client.get(PAGE).get_data(as_text=True))
    refused = client.post(f"{PAGE}/apercu", data={**_form(network, weight_wish="21"), "csrf_token": token})
    assert refused.status_code == 400 and 'id="weight_wish-error"' in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RoundDraft)) == 0

    asked = client.post(
        f"{PAGE}/apercu",
        data={**_form(network, weight_wish="0", weight_distance="10", matching_mode="stable"), "csrf_token": token},
    )
    assert asked.status_code == 302
    draft = db.session.scalars(select(RoundDraft)).one()
    assert asked.headers["Location"].endswith(f"{PAGE}?apercu={draft.id}")
    # Asked, not solved: the web request only queued it; the network's settings are unchanged.
    assert draft.status == DraftStatus.QUEUED and draft.round_id == round_id
    assert draft.settings["weights"]["wish"] == 0 and draft.settings["mode"] == "stable"
    network = fresh(network)
    assert network.weights["wish"] == limits.DEFAULT_WEIGHTS["wish"] and network.matching_mode == MatchingMode.OPTIMAL
    assert _changes(network) == {}
    waiting = client.get(f"{PAGE}?apercu={draft.id}").get_data(as_text=True)
    assert "attend le planificateur" in waiting and "Actualiser l'aperçu" in waiting
    assert 'id="weight_wish" name="weight_wish" type="number" value="0"' in waiting  # the form as previewed

    with app.test_request_context():
        assert round_drafts.run_pending_drafts() == [(draft.id, DraftStatus.DONE)]
    ready = client.get(f"{PAGE}?apercu={draft.id}").get_data(as_text=True)
    assert "Les deux résultats côte à côte" in ready and "Placements qui diffèrent" in ready
    assert "Taux de placement par organisation" in ready and "Placés sur leur vœu" in ready
    # A preview of settings, not a decision on the round: no button replaces its proposals from here.
    assert "Garder ce résultat" not in ready and "Garder l'original" not in ready
    assert f"/essais/{draft.id}/garder" not in ready and f"/essais/{draft.id}/ecarter" not in ready

    # Then saved as previewed.
    saved = _post(client, _form(network, weight_wish="0", weight_distance="10", matching_mode="stable"))
    assert saved.status_code == 302
    network = fresh(network)
    assert network.weights["wish"] == 0 and network.matching_mode == MatchingMode.STABLE

    # Another network's coordinator cannot read this preview.
    other = app.test_client()
    login(other, CoordinatorFactory().email)
    assert other.get(f"{PAGE}?apercu={draft.id}").status_code == 404
