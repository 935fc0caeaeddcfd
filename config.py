"""Configuration classes: every environment variable of the portal is read here and only here.

The default (`EmbeddedConfig`) runs on a fresh machine with no services: a SQLite file in the
instance folder, Celery tasks executed in-process, e-mail written to a folder.
"""

from __future__ import annotations

import ipaddress
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent
INSTANCE = Path(os.environ.get("PORTAL_INSTANCE_PATH", ROOT / "instance"))


class BaseConfig:
    PORTAL_NAME = "Collega-besturen versterken"
    # Who answers questions about a call, shown on every call's page.
    CALL_CONTACT_NAME = os.environ.get("CALL_CONTACT_NAME", "Agentschap Binnenlands Bestuur, team Samenleven")
    CALL_CONTACT_EMAIL = os.environ.get("CALL_CONTACT_EMAIL", "samenleven@vlaanderen.be")
    # The public register of grants is open data under the Flemish government's free re-use licence.
    OPEN_DATA_LICENCE_NAME = os.environ.get("OPEN_DATA_LICENCE_NAME", "Modellicentie Gratis Hergebruik Vlaanderen v1.0")
    OPEN_DATA_LICENCE_URL = os.environ.get(
        "OPEN_DATA_LICENCE_URL",
        "https://www.vlaanderen.be/digitaal-vlaanderen/onze-oplossingen/open-data/voorwaarden-voor-het-hergebruik-van-overheidsinformatie/modellicentie-gratis-hergebruik",
    )
    PORTAL_CONFIG_NAME = "base"
    # Demo accounts have a published password and two-step key: only where no real user can be.
    ALLOWS_DEMO = False
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI: str | None = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {"pool_pre_ping": True}
    CELERY_BROKER_URL: str | None = os.environ.get("CELERY_BROKER_URL")
    CELERY_TASK_ALWAYS_EAGER = False
    # Only the health check keeps a result; notification tasks record their outcome in the database.
    CELERY_RESULT_BACKEND: str | None = os.environ.get("CELERY_RESULT_BACKEND")
    # A message taken by a worker that died is handed out again after this (Redis); it must exceed
    # the longest retry delay, or a waiting retry would be handed out twice.
    CELERY_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "7200"))
    # How often a worker looks for such messages (Redis transport).
    CELERY_UNACKED_RESTORE_SECONDS = int(os.environ.get("CELERY_UNACKED_RESTORE_SECONDS", "60"))

    # Notification delivery (workflows/outbox.py): attempts, backoff, and when the sweep steps in.
    NOTIFICATION_ATTEMPT_LIMIT = int(os.environ.get("NOTIFICATION_ATTEMPT_LIMIT", "6"))
    NOTIFICATION_FIRST_RETRY_SECONDS = int(os.environ.get("NOTIFICATION_FIRST_RETRY_SECONDS", "30"))
    NOTIFICATION_LONGEST_RETRY_SECONDS = int(os.environ.get("NOTIFICATION_LONGEST_RETRY_SECONDS", "3600"))
    NOTIFICATION_REQUEUE_AFTER_SECONDS = int(os.environ.get("NOTIFICATION_REQUEUE_AFTER_SECONDS", "300"))
    NOTIFICATION_SENDING_TIMEOUT_SECONDS = int(os.environ.get("NOTIFICATION_SENDING_TIMEOUT_SECONDS", "600"))
    # Celery beat: the outbox sweep (seconds) and the reminders (every hour, on the minute given).
    OUTBOX_SWEEP_SECONDS = int(os.environ.get("OUTBOX_SWEEP_SECONDS", "60"))
    # The hand-over after a commit, which a page waits for: one attempt to reach the broker, this
    # long at most; after a failed one this process does not try again for a while (the sweep does).
    OUTBOX_BROKER_CONNECT_TIMEOUT_SECONDS = float(os.environ.get("OUTBOX_BROKER_CONNECT_TIMEOUT_SECONDS", "0.5"))
    OUTBOX_BROKER_RETRY_SECONDS = float(os.environ.get("OUTBOX_BROKER_RETRY_SECONDS", "30"))
    REMINDERS_MINUTE = int(os.environ.get("REMINDERS_MINUTE", "5"))
    # Daily (Brussels time): personal data past the calls' retention periods are anonymised.
    RETENTION_HOUR = int(os.environ.get("RETENTION_HOUR", "3"))
    RETENTION_MINUTE = int(os.environ.get("RETENTION_MINUTE", "15"))
    # The privacy statement (GDPR art. 13-14): who is responsible, whom to ask, where to complain.
    PRIVACY_CONTROLLER_NAME = os.environ.get("PRIVACY_CONTROLLER_NAME", "Agentschap Binnenlands Bestuur")
    PRIVACY_CONTROLLER_ADDRESS = os.environ.get("PRIVACY_CONTROLLER_ADDRESS", "Havenlaan 88 bus 70, 1000 Brussel")
    PRIVACY_DPO_EMAIL = os.environ.get("PRIVACY_DPO_EMAIL", "dpo.binnenland@vlaanderen.be")
    PRIVACY_AUTHORITY_NAME = os.environ.get("PRIVACY_AUTHORITY_NAME", "Vlaamse Toezichtcommissie")
    PRIVACY_AUTHORITY_URL = os.environ.get(
        "PRIVACY_AUTHORITY_URL", "https://www.vlaanderen.be/vlaamse-toezichtcommissie"
    )
    # A payout still planned after this many days is brought to the finance users' attention.
    PAYOUT_APPROVAL_REMINDER_DAYS = int(os.environ.get("PAYOUT_APPROVAL_REMINDER_DAYS", "2"))
    # The administration's account for the SEPA credit-transfer file (pain.001) of approved payouts.
    SEPA_DEBTOR_NAME = os.environ.get("SEPA_DEBTOR_NAME", "Agentschap Binnenlands Bestuur")
    SEPA_DEBTOR_IBAN = os.environ.get("SEPA_DEBTOR_IBAN", "BE71096123456769")
    SEPA_DEBTOR_BIC = os.environ.get("SEPA_DEBTOR_BIC", "GKCCBEBB")
    # Without beat (the embedded default) web requests sweep the outbox at most this often; 0: never.
    EMBEDDED_SWEEP_SECONDS = 0
    OUTBOX_IN_PROCESS_THREAD = False
    # Refuse a lock taken out of the order dossiers-by-id-then-calls (portal/services/locks.py) instead
    # of letting it wait. Off in production, where one transaction of a command (the demo) may decide
    # several dossiers one after the other without any other transaction around; on in the tests that
    # run the money actions in parallel, so that a use case breaking the order fails there every time.
    LOCK_ORDER_CHECK = False
    # Flask-Limiter's storage: shared by every web process in production (Redis).
    RATELIMIT_STORAGE_URI: str = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = False
    # Login throttling: per client address and, for failed attempts, per account.
    LOGIN_LIMIT_PER_IP = os.environ.get("LOGIN_LIMIT_PER_IP", "30 per 5 minutes")
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")

    # A CSRF token stays valid for a working day, so a form left open in the morning still posts.
    WTF_CSRF_TIME_LIMIT = 10 * 3600
    SESSION_COOKIE_NAME = "portal_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=10)
    # Server-side sessions (user_session rows) end after this, whatever the cookie says.
    USER_SESSION_MAX_AGE = timedelta(hours=10)
    FORCE_HTTPS = True

    # How many reverse proxies stand before the app: their X-Forwarded-For/-Proto are trusted,
    # so that throttling sees the real client address and HTTPS is recognised.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

    INVITATION_VALID_FOR = timedelta(days=7)
    PASSWORD_RESET_VALID_FOR = timedelta(hours=1)

    BABEL_DEFAULT_LOCALE = "nl_BE"
    BABEL_DEFAULT_TIMEZONE = "Europe/Brussels"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    LANGUAGES = ("nl", "en")

    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "false").lower() == "true"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "portaal@collega-besturen.example")
    MAIL_FILE_PATH = str(INSTANCE / "mail")
    # Links in e-mails are absolute; behind a proxy the public address is configured here.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    TOTP_ISSUER = "Collega-besturen versterken"

    # Uploads and receipts live outside the web root, under random names.
    FILES_PATH = os.environ.get("FILES_PATH", str(INSTANCE / "files"))
    # Operators: the bearer token of /metrics (no token: no metrics page), and prometheus-client's folder
    # for adding up the counts of several gunicorn workers (set it for every web process, empty at start).
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
    PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
    # The hard limit of a request; each call sets its own, lower limit per attachment.
    MAX_CONTENT_LENGTH = 55 * 1024 * 1024


