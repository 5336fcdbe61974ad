"""Matching rounds: claimed once per network and week, run in the scheduler process, saved atomically.

- A round is claimed by inserting its (network, week) row: the unique key lets exactly one claimant win,
  and on PostgreSQL a transaction-level advisory lock serialises claims on the same key as well.
- Every later change of a round's status (rerun, claim, save, fail, requeue, publish) takes the round's
  row lock (`lock_round`: SELECT … FOR UPDATE on PostgreSQL, the write lock taken up front on SQLite)
  and is checked against mobilite.lifecycles.round.TRANSITIONS.
- Running happens in the scheduler process only (`run_due_rounds`); the web app only asks for a round.
  The runner writes a heartbeat while it works; a round whose heartbeat stopped (a killed scheduler) is
  requeued, up to MAX_ATTEMPTS runs, then failed. Each run carries its attempt number, so a runner that
  was taken over can no longer write anything.
- Proposals are written in one transaction; any failure leaves none and marks the round failed, and a
  failed round can be run again with the same result. Coordinators read a failure code; details go to the log.
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

import appariement
from mobilite import notifications
from mobilite.extensions import db
from mobilite.lifecycles import proposal as proposal_lifecycle
from mobilite.lifecycles.round import MAX_ATTEMPTS, RoundFailure, check_transition
from mobilite.models import Network, Proposal, ProposalStatus, Round, RoundStatus, User, utcnow
from mobilite.services import audit, outlook
from mobilite.services.errors import ServiceError
from mobilite.services.people import coordinators
from mobilite.services.round_problem import load_problem, settings_snapshot

log = logging.getLogger(__name__)

# The runner beats this often; a running round whose last beat is older than STALE_AFTER lost its process.
# With the scheduler's 5-second tick, a killed runner's round is started again well within two minutes.
HEARTBEAT_EVERY = timedelta(seconds=15)
STALE_AFTER = timedelta(seconds=75)
LOCK_RETRIES = 20


class RunLost(Exception):
    """This runner's attempt is no longer the round's current one (requeued or failed meanwhile)."""


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
            round_ = Round(
                network_id=network_id,
                week_start=week_start,
                status=RoundStatus.SCHEDULED,
                trigger=trigger,
                started_by_id=actor_id,
            )
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


def lock_round(round_id: int) -> Round | None:
    """Start a write transaction holding the round's row lock, and read the round afresh.

    On PostgreSQL a second writer waits here until the first commits, then reads what it committed; on
    SQLite begin_write takes the database's write lock first, which serialises writers the same way.
    FOR NO KEY UPDATE (key_share): the runner's new proposals, which reference the row, are not blocked by it.
    """
    db.begin_write()
    return db.session.scalars(
        select(Round)
        .where(Round.id == round_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).first()


def move(round_: Round, target: RoundStatus, **values) -> None:
    """Change a locked round's status, if the lifecycle allows it (else RoundStateConflict)."""
    check_transition(round_.status, target)
    round_.status = target
    for name, value in values.items():
        setattr(round_, name, value)
    round_.updated_at = utcnow()


def rerun_round(actor: User | None, round_: Round) -> Round:
    """Run a proposed or failed round again; pinned placements are kept. Refused while it is scheduled or
    running (it will be anyway) and once published (RoundStateConflict)."""
    locked = lock_round(round_.id)
    try:
        if locked is None:
            raise ServiceError(_("Ce tour n'existe plus."))
        # A new request for the round: its automatic retries start again.
        move(locked, RoundStatus.SCHEDULED, phase="", error="", attempts=0, heartbeat_at=None)
    except ServiceError:
        db.session.rollback()
        raise
    audit.record(actor, "round.rerun", locked, network_id=locked.network_id)
    db.session.commit()
    return locked


def _claim_for_running(round_id: int) -> int | None:
    """scheduled → running under the row lock: of two schedulers, one gets the attempt number, the other None."""
    round_ = lock_round(round_id)
    if round_ is None or round_.status != RoundStatus.SCHEDULED:
        db.session.rollback()
        return None
    now = utcnow()
    move(
        round_,
        RoundStatus.RUNNING,
        phase="loading",
        started_at=now,
        finished_at=None,
        heartbeat_at=now,
        attempts=round_.attempts + 1,
        error="",
    )
    attempt = round_.attempts
    db.session.commit()
    return attempt


def _current_run(round_id: int, attempt: int):
    return (Round.id == round_id) & (Round.status == RoundStatus.RUNNING) & (Round.attempts == attempt)


def _beat(round_id: int, attempt: int, **values) -> None:
    """Record progress and a heartbeat in a short write transaction (the page polls it); RunLost if this
    attempt was taken over."""
    db.begin_write()
    now = utcnow()
    claimed = db.rows_matched(
        update(Round).where(_current_run(round_id, attempt)).values(heartbeat_at=now, updated_at=now, **values)
    )
    db.session.commit()
    if claimed != 1:
        raise RunLost(round_id)


