"""The HTML pages: one blueprint per audience (auth, agents, rh, coordination, admin), and the pages
they share (accounts, immersions, the API token and documentation pages). Views parse with a schema, call
one service and render, through one pipeline for every form (mobilite.web.forms); the rules live in
mobilite.services."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from mobilite.web import api_pages, notifications, opinions, sites, widgets
    from mobilite.web.admin import bp as admin_bp
    from mobilite.web.agents import bp as agents_bp
    from mobilite.web.auth import bp as auth_bp
    from mobilite.web.coordination import bp as coordination_bp
    from mobilite.web.public import bp as public_bp
    from mobilite.web.rh import bp as rh_bp
    from mobilite.web.suggestions import bp as suggestions_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(public_bp)  # how it works, questions, personal data: readable without signing in
    app.register_blueprint(agents_bp, url_prefix="/agent")
    app.register_blueprint(rh_bp, url_prefix="/rh")
    app.register_blueprint(coordination_bp, url_prefix="/coordination")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(api_pages.bp)  # personal API tokens and the readable API documentation
    widgets.register(app)
    app.register_blueprint(sites.bp)  # an organisation's sites: its HR, its network's coordination, the admin
    app.register_blueprint(suggestions_bp)  # the autocomplete's lists (communes, skills)
    app.register_blueprint(opinions.bp)  # the line manager's opinion on a request (signed in, or a one-time link)
    notifications.register(app)  # the inbox, its unread count in the header, preferences, unsubscribe
