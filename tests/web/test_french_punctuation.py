"""French pages space their punctuation the French way, with no-break spaces (a line never starts with
";", ":", "!", "?" or "»"); English pages keep the English way. The demo network's pages of every role are
read as a visitor reads them; the words people typed (the demo's data) are theirs and are not checked."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from mobilite.extensions import db
from mobilite.i18n import NARROW_NBSP as T
from mobilite.i18n import NBSP as N
from mobilite.models import Immersion, User
from mobilite.services import demo
from tests.fixtures import csrf_token, login

PASSWORD = "demo password for tests"
ROOT = Path(__file__).resolve().parents[2]
# A breakable space (or none) before a mark that ends a word, or a breakable space after «.
BREAKABLE = re.compile(r"\S(?:[ \t\r\n]+|(?<=\w))[;:!?»](?=\s|$|[.,)])|«[ \t\r\n]")  # \s would take NBSPs
PAGES_PER_ROLE = 40


def _visible(page: str) -> str:
    page = re.sub(r"<(script|style|textarea|code|pre)\b.*?</\1>", "", page, flags=re.S)  # not sentences
    return html.unescape(re.sub(r"<[^>]+>", "\n", page))  # a tag ends a run of text


def _typed_by_people() -> str:
    """Every text of the demo's data (its organisations, offers, requests, answers), spaces collapsed."""
    texts = []
    for path in [*ROOT.glob("mobilite/seed/*.py"), ROOT / "mobilite/services/demo.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                texts.append(node.value)
    return re.sub(r"\s+", " ", "\n".join(texts))


def _breakable_marks(text: str, typed: str) -> list[str]:
    found = []
    for match in BREAKABLE.finditer(text):
        line = text.rfind("\n", 0, match.start()) + 1
        before = re.sub(r"\s+", " ", text[max(line, match.start() - 20) : match.end()]).strip()
        if before[-12:] not in typed:  # the end of a title typed by someone: "… de l'air :" (theirs)
            found.append(before)
    return found


def _crawl(app, client, start: str) -> dict[str, str]:
    """The HTML pages reachable by links from `start`, one per route, as {path: page}."""
    adapter = app.url_map.bind("localhost")
    pages: dict[str, str] = {}
    routes: set[str] = set()
    queue = [start]
    while queue and len(pages) < PAGES_PER_ROLE:
        path = queue.pop(0)
        try:
            endpoint, _args = adapter.match(path.split("?")[0], method="GET")
        except HTTPException:
            continue
        if endpoint in routes or endpoint == "static" or endpoint.startswith("api"):
            continue
        routes.add(endpoint)
        response = client.get(path)
        assert response.status_code < 500, path  # a link the pages show never ends in a server error
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = response.get_data(as_text=True)
        pages[path] = page
        queue += [html.unescape(href) for href in re.findall(r'href="(/[^"#]*)"', page)]
    return pages


@pytest.fixture
def demo_network(app):
    with app.test_request_context():
        return demo.load_demo(PASSWORD)


def test_the_public_home_page_spaces_its_punctuation_in_french_only(client):
    french = client.get("/").get_data(as_text=True)
    assert f"Qu'est-ce qu'une immersion professionnelle{T}?" in french
    assert f"Qui peut participer{T}?" in french
    assert "professionnelle ?" not in french

    token = csrf_token(client.get("/connexion").get_data(as_text=True))
    client.post("/langue", data={"lang": "en", "next": "/", "csrf_token": token})
    english = client.get("/").get_data(as_text=True)
    assert "What is a professional immersion?" in english
    assert f"{T}?" not in english and f"{N}:" not in english


def _stage_account(stage: str) -> str:
    """The printed account the demo's current week gives each stage (services.demo_this_week)."""
    from datetime import date, timedelta

    from mobilite.models import ImmersionStatus, Proposal, ProposalStatus, Role

    if stage in ("upcoming", "to assess"):
        status = ImmersionStatus.CONFIRMED if stage == "upcoming" else ImmersionStatus.DONE
        recent = Immersion.start_date > date.today() - timedelta(days=15)
        immersion = db.session.scalars(select(Immersion).where(Immersion.status == status, recent)).one()
        return db.session.get(User, immersion.agent_id).email
    waiting = db.session.scalars(select(Proposal).where(Proposal.status == ProposalStatus.PUBLISHED)).all()
    if stage == "to answer":
        return next(p for p in waiting if p.agent_answer is None).request.agent.email
    proposal = next(p for p in waiting if p.host_answer is None)
    officers = select(User).where(User.organisation_id == proposal.session.offer.organisation_id).order_by(User.id)
    return next(u for u in db.session.scalars(officers) if u.has_role(Role.RH)).email


@pytest.mark.parametrize(
    "role", ["anonymous", "agent", "rh", "coordination", "admin", "upcoming", "to answer", "to assess", "host"]
)
def test_every_role_s_pages_space_french_punctuation(app, client, demo_network, role):
    if role == "agent":  # one who went through a whole immersion: requests, proposals, the immersion
        login(client, db.session.get(User, db.session.scalars(select(Immersion.agent_id)).first()).email, PASSWORD)
    elif role in ("upcoming", "to answer", "to assess", "host"):  # the demo's current week, stage by stage
        login(client, _stage_account(role), PASSWORD)
    elif role != "anonymous":
        login(client, next(email for kind, _org, email in demo_network if kind == role), PASSWORD)
    start = client.get("/")
    home = urlsplit(start.headers["Location"]).path if start.status_code in (301, 302, 303) else "/"
    pages = _crawl(app, client, home)
    assert len(pages) >= 3, list(pages)
    typed = _typed_by_people()
    wrong = {path: marks for path, page in pages.items() if (marks := _breakable_marks(_visible(page), typed))}
    assert wrong == {}
    assert any(f"{N}:" in page for page in pages.values())

    token = csrf_token(next(iter(pages.values())))
    client.post("/langue", data={"lang": "en", "next": "/", "csrf_token": token})
    english = client.get(home).get_data(as_text=True)
    assert f"{N}:" not in english and f"{T};" not in english and f"{T}?" not in english


def test_templates_write_no_punctuation_outside_their_messages():
    """Words written in a template outside _() miss the French spacing (and the English catalogue): a mark
    between two expressions, such as "{{ a }} : {{ b }}", is a message too (`_(" : ")`)."""
    wrong = []
    for path in sorted((ROOT / "mobilite/templates").rglob("*")):
        if path.suffix not in (".html", ".txt"):
            continue
        source = re.sub(
            r"<(script|style|code|pre)\b.*?</\1>|\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.S
        )
        source = re.sub(r"\{\{.*?\}\}", "¤", source, flags=re.S)  # what an expression prints ends a word
        source = re.sub(r"\{%.*?%\}", "", source, flags=re.S)
        for line in re.sub(r"<[^>]*>", "\n", source).splitlines():
            wrong += [f"{path.relative_to(ROOT)}: {line.strip()}" for _match in BREAKABLE.finditer(line)]
    assert wrong == []
