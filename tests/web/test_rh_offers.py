"""HR officers manage their organisation's offers; coordinators validate them where the network asks."""

from datetime import date, timedelta

from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import Notification, Offer, OfferSession, OfferStatus, Role
from mobilite.workdays import add_working_days, next_monday
from tests.factories import (
    CoordinatorFactory,
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    SkillFactory,
    ThemeFactory,
    UserFactory,
)
from tests.fixtures import csrf_token, fresh, login

DESCRIPTION = "Vous suivrez l'instruction d'un permis de construire, du dépôt à la décision."


def _post(client, path, data, form_path=None):
    token = csrf_token(client.get(form_path or path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def _hr(**kwargs):
    return UserFactory(roles=[Role.RH], **kwargs)


def test_hr_creates_an_offer_with_every_field(client):
    hr = _hr()
    theme = ThemeFactory()
    skill, prerequisite = SkillFactory(theme=theme), SkillFactory(theme=theme)
    login(client, hr.email)
    response = _post(
        client,
        "/rh/offres/nouvelle",
        {
            "title": "Vis ma vie d'instructeur",
            "team": "Service ADS",
            "description": DESCRIPTION,
            "themes": [str(theme.id)],
            "skills": [str(skill.id)],
            "prerequisite_skill": [str(prerequisite.id), ""],
            "prerequisite_level": ["3", "1"],
            "place": "hybrid",
            "accessibility": "Locaux accessibles PMR",
            "tutor_name": "Claire Martin",
            "tutor_role": "Cheffe du service",
            "tutor_email": "claire@example.fr",
        },
    )
    assert response.status_code == 302
    offer = db.session.scalar(select(Offer).where(Offer.title == "Vis ma vie d'instructeur"))
    assert offer.organisation_id == hr.organisation_id and offer.status == OfferStatus.DRAFT
    assert [t.id for t in offer.themes] == [theme.id] and [s.id for s in offer.skills] == [skill.id]
    assert [(p.skill_id, p.min_level) for p in offer.prerequisites] == [(prerequisite.id, 3)]
    assert offer.place.value == "hybrid" and offer.tutor_email == "claire@example.fr"


def test_bad_offer_input_names_each_field_and_saves_nothing(client):
    hr = _hr()
    login(client, hr.email)
    response = _post(
        client,
        "/rh/offres/nouvelle",
        {"title": "x", "description": "trop court", "place": "moon", "tutor_email": "nope"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for field in ("title", "team", "description", "place", "tutor_email"):
        assert f'id="{field}-error"' in html, field
    assert db.session.scalar(select(func.count(Offer.id))) == 0


def test_session_lengths_are_checked_in_working_days(client):
    hr = _hr()
    offer = OfferFactory(organisation=hr.organisation, status=OfferStatus.DRAFT)
    login(client, hr.email)
    start = next_monday(date.today()) + timedelta(weeks=2)
    path = f"/rh/offres/{offer.id}/sessions"
    too_long = _post(
        client,
        path,
        {"start_date": start.isoformat(), "end_date": (start + timedelta(days=20)).isoformat(), "capacity": "2"},
        form_path=f"/rh/offres/{offer.id}",
    )
    assert too_long.status_code == 400
    assert "de 1 à 10 jours ouvrés" in too_long.get_data(as_text=True)
    past = _post(
        client,
        path,
        {"start_date": "2020-01-06", "end_date": "2020-01-07", "capacity": "1"},
        form_path=f"/rh/offres/{offer.id}",
    )
    assert 'id="start_date-error"' in past.get_data(as_text=True)
    ok = _post(
        client,
        path,
        {"start_date": start.isoformat(), "end_date": add_working_days(start, 3).isoformat(), "capacity": "2"},
        form_path=f"/rh/offres/{offer.id}",
    )
    assert ok.status_code == 302
    session = db.session.scalar(select(OfferSession).where(OfferSession.offer_id == offer.id))
    assert session.working_days == 3 and session.capacity == 2


def test_offer_goes_through_validation_then_publication(client):
    coordinator = CoordinatorFactory()
    hr = _hr(organisation=OrganisationFactory(network=coordinator.coordinated_network))
    offer = OfferFactory(organisation=hr.organisation, status=OfferStatus.DRAFT)
    OfferSessionFactory(offer=offer)
    login(client, hr.email)
    _post(client, f"/rh/offres/{offer.id}/soumettre", {}, form_path=f"/rh/offres/{offer.id}")
    assert db.session.get(Offer, offer.id).status == OfferStatus.SUBMITTED

    login(client, coordinator.email)
    path = f"/coordination/offres/{offer.id}"
    assert _post(client, path, {"decision": "send_back"}).status_code == 400  # a comment is required
    _post(client, path, {"decision": "send_back", "comment": "Précisez les horaires."})
    sent_back = db.session.get(Offer, offer.id)
    db.session.refresh(sent_back)
    assert sent_back.status == OfferStatus.DRAFT and sent_back.validation_comment == "Précisez les horaires."
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.recipient_id == hr.id)) == 1

    login(client, hr.email)
    _post(client, f"/rh/offres/{offer.id}/soumettre", {}, form_path=f"/rh/offres/{offer.id}")
    login(client, coordinator.email)
    _post(client, path, {"decision": "publish"})
    published = db.session.get(Offer, offer.id)
    db.session.refresh(published)
    assert published.status == OfferStatus.PUBLISHED and published.published_at is not None


def test_network_without_validation_publishes_on_submit(client):
    hr = _hr()
    hr.organisation.network.requires_offer_validation = False
    db.session.commit()
    offer = OfferFactory(organisation=hr.organisation, status=OfferStatus.DRAFT)
    OfferSessionFactory(offer=offer)
    login(client, hr.email)
    _post(client, f"/rh/offres/{offer.id}/soumettre", {}, form_path=f"/rh/offres/{offer.id}")
    assert db.session.get(Offer, offer.id).status == OfferStatus.PUBLISHED


def test_submitting_without_a_future_session_is_explained(client):
    hr = _hr()
    offer = OfferFactory(organisation=hr.organisation, status=OfferStatus.DRAFT)
    login(client, hr.email)
    response = _post(client, f"/rh/offres/{offer.id}/soumettre", {}, form_path=f"/rh/offres/{offer.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ajoutez au moins une session à venir" in page.replace("&#39;", "'")
    assert db.session.get(Offer, offer.id).status == OfferStatus.DRAFT


def test_close_archive_and_duplicate(client):
    hr = _hr()
    theme = ThemeFactory()
    offer = OfferFactory(organisation=hr.organisation, status=OfferStatus.PUBLISHED, themes=[theme])
    OfferSessionFactory(offer=offer)
    login(client, hr.email)
    base = f"/rh/offres/{offer.id}"
    _post(client, f"{base}/clore", {}, form_path=base)
    _post(client, f"{base}/archiver", {}, form_path=base)
    assert db.session.get(Offer, offer.id).status == OfferStatus.ARCHIVED
    response = _post(client, f"{base}/dupliquer", {}, form_path=base)
    copy = db.session.scalar(select(Offer).where(Offer.id != offer.id))
    assert response.headers["Location"].endswith(f"/rh/offres/{copy.id}/modifier")
    assert copy.status == OfferStatus.DRAFT and copy.title.startswith("Copie de")
    assert [t.id for t in copy.themes] == [theme.id] and copy.sessions == []


def test_second_save_on_a_stale_version_gets_a_conflict_showing_what_changed(client):
    hr = _hr()
    colleague = _hr(organisation=hr.organisation)
    offer = OfferFactory(
        organisation=hr.organisation, status=OfferStatus.DRAFT, title="Titre d'origine", description=DESCRIPTION
    )
    fields = {"team": offer.team, "description": DESCRIPTION, "place": "on_site", "version": str(offer.version)}
    path = f"/rh/offres/{offer.id}/modifier"

    login(client, colleague.email)
    assert _post(client, path, {**fields, "title": "Titre de la collègue"}).status_code == 302

    login(client, hr.email)
    response = _post(client, path, {**fields, "title": "Mon titre"})  # still carries the old version
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 409
    assert "Titre de la collègue" in html and "Mon titre" in html
    assert colleague.full_name in html
    assert db.session.get(Offer, offer.id).title == "Titre de la collègue"


def test_a_save_changing_only_themes_still_moves_the_version(client):
    hr = _hr()
    offer = OfferFactory(organisation=hr.organisation, status=OfferStatus.DRAFT, description=DESCRIPTION)
    theme = ThemeFactory()
    version = offer.version
    fields = {
        "title": offer.title,
        "team": offer.team,
        "description": DESCRIPTION,
        "place": "on_site",
        "version": str(version),
    }
    path = f"/rh/offres/{offer.id}/modifier"
    login(client, hr.email)
    assert _post(client, path, {**fields, "themes": [str(theme.id)]}).status_code == 302
    assert db.session.get(Offer, offer.id).version > version
    # A second save on the version read before the first one is a conflict, not a silent overwrite.
    assert _post(client, path, {**fields, "themes": []}).status_code == 409


def test_other_organisations_offers_answer_404(client):
    hr = _hr()
    foreign = OfferFactory(status=OfferStatus.DRAFT)
    login(client, hr.email)
    for path in (f"/rh/offres/{foreign.id}", f"/rh/offres/{foreign.id}/modifier"):
        assert client.get(path).status_code == 404
    response = _post(client, f"/rh/offres/{foreign.id}/clore", {}, form_path="/rh/")
    assert response.status_code == 404
    assert db.session.get(Offer, foreign.id).status == OfferStatus.DRAFT


def test_coordinator_of_another_network_cannot_review(client):
    coordinator = CoordinatorFactory()
    offer = OfferFactory(status=OfferStatus.SUBMITTED)
    login(client, coordinator.email)
    assert client.get(f"/coordination/offres/{offer.id}").status_code == 404


def test_offer_list_is_paginated_and_filtered_by_status(client):
    hr = _hr()
    for n in range(52):
        OfferFactory(organisation=hr.organisation, title=f"Offre {n:02d}", status=OfferStatus.PUBLISHED)
    OfferFactory(organisation=hr.organisation, title="Le brouillon", status=OfferStatus.DRAFT)
    login(client, hr.email)
    first = client.get("/rh/offres").get_data(as_text=True)
    assert "(53)" in first and "Page 1 sur 2" in first
    second = client.get("/rh/offres?page=2").get_data(as_text=True)
    assert (
        second.count('href="/rh/offres/')
        - second.count('href="/rh/offres/nouvelle')
        - second.count('href="/rh/offres/import')
        - second.count('href="/rh/offres/export')
        == 3
    )
    drafts = client.get("/rh/offres?statut=draft").get_data(as_text=True)
    assert "Le brouillon" in drafts and "Offre 00" not in drafts


def _published_in_a_validating_network():
    coordinator = CoordinatorFactory()
    hr = _hr(organisation=OrganisationFactory(network=coordinator.coordinated_network))
    offer = OfferFactory(
        organisation=hr.organisation, status=OfferStatus.PUBLISHED, description=DESCRIPTION, tutor_name="Alex Durand"
    )
    OfferSessionFactory(offer=offer)
    fields = {
        "title": offer.title,
        "team": offer.team,
        "description": DESCRIPTION,
        "place": "on_site",
        "tutor_name": "Alex Durand",
        "version": str(offer.version),
    }
    return coordinator, hr, offer, fields


def test_rewriting_a_published_offer_sends_it_back_to_the_coordination(client):
    coordinator, hr, offer, fields = _published_in_a_validating_network()
    login(client, hr.email)
    response = _post(client, f"/rh/offres/{offer.id}/modifier", {**fields, "title": "Un tout autre titre"})
    assert response.status_code == 302
    saved = fresh(offer)
    assert saved.status == OfferStatus.SUBMITTED and saved.title == "Un tout autre titre"
    assert "repart en validation" in client.get(response.location).get_data(as_text=True)
    # Gone from the agents' catalogue until the coordination publishes it again; in its queue meanwhile.
    agent = UserFactory(organisation=OrganisationFactory(network=coordinator.coordinated_network))
    login(client, agent.email)
    assert "Un tout autre titre" not in client.get("/agent/offres").get_data(as_text=True)
    login(client, coordinator.email)
    assert "Un tout autre titre" in client.get("/coordination/").get_data(as_text=True)
    _post(client, f"/coordination/offres/{offer.id}", {"decision": "publish"})
    assert fresh(offer).status == OfferStatus.PUBLISHED


def test_a_new_tutor_or_accessibility_note_keeps_a_published_offer_published(client):
    _coordinator, hr, offer, fields = _published_in_a_validating_network()
    login(client, hr.email)
    response = _post(
        client,
        f"/rh/offres/{offer.id}/modifier",
        {**fields, "tutor_name": "Camille Martin", "accessibility": "Ascenseur."},
    )
    assert response.status_code == 302
    saved = fresh(offer)
    assert saved.status == OfferStatus.PUBLISHED and saved.tutor_name == "Camille Martin"