class Heartbeat:
    """Beats from a thread of its own, on a connection of its own, while the runner loads, solves and saves:
    a long solve is not mistaken for a dead process."""

    def __init__(self, round_id: int, attempt: int, every: timedelta | None = None) -> None:
        self.round_id, self.attempt = round_id, attempt
        self.every = (every or HEARTBEAT_EVERY).total_seconds()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"round-{round_id}-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        engine = db.bound_engine
        while not self._stop.wait(self.every):
            try:
                with engine.begin() as connection:
                    beating = connection.execute(
                        update(Round).where(_current_run(self.round_id, self.attempt)).values(heartbeat_at=utcnow())
                    ).rowcount
            except Exception:  # noqa: BLE001 - a missed beat is not fatal; the next one may pass
                log.warning("round %s: heartbeat not written", self.round_id, exc_info=True)
                continue
            if beating != 1:
                return  # finished, failed or taken over: nothing left to keep alive


def save_solution(round_: Round, solution: appariement.Solution, timings: dict, attempt: int | None = None) -> None:
    """Replace the round's proposals by the solution's, in one transaction, if this run still owns the round.

    Only a running round's proposals are replaced: those of a round in review are never published (a
    published round cannot be running), so no published proposal, and no request matched by one, is lost.
    """
    started = time.perf_counter()
    locked = lock_round(round_.id)
    if locked is None or locked.status != RoundStatus.RUNNING or (attempt is not None and locked.attempts != attempt):
        db.session.rollback()
        raise RunLost(round_.id)
    write_result(locked, solution.to_dict(stats=False, outlooks=True))
    move(
        locked,
        RoundStatus.PROPOSED,
        phase="",
        finished_at=utcnow(),
        heartbeat_at=utcnow(),
        timings={
            **timings,
            "save": round(time.perf_counter() - started, 3),
            "engine": dict(solution.stats.get("seconds", {})),
            "peak_memory_mb": solution.stats.get("peak_memory_mb"),
        },
    )
    _tell_coordinators(locked, ready=True)
    db.session.commit()


def write_result(locked: Round, result: dict) -> None:
    """Replace a locked round's proposals and unmatched outlooks by `result` (Solution.to_dict(stats=False,
    outlooks=True)), in the caller's transaction: a run's save, or a kept draft (services.round_drafts). The
    placements it replaces are kept on the round (previous_result), for the review's "what changed"."""
    previous = db.session.execute(
        select(Proposal.request_id, Proposal.session_id, Proposal.score)
        .where(Proposal.round_id == locked.id, Proposal.status.in_(proposal_lifecycle.IN_REVIEW))
        .order_by(Proposal.request_id)
    ).all()
    locked.previous_result = (
        {
            "placements": [[r, s, score] for r, s, score in previous],
            "finished_at": locked.finished_at.isoformat() if locked.finished_at else None,
        }
        if previous
        else None
    )
    db.session.execute(delete(Proposal).where(Proposal.round_id == locked.id))
    db.session.add_all(
        [
            Proposal(
                round_id=locked.id,
                request_id=int(a["request"]),
                session_id=int(a["session"]),
                score=a["score"],
                breakdown=dict(a["breakdown"]),
                pinned=a["pinned"],
                status=ProposalStatus.PROPOSED,
            )
            for a in result["assignments"]
        ]
    )
    outlook.save_entries(locked.id, result["unmatched"])  # what each unmatched agent reads once published
    locked.metrics = result["metrics"]
    locked.unmatched = {"requests": [{k: v for k, v in u.items() if k != "outlook"} for u in result["unmatched"]]}
    locked.solver_status = str(result.get("solver", {}).get("status", ""))


def _tell_coordinators(round_: Round, ready: bool) -> None:
    """One message per run to the network's coordinators (but the one who started it, who watches its page):
    its proposals are ready for review, or it failed."""
    people = [user for user in coordinators(round_.network_id) if user.id != round_.started_by_id]
    (notifications.round_ready if ready else notifications.round_failed)(round_, people)


