"""Other settings tried on a round ("Essayer d'autres réglages"): a draft, solved in the scheduler, compared
side by side with the round, then kept (the round's proposals become the draft's) or left.

- `start_draft` only records what is asked (a RoundDraft, queued): the web request never solves anything.
- `run_pending_drafts` is the scheduler's job: each draft is claimed by a conditional UPDATE (queued →
  running), so of two schedulers only one runs it; a draft whose runner died (running for longer than
  STALE_AFTER) is queued again, up to MAX_ATTEMPTS runs, then failed.
- The draft solves the same problem as the round (services.round_problem: the round's pins and forbidden
  pairs), with the network's settings overridden by the draft's, and stores the engine's result with the
  indicators the comparison reads.
- `keep_draft` replaces the round's proposals as a rerun would (services.rounds.write_result), only while
  the round is in review and has not been run again since the draft was asked for; `discard_draft` keeps
  the original. Both are in the audit log.

The comparison of a draft with the round (and of a rerun with the previous version) is in
services.round_comparison.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

import appariement
from mobilite.extensions import db
from mobilite.lifecycles.round import IN_REVIEW
from mobilite.models import (
    DraftStatus,
    MatchingMode,
    Proposal,
    Round,
    RoundDraft,
    RoundStatus,
    UnmatchedOutlook,
    User,
    utcnow,
)
from mobilite.services import audit, rounds
from mobilite.services.errors import ServiceError
from mobilite.services.round_problem import engine_settings, load_problem

log = logging.getLogger(__name__)

WEIGHT_TERMS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(appariement.Weights))
MAX_WEIGHT = 20
MAX_LIMIT = 50  # diversity and continuity: agents of one organisation per session, away the same day
STALE_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 3

# What each weight weighs, as the coordinator reads it.
WEIGHT_LABELS = {
    "base": _l("Chaque placement (un agent placé plutôt que laissé sans proposition)"),
    "interest": _l("Thématiques et compétences souhaitées couvertes par l'offre"),
    "skill_fit": _l("Compétences que l'offre fait progresser"),
    "wish": _l("Place de l'offre dans les vœux de l'agent"),
    "distance": _l("Une offre près du lieu de travail de l'agent"),
    "waiting": _l("Tours déjà passés sans proposition"),
    "fairness": _l("Équité : atteindre le plancher de chaque organisation"),
    "reciprocity": _l("Réciprocité : chaque organisation accueille autant qu'elle envoie"),
}


STATUS_LABELS = {
    DraftStatus.QUEUED: _l("en attente du planificateur"),
    DraftStatus.RUNNING: _l("en calcul"),
    DraftStatus.DONE: _l("prêt à comparer"),
    DraftStatus.FAILED: _l("échoué"),
    DraftStatus.KEPT: _l("gardé"),
    DraftStatus.DISCARDED: _l("écarté, l'original gardé"),
}


# --- asking for a draft -------------------------------------------------------------------------------------


def current_settings(round_: Round) -> dict[str, Any]:
    """What the round ran with, in the form `start_draft` takes: the draft form's starting values."""
    snapshot = round_.settings_snapshot or {}
    base = engine_settings(round_.network)
    weights = {**dict(vars(base.weights)), **{k: int(v) for k, v in (snapshot.get("weights") or {}).items()}}
    floor = snapshot.get("fairness_floor", base.fairness_floor)
    return {
        "weights": {term: weights.get(term, 0) for term in WEIGHT_TERMS},
        "fairness_floor_percent": round(float(floor or 0) * 100),
        "mode": snapshot.get("mode", base.mode),
        "diversity": snapshot.get("diversity", base.diversity),
        "continuity": snapshot.get("continuity", base.continuity),
    }


def _int_in(errors: dict[str, list[str]], name: str, value: Any, low: int, high: int) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[name] = [_("Un nombre entier est attendu.")]
        return None
    if not low <= number <= high:
        errors[name] = [_("Entre %(low)d et %(high)d.", low=low, high=high)]
        return None
    return number


