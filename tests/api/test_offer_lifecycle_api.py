"""An offer's life through the API: close, archive, reopen, duplicate, delete a session (HR), and the
coordination's validation of submitted offers."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import AuditEvent, Notification, Offer, OfferSession, OfferStatus, Role
from tests.factories import (
    CoordinatorFactory,
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    ProposalFactory,
    SkillFactory,
    UserFactory,
)
from tests.fixtures import bearer, fresh


def _hr(organisation=None):
    return UserFactory(organisation=organisation or OrganisationFactory(), roles=[Role.RH])


def test_hr_closes_reopens_and_archives_an_offer_with_its_etag(app, client):
    hr = _hr()
    offer = OfferFactory(organisation=hr.organisation, status=OfferStatus.PUBLISHED)
    headers = bearer(app, hr)
    etag = client.get(f"/api/v1/offers/{offer.id}", headers=headers).headers["ETag"]

    closed = client.post(f"/api/v1/offers/{offer.id}/close", headers={**headers, "If-Match": etag})
    assert closed.status_code == 200, closed.json
    assert closed.json["status"] == "closed" and closed.json["id"] == offer.id
    assert closed.headers["ETag"] != etag
    assert client.get(f"/api/v1/offers/{offer.id}", headers=headers).headers["ETag"] == closed.headers["ETag"]

    # The ETag read before the close is stale now: 412, and the offer stays closed.
    stale = client.post(f"/api/v1/offers/{offer.id}/reopen", headers={**headers, "If-Match": etag})
    assert stale.status_code == 412 and stale.json["code"] == 412 and stale.json["message"]
    assert fresh(offer).status == OfferStatus.CLOSED

    reopened = client.post(f"/api/v1/offers/{offer.id}/reopen", headers=headers)  # If-Match is optional
    assert reopened.status_code == 200 and reopened.json["status"] == "draft"
    archived = client.post(
        f"/api/v1/offers/{offer.id}/archive", headers={**headers, "If-Match": reopened.headers["ETag"]}
    )
    assert archived.status_code == 200 and archived.json["status"] == "archived"
    assert fresh(offer).status == OfferStatus.ARCHIVED


def test_a_transition_from_the_wrong_status_is_422_and_changes_nothing(app, client):
    hr = _hr()
    draft = OfferFactory(organisation=hr.organisation, status=OfferStatus.DRAFT)
    headers = bearer(app, hr)
    for action in ("close", "reopen"):
        response = client.post(f"/api/v1/offers/{draft.id}/{action}", headers=headers)
        assert response.status_code == 422, action
        assert response.json["code"] == 422 and response.json["errors"]["_schema"]
        assert response.json["message"] == response.json["errors"]["_schema"][0]
    assert fresh(draft).status == OfferStatus.DRAFT
    archived = client.post(f"/api/v1/offers/{draft.id}/archive", headers=headers)
    assert archived.status_code == 200
    # An archived offer no longer changes.
    assert (
        client.put(
            f"/api/v1/offers/{draft.id}",
            headers={**headers, "If-Match": archived.headers["ETag"]},
            json={
                "team": "Équipe",
                "title": "Titre modifié",
                "description": "Une description assez longue pour passer.",
            },
        ).status_code
        == 422
    )
    assert client.post(f"/api/v1/offers/{draft.id}/close", headers=headers).status_code == 422


def test_duplicating_gives_a_new_draft_without_sessions(app, client):
    hr = _hr()
    offer = OfferFactory(organisation=hr.organisation, status=OfferStatus.CLOSED, title="Accueil du public")
    OfferSessionFactory(offer=offer)
    headers = bearer(app, hr)
    response = client.post(f"/api/v1/offers/{offer.id}/duplicate", headers=headers)
    assert response.status_code == 201, response.json
    copy = response.json
    assert copy["id"] != offer.id and copy["status"] == "draft" and copy["sessions"] == []
    assert copy["title"] == "Copie de Accueil du public"
    assert copy["team"] == offer.team and copy["organisation_id"] == hr.organisation_id
    assert client.get(f"/api/v1/offers/{copy['id']}", headers=headers).headers["ETag"] == response.headers["ETag"]
    assert fresh(offer).status == OfferStatus.CLOSED and len(fresh(offer).sessions) == 1


def test_hr_deletes_a_session_of_their_offer_but_not_one_with_proposals(app, client):
    hr = _hr()
    offer = OfferFactory(organisation=hr.organisation, status=OfferStatus.PUBLISHED)
    free, taken = OfferSessionFactory(offer=offer), OfferSessionFactory(offer=offer)
    ProposalFactory(session=taken)
    other_offer = OfferFactory(organisation=hr.organisation)
    elsewhere = OfferSessionFactory(offer=other_offer)
    headers = bearer(app, hr)

    # A session of another offer, even of the same organisation, is not this offer's: 404.
    for url in (f"/api/v1/offers/{offer.id}/sessions/{elsewhere.id}", f"/api/v1/offers/{offer.id}/sessions/999999"):
        response = client.delete(url, headers=headers)
        assert response.status_code == 404 and response.json["code"] == 404, url
    refused = client.delete(f"/api/v1/offers/{offer.id}/sessions/{taken.id}", headers=headers)
    assert refused.status_code == 422 and refused.json["errors"]["_schema"]
    stale = client.delete(f"/api/v1/offers/{offer.id}/sessions/{free.id}", headers={**headers, "If-Match": '"old"'})
    assert stale.status_code == 412

    etag = client.get(f"/api/v1/offers/{offer.id}", headers=headers).headers["ETag"]
    deleted = client.delete(f"/api/v1/offers/{offer.id}/sessions/{free.id}", headers={**headers, "If-Match": etag})
    assert deleted.status_code == 204 and deleted.get_data() == b""
    remaining = db.session.scalars(select(OfferSession.id).where(OfferSession.offer_id == offer.id)).all()
    assert remaining == [taken.id]
    assert db.session.get(OfferSession, elsewhere.id) is not None


def test_another_organisation_s_offer_answers_404_to_every_new_operation(app, client):
    hr = _hr()
    neighbour = OrganisationFactory(network=hr.organisation.network)
    other = OfferFactory(organisation=neighbour, status=OfferStatus.PUBLISHED)
    session = OfferSessionFactory(offer=other)
    headers = {**bearer(app, hr), "If-Match": "*"}
    missing = client.post("/api/v1/offers/999999/close", headers=headers)
    assert missing.status_code == 404
    for method, url in (
        ("POST", f"/api/v1/offers/{other.id}/close"),
        ("POST", f"/api/v1/offers/{other.id}/archive"),
        ("POST", f"/api/v1/offers/{other.id}/reopen"),
        ("POST", f"/api/v1/offers/{other.id}/duplicate"),
        ("DELETE", f"/api/v1/offers/{other.id}/sessions/{session.id}"),
    ):
        response = client.open(url, method=method, headers=headers)
        assert response.status_code == 404, (method, url)
        assert response.json == missing.json
    assert fresh(other).status == OfferStatus.PUBLISHED
    assert db.session.get(OfferSession, session.id) is not None
    assert db.session.scalar(select(func.count(Offer.id)).where(Offer.organisation_id == hr.organisation_id)) == 0
    # Agents manage no offers at all.
    agent = bearer(app, UserFactory(organisation=neighbour, roles=[Role.AGENT]))
    assert client.post(f"/api/v1/offers/{other.id}/close", headers=agent).status_code == 404


def _submitted_world():
    coordinator = CoordinatorFactory()
    network = coordinator.coordinated_network
    network.requires_offer_validation = True
    db.session.commit()
    organisation = OrganisationFactory(network=network)
    hr = _hr(organisation)
    older = OfferFactory(organisation=organisation, status=OfferStatus.SUBMITTED)
    newer = OfferFactory(organisation=OrganisationFactory(network=network), status=OfferStatus.SUBMITTED)
    OfferFactory(organisation=organisation, status=OfferStatus.DRAFT)
    OfferFactory(organisation=organisation, status=OfferStatus.PUBLISHED)
    foreign = OfferFactory(status=OfferStatus.SUBMITTED)  # another network's
    return coordinator, hr, older, newer, foreign


def test_coordinators_list_their_network_s_offers_awaiting_validation(app, client):
    coordinator, hr, older, newer, foreign = _submitted_world()
    response = client.get("/api/v1/offers/awaiting-validation", headers=bearer(app, coordinator))
    assert response.status_code == 200
    assert sorted(o["id"] for o in response.json) == sorted([older.id, newer.id])
    assert all(o["status"] == "submitted" for o in response.json)
    assert '"total": 2' in response.headers["X-Pagination"]
    # HR and agents do not validate: 404, as for any role the caller lacks.
    assert client.get("/api/v1/offers/awaiting-validation", headers=bearer(app, hr)).status_code == 404


def test_a_coordinator_publishes_or_sends_back_a_submitted_offer(app, client):
    coordinator, hr, older, newer, foreign = _submitted_world()
    headers = bearer(app, coordinator)
    without_comment = client.post(
        f"/api/v1/offers/{older.id}/validation", headers=headers, json={"decision": "send_back"}
    )
    assert without_comment.status_code == 422 and set(without_comment.json["errors"]) == {"comment"}
    unknown = client.post(f"/api/v1/offers/{older.id}/validation", headers=headers, json={"decision": "maybe"})
    assert unknown.status_code == 422 and "decision" in unknown.json["errors"]
    assert fresh(older).status == OfferStatus.SUBMITTED

    sent_back = client.post(
        f"/api/v1/offers/{older.id}/validation",
        headers=headers,
        json={"decision": "send_back", "comment": "Précisez le tutorat."},
    )
    assert sent_back.status_code == 200, sent_back.json
    assert sent_back.json["status"] == "draft" and sent_back.json["validation_comment"] == "Précisez le tutorat."
    assert sent_back.headers["ETag"]
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.recipient_id == hr.id)) == 1

    etag = client.get(f"/api/v1/offers/{newer.id}", headers=bearer(app, _hr(newer.organisation))).headers["ETag"]
    stale = client.post(
        f"/api/v1/offers/{newer.id}/validation", headers={**headers, "If-Match": '"old"'}, json={"decision": "publish"}
    )
    assert stale.status_code == 412
    published = client.post(
        f"/api/v1/offers/{newer.id}/validation", headers={**headers, "If-Match": etag}, json={"decision": "publish"}
    )
    assert published.status_code == 200 and published.json["status"] == "published"
    assert published.json["published_at"]
    again = client.post(f"/api/v1/offers/{newer.id}/validation", headers=headers, json={"decision": "publish"})
    assert again.status_code == 422 and again.json["errors"]["_schema"]


def test_nobody_else_validates_an_offer(app, client):
    coordinator, hr, older, newer, foreign = _submitted_world()
    body = {"decision": "publish"}
    assert (
        client.post(f"/api/v1/offers/{foreign.id}/validation", headers=bearer(app, coordinator), json=body).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/offers/{older.id}/validation", headers=bearer(app, CoordinatorFactory()), json=body
        ).status_code
        == 404
    )
    assert client.post(f"/api/v1/offers/{older.id}/validation", headers=bearer(app, hr), json=body).status_code == 404
    assert fresh(older).status == OfferStatus.SUBMITTED and fresh(foreign).status == OfferStatus.SUBMITTED


def test_submitted_offers_close_too(app, client):
    hr = _hr()
    offer = OfferFactory(organisation=hr.organisation, status=OfferStatus.SUBMITTED)
    OfferSessionFactory(offer=offer, start_date=date.today() + timedelta(days=30))
    response = client.post(f"/api/v1/offers/{offer.id}/close", headers=bearer(app, hr))
    assert response.status_code == 200 and response.json["status"] == "closed"


# --- published offers stay validated (issue 11, finding 9) -------------------------------------------------


def _published_for_validation(validates: bool = True):
    coordinator = CoordinatorFactory()
    coordinator.coordinated_network.requires_offer_validation = validates
    hr = _hr(OrganisationFactory(network=coordinator.coordinated_network))
    offer = OfferFactory(
        organisation=hr.organisation,
        status=OfferStatus.PUBLISHED,
        description="Suivre l'instruction d'un permis de construire.",
    )
    OfferSessionFactory(offer=offer)
    return coordinator, hr, offer


def _writable(read) -> dict:
    return {
        k: v
        for k, v in read.json.items()
        if k
        not in {
            "id",
            "organisation_id",
            "status",
            "validation_comment",
            "sessions",
            "published_at",
            "created_at",
            "updated_at",
        }
    }


def _put(client, headers, offer, **changes):
    read = client.get(f"/api/v1/offers/{offer.id}", headers=headers)
    return client.put(
        f"/api/v1/offers/{offer.id}",
        json={**_writable(read), **changes},
        headers={**headers, "If-Match": read.headers["ETag"]},
    )


def _catalogue_ids(app, client, network) -> list[int]:
    agent = UserFactory(organisation=OrganisationFactory(network=network), roles=[Role.AGENT])
    return [o["id"] for o in client.get("/api/v1/catalogue", headers=bearer(app, agent)).json]


def test_a_new_title_sends_a_published_offer_back_to_validation_and_out_of_the_catalogue(app, client):
    coordinator, hr, offer = _published_for_validation()
    network = coordinator.coordinated_network
    assert offer.id in _catalogue_ids(app, client, network)
    response = _put(client, bearer(app, hr), offer, title="Un tout autre titre")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "submitted" and fresh(offer).title == "Un tout autre titre"
    assert offer.id not in _catalogue_ids(app, client, network)
    # The coordination finds it in its queue, as a new submission, and publishes it again.
    waiting = client.get("/api/v1/offers/awaiting-validation", headers=bearer(app, coordinator)).json
    assert [o["id"] for o in waiting] == [offer.id]
    published = client.post(
        f"/api/v1/offers/{offer.id}/validation", headers=bearer(app, coordinator), json={"decision": "publish"}
    )
    assert published.status_code == 200 and published.json["status"] == "published"
    assert offer.id in _catalogue_ids(app, client, network)


@pytest.mark.parametrize("field", ["description", "place", "team", "themes", "skills", "prerequisites"])
def test_every_substantial_change_needs_validation_again(app, client, field):
    _coordinator, hr, offer = _published_for_validation()
    skill = SkillFactory()
    change = {
        "description": "Une tout autre description de ce qui sera fait.",
        "place": "remote",
        "team": "Une autre équipe",
        "themes": [skill.theme_id],
        "skills": [skill.id],
        "prerequisites": [{"skill_id": skill.id, "min_level": 2}],
    }[field]
    response = _put(client, bearer(app, hr), offer, **{field: change})
    assert response.status_code == 200, response.json
    assert response.json["status"] == "submitted"
    assert db.session.scalar(
        select(AuditEvent.details).where(AuditEvent.action == "offer.submitted", AuditEvent.target_id == offer.id)
    )["changed"] == [field]


def test_small_fixes_keep_a_published_offer_published(app, client):
    _coordinator, hr, offer = _published_for_validation()
    response = _put(
        client,
        bearer(app, hr),
        offer,
        tutor_name="Camille Martin",
        tutor_role="Instructrice",
        tutor_email="camille.martin@example.org",
        accessibility="Bureau au rez-de-chaussée.",
    )
    assert response.status_code == 200, response.json
    assert response.json["status"] == "published" and fresh(offer).tutor_name == "Camille Martin"


def test_where_the_network_does_not_validate_offers_a_change_keeps_it_published(app, client):
    _coordinator, hr, offer = _published_for_validation(validates=False)
    response = _put(client, bearer(app, hr), offer, title="Un tout autre titre")
    assert response.status_code == 200 and response.json["status"] == "published"