def run_round(round_id: int, today: date | None = None) -> Round | None:
    """Load, solve, save. Returns the round, or None if another process is running it (or took it over)."""
    attempt = _claim_for_running(round_id)
    if attempt is None:
        return None
    round_ = db.session.get_one(Round, round_id)  # claimed just now: it exists
    timings: dict[str, float] = {}
    with Heartbeat(round_id, attempt):
        try:
            started = time.perf_counter()
            network = round_.network
            loaded = load_problem(network, round_.week_start, round_, today)
            timings["load"] = round(time.perf_counter() - started, 3)
            _beat(round_id, attempt, phase="solving", settings_snapshot=settings_snapshot(network))

            started = time.perf_counter()
            solution = appariement.solve(loaded.problem)
            timings["solve"] = round(time.perf_counter() - started, 3)
            _beat(round_id, attempt, phase="saving")

            save_solution(round_, solution, timings, attempt)
        except RunLost:
            db.session.rollback()
            log.warning(
                "round %s: attempt %d was taken over by another scheduler; its result is dropped", round_id, attempt
            )
            return None
        except Exception:  # noqa: BLE001 - whatever broke, the round must end failed and empty
            db.session.rollback()
            log.exception("round %s failed (attempt %d)", round_id, attempt)
            _mark_failed(round_id, attempt, RoundFailure.ERROR)
    return db.session.get(Round, round_id)


def _mark_failed(round_id: int, attempt: int | None, failure: RoundFailure) -> bool:
    """running → failed, empty: the proposals of a running round were never published."""
    round_ = lock_round(round_id)
    if round_ is None or round_.status != RoundStatus.RUNNING or (attempt is not None and round_.attempts != attempt):
        db.session.rollback()
        return False
    db.session.execute(delete(Proposal).where(Proposal.round_id == round_id))
    outlook.delete_for_round(round_id)
    move(round_, RoundStatus.FAILED, phase="", error=failure.value, finished_at=utcnow())
    _tell_coordinators(round_, ready=False)
    db.session.commit()
    return True


def _last_sign_of_life(round_: Round) -> datetime:
    return round_.heartbeat_at or round_.updated_at


def fail_stale_rounds(now: datetime | None = None) -> int:
    """Rounds whose runner stopped beating (a killed process) are requeued, or failed after MAX_ATTEMPTS runs.

    Returns how many were requeued or failed. The check is made again under the row lock, so a runner that
    beat in the meantime keeps its round.
    """
    now = now or utcnow()
    cutoff = now - STALE_AFTER
    stale = db.session.scalars(
        select(Round.id).where(
            Round.status == RoundStatus.RUNNING, func.coalesce(Round.heartbeat_at, Round.updated_at) < cutoff
        )
    ).all()
    handled = 0
    for round_id in stale:
        round_ = lock_round(round_id)
        if round_ is None or round_.status != RoundStatus.RUNNING or _last_sign_of_life(round_) >= cutoff:
            db.session.rollback()
            continue
        if round_.attempts < MAX_ATTEMPTS:
            log.warning(
                "round %s: its runner stopped beating (attempt %d of %d); requeued",
                round_id,
                round_.attempts,
                MAX_ATTEMPTS,
            )
            move(round_, RoundStatus.SCHEDULED, phase="", heartbeat_at=None)
            audit.record(None, "round.requeue", round_, network_id=round_.network_id, attempts=round_.attempts)
        else:
            log.error("round %s: its runner stopped beating at each of %d attempts; failed", round_id, round_.attempts)
            db.session.execute(delete(Proposal).where(Proposal.round_id == round_id))
            outlook.delete_for_round(round_id)
            move(round_, RoundStatus.FAILED, phase="", error=RoundFailure.INTERRUPTED.value, finished_at=now)
            audit.record(None, "round.fail", round_, network_id=round_.network_id, attempts=round_.attempts)
            _tell_coordinators(round_, ready=False)
        db.session.commit()
        handled += 1
    return handled


def run_due_round_outcomes(today: date | None = None) -> list[tuple[int, RoundStatus]]:
    """Requeue or fail rounds left running by a dead process, then run every scheduled round, oldest first.

    Returns (round id, status it ended in) for each round this process ran: proposed, or failed.
    """
    fail_stale_rounds()
    ids = db.session.scalars(
        select(Round.id).where(Round.status == RoundStatus.SCHEDULED).order_by(Round.created_at, Round.id)
    ).all()
    outcomes = []
    for round_id in ids:
        round_ = run_round(round_id, today)
        if round_ is not None:
            outcomes.append((round_id, round_.status))
    return outcomes


def run_due_rounds(today: date | None = None) -> list[int]:
    """The scheduler's job: run every scheduled round. Returns the ids of the rounds it ran that are now in
    review (proposed); failures are logged here, with their traceback, and are not in the list."""
    return [round_id for round_id, status in run_due_round_outcomes(today) if status == RoundStatus.PROPOSED]


def schedule_weekly_round(network_id: int, today: date | None = None) -> Round | None:
    """The cron trigger of a network: ask for this week's round, then run it."""
    network = db.session.get_one(Network, network_id)
    round_ = request_round(network, week_of(today or date.today()), trigger="schedule")
    if round_ is not None:
        run_round(round_.id, today)
    return round_
