"""Exactly one round per network and week, even when two schedulers and a coordinator race.

These tests use real, separate connections (one per thread), committed data and no rolled-back outer
transaction, so that the database itself arbitrates: the unique key on both, plus the advisory lock on
PostgreSQL.
"""

import threading
from datetime import date

import pytest
from sqlalchemy import delete, func, select

from mobilite.extensions import db
from mobilite.models import AuditEvent, Network, Round
from mobilite.services import rounds

RACERS = 4


@pytest.fixture
def committed_network(_app):
    with _app.app_context():
        network = Network(name="Réseau de course", slug="course")
        db.session.add(network)
        db.session.commit()
        network_id = network.id
        db.session.remove()
    yield network_id
    with _app.app_context():
        db.session.execute(delete(AuditEvent).where(AuditEvent.network_id == network_id))
        db.session.execute(delete(Round).where(Round.network_id == network_id))
        db.session.execute(delete(Network).where(Network.id == network_id))
        db.session.commit()
        db.session.remove()


def _race(_app, target) -> list:
    barrier = threading.Barrier(RACERS)
    results, errors = [], []

    def racer(n):
        with _app.app_context():
            try:
                barrier.wait()
                results.append(target(n))
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def test_simultaneous_requests_create_exactly_one_round(_app, committed_network):
    week = rounds.week_of(date.today())

    def claim(n):
        network = db.session.get(Network, committed_network)
        round_ = rounds.request_round(network, week, trigger="manual" if n == 0 else "schedule")
        return round_.id if round_ else None

    results = _race(_app, claim)
    assert len([r for r in results if r is not None]) == 1
    with _app.app_context():
        count = db.session.scalar(select(func.count(Round.id)).where(Round.network_id == committed_network))
        db.session.remove()
    assert count == 1


def test_simultaneous_runs_run_the_round_once(_app, committed_network):
    with _app.app_context():
        network = db.session.get(Network, committed_network)
        round_id = rounds.request_round(network, rounds.week_of(date.today()), trigger="schedule").id
        db.session.remove()

    results = _race(_app, lambda n: rounds.run_round(round_id) is not None)
    assert results.count(True) == 1
    with _app.app_context():
        round_ = db.session.get(Round, round_id)
        assert round_.attempts == 1 and round_.status.value == "proposed"
        db.session.remove()
