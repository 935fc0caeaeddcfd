"""The Flask application factory: the imperative shell around workflows/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask_talisman import Talisman
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, INSTANCE, ROOT, check_required, selected_config
from portal import (  # noqa: F401  (models registers the tables)
    access,
    cli,
    errors,
    extensions,  # not its names: `db` here would hide the module portal.db
    matching_labels,
    models,
    templating,
)
from portal.account.routes import bp as account_bp
from portal.admin.routes import bp as admin_bp
from portal.applicant import bp as applicant_bp
from portal.auth.routes import bp as auth_bp
from portal.committee.routes import bp as committee_bp
from portal.db import RowId, configure_sqlite
from portal.finance.routes import bp as finance_bp
from portal.government.routes import bp as government_bp
from portal.i18n import select_locale
from portal.jobs import init_celery
from portal.matcher.routes import bp as matcher_bp
from portal.metrics import init_metrics
from portal.officer import bp as officer_bp
from portal.ops.routes import bp as ops_bp
from portal.outbox import init_outbox
from portal.public import bp as public_bp
from portal.services.accounts import load_session_user

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def create_app(
    config_name: str | None = None, overrides: dict[str, Any] | None = None, *, commands: bool = True
) -> Flask:
    """The portal. `commands`: the `flask` commands, migrations among them; the worker's app has none, and so
    never loads the migration tool (bench/notifications.py measures the worker's memory)."""

    config = CONFIGS[config_name] if config_name else selected_config()
    check_required(config)
    app = Flask(
        __name__,
        instance_path=str(INSTANCE),
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    app.config.from_object(config)
    if overrides:
        app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )

    if app.config["PROXY_COUNT"]:
        proxies = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    _init_extensions(app)
    app.url_map.converters["int"] = RowId  # before any route is added
    _register_blueprints(app)
    _say_what_production_lacks(app)

    errors.register(app)
    templating.register(app)
    matching_labels.register(app)
    if commands:
        cli.register(app, migrations=ROOT / "migrations")

    init_outbox(app)
    init_celery(app)
    init_metrics(app)
    return app


def _say_what_production_lacks(app: Flask) -> None:
    """Said once, at start-up: what production can run without, but an operator should know."""
    if app.config["ALLOWS_DEMO"]:
        return
    if not app.config["SEPA_DEBTOR_IBAN"]:
        app.logger.warning("SEPA_DEBTOR_IBAN is not set: finance cannot make a payment file until it is")
    if app.config.get("PRODUCTION_TRIAL"):
        app.logger.warning(
            "PRODUCTION_TRIAL is set: a trial on one machine, e-mail links point at %s", app.config["PUBLIC_BASE_URL"]
        )


def _init_extensions(app: Flask) -> None:
    extensions.db.init_app(app)
    with app.app_context():
        if extensions.db.engine.dialect.name == "sqlite":
            configure_sqlite(extensions.db.engine)
    extensions.babel.init_app(app, locale_selector=select_locale)
    extensions.mail.init_app(app)

    extensions.login_manager.init_app(app)
    extensions.login_manager.session_protection = None  # the server-side session row is the protection
    extensions.login_manager.user_loader(load_session_user)

    # Order matters: a malformed post first, then access (anonymous users are sent to login, not shown a CSRF error).
    app.before_request(access.refuse_nameless_fields)
    app.before_request(access.enforce_access)
    app.after_request(access.not_kept_by_browsers)
    extensions.limiter.init_app(app)
    extensions.csrf.init_app(app)
    app.extensions["talisman"] = Talisman(
        app,
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        strict_transport_security=app.config["FORCE_HTTPS"],
        content_security_policy=CSP,
        content_security_policy_nonce_in=["script-src"],
        referrer_policy="same-origin",
        frame_options="DENY",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )


def _register_blueprints(app: Flask) -> None:

    for blueprint in (
        ops_bp,
        public_bp,
        auth_bp,
        account_bp,
        applicant_bp,
        government_bp,
        matcher_bp,
        committee_bp,
        officer_bp,
        finance_bp,
        admin_bp,
    ):
        app.register_blueprint(blueprint)
