from __future__ import annotations

from flask import render_template
from flask_login import current_user

from mobilite.agents import bp
from mobilite.models import Role
from mobilite.security import roles_required
from mobilite.services import homes


@bp.get("/")
@roles_required(Role.AGENT)
def home():
    return render_template("agents/home.html", **homes.agent_home(current_user))