# Keys that stand in this file or the README: a production that used one could have its sessions forged.
DEVELOPMENT_SECRET_KEYS = frozenset({"embedded-development-key-not-for-production", "test-secret"})


class EmbeddedConfig(BaseConfig):
    """The default: one process, no services, demo-friendly (plain http on 127.0.0.1)."""

    PORTAL_CONFIG_NAME = "embedded"
    ALLOWS_DEMO = True
    SECRET_KEY = os.environ.get("SECRET_KEY", "embedded-development-key-not-for-production")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'portal.sqlite'}")
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")
    CELERY_TASK_ALWAYS_EAGER = True
    EMBEDDED_SWEEP_SECONDS = 60
    # In-process jobs run in a background thread of the web process, not inside the request.
    OUTBOX_IN_PROCESS_THREAD = True
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "file")
    SESSION_COOKIE_SECURE = False
    FORCE_HTTPS = False


class TestConfig(EmbeddedConfig):
    PORTAL_CONFIG_NAME = "test"
    TESTING = True
    ALLOWS_DEMO = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    RATELIMIT_STORAGE_URI = os.environ.get("TEST_RATELIMIT_STORAGE_URI", "memory://")
    MAIL_BACKEND = "locmem"
    # Tests sweep when they mean to, never behind another test's back, and see the e-mails of a request
    # when it has answered (tests/worker/test_embedded_mail_thread.py runs the background thread).
    EMBEDDED_SWEEP_SECONDS = 0
    OUTBOX_IN_PROCESS_THREAD = False
    SERVER_NAME = "portal.test"
    PUBLIC_BASE_URL = "http://portal.test"


