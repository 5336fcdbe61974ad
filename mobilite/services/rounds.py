"""Matching rounds: claimed once per network and week, run in the scheduler process, saved atomically.

- A round is claimed by inserting its (network, week) row: the unique key lets exactly one claimant win,
  and on PostgreSQL a transaction-level advisory lock serialises claims on the same key as well.
- Running happens in the scheduler process only (`run_due_rounds`); the web app only asks for a round.
- Proposals are written in one transaction; any failure leaves none and marks the round failed, and a
  failed round can be run again with the same result.
"""

from __future__ import annotations

import logging
import time
import traceback
import zlib
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

import appariement
from mobilite.extensions import db
from mobilite.models import Network, Proposal, ProposalStatus, Round, RoundStatus, User, utcnow
from mobilite.services import audit
from mobilite.services.errors import ServiceError
from mobilite.services.round_problem import load_problem, settings_snapshot

log = logging.getLogger(__name__)

# A running round whose heartbeat is older than this was killed: it is marked failed.
STALE_AFTER = timedelta(minutes=15)
RERUNNABLE = (RoundStatus.FAILED, RoundStatus.PROPOSED)
LOCK_RETRIES = 20


def week_of(day: date) -> date:
    """The Monday of the day's week: a round's key."""
    return day - timedelta(days=day.weekday())


def _advisory_lock(network_id: int, week_start: date) -> None:
    """Serialise claims of one (network, week) across processes on PostgreSQL; SQLite has its write lock."""
    if db.session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"mobilite-round:{network_id}:{week_start.isoformat()}".encode())
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _sqlite_busy(exc: OperationalError) -> bool:
    return "database is locked" in str(exc.orig)


def request_round(network: Network, week_start: date, *, trigger: str, actor: User | None = None) -> Round | None:
    """Ask for this week's round: creates it (scheduled) unless one exists. None if another claimant won.

    The INSERT is the transaction's first statement, so SQLite takes its write lock before reading anything;
    the unique (network, week) key then decides, on both databases. A SQLite writer that lost the race for
    the lock while holding an older snapshot gets "database is locked" at once: it starts again, afresh.
    """
    network_id, actor_id = network.id, actor.id if actor else None
    for attempt in range(LOCK_RETRIES):
        try:
            db.begin_write()
            _advisory_lock(network_id, week_start)
            round_ = Round(network_id=network_id, week_start=week_start, status=RoundStatus.SCHEDULED,
                           trigger=trigger, started_by_id=actor_id)
            db.session.add(round_)
            db.session.flush()
        except IntegrityError:
            db.session.rollback()  # this week's round exists already
            return None
        except OperationalError as exc:
            db.session.rollback()
            if not _sqlite_busy(exc) or attempt == LOCK_RETRIES - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
            continue
        audit.record(actor, "round.request", round_, network_id=network_id, trigger=trigger)
        db.session.commit()
        return round_
    return None


