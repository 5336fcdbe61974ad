"""The converter: an agent who sets no distance limit has none in the engine (overseas sessions included)."""

from datetime import date

import pytest
from sqlalchemy import select

from appariement import RuleName, check_placements
from mobilite.extensions import db
from mobilite.models import ImmersionRequest, Network, Organisation, RequestStatus
from mobilite.services import demo, rounds
from mobilite.services.round_problem import load_problem

SAINT_DENIS_REUNION = (-20.882, 55.451)


@pytest.fixture
def network(ctx):
    demo.load_demo("demo password for tests")
    return db.session.scalar(select(Network))


def test_no_distance_limit_reaches_an_overseas_session(network):
    item = db.session.scalars(
        select(ImmersionRequest).where(ImmersionRequest.status == RequestStatus.APPROVED).order_by(ImmersionRequest.id)
    ).first()
    item.max_distance_km = None
    week = rounds.week_of(date.today())
    sessions = load_problem(network, week).problem.sessions
    host_id = next(s.org_id for s in sessions if s.org_id != str(item.organisation_id) and not s.remote)
    host = db.session.get(Organisation, int(host_id))
    host.latitude, host.longitude = SAINT_DENIS_REUNION
    db.session.flush()

    problem = load_problem(network, week).problem
    request = next(r for r in problem.requests if r.id == str(item.id))
    assert request.max_distance_km is None
    overseas = next(s for s in problem.sessions if s.org_id == host_id)
    assert overseas.lat == pytest.approx(SAINT_DENIS_REUNION[0])
    check = check_placements(problem, [(request.id, overseas.id)])
    assert RuleName.DISTANCE not in check.by_pair[(request.id, overseas.id)]
