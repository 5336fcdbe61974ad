"""Immersion request messages: submission, the line manager's opinion, HR's decision and its legal deadline."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from mobilite.models import (
    ImmersionRequest,
    RequestStatus,
    User,
)
from mobilite.notifications.rendering import Tutor, deliver, external_url, full_date, render

if TYPE_CHECKING:
    pass


def request_submitted(immersion_request: ImmersionRequest, officers: Iterable[User]) -> None:
    """An agent submitted a request: their employer's HR officers answer it, by the legal deadline."""
    from mobilite.services.requests import answer_deadline  # the rule lives with requests

    deadline = answer_deadline(immersion_request)
    for officer in officers:
        deliver(
            officer,
            "request.submitted",
            "request_submitted",
            params=lambda: {"deadline": full_date(deadline) if deadline else ""},
            immersion_request=immersion_request,
            agent=immersion_request.agent,
            link=external_url("rh.request_detail", request_id=immersion_request.id),
            due_on=deadline,
        )


def request_withdrawn(immersion_request: ImmersionRequest, officers: Iterable[User]) -> None:
    """An agent withdrew a submitted request: HR has nothing left to answer."""
    for officer in officers:
        deliver(
            officer,
            "request.withdrawn",
            "request_withdrawn",
            immersion_request=immersion_request,
            agent=immersion_request.agent,
            link=external_url("rh.request_detail", request_id=immersion_request.id),
        )


def opinion_asked(
    immersion_request: ImmersionRequest, manager: User | None, token: str | None, deadline, reminder: bool
) -> None:
    """The line manager the agent named is asked for their opinion (again, a few days before the deadline):
    an account in its inbox, an address by e-mail with the one-time link (legal deadline: never unsubscribed)."""
    from mobilite.services import outbox  # noqa: PLC0415 (as rendering does)

    kind = "opinion.reminder" if reminder else "opinion.asked"
    context: dict[str, object] = {
        "immersion_request": immersion_request,
        "agent": immersion_request.agent,
        "reminder": reminder,
    }

    def params() -> dict[str, object]:
        return {"deadline": full_date(deadline) if deadline else ""}

    if manager is not None:
        link = external_url("opinions.give", request_id=immersion_request.id)
        deliver(
            manager,
            kind,
            "opinion_asked",
            params=params,
            link=link,
            due_on=deadline,
            immersion_request=immersion_request,
            agent=immersion_request.agent,
            reminder=reminder,
        )
        return
    address = immersion_request.line_manager_email
    email = render(
        "opinion_asked", Tutor(address, ""), params, link=external_url("opinions.by_link", token=token), **context
    )
    outbox.queue(None, kind, email.subject, email.text, html_body=email.html, to_email=address)


def opinion_given(immersion_request: ImmersionRequest, officers: Iterable[User]) -> None:
    """The line manager gave their opinion: HR, who decides, reads it."""
    for officer in officers:
        deliver(
            officer,
            "request.opinion",
            "opinion_given",
            immersion_request=immersion_request,
            agent=immersion_request.agent,
            link=external_url("rh.request_detail", request_id=immersion_request.id),
        )


def request_withdrawn_on_deactivation(immersion_request: ImmersionRequest, officers: Iterable[User]) -> None:
    """The agent's account was deactivated: their waiting request is withdrawn, HR has nothing left to answer."""
    for officer in officers:
        deliver(
            officer,
            "request.withdrawn.deactivated",
            "request_withdrawn_deactivated",
            immersion_request=immersion_request,
            agent=immersion_request.agent,
            link=external_url("rh.request_detail", request_id=immersion_request.id),
        )


def request_paused(immersion_request: ImmersionRequest) -> None:
    """The coordination suspended the agent's organisation: their pending request waits outside the rounds."""
    deliver(
        immersion_request.agent,
        "request.paused",
        "request_paused",
        immersion_request=immersion_request,
        organisation=immersion_request.organisation,
        link=external_url("agents.request_detail", request_id=immersion_request.id),
    )


def request_resumed(immersion_request: ImmersionRequest) -> None:
    """The suspension is lifted: the agent's request goes back to the rounds as it was."""
    deliver(
        immersion_request.agent,
        "request.resumed",
        "request_resumed",
        immersion_request=immersion_request,
        organisation=immersion_request.organisation,
        link=external_url("agents.request_detail", request_id=immersion_request.id),
    )


def request_decided(immersion_request: ImmersionRequest) -> None:
    """HR approved, refused or postponed a request: the agent is told, with the reason."""
    status = RequestStatus(immersion_request.status)
    deliver(
        immersion_request.agent,
        f"request.{status.value}",
        "request_decided",
        immersion_request=immersion_request,
        status=status.value,
        reason=immersion_request.decision_reason or "",
        link=external_url("agents.request_detail", request_id=immersion_request.id),
    )


def request_deadline(immersion_request: ImmersionRequest, stage: str, officers: Iterable[User]) -> None:
    """The employer's legal time to answer a submitted request: "soon" over (HR reminded), or "passed" (HR
    reminded at once, and the agent told)."""
    from mobilite.services.requests import answer_deadline  # the rule lives with requests

    deadline = answer_deadline(immersion_request)
    submitted = immersion_request.submitted_at

    def params() -> dict[str, object]:
        return {
            "agent": immersion_request.agent.full_name,
            "deadline": full_date(deadline) if deadline else "—",
            "submitted": full_date(submitted.date()) if submitted else "—",
        }

    hr_kind = "request.deadline_soon" if stage == "soon" else "request.deadline_passed.rh"
    for officer in officers:
        deliver(
            officer,
            hr_kind,
            "request_deadline",
            params=params,
            stage=stage,
            role="rh",
            link=external_url("rh.request_detail", request_id=immersion_request.id),
            due_on=deadline,
        )
    if stage == "passed":
        deliver(
            immersion_request.agent,
            "request.deadline_passed.agent",
            "request_deadline",
            params=params,
            stage=stage,
            role="agent",
            link=external_url("agents.request_detail", request_id=immersion_request.id),
        )