def rerun_round(actor: User, round_: Round) -> Round:
    """Run a proposed or failed round again; pinned placements are kept."""
    claimed = db.session.execute(
        update(Round)
        .where(Round.id == round_.id, Round.status.in_(RERUNNABLE))
        .values(status=RoundStatus.SCHEDULED, phase="", error="")
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise ServiceError(_("Ce tour ne peut pas être relancé dans son état actuel."))
    audit.record(actor, "round.rerun", round_, network_id=round_.network_id)
    db.session.commit()
    db.session.refresh(round_)
    return round_


def _claim_for_running(round_id: int) -> bool:
    """scheduled → running, atomically: of two schedulers, one gets rowcount 1."""
    db.begin_write()
    claimed = db.session.execute(
        update(Round)
        .where(Round.id == round_id, Round.status == RoundStatus.SCHEDULED)
        .values(status=RoundStatus.RUNNING, phase="loading", started_at=utcnow(), finished_at=None,
                attempts=Round.attempts + 1, updated_at=utcnow())
    ).rowcount
    db.session.commit()
    return claimed == 1


def _set_phase(round_: Round, phase: str, **values) -> None:
    """Record progress in its own short write transaction (the page polls it)."""
    db.begin_write()
    for name, value in {"phase": phase, "updated_at": utcnow(), **values}.items():
        setattr(round_, name, value)
    db.session.commit()


def save_solution(round_: Round, solution: appariement.Solution, timings: dict) -> None:
    """Replace the round's proposals by the solution's, in one transaction."""
    started = time.perf_counter()
    db.begin_write()
    db.session.execute(delete(Proposal).where(Proposal.round_id == round_.id))
    db.session.add_all([
        Proposal(round_id=round_.id, request_id=int(a.request_id), session_id=int(a.session_id), score=a.score,
                 breakdown=dict(a.breakdown), pinned=a.pinned, status=ProposalStatus.PROPOSED)
        for a in solution.assignments
    ])
    result = solution.to_dict(stats=False)
    round_.metrics = result["metrics"]
    round_.unmatched = {"requests": result["unmatched"]}
    round_.solver_status = str(solution.solver.get("status", ""))
    round_.timings = {**timings, "save": round(time.perf_counter() - started, 3),
                      "engine": dict(solution.stats.get("seconds", {})),
                      "peak_memory_mb": solution.stats.get("peak_memory_mb")}
    round_.status = RoundStatus.PROPOSED
    round_.phase = ""
    round_.finished_at = utcnow()
    db.session.commit()


def run_round(round_id: int, today: date | None = None) -> Round | None:
    """Load, solve, save. Returns the round, or None if another process is running it."""
    if not _claim_for_running(round_id):
        return None
    round_ = db.session.get(Round, round_id)
    timings: dict[str, float] = {}
    try:
        started = time.perf_counter()
        network = round_.network
        loaded = load_problem(network, round_.week_start, round_, today)
        timings["load"] = round(time.perf_counter() - started, 3)
        _set_phase(round_, "solving", settings_snapshot=settings_snapshot(network))

        started = time.perf_counter()
        solution = appariement.solve(loaded.problem)
        timings["solve"] = round(time.perf_counter() - started, 3)
        _set_phase(round_, "saving")

        save_solution(round_, solution, timings)
    except Exception as exc:  # noqa: BLE001 - whatever broke, the round must end failed and empty
        db.session.rollback()
        _mark_failed(round_id, f"{type(exc).__name__}: {exc}")
        log.error("round %s failed:\n%s", round_id, traceback.format_exc())
        return db.session.get(Round, round_id)
    return round_


def _mark_failed(round_id: int, error: str) -> None:
    db.begin_write()
    db.session.execute(delete(Proposal).where(Proposal.round_id == round_id))
    db.session.execute(
        update(Round).where(Round.id == round_id)
        .values(status=RoundStatus.FAILED, phase="", error=error[:2000], finished_at=utcnow(), updated_at=utcnow())
    )
    db.session.commit()


def fail_stale_rounds(now=None) -> int:
    """Rounds left running by a killed process are marked failed, so they can be run again."""
    now = now or utcnow()
    stale = db.session.scalars(
        select(Round.id).where(Round.status == RoundStatus.RUNNING, Round.updated_at < now - STALE_AFTER)
    ).all()
    for round_id in stale:
        _mark_failed(round_id, "interrupted: the process running this round stopped")
    return len(stale)


def run_due_rounds(today: date | None = None) -> list[int]:
    """The scheduler's job: run every scheduled round, oldest first."""
    fail_stale_rounds()
    ids = db.session.scalars(
        select(Round.id).where(Round.status == RoundStatus.SCHEDULED).order_by(Round.created_at, Round.id)
    ).all()
    return [round_id for round_id in ids if run_round(round_id, today) is not None]


def schedule_weekly_round(network_id: int, today: date | None = None) -> Round | None:
    """The cron trigger of a network: ask for this week's round, then run it."""
    network = db.session.get(Network, network_id)
    round_ = request_round(network, week_of(today or date.today()), trigger="schedule")
    if round_ is not None:
        run_round(round_.id, today)
    return round_