def clean_overrides(round_: Round, overrides: dict[str, Any]) -> dict[str, Any]:
    """The draft's settings: the round's, with `overrides` checked; ServiceError naming each wrong field."""
    settings = current_settings(round_)
    errors: dict[str, list[str]] = {}
    unknown = set(overrides) - set(settings)
    if unknown:
        errors["_schema"] = [_("Réglages inconnus : %(names)s.", names=", ".join(sorted(unknown)))]
    weights = overrides.get("weights") or {}
    for term, value in weights.items():
        if term not in WEIGHT_TERMS:
            errors[f"weights.{term}"] = [_("Objectif inconnu.")]
            continue
        number = _int_in(errors, f"weights.{term}", value, 0, MAX_WEIGHT)
        if number is not None:
            settings["weights"][term] = number
    if "fairness_floor_percent" in overrides:
        number = _int_in(errors, "fairness_floor_percent", overrides["fairness_floor_percent"], 0, 100)
        if number is not None:
            settings["fairness_floor_percent"] = number
    if "mode" in overrides:
        if overrides["mode"] not in {m.value for m in MatchingMode}:
            errors["mode"] = [_("Choisissez « optimal » ou « stable ».")]
        else:
            settings["mode"] = str(overrides["mode"])
    for name in ("diversity", "continuity"):
        if name in overrides:
            value = overrides[name]
            if value is None or value == "":
                if name == "diversity":
                    errors[name] = [_("Indiquez un nombre d'agents.")]
                else:
                    settings[name] = None  # no limit
                continue
            number = _int_in(errors, name, value, 1, MAX_LIMIT)
            if number is not None:
                settings[name] = number
    if not any(settings["weights"].values()):
        errors.setdefault("weights", []).append(_("Au moins un objectif doit compter."))
    if errors:
        raise ServiceError(errors)
    return settings


def start_draft(round_: Round, actor: User | None, overrides: dict[str, Any]) -> RoundDraft:
    """Queue a draft of `round_` with the round's settings changed by `overrides` (weights per soft goal,
    fairness_floor_percent, mode, diversity, continuity); the scheduler runs it. A round in review or
    published may be tried (a published round's draft is for reading only: it cannot be kept)."""
    if round_.status not in IN_REVIEW | {RoundStatus.PUBLISHED}:
        raise ServiceError(_("Ce tour n'a pas encore de résultat : attendez la fin de son calcul."))
    settings = clean_overrides(round_, overrides)
    draft = RoundDraft(
        round_id=round_.id,
        requested_by_id=actor.id if actor else None,
        settings=settings,
        status=DraftStatus.QUEUED,
        round_finished_at=round_.finished_at,
    )
    db.session.add(draft)
    db.session.flush()
    audit.record(actor, "round.draft.start", round_, network_id=round_.network_id, draft=draft.id)
    db.session.commit()
    return draft


def drafts_of(round_: Round, limit: int = 10) -> list[RoundDraft]:
    """The round's latest drafts, newest first."""
    return list(
        db.session.scalars(
            select(RoundDraft)
            .where(RoundDraft.round_id == round_.id)
            .order_by(RoundDraft.created_at.desc(), RoundDraft.id.desc())
            .limit(limit)
        )
    )


# --- running drafts, in the scheduler ------------------------------------------------------------------------


