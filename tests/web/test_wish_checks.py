"""Wishes that can be matched: each hard rule, holding and broken, told in the agent's words with its figures;
an impossible wish refused at submission (web and API) but kept in a draft; offers that fit the request."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from mobilite.extensions import db
from mobilite.i18n import format_date
from mobilite.models import (
    AvailabilityWindow,
    ForbiddenPair,
    ImmersionRequest,
    Offer,
    OfferPrerequisite,
    OfferStatus,
    Organisation,
    Place,
    RequestStatus,
    User,
    UserSkill,
    Wish,
)
from mobilite.services import wish_checks
from tests.factories import (
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    RequestFactory,
    SkillFactory,
    UserFactory,
)
from tests.fixtures import bearer, csrf_token, fresh, login

LYON = (45.764, 4.836)
CALUIRE = (45.795, 4.846)  # 3.5 km from Lyon
GRENOBLE = (45.188, 5.724)  # 94 km from Lyon (great circle)
MONDAY = date.today() + timedelta(days=28 + (7 - date.today().weekday()) % 7)
WINDOW = (MONDAY, MONDAY + timedelta(days=25))


@dataclass
class World:
    agent: User
    near: Organisation
    far: Organisation
    request: ImmersionRequest


@pytest.fixture
def world(app) -> World:
    agent = UserFactory(work_city="Lyon", work_latitude=LYON[0], work_longitude=LYON[1])
    home = agent.organisation
    home.latitude, home.longitude = LYON
    network = home.network
    near = OrganisationFactory(
        network=network, name="Caluire", city="Caluire", latitude=CALUIRE[0], longitude=CALUIRE[1]
    )
    far = OrganisationFactory(
        network=network, name="Grenoble", city="Grenoble", latitude=GRENOBLE[0], longitude=GRENOBLE[1]
    )
    item = RequestFactory(agent=agent, status=RequestStatus.DRAFT, min_days=2, max_days=5, max_distance_km=50)
    item.windows = [AvailabilityWindow(start_date=WINDOW[0], end_date=WINDOW[1])]
    db.session.commit()
    return World(agent, near, far, item)


def _offer(org, sessions=((2, 4, 3),), **kwargs) -> Offer:
    """An offer with sessions given as (first day, last day, working days), days counted from MONDAY."""
    offer = OfferFactory(organisation=org, **kwargs)
    for first, last, days in sessions:
        OfferSessionFactory(
            offer=offer,
            start_date=MONDAY + timedelta(days=first),
            end_date=MONDAY + timedelta(days=last),
            working_days=days,
        )
    return offer


def _wish(item: ImmersionRequest, *offers: Offer) -> None:
    """Wishes written directly: the services refuse some of them (own organisation, closed offers)."""
    for offer in offers:
        item.wishes.append(Wish(offer=offer, rank=len(item.wishes) + 1))
    db.session.commit()


def _check(item: ImmersionRequest) -> wish_checks.WishCheck:
    (check,) = wish_checks.check_wishes(fresh(item)).wishes
    return check


def _long(day: date) -> str:
    return format_date(day, "long")


# --- each rule: holds, then broken with its figure -----------------------------------------------------


def test_a_wish_that_keeps_every_rule_says_how_many_sessions_fit(ctx, world):
    _wish(world.request, _offer(world.near, sessions=((2, 4, 3), (30, 32, 3))))
    check = _check(world.request)
    assert check.ok and check.upcoming == 2 and len(check.fitting) == 1 and check.reasons == []


def test_distance(ctx, world):
    _wish(world.request, _offer(world.far))
    check = _check(world.request)
    assert not check.ok
    assert check.reasons == ["à 94 km de votre lieu de travail\u202f; votre limite est de 50 km"]
    world.request.max_distance_km = 100
    db.session.commit()
    assert _check(world.request).ok
    # A remote offer is never too far.
    world.request.max_distance_km = 50
    world.request.wishes.clear()
    db.session.flush()
    _wish(world.request, _offer(world.far, place=Place.REMOTE))
    assert _check(world.request).ok


def test_dates(ctx, world):
    _wish(world.request, _offer(world.near, sessions=((24, 26, 3),)))  # ends a day after the window
    check = _check(world.request)
    start, end = MONDAY + timedelta(days=24), MONDAY + timedelta(days=26)
    assert check.reasons == [f"aucune de vos disponibilités ne couvre la session du {_long(start)} au {_long(end)}"]
    world.request.windows[0].end_date = end
    db.session.commit()
    assert _check(world.request).ok


def test_duration(ctx, world):
    _wish(world.request, _offer(world.near, sessions=((0, 11, 10),)))
    start, end = MONDAY, MONDAY + timedelta(days=11)
    assert _check(world.request).reasons == [
        f"la session du {_long(start)} au {_long(end)} dure 10 jours ouvrés\u202f; votre demande accepte 2 à 5 jours"
    ]
    world.request.max_days = 10
    db.session.commit()
    assert _check(world.request).ok


def test_quota(ctx, world):
    _wish(world.request, _offer(world.near, sessions=((2, 4, 3),)))
    network = world.agent.organisation.network
    network.quota_days = 2
    db.session.commit()
    start, end = MONDAY + timedelta(days=2), MONDAY + timedelta(days=4)
    assert _check(world.request).reasons == [
        f"la session du {_long(start)} au {_long(end)} dure 3 jours ouvrés\u202f; il ne vous reste que 2 jours "
        f"d'immersion sur les 2 permis sur {network.quota_years} ans"
    ]
    network.quota_days = 3
    db.session.commit()
    assert _check(world.request).ok


def test_prerequisites_name_each_skill_and_both_levels(ctx, world):
    held, missing = SkillFactory(label_fr="Cartographie"), SkillFactory(label_fr="Marchés publics")
    offer = _offer(world.near)
    offer.prerequisites = [
        OfferPrerequisite(skill=held, min_level=3),
        OfferPrerequisite(skill=missing, min_level=1),
    ]
    world.agent.skills.append(UserSkill(skill=held, level=1))
    db.session.commit()
    _wish(world.request, offer)
    assert sorted(_check(world.request).reasons) == [
        "prérequis\u00a0: «\u202fCartographie\u202f» au niveau 3 au moins\u202f; votre profil indique le niveau 1",
        "prérequis\u00a0: «\u202fMarchés publics\u202f» au niveau 1 au moins\u202f; "
        "cette compétence ne figure pas dans votre profil",
    ]
    world.agent.skills[0].level = 3
    world.agent.skills.append(UserSkill(skill=missing, level=2))
    db.session.commit()
    assert _check(world.request).ok


def test_own_organisation(ctx, world):
    offer = _offer(world.agent.organisation)
    _wish(world.request, offer)
    assert _check(world.request).reasons == [
        "cette offre vient de votre propre organisation\u00a0: une immersion se fait ailleurs"
    ]
    offer.organisation = world.near
    db.session.commit()
    assert _check(world.request).ok


def test_a_closed_offer_and_an_offer_without_upcoming_session(ctx, world):
    closed = _offer(world.near, status=OfferStatus.CLOSED)
    _wish(world.request, closed)
    assert _check(world.request).reasons == ["cette offre n'est plus publiée dans votre réseau"]
    closed.status = OfferStatus.PUBLISHED
    db.session.commit()
    assert _check(world.request).ok
    world.request.wishes.clear()
    db.session.flush()
    _wish(world.request, _offer(world.near, sessions=()))
    assert _check(world.request).reasons == ["cette offre n'a pas de session à venir"]


def test_a_session_refused_before_is_never_proposed_again(ctx, world):
    offer = _offer(world.near)
    _wish(world.request, offer)
    assert _check(world.request).ok
    db.session.add(ForbiddenPair(request_id=world.request.id, session_id=offer.sessions[0].id, source="declined"))
    db.session.commit()
    start, end = offer.sessions[0].start_date, offer.sessions[0].end_date
    assert _check(world.request).reasons == [
        f"la session du {_long(start)} au {_long(end)} vous a déjà été proposée, puis écartée ou déclinée\u00a0: "
        "elle ne vous sera plus proposée"
    ]


def test_many_sessions_are_explained_three_at_a_time_then_counted(ctx, world):
    offer = _offer(world.far, sessions=[(7 * k, 7 * k + 11, 10) for k in range(5)])
    _wish(world.request, offer)
    check = _check(world.request)
    assert check.reasons[0] == "à 94 km de votre lieu de travail\u202f; votre limite est de 50 km"
    # The first three sessions are each too long (one line each); the last two also end too late.
    assert len(check.session_reasons) == 3 and all("dure 10 jours ouvrés" in r for r in check.session_reasons)
    assert check.reasons[-1] == "2 autres sessions ne conviennent pas non plus"


def test_english_reasons(app, world):
    _wish(world.request, _offer(world.far))
    with app.test_request_context(), force_locale("en"):
        (reason,) = _check(world.request).reasons
    assert reason == "94 km from your work place; your limit is 50 km"


# --- submission: refused with the reason, web and API; drafts keep the wish ----------------------------


def _form(world, wishes, **fields):
    data = {
        "windows-0-start": WINDOW[0].isoformat(),
        "windows-0-end": WINDOW[1].isoformat(),
        "min_days": "2",
        "max_days": "5",
        "max_distance_km": "50",
        "motivation": "Voir comment travaille une autre équipe.",
        "career_project": "Confirmer un projet de mobilité.",
        "shorter_notice_agreed": "on",
        "line_manager_email": "cheffe@example.org",
        "wishes": [str(o.id) for o in wishes],
    }
    data.update(fields)
    return data


def _requests_of(agent):
    return db.session.scalars(select(ImmersionRequest).where(ImmersionRequest.agent_id == agent.id)).all()


def test_the_form_refuses_to_submit_an_impossible_wish_and_saves_it_as_a_draft(client, world):
    far = _offer(world.far, title="Accueil au guichet unique")
    near = _offer(world.near)
    login(client, world.agent.email)
    before = len(_requests_of(world.agent))
    token = csrf_token(client.get("/agent/demandes/nouvelle").get_data(as_text=True))
    refused = client.post(
        "/agent/demandes/nouvelle", data={**_form(world, [near, far], action="submit"), "csrf_token": token}
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Vœu n°2 «\u202fAccueil au guichet unique\u202f»\u00a0: aucune session ne peut vous être proposée" in html
    assert "À 94 km de votre lieu de travail\u202f; votre limite est de 50 km." in html
    assert 'id="wishes-error"' in html
    assert len(_requests_of(world.agent)) == before  # nothing saved

    saved = client.post(
        "/agent/demandes/nouvelle", data={**_form(world, [near, far], action="draft"), "csrf_token": token}
    )
    assert saved.status_code == 302
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Ce vœu ne peut pas aboutir en l'état" in page and "votre limite est de 50 km" in page
    assert "1 session sur 1 correspond à votre demande." in page
    assert "la demande ne peut pas être soumise" in page

    # Submitting the draft from its page is refused the same way; widening the limit lets it through.
    item = max(_requests_of(world.agent), key=lambda r: r.id)
    submit = client.post(
        f"/agent/demandes/{item.id}/soumettre", data={"version": str(item.version), "csrf_token": csrf_token(page)}
    )
    assert submit.status_code == 400
    assert "Vœu n°2 «\u202fAccueil au guichet unique\u202f»" in submit.get_data(as_text=True)
    assert fresh(item).status == RequestStatus.DRAFT
    edit = client.get(f"/agent/demandes/{item.id}/modifier").get_data(as_text=True)
    assert 'aria-describedby="wishes-1-check"' in edit and 'id="wishes-1-check"' in edit
    widened = client.post(
        f"/agent/demandes/{item.id}/modifier",
        data={
            **_form(world, [near, far], max_distance_km="120", action="submit", version=str(fresh(item).version)),
            "csrf_token": csrf_token(edit),
        },
    )
    assert widened.status_code == 302 and fresh(item).status == RequestStatus.SUBMITTED


def test_the_api_refuses_to_submit_an_impossible_wish(app, client, world):
    far = _offer(world.far, title="Accueil au guichet unique")
    _wish(world.request, far)
    headers = bearer(app, world.agent)
    response = client.post(f"/api/v1/requests/{world.request.id}/submit", headers=headers)
    assert response.status_code == 422
    (message,) = response.json["errors"]["wishes"]
    assert message.startswith("Vœu n°1 «\u202fAccueil au guichet unique\u202f»\u00a0: aucune session")
    assert "votre limite est de 50 km" in message
    assert fresh(world.request).status == RequestStatus.DRAFT
    body = {
        "windows": [{"start": WINDOW[0].isoformat(), "end": WINDOW[1].isoformat()}],
        "min_days": 2,
        "max_days": 5,
        "max_distance_km": 50,
        "motivation": "Découvrir.",
        "career_project": "Confirmer un projet de mobilité.",
        "shorter_notice_agreed": True,
        "line_manager_email": "cheffe@example.org",
        "wishes": [far.id],
        "submit": True,
    }
    created = client.post("/api/v1/requests", headers=headers, json=body)
    assert created.status_code == 422 and "Vœu n°1" in created.json["errors"]["wishes"][0]
    assert client.post("/api/v1/requests", headers=headers, json={**body, "max_distance_km": 120}).status_code == 201


def test_a_submitted_request_takes_only_wishes_that_can_be_matched(client, world):
    near, far = _offer(world.near), _offer(world.far, title="Loin d'ici")
    world.request.status = RequestStatus.SUBMITTED
    db.session.commit()
    login(client, world.agent.email)
    page = client.get(f"/agent/offres/{far.id}").get_data(as_text=True)
    refused = client.post(
        f"/agent/demandes/{world.request.id}/voeux",
        data={"offer_id": str(far.id), "version": str(world.request.version), "csrf_token": csrf_token(page)},
        follow_redirects=True,
    )
    assert "Vœu n°1 «\u202fLoin d&#39;ici\u202f»\u00a0: aucune session" in refused.get_data(as_text=True)
    assert fresh(world.request).wishes == []
    added = client.post(
        f"/agent/demandes/{world.request.id}/voeux",
        data={"offer_id": str(near.id), "version": str(world.request.version), "csrf_token": csrf_token(page)},
    )
    assert added.status_code == 302 and [w.offer_id for w in fresh(world.request).wishes] == [near.id]


def test_an_already_submitted_request_stays_submitted_and_its_next_edit_fixes_the_wish(client, world):
    far = _offer(world.far, title="Loin d'ici")
    _wish(world.request, far)
    world.request.status = RequestStatus.SUBMITTED
    db.session.commit()
    login(client, world.agent.email)
    page = client.get(f"/agent/demandes/{world.request.id}").get_data(as_text=True)
    assert "votre limite est de 50 km" in page and "vos modifications ne peuvent pas être enregistrées" in page
    assert fresh(world.request).status == RequestStatus.SUBMITTED
    edit = client.get(f"/agent/demandes/{world.request.id}/modifier").get_data(as_text=True)
    fields = {"action": "save", "version": str(world.request.version), "csrf_token": csrf_token(edit)}
    kept = client.post(f"/agent/demandes/{world.request.id}/modifier", data={**_form(world, [far]), **fields})
    assert kept.status_code == 400 and "Vœu n°1 «\u202fLoin d&#39;ici\u202f»" in kept.get_data(as_text=True)
    widened = client.post(
        f"/agent/demandes/{world.request.id}/modifier",
        data={**_form(world, [far], max_distance_km="100"), **fields},
    )
    assert widened.status_code == 302
    item = fresh(world.request)
    assert item.status == RequestStatus.SUBMITTED and item.max_distance_km == 100


def test_a_draft_takes_an_impossible_wish_and_shows_why(client, world):
    far = _offer(world.far)
    login(client, world.agent.email)
    page = client.get(f"/agent/offres/{far.id}").get_data(as_text=True)
    added = client.post(
        f"/agent/demandes/{world.request.id}/voeux",
        data={"offer_id": str(far.id), "version": str(world.request.version), "csrf_token": csrf_token(page)},
        follow_redirects=True,
    )
    html = added.get_data(as_text=True)
    assert (
        "Offre ajoutée à vos vœux" in html
        and "à 94 km de votre lieu de travail\u202f; votre limite est de 50 km" in html
    )


# --- offers that fit the request as it stands ------------------------------------------------------------


def test_compatible_offers_closest_first_without_drafts_own_or_unfit_offers(client, world):
    other_network = OrganisationFactory(latitude=CALUIRE[0], longitude=CALUIRE[1])
    middle = OrganisationFactory(network=world.near.network, name="Givors", latitude=45.59, longitude=4.77)
    fits_near = _offer(world.near, title="Tout près")
    fits_middle = _offer(middle, title="Un peu plus loin")
    _offer(world.near, title="Brouillon d'ailleurs", status=OfferStatus.DRAFT)
    _offer(world.agent.organisation, title="Chez moi")
    _offer(other_network, title="Autre réseau")
    _offer(world.far, title="Trop loin")
    _offer(world.near, title="Trop long", sessions=((0, 11, 10),))
    _offer(world.near, title="Hors de mes dates", sessions=((40, 42, 3),))
    _wish(world.request, fits_middle)
    login(client, world.agent.email)
    html = client.get(f"/agent/demandes/{world.request.id}/offres-compatibles").get_data(as_text=True)
    assert "2 offres compatibles" in html
    assert html.index("Tout près") < html.index("Un peu plus loin")
    for title in (
        "Brouillon d&#39;ailleurs",
        "Chez moi",
        "Autre réseau",
        "Trop loin",
        "Trop long",
        "Hors de mes dates",
    ):
        assert title not in html
    assert "Déjà parmi vos vœux." in html
    # One button adds the other as a wish.
    added = client.post(
        f"/agent/demandes/{world.request.id}/voeux",
        data={"offer_id": str(fits_near.id), "version": str(world.request.version), "csrf_token": csrf_token(html)},
    )
    assert added.status_code == 302
    assert [w.offer_id for w in fresh(world.request).wishes] == [fits_middle.id, fits_near.id]


def test_compatible_offers_are_paged_and_never_someone_elses(client, world):
    for n in range(3):
        _offer(world.near, title=f"Offre {n}")
    with client.application.test_request_context():
        first = wish_checks.compatible_offers(fresh(world.request), page=1, per_page=2)
        second = wish_checks.compatible_offers(fresh(world.request), page=2, per_page=2)
    assert first.total == second.total == 3 and first.pages == 2
    assert len(first.items) == 2 and len(second.items) == 1
    assert {i.offer.id for i in first.items}.isdisjoint({i.offer.id for i in second.items})
    stranger = UserFactory(organisation=world.agent.organisation)
    login(client, stranger.email)
    assert client.get(f"/agent/demandes/{world.request.id}/offres-compatibles").status_code == 404


def test_the_reach_prefilter_never_drops_a_session_the_distance_rule_keeps(ctx, world):
    """Hosts on eight bearings at 99 % and 101 % of the limit: exactly the inner ones are compatible."""
    import math

    def destination(km: float, bearing: float) -> tuple[float, float]:
        d, b = km / 6371.0, math.radians(bearing)
        lat1, lon1 = math.radians(LYON[0]), math.radians(LYON[1])
        lat2 = math.asin(math.sin(lat1) * math.cos(d) + math.cos(lat1) * math.sin(d) * math.cos(b))
        lon2 = lon1 + math.atan2(
            math.sin(b) * math.sin(d) * math.cos(lat1), math.cos(d) - math.sin(lat1) * math.sin(lat2)
        )
        return math.degrees(lat2), math.degrees(lon2)

    inner = set()
    for bearing in range(0, 360, 45):
        for share in (0.99, 1.01):
            lat, lon = destination(50 * share, bearing + 10)
            org = OrganisationFactory(network=world.near.network, latitude=lat, longitude=lon)
            offer = _offer(org)
            if share < 1:
                inner.add(offer.id)
    found = wish_checks.compatible_offers(fresh(world.request), per_page=100)
    assert {i.offer.id for i in found.items} == inner
    assert [i.distance_km for i in found.items] == sorted(i.distance_km for i in found.items)


def test_without_availability_nothing_is_checked(client, world):
    world.request.windows = []
    db.session.commit()
    _wish(world.request, _offer(world.far))
    login(client, world.agent.email)
    page = client.get(f"/agent/demandes/{world.request.id}").get_data(as_text=True)
    assert "Vos vœux seront vérifiés une fois vos disponibilités indiquées." in page
    compatible = client.get(f"/agent/demandes/{world.request.id}/offres-compatibles").get_data(as_text=True)
    assert "Indiquez d'abord vos disponibilités" in compatible