class ProductionConfig(BaseConfig):
    """PostgreSQL, Redis, Celery workers behind gunicorn: refuses to start without its services, or with
    a setting that is only safe on a developer's machine (production_problems below)."""

    PORTAL_CONFIG_NAME = "production"
    REQUIRED = ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "CELERY_BROKER_URL")
    # A trial of the production topology on one machine (`make production`): e-mail links may point at
    # this machine. Never set on a real deployment; the portal says so at every start.
    PRODUCTION_TRIAL = os.environ.get("PRODUCTION_TRIAL", "false").lower() == "true"
    # The trial has no TLS-terminating proxy in front: plain HTTP, cookies without the Secure flag.
    FORCE_HTTPS = not PRODUCTION_TRIAL
    SESSION_COOKIE_SECURE = not PRODUCTION_TRIAL
    # The demo account of the embedded default must never reach a bank: without this setting the
    # portal refuses to make a SEPA file (workers and the rest of the portal do not need it).
    SEPA_DEBTOR_IBAN = os.environ.get("SEPA_DEBTOR_IBAN", "")
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "1"))


CONFIGS: dict[str, type[BaseConfig]] = {
    "embedded": EmbeddedConfig,
    "production": ProductionConfig,
    "test": TestConfig,
}


def selected_config() -> type[BaseConfig]:
    name = os.environ.get("PORTAL_CONFIG", "embedded")
    if name not in CONFIGS:
        raise RuntimeError(f"PORTAL_CONFIG must be one of {sorted(CONFIGS)}, not {name!r}")
    return CONFIGS[name]


def check_required(config: type[BaseConfig]) -> None:
    """Production must not silently fall back to embedded defaults, nor start with unsafe ones."""
    missing = [key for key in getattr(config, "REQUIRED", ()) if not getattr(config, key, None)]
    if missing:
        env_names = {"SQLALCHEMY_DATABASE_URI": "DATABASE_URL"}
        names = ", ".join(env_names.get(key, key) for key in missing)
        raise RuntimeError(f"Production configuration is missing: {names}")
    if config is ProductionConfig or issubclass(config, ProductionConfig):
        problems = production_problems(vars_of(config))
        if problems:
            raise RuntimeError("Production configuration refused: " + "; ".join(problems))


def vars_of(config: type[BaseConfig]) -> dict[str, object]:
    return {key: getattr(config, key) for key in dir(config) if key.isupper()}


def production_problems(settings: dict[str, object]) -> list[str]:
    """What makes these settings unfit for production, each naming its environment variable."""
    problems = []
    secret = str(settings.get("SECRET_KEY") or "")
    if secret in DEVELOPMENT_SECRET_KEYS or len(secret) < 32:
        problems.append("SECRET_KEY is a development key or shorter than 32 characters")
    if str(settings.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://"):
        problems.append(
            "RATELIMIT_STORAGE_URI is memory:// (each process would count login attempts on its own); use the Redis URL"
        )
    host = urlsplit(str(settings.get("PUBLIC_BASE_URL", ""))).hostname or ""
    loopback = host == "localhost" or host.endswith(".localhost") or _is_loopback_address(host)
    if (loopback or not host) and not settings.get("PRODUCTION_TRIAL"):
        problems.append(
            f"PUBLIC_BASE_URL points at this machine ({host or 'no host'}): every link in an e-mail would be broken"
        )
    return problems


def _is_loopback_address(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
