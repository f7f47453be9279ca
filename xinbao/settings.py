"""Xinbao settings: one file, driven by the environment (see .env.example)."""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("XINBAO_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """Use XINBAO_SECRET_KEY, else a key generated once and kept under var/."""
    given = os.environ.get("XINBAO_SECRET_KEY")
    if given:
        return given
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("XINBAO_DEBUG")
DEMO_MODE = env_bool("XINBAO_DEMO")
ALLOWED_HOSTS = [
    h for h in os.environ.get("XINBAO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("XINBAO_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves its bundled Swagger UI files instead of a CDN's
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "xinbao.accounts",
    "xinbao.audit",
    "xinbao.documents",
    "xinbao.org",
    "xinbao.items",
    "xinbao.scheduler",
    "xinbao.calendar",
    "xinbao.notify",
    "xinbao.incidents",
    "xinbao.desk",
    "xinbao.periodicals",
    "xinbao.scoring",
    "xinbao.monitor",
    "xinbao.inbound",
    "xinbao.signals",
    "xinbao.liaison",
    "xinbao.agenda",
    "xinbao.packs",
    "xinbao.topiclists",
    "xinbao.research",
    "xinbao.interests",
    "xinbao.analysis",
    "xinbao.help",
    "xinbao.ops",
    "xinbao.demo",
]

MIDDLEWARE = [
    # Outermost: what any layer below answers under /api/ with an HTML page becomes JSON.
    "xinbao.api.JsonErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "xinbao.lib.headers.PrivateNoStoreMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "xinbao.accounts.middleware.SecondFactorRequiredMiddleware",
    "xinbao.accounts.middleware.PasswordChangeRequiredMiddleware",
    # Before axes: a login that must wait is answered before its password is checked.
    "xinbao.accounts.middleware.LoginThrottleMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xinbao.urls"
WSGI_APPLICATION = "xinbao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "xinbao" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "xinbao.accounts.context_processors.navigation",
            ],
        },
    },
    {
        # Plain-text messages (SMS, email, WeCom): rendered without HTML escaping.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# Database: SQLite in WAL mode under var/ unless DATABASE_URL names another.
_default_sqlite = f"sqlite:///{VAR_DIR / 'xinbao.sqlite3'}"
DATABASES: dict[str, dict[str, Any]] = {
    "default": dict(dj_database_url.parse(os.environ.get("DATABASE_URL", _default_sqlite)))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with writers queued on a file lock instead of SQLite's busy sleeps.
    DATABASES["default"]["ENGINE"] = "xinbao.lib.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue on the busy
        # timeout instead of failing with "database is locked" on lock upgrade.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
        ),
    }
    # Tests use a file, not memory, so that a worker started as a separate process (the
    # crash-recovery tests) sees the same database; one file per test run.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("XINBAO_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("XINBAO_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Our own reverse proxies (nginx in front of gunicorn), as addresses or networks: behind them the
# client's address is read from X-Forwarded-For (xinbao.audit.services.client_address), for the
# audit log, the login throttles and the lockout. Empty: the peer's address is the client's.
XINBAO_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("XINBAO_TRUSTED_PROXIES", "").split(",") if p.strip()
]
AXES_CLIENT_IP_CALLABLE = "xinbao.audit.services.client_address"
# Throttles of failed logins (xinbao/accounts/throttle.py): past this many failures in a minute
# from one address, or from all addresses together, each further attempt waits (1, 2, 4 ...
# seconds, at most XINBAO_LOGIN_MAX_WAIT_SECONDS) and is answered 429 "try again in N seconds"
# meanwhile; nobody is locked out by address, since a county shares one NAT address. A limit
# of 0 turns its throttle off.
XINBAO_LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("XINBAO_LOGIN_FAILURES_PER_ADDRESS", "10"))
XINBAO_LOGIN_FAILURES_GLOBAL = int(os.environ.get("XINBAO_LOGIN_FAILURES_GLOBAL", "100"))
XINBAO_LOGIN_MAX_WAIT_SECONDS = int(os.environ.get("XINBAO_LOGIN_MAX_WAIT_SECONDS", "5"))
# A password older than this many days must be changed at the next page (0: never).
XINBAO_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("XINBAO_PASSWORD_MAX_AGE_DAYS", "90"))
# An account without a login for this many days is disabled by a daily chore (0: never).
XINBAO_INACTIVE_DAYS = int(os.environ.get("XINBAO_INACTIVE_DAYS", "90"))
# Items sent within this many days of each other may form a same-event group on the desk.
XINBAO_SIMILAR_WINDOW_DAYS = int(os.environ.get("XINBAO_SIMILAR_WINDOW_DAYS", "3"))

# The second factor (TOTP with recovery codes) for these roles, comma-separated role values;
# an empty value turns it off. Default: the office's roles and the three administrators.
XINBAO_SECOND_FACTOR_ROLES = [
    r.strip()
    for r in os.environ.get(
        "XINBAO_SECOND_FACTOR_ROLES",
        "editor,section_chief,leader_in_charge,principal_leader,duty_officer,"
        "system_admin,security_admin,audit_admin",
    ).split(",")
    if r.strip()
]
# The name an authenticator app shows next to the account.
OTP_TOTP_ISSUER = "Xinbao"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "xinbao.accounts.validators.CharacterClassValidator"},
]

# Idle timeout: the session expires after this many minutes without a request.
SESSION_COOKIE_AGE = int(os.environ.get("XINBAO_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("XINBAO_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): no inline script and no inline style anywhere; every
# script is a static file and takes its inputs from data-* attributes or json_script. Pictures
# may be data: URIs (Bootstrap's icons in its CSS). Static files are served by WhiteNoise above
# the middleware and carry no policy, which they do not need.
CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "xinbao" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "xinbao" / "static"]
STORAGES: dict[str, dict[str, Any]] = {
    # Uploads live under var/media, outside the web root: they are only ever served
    # by a view that checks access and sends them as attachments.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "media"), "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
# Uploads larger than this are streamed to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    # First: skips a file past the largest size we accept while it is still streaming in.
    "xinbao.items.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Task workers (`xinbao worker`) refresh a heartbeat row this often; one not refreshed for the
# staleness is dead, and the tasks it left running are re-queued (idempotent ones) or failed.
XINBAO_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("XINBAO_WORKER_HEARTBEAT_SECONDS", "5"))
XINBAO_WORKER_STALE_SECONDS = float(os.environ.get("XINBAO_WORKER_STALE_SECONDS", "60"))

# The audit log's HMAC key lives in this file, outside the database (created with mode 600 on
# first use); signed checkpoints of the chain are written into the folder.
XINBAO_AUDIT_KEY_FILE = Path(os.environ.get("XINBAO_AUDIT_KEY_FILE", VAR_DIR / "audit.key"))
XINBAO_AUDIT_CHECKPOINT_DIR = Path(
    os.environ.get("XINBAO_AUDIT_CHECKPOINT_DIR", VAR_DIR / "audit-checkpoints")
)


def _forbidden_in_one_line(record: logging.LogRecord) -> bool:
    """A refused request (403) is logged in one line: its PermissionDenied's traceback says
    nothing an operator needs, and one per refusal drowns the log."""
    if getattr(record, "status_code", None) == 403:
        record.exc_info = None
        record.exc_text = None
    return True


LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"forbidden_in_one_line": {"()": lambda: _forbidden_in_one_line}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("XINBAO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["forbidden_in_one_line"]},
        "jieba": {"level": "WARNING"},
        # WeasyPrint logs every layout step at INFO: noise in the scanner's output.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # httpx logs every request at INFO; each message's attempt is kept in the outbox.
        "httpx": {"level": "WARNING"},
    },
}

# --- Messages (docs/integrations.md; every name is documented in .env.example) ---------------
# Read here only: xinbao/notify/conf.py turns these into the channels' configuration, and tests
# override parts of it with XINBAO_NOTIFY (a dict merged over them, channel by channel).
XINBAO_SITE_URL = os.environ.get("XINBAO_SITE_URL", "http://127.0.0.1:8000")
XINBAO_NOTIFY_LEASE_SECONDS = int(os.environ.get("XINBAO_NOTIFY_LEASE_SECONDS", "120"))
XINBAO_NOTIFY_HTTP_TIMEOUT = float(os.environ.get("XINBAO_NOTIFY_HTTP_TIMEOUT", "10"))
XINBAO_URGENT_CALL_AFTER_MINUTES = int(os.environ.get("XINBAO_URGENT_CALL_AFTER_MINUTES", "15"))
# A picture with more pixels is refused at upload and never decoded (decompression bombs).
XINBAO_MAX_PICTURE_PIXELS = int(os.environ.get("XINBAO_MAX_PICTURE_PIXELS", "50000000"))
XINBAO_DIGEST_HOUR = int(os.environ.get("XINBAO_DIGEST_HOUR", "18"))
XINBAO_SMTP_HOST = os.environ.get("XINBAO_SMTP_HOST", "")
XINBAO_SMTP_PORT = int(os.environ.get("XINBAO_SMTP_PORT", "25"))
XINBAO_SMTP_USER = os.environ.get("XINBAO_SMTP_USER", "")
XINBAO_SMTP_PASSWORD = os.environ.get("XINBAO_SMTP_PASSWORD", "")
XINBAO_SMTP_SECURITY = os.environ.get("XINBAO_SMTP_SECURITY", "none")  # none | starttls | ssl
XINBAO_SMTP_FROM = os.environ.get("XINBAO_SMTP_FROM", "xinbao@localhost")
XINBAO_SMTP_TIMEOUT = float(os.environ.get("XINBAO_SMTP_TIMEOUT", "30"))
XINBAO_SMS_PROVIDER = os.environ.get("XINBAO_SMS_PROVIDER", "")  # "" | generic | aliyun
XINBAO_SMS_URL = os.environ.get("XINBAO_SMS_URL", "")
XINBAO_SMS_TOKEN = os.environ.get("XINBAO_SMS_TOKEN", "")
XINBAO_SMS_ACCESS_KEY_ID = os.environ.get("XINBAO_SMS_ACCESS_KEY_ID", "")
XINBAO_SMS_ACCESS_KEY_SECRET = os.environ.get("XINBAO_SMS_ACCESS_KEY_SECRET", "")
XINBAO_SMS_SIGN_NAME = os.environ.get("XINBAO_SMS_SIGN_NAME", "")
XINBAO_SMS_TEMPLATE_CODE = os.environ.get("XINBAO_SMS_TEMPLATE_CODE", "")
XINBAO_SMS_TEMPLATE_PARAM = os.environ.get("XINBAO_SMS_TEMPLATE_PARAM", "content")
XINBAO_SMS_CALLBACK_SECRET = os.environ.get("XINBAO_SMS_CALLBACK_SECRET", "")
XINBAO_WECOM_API_BASE = os.environ.get("XINBAO_WECOM_API_BASE", "https://qyapi.weixin.qq.com")
XINBAO_WECOM_CORP_ID = os.environ.get("XINBAO_WECOM_CORP_ID", "")
XINBAO_WECOM_CORP_SECRET = os.environ.get("XINBAO_WECOM_CORP_SECRET", "")
XINBAO_WECOM_AGENT_ID = os.environ.get("XINBAO_WECOM_AGENT_ID", "")
XINBAO_FAX_ADDRESS_PATTERN = os.environ.get("XINBAO_FAX_ADDRESS_PATTERN", "")

# Inbound channels (xinbao.inbound): the office mailbox read over IMAP, WeCom callbacks.
XINBAO_INBOUND_IMAP_HOST = os.environ.get("XINBAO_INBOUND_IMAP_HOST", "")
XINBAO_INBOUND_IMAP_PORT = int(os.environ.get("XINBAO_INBOUND_IMAP_PORT", "993"))
XINBAO_INBOUND_IMAP_USER = os.environ.get("XINBAO_INBOUND_IMAP_USER", "")
XINBAO_INBOUND_IMAP_PASSWORD = os.environ.get("XINBAO_INBOUND_IMAP_PASSWORD", "")
XINBAO_INBOUND_IMAP_FOLDER = os.environ.get("XINBAO_INBOUND_IMAP_FOLDER", "INBOX")
XINBAO_INBOUND_IMAP_SSL = env_bool("XINBAO_INBOUND_IMAP_SSL", True)
XINBAO_WECOM_CALLBACK_TOKEN = os.environ.get("XINBAO_WECOM_CALLBACK_TOKEN", "")
XINBAO_WECOM_CALLBACK_AES_KEY = os.environ.get("XINBAO_WECOM_CALLBACK_AES_KEY", "")

# Internal networks (CIDR, comma-separated) the monitor may fetch: an intranet portal, say.
# Every other loopback, private, link-local or reserved address is refused.
XINBAO_MONITOR_ALLOWED_NETWORKS = [
    n.strip() for n in os.environ.get("XINBAO_MONITOR_ALLOWED_NETWORKS", "").split(",") if n.strip()
]

# Early signals (xinbao.signals): bursts judged every N minutes by a z-score of the last window
# over the series' own trailing hourly baseline (docs/architecture.md, "Early signals").
XINBAO_SIGNALS_EVERY_MINUTES = int(os.environ.get("XINBAO_SIGNALS_EVERY_MINUTES", "10"))
XINBAO_SIGNALS_WINDOW_HOURS = int(os.environ.get("XINBAO_SIGNALS_WINDOW_HOURS", "1"))
XINBAO_SIGNALS_BASELINE_HOURS = int(os.environ.get("XINBAO_SIGNALS_BASELINE_HOURS", "168"))
XINBAO_SIGNALS_Z = float(os.environ.get("XINBAO_SIGNALS_Z", "4"))
XINBAO_SIGNALS_MIN_COUNT = int(os.environ.get("XINBAO_SIGNALS_MIN_COUNT", "5"))
XINBAO_SIGNALS_STD_FLOOR = float(os.environ.get("XINBAO_SIGNALS_STD_FLOOR", "1"))
XINBAO_SIGNALS_URGENT_Z = float(os.environ.get("XINBAO_SIGNALS_URGENT_Z", "10"))
# The partner department (xinbao.liaison): hours given to answer a request unless the form says.
XINBAO_LIAISON_ANSWER_HOURS = int(os.environ.get("XINBAO_LIAISON_ANSWER_HOURS", "24"))

# The working calendar: "N working days" deadlines end at this local time (HH:MM).
XINBAO_CLOSE_OF_BUSINESS = os.environ.get("XINBAO_CLOSE_OF_BUSINESS", "17:30")

SILENCED_SYSTEM_CHECKS = [
    # Lockout is per account on purpose: a whole county's staff share one NAT address,
    # and locking the address would shut them all out after one person's typos.
    "axes.W006",
]
