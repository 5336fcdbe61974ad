"""Helpers shared by the tests: sign in, read a form's CSRF token, reload a record, an API bearer header,
the API's routes, a browser sign-in, and the databases' set-up. The conftest files keep the fixtures and
hooks only; tests import these helpers from here, never from a conftest.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from alembic.config import Config as AlembicConfig
from sqlalchemy import text

from mobilite.extensions import db

ROOT = Path(__file__).resolve().parent.parent
STRICT = os.environ.get("MOBILITE_TEST_STRICT") == "1"
POSTGRES_URL = os.environ.get("MOBILITE_TEST_POSTGRES_URL", "")
PASSWORD = "correct horse battery"


# Databases.


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url)
    cfg.attributes["configure_logger"] = False
    return cfg


def reset_postgres(url: str) -> None:
    from mobilite.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def wipe_committed_data(app) -> None:
    """After a test that committed for real (concurrency on separate connections): every table emptied but
    the one row the migrations put in catalogue_stamp, which searches read."""
    from mobilite.models import Base

    with app.app_context():
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "catalogue_stamp":
                db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()


def fresh(obj):
    """The record as the database has it now (requests in between replaced the test's session)."""
    return db.session.get(type(obj), obj.id, populate_existing=True)


# The web.


def login(client, email: str, password: str = PASSWORD, follow: bool = False):
    """Sign in through the real form, CSRF token included (signing out first if someone is signed in)."""
    page = client.get("/connexion")
    if page.status_code == 302:
        home = client.get(page.headers["Location"])
        client.post("/deconnexion", data={"csrf_token": csrf_token(home.get_data(as_text=True))})
        page = client.get("/connexion")
    token = csrf_token(page.get_data(as_text=True))
    return client.post(
        "/connexion", data={"email": email, "password": password, "csrf_token": token}, follow_redirects=follow
    )


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


# The API.


def bearer(app, user, **kwargs) -> dict[str, str]:
    """The Authorization header of a fresh personal token of `user`."""
    from mobilite.services import api_tokens as tokens

    with app.test_request_context():
        _token, raw = tokens.create_token(user, "tests", **kwargs)
    return {"Authorization": f"Bearer {raw}"}


def api_rules(app):
    """Every API operation's rule, from the URL map (views marked by api_view)."""
    return [rule for rule in app.url_map.iter_rules() if getattr(app.view_functions[rule.endpoint], "api", False)]


# The browser.


def sign_in(page, email: str, password: str) -> None:
    """Sign in through the page, as a person would (Playwright page)."""
    page.goto("/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    # The form posts and the answer is a new page (the home, or the form again): wait for it, so the
    # caller's next immediate read (a count) is not made on the sign-in page.
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
