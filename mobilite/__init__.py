"""mobilite: inter-institutional micro-mobility for French public organisations."""

from __future__ import annotations

import gc

from flask import Flask

from config import load_config


def behind_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, the client's address (the sign-in throttles count per address)
    and scheme are those the outermost trusted proxy saw, from X-Forwarded-For/-Proto; never more hops than
    configured, so a client cannot choose its own address."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Flask's documented way to add WSGI middleware; its types declare wsgi_app a method.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def create_app(env_name: str | None = None, overrides: dict | None = None) -> Flask:
    """Build the app for an environment (MOBILITE_ENV, production by default)."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(load_config(env_name, overrides))
    behind_proxies(app)

    from mobilite.converters import RecordIdConverter

    app.url_map.converters["int"] = RecordIdConverter

    from mobilite import cli, i18n, labels, lifecycles, limits, security
    from mobilite.extensions import csrf, db, login_manager

    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    labels.init_app(app)
    lifecycles.init_app(app)
    security.init_app(app)
    cli.init_app(app)

    from mobilite.services import catalogue_index

    catalogue_index.init_app(app)
    app.jinja_env.globals["limits"] = limits  # the forms' bounds (min/max attributes) come from there too

    from mobilite import web

    web.register_blueprints(app)

    from mobilite import api

    api.init_app(app)

    from mobilite import errors

    errors.init_app(app)
    return app


def freeze_start_up() -> None:
    """For a process that serves one app for its whole life (wsgi.py): what start-up built (modules, the app,
    its routes and schemas: some 290,000 objects) is moved out of the garbage collector's reach, so that its
    full passes skip it: each took 130 ms of a request (one request in twenty on the round review page).
    Not in create_app: a process that builds several apps (the tests) would freeze the garbage of the
    previous ones, open database transactions included."""
    gc.collect()
    gc.freeze()
