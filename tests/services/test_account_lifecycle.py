"""An account for its whole life, called directly: who edits and switches off whom, what deactivation does to
requests and immersions, what erasure keeps and removes; each sensitive action in the audit log."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import (
    AuditEvent,
    Feedback,
    FeedbackSide,
    ImmersionStatus,
    InboxItem,
    Outcome,
    RequestStatus,
    Role,
    User,
)
from mobilite.services import account_lifecycle as lifecycle
from mobilite.services import dashboard
from mobilite.services.auth import authenticate
from mobilite.services.errors import ServiceError
from tests.factories import (
    PASSWORD,
    CoordinatorFactory,
    ImmersionFactory,
    OrganisationFactory,
    RequestFactory,
    UserFactory,
)
from tests.fixtures import fresh


def _events(action: str, target: User) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == action, AuditEvent.target_type == "User", AuditEvent.target_id == target.id
            )
        )
    )


def _inbox(user: User, kind_prefix: str) -> list[InboxItem]:
    return [
        i
        for i in db.session.scalars(select(InboxItem).where(InboxItem.user_id == user.id))
        if i.kind.startswith(kind_prefix)
    ]


def _edit(user: User, **changes) -> dict:
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "roles": sorted(role.value for role in user.roles),
    }
    data.update(changes)
    return data


# --- who manages whom ---------------------------------------------------------------------------------------


def test_hr_gives_the_hr_role_to_an_agent_of_their_organisation_and_the_log_says_old_and_new(ctx):
    hr = UserFactory(roles=[Role.RH])
    agent = UserFactory(organisation=hr.organisation)
    version = agent.session_version
    lifecycle.update_account(hr, agent, _edit(agent, roles=["agent", "rh"]))
    agent = fresh(agent)
    assert agent.roles == {Role.AGENT, Role.RH}
    assert agent.session_version == version + 1  # more or fewer rights: the old sessions end
    (event,) = _events("account.roles", agent)
    assert event.actor_id == hr.id and event.details == {"old": ["agent"], "new": ["agent", "rh"]}


def test_hr_may_not_give_the_coordinator_role(ctx):
    hr = UserFactory(roles=[Role.RH])
    agent = UserFactory(organisation=hr.organisation)
    with pytest.raises(ServiceError) as refused:
        lifecycle.update_account(hr, agent, _edit(agent, roles=["agent", "coordinator"]))
    assert "roles" in refused.value.errors
    assert fresh(agent).roles == {Role.AGENT}


def test_hr_may_not_manage_a_coordinator_or_an_account_of_another_organisation(ctx):
    hr = UserFactory(roles=[Role.RH])
    other = UserFactory()  # another organisation
    coordinator_here = UserFactory(organisation=hr.organisation, roles=[Role.COORDINATOR, Role.AGENT])
    for account in (other, coordinator_here):
        with pytest.raises(ServiceError):
            lifecycle.deactivate(hr, account)
        with pytest.raises(ServiceError):
            lifecycle.update_account(hr, account, _edit(account, first_name="X"))
        assert fresh(account).active and fresh(account).first_name != "X"


def test_nobody_changes_their_own_roles_or_deactivates_themselves(ctx):
    hr = UserFactory(roles=[Role.RH, Role.AGENT])
    with pytest.raises(ServiceError) as refused:
        lifecycle.update_account(hr, hr, _edit(hr, roles=["agent"]))
    assert "roles" in refused.value.errors
    with pytest.raises(ServiceError):
        lifecycle.deactivate(hr, hr)
    assert fresh(hr).roles == {Role.RH, Role.AGENT} and fresh(hr).active


def test_a_coordinator_edits_accounts_of_their_network_only(ctx):
    coordinator = CoordinatorFactory()
    inside = UserFactory(organisation=OrganisationFactory(network=coordinator.coordinated_network))
    outside = UserFactory()
    lifecycle.update_account(coordinator, inside, _edit(inside, last_name="Durand", email="Nouvelle@Example.fr"))
    assert fresh(inside).last_name == "Durand" and fresh(inside).email == "nouvelle@example.fr"
    (event,) = _events("account.update", inside)
    assert event.details == {"fields": ["last_name", "email"]}  # which fields, never their values
    with pytest.raises(ServiceError):
        lifecycle.update_account(coordinator, outside, _edit(outside, last_name="Durand"))


def test_an_address_another_account_has_is_refused_on_email(ctx):
    hr = UserFactory(roles=[Role.RH])
    agent = UserFactory(organisation=hr.organisation)
    taken = UserFactory()
    with pytest.raises(ServiceError) as refused:
        lifecycle.update_account(hr, agent, _edit(agent, email=taken.email.upper()))
    assert "email" in refused.value.errors
    assert fresh(agent).email != taken.email


# --- deactivation -----------------------------------------------------------------------------------------


def test_deactivation_withdraws_waiting_requests_and_tells_hr(ctx):
    hr = UserFactory(roles=[Role.RH])
    agent = UserFactory(organisation=hr.organisation)
    submitted = RequestFactory(agent=agent, status=RequestStatus.SUBMITTED)
    approved = RequestFactory(agent=agent, status=RequestStatus.APPROVED)
    draft = RequestFactory(agent=agent, status=RequestStatus.DRAFT)
    refused = RequestFactory(agent=agent, status=RequestStatus.REFUSED)
    lifecycle.deactivate(hr, agent)
    assert [fresh(r).status for r in (submitted, approved, draft)] == [RequestStatus.WITHDRAWN] * 3
    assert fresh(refused).status == RequestStatus.REFUSED  # history stays as it was
    # HR is told of the two it had seen, not of the draft.
    told = _inbox(hr, "request.withdrawn.deactivated")
    assert len(told) == 2 and agent.full_name in told[0].subject
    agent = fresh(agent)
    assert not agent.active and agent.deactivated_by_id == hr.id and agent.deactivated_at is not None
    (event,) = _events("account.deactivate", agent)
    assert event.actor_id == hr.id and event.details == {"requests_withdrawn": 3, "immersions_flagged": 0}


def test_deactivation_flags_future_immersions_to_the_hr_of_both_sides_and_keeps_them(ctx):
    soon = date.today() + timedelta(days=10)
    immersion = ImmersionFactory(proposal__session__start_date=soon)
    agent = db.session.get(User, immersion.agent_id)
    past = ImmersionFactory(
        proposal__request=RequestFactory(agent=agent, status=RequestStatus.CLOSED),
        proposal__session__start_date=date.today() - timedelta(days=30),
        status=ImmersionStatus.DONE,
    )
    agent = db.session.get(User, immersion.agent_id)
    home_hr = UserFactory(organisation=agent.organisation, roles=[Role.RH])
    host_hr = UserFactory(organisation=immersion.session.offer.organisation, roles=[Role.RH])
    coordinator = CoordinatorFactory(network_id=agent.organisation.network_id)
    lifecycle.deactivate(coordinator, agent)
    assert fresh(immersion).status == ImmersionStatus.CONFIRMED and fresh(past).status == ImmersionStatus.DONE
    (home_item,) = _inbox(home_hr, "immersion.agent_deactivated.home")
    (host_item,) = _inbox(host_hr, "immersion.agent_deactivated.host")
    assert agent.full_name in home_item.subject and agent.full_name in host_item.subject
    (event,) = _events("account.deactivate", agent)
    assert event.details["immersions_flagged"] == 1


def test_a_deactivated_account_cannot_sign_in_with_its_password(app, ctx):
    hr = UserFactory(roles=[Role.RH])
    agent = UserFactory(organisation=hr.organisation)
    assert authenticate(agent.email, PASSWORD, "10.0.0.1", app.config).id == agent.id
    lifecycle.deactivate(hr, agent)
    with pytest.raises(ServiceError):
        authenticate(agent.email, PASSWORD, "10.0.0.2", app.config)
    assert len(_events("auth.login_failed", agent)) == 1


def test_reactivation_lets_the_account_in_again_but_not_its_withdrawn_requests(app, ctx):
    hr = UserFactory(roles=[Role.RH])
    agent = UserFactory(organisation=hr.organisation)
    waiting = RequestFactory(agent=agent, status=RequestStatus.SUBMITTED)
    lifecycle.deactivate(hr, agent)
    with pytest.raises(ServiceError):
        lifecycle.deactivate(hr, agent)  # already
    lifecycle.reactivate(hr, agent)
    agent = fresh(agent)
    assert agent.active and agent.deactivated_at is None
    assert fresh(waiting).status == RequestStatus.WITHDRAWN
    assert authenticate(agent.email, PASSWORD, "10.0.0.3", app.config).id == agent.id
    assert len(_events("account.reactivate", agent)) == 1


# --- erasure ----------------------------------------------------------------------------------------------


def _world_with_history():
    """An agent with a done immersion (and both sides' feedback), a refused request and a waiting one."""
    done_on = date.today() - timedelta(days=20)
    immersion = ImmersionFactory(proposal__session__start_date=done_on, status=ImmersionStatus.DONE)
    agent = db.session.get(User, immersion.agent_id)
    db.session.add_all(
        [
            Feedback(
                immersion=immersion,
                author_id=agent.id,
                side=FeedbackSide.AGENT,
                outcome=Outcome.DONE,
                satisfaction=4,
                learned="J'ai appris le métier de Mme Dupont.",
            ),
            Feedback(
                immersion=immersion,
                author_id=None,
                side=FeedbackSide.HOST,
                outcome=Outcome.DONE,
                satisfaction=5,
                learned="Claire a été formidable.",
            ),
        ]
    )
    request = immersion.proposal.request
    request.motivation = "Je souhaite changer de métier pour raisons de santé."
    db.session.commit()
    refused = RequestFactory(agent=agent, status=RequestStatus.REFUSED, decision_reason="Trop tôt pour Claire.")
    waiting = RequestFactory(agent=agent, status=RequestStatus.SUBMITTED)
    return agent, immersion, refused, waiting


def _figures(network):
    chosen = dashboard.filters(network, {})
    return {
        figure: dashboard.export_csv(network, chosen, figure)
        for figure in ("echanges", "organisations", "tours", "mois")
    }


def test_erasure_anonymises_in_place_and_the_network_s_figures_stay_true(app, ctx):
    agent, immersion, refused, waiting = _world_with_history()
    network = agent.organisation.network
    before = _figures(network)
    email = agent.email
    lifecycle.erase(agent, agent)
    agent = fresh(agent)
    assert agent.erased_at is not None and not agent.active and agent.password_hash is None
    assert email not in agent.email and "Claire" not in agent.full_name
    assert agent.skills == [] and agent.interests == []
    assert fresh(immersion).working_days == immersion.working_days  # the record stays
    assert fresh(waiting).status == RequestStatus.WITHDRAWN
    assert fresh(refused).decision_reason == "" and fresh(immersion.proposal.request).motivation == ""
    assert {f.learned for f in fresh(immersion).feedback} == {""}
    assert sorted(f.satisfaction for f in fresh(immersion).feedback) == [4, 5]  # figures, not words
    assert _figures(network) == before
    with pytest.raises(ServiceError):
        authenticate(email, PASSWORD, "10.0.0.4", app.config)
    (event,) = _events("account.erase", agent)
    assert event.actor_id == agent.id and event.details == {}
    with pytest.raises(ServiceError):
        lifecycle.reactivate(UserFactory(organisation=None, roles=[Role.ADMIN]), agent)


def test_only_the_person_or_the_admin_erases(ctx):
    hr = UserFactory(roles=[Role.RH])
    agent = UserFactory(organisation=hr.organisation)
    with pytest.raises(ServiceError):
        lifecycle.erase(hr, agent)
    assert fresh(agent).erased_at is None
    admin = UserFactory(organisation=None, roles=[Role.ADMIN])
    lifecycle.erase(admin, agent)
    assert fresh(agent).erased_at is not None
    assert _events("account.erase", agent)[0].actor_id == admin.id
    with pytest.raises(ServiceError):
        lifecycle.erase(admin, agent)  # once
    with pytest.raises(ServiceError):
        lifecycle.update_account(hr, agent, _edit(fresh(agent), first_name="Claire"))  # names do not come back
    assert fresh(agent).first_name == "Personne"


def test_each_purge_run_is_reported_in_the_audit_log_with_its_counts(ctx):
    from mobilite.services import retention

    counts = retention.purge()
    # No network here: the one entry is the platform's (each network gets its own: test_network_schedule_and_retention).
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.purge")).all()
    platform = {name: count for name, count in counts.items() if name not in ("requests", "immersions")}
    assert event.actor_id is None and event.details == platform