def _requeue_stale(now: datetime) -> None:
    """Drafts whose runner died: queued again while attempts remain, else failed. Conditional UPDATEs, so a
    runner that finished meanwhile keeps its result."""
    cutoff = now - STALE_AFTER
    stale = (RoundDraft.status == DraftStatus.RUNNING) & (RoundDraft.started_at < cutoff)
    if db.session.scalar(select(RoundDraft.id).where(stale).limit(1)) is None:
        return
    db.begin_write()
    db.session.execute(
        update(RoundDraft)
        .where(stale, RoundDraft.attempts < MAX_ATTEMPTS)
        .values(status=DraftStatus.QUEUED, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(RoundDraft)
        .where(stale, RoundDraft.attempts >= MAX_ATTEMPTS)
        .values(status=DraftStatus.FAILED, error="interrupted", finished_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def claim(draft_id: int) -> int | None:
    """queued → running by a conditional UPDATE: of two schedulers, one gets the attempt number, the other None."""
    db.begin_write()
    now = utcnow()
    matched = db.rows_matched(
        update(RoundDraft)
        .where(RoundDraft.id == draft_id, RoundDraft.status == DraftStatus.QUEUED)
        .values(status=DraftStatus.RUNNING, started_at=now, updated_at=now, attempts=RoundDraft.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    attempt = db.session.scalar(select(RoundDraft.attempts).where(RoundDraft.id == draft_id)) if matched else None
    db.session.commit()
    return attempt


def _finish(draft_id: int, attempt: int, **values: Any) -> bool:
    """Write the outcome if this run still owns the draft (not requeued and taken by another meanwhile)."""
    db.begin_write()
    now = utcnow()
    matched = db.rows_matched(
        update(RoundDraft)
        .where(RoundDraft.id == draft_id, RoundDraft.status == DraftStatus.RUNNING, RoundDraft.attempts == attempt)
        .values(finished_at=now, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return matched == 1


def _engine_settings(round_: Round, settings: dict[str, Any]) -> appariement.Settings:
    base = engine_settings(round_.network)
    return dataclasses.replace(
        base,
        weights=appariement.Weights(**{k: int(v) for k, v in settings["weights"].items() if k in WEIGHT_TERMS}),
        fairness_floor=settings["fairness_floor_percent"] / 100,
        mode=settings["mode"],
        diversity=settings["diversity"],
        continuity=settings["continuity"],
    )


def _considered(round_: Round) -> list[int]:
    """The requests a published round weighed: its proposals' and its unmatched."""
    placed = db.session.scalars(select(Proposal.request_id).where(Proposal.round_id == round_.id))
    unmatched = db.session.scalars(select(UnmatchedOutlook.request_id).where(UnmatchedOutlook.round_id == round_.id))
    return sorted(set(placed) | set(unmatched))


def solve_draft(draft: RoundDraft) -> dict[str, Any]:
    """The draft's result: the engine's solution on the round's problem with the draft's settings, and the
    indicators per home organisation and wish rank that the comparison reads."""
    round_ = draft.round
    if round_.status in IN_REVIEW:
        loaded = load_problem(round_.network, round_.week_start, round_)
    else:  # published: the same requests as the round weighed, whatever became of them since
        loaded = load_problem(
            round_.network, round_.week_start, round_, only_requests=_considered(round_), any_status=True
        )
    settings = _engine_settings(round_, draft.settings)
    problem = dataclasses.replace(loaded.problem, settings=settings)
    solution = appariement.solve(problem)
    offer_of = {s.id: s.offer_id for s in problem.sessions}
    considered = Counter(r.org_id for r in problem.requests)
    placed: Counter = Counter()
    ranks: Counter = Counter()
    requests = {r.id: r for r in problem.requests}
    for a in solution.assignments:
        request = requests[a.request_id]
        placed[request.org_id] += 1
        wishes = list(request.wishes)
        offer = offer_of.get(a.session_id, a.offer_id)
        ranks[str(wishes.index(offer) + 1) if offer in wishes else "none"] += 1
    return {
        "solution": solution.to_dict(stats=False, outlooks=True),
        "snapshot": rounds_snapshot(round_, settings),
        "indicators": {
            "considered": {org: n for org, n in considered.items()},
            "placed": {org: n for org, n in placed.items()},
            "rank_profile": dict(ranks),
        },
    }


def rounds_snapshot(round_: Round, settings: appariement.Settings) -> dict[str, Any]:
    """The round's settings_snapshot as it would read with the draft's settings (kept with the draft)."""
    snapshot = dict(round_.settings_snapshot or {})
    snapshot.update(
        {
            "weights": dict(vars(settings.weights)),
            "diversity": settings.diversity,
            "continuity": settings.continuity,
            "fairness_floor": settings.fairness_floor,
            "mode": settings.mode,
        }
    )
    return snapshot


def run_draft(draft_id: int) -> DraftStatus | None:
    """Claim, solve, store. None if another scheduler has it."""
    attempt = claim(draft_id)
    if attempt is None:
        return None
    try:
        draft = db.session.get_one(RoundDraft, draft_id)
        result = solve_draft(draft)
    except Exception:  # noqa: BLE001 - the draft ends failed; the details go to the log
        db.session.rollback()
        log.exception("round draft %s failed (attempt %d)", draft_id, attempt)
        _finish(draft_id, attempt, status=DraftStatus.FAILED, error="error")
        return DraftStatus.FAILED
    db.session.commit()  # ends the reads (nothing was written while solving); the outcome goes in a short write
    if not _finish(draft_id, attempt, status=DraftStatus.DONE, result=result, error=""):
        log.warning("round draft %s: attempt %d was taken over; its result is dropped", draft_id, attempt)
        return None
    return DraftStatus.DONE


def run_pending_drafts(now: datetime | None = None) -> list[tuple[int, DraftStatus]]:
    """The scheduler's job: requeue drafts left running by a dead process, then run the queued ones, oldest
    first. Returns (draft id, status it ended in) for each draft this process ran."""
    _requeue_stale(now or utcnow())
    ids = db.session.scalars(
        select(RoundDraft.id).where(RoundDraft.status == DraftStatus.QUEUED).order_by(RoundDraft.id)
    ).all()
    db.session.commit()  # ends the read (nothing written): each draft then runs in its own transactions
    outcomes = []
    for draft_id in ids:
        status = run_draft(draft_id)
        if status is not None:
            outcomes.append((draft_id, status))
    return outcomes


# --- keeping one --------------------------------------------------------------------------------------------


def _lock_draft(draft: RoundDraft) -> tuple[Round, RoundDraft]:
    """The round's row lock (as every review change takes it), then the draft read afresh, done."""
    locked = rounds.lock_round(draft.round_id)
    fresh = db.session.scalars(
        select(RoundDraft).where(RoundDraft.id == draft.id).execution_options(populate_existing=True)
    ).first()
    if locked is None or fresh is None:
        db.session.rollback()
        raise ServiceError(_("Cet essai n'existe plus."))
    if fresh.status != DraftStatus.DONE:
        db.session.rollback()
        raise ServiceError(_("Cet essai n'est pas prêt, ou vous avez déjà choisi."))
    return locked, fresh


def keep_draft(actor: User, draft: RoundDraft) -> Round:
    """The round's proposals become the draft's, as a rerun would make them: every proposal to review again,
    pinned placements kept (the draft solved with them), the unmatched agents' reasons replaced. Only while
    the round is in review and was not run again since the draft was asked for."""
    locked, draft = _lock_draft(draft)
    if locked.status not in IN_REVIEW:
        db.session.rollback()
        raise ServiceError(_("Ce tour n'est plus en revue : ce résultat ne peut plus remplacer le sien."))
    if locked.finished_at != draft.round_finished_at:
        db.session.rollback()
        raise ServiceError(_("Le tour a été recalculé depuis cet essai : lancez un nouvel essai pour comparer."))
    rounds.write_result(locked, draft.result["solution"])
    locked.settings_snapshot = draft.result["snapshot"]
    locked.finished_at = utcnow()
    draft.status = DraftStatus.KEPT
    audit.record(actor, "round.draft.keep", locked, network_id=locked.network_id, draft=draft.id)
    db.session.commit()
    return locked


def discard_draft(actor: User, draft: RoundDraft) -> Round:
    """Keep the round as it is; the draft stays readable, marked set aside."""
    locked, draft = _lock_draft(draft)
    draft.status = DraftStatus.DISCARDED
    audit.record(actor, "round.draft.discard", locked, network_id=locked.network_id, draft=draft.id)
    db.session.commit()
    return locked
