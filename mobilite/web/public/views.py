from __future__ import annotations

from flask import current_app, render_template

from mobilite.security import public
from mobilite.services.public import public_facts
from mobilite.web.public import bp


def home_page() -> str:
    """What an immersion is and how the service works: "/" for visitors who are not signed in (auth.index),
    and this blueprint's "how it works" page for everyone."""
    return render_template("public/home.html", **public_facts(current_app.config))


@bp.get("/comment-ca-marche")
@public
def about():
    return home_page()


@bp.get("/questions-frequentes")
@public
def faq():
    return render_template("public/faq.html", **public_facts(current_app.config))


@bp.get("/donnees-personnelles")
@public
def privacy():
    return render_template("public/privacy.html", **public_facts(current_app.config))
