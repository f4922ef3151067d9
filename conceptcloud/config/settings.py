"""Settings, read only from the environment.

CC_DATA_DIR       data folder (default ./.conceptcloud): SQLite database, uploads,
                  static files, the generated secret key.
CC_DATABASE_URL   PostgreSQL URL (postgres://user@host:port/name); SQLite when unset.
CC_SECRET_KEY     overrides the key generated once into the data folder.
CC_DEBUG          "1"/"true" for debug pages; off by default.
CC_ALLOWED_HOSTS  comma-separated host names (default: localhost names).
CC_SMTP_HOST ...  outgoing mail; without it e-mail goes to the console.
CC_LOG_ORIGIN     the name the creative history's checkpoints are signed under.
CC_BROKER_URL     Celery broker (Redis) for background tasks; inline when unset.
CC_SITE_URL       the site's address, for links in e-mail (default http://127.0.0.1:8000).
CC_MODEL_DIR      where the embedding model converted from the installed package is kept
                  (default: the data folder's models/).
The README lists every variable.
"""

import os
import secrets
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("CC_DATA_DIR", ".conceptcloud")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
# The embedding model as converted from the installed package's weights (discovery.embeddings).
MODEL_DIR = Path(os.environ.get("CC_MODEL_DIR") or DATA_DIR / "models").resolve()


def _secret_key() -> str:
    """The secret key: from CC_SECRET_KEY, else generated once into the data folder."""
    if os.environ.get("CC_SECRET_KEY"):
        return os.environ["CC_SECRET_KEY"]
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # O_EXCL: two processes starting at once must agree on one key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _flag("CC_DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("CC_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CC_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "django_htmx",
    "axes",
    "conceptcloud.core",
    "conceptcloud.history",
    "conceptcloud.accounts",
    "conceptcloud.registry",
    "conceptcloud.lineage",
    "conceptcloud.evaluation",
    "conceptcloud.discovery",
    "conceptcloud.payouts",
    "conceptcloud.licensing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "conceptcloud.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "conceptcloud.core.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "conceptcloud.config.urls"
WSGI_APPLICATION = "conceptcloud.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if os.environ.get("CC_DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["CC_DATABASE_URL"], conn_max_age=60, conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "conceptcloud.sqlite3",
            "OPTIONS": {
                # WAL lets readers run beside the one writer; IMMEDIATE takes the
                # write lock at BEGIN so concurrent writers queue instead of failing.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "registry:dashboard"
LOGOUT_REDIRECT_URL = "registry:home"

# Login rate limit: after 5 failures for one username from one address, that pair
# is locked out for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("CC_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ja", "日本語")]
LOCALE_PATHS = [PACKAGE_DIR / "core" / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or _flag("CC_TESTING")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or _flag("CC_TESTING")

# Attachments: what may be uploaded to an asset.
# The creative history's log name (C2SP checkpoint origin and signing key name);
# its Ed25519 key is generated once into DATA_DIR / "log_key.ed25519".
CC_LOG_ORIGIN = os.environ.get("CC_LOG_ORIGIN", "conceptcloud.localhost/log")
# The site's own address, for links in e-mail sent outside a request (notifications).
CC_SITE_URL = os.environ.get("CC_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CC_ATTACHMENT_MAX_BYTES = int(os.environ.get("CC_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# No upload is kept beyond the attachment limit while it arrives (core/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "conceptcloud.core.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

if os.environ.get("CC_SMTP_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["CC_SMTP_HOST"]
    EMAIL_PORT = int(os.environ.get("CC_SMTP_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("CC_SMTP_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("CC_SMTP_PASSWORD", "")
    EMAIL_USE_TLS = _flag("CC_SMTP_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("CC_FROM_EMAIL", "Concept Cloud <noreply@localhost>")

# Background tasks (core/tasks.py): inline after the commit when no broker is set;
# with a broker (redis://host:6379/0) sent to the Celery workers (`conceptcloud worker`)
# on this queue.
CC_BROKER_URL = os.environ.get("CC_BROKER_URL", "")
CC_TASK_QUEUE = os.environ.get("CC_TASK_QUEUE", "conceptcloud")
# Revenue whose ancestor graph has more assets than this is shared out by the task
# payouts.revenue_distribute (inline by default, so the result is the same).
CC_PAYOUTS_TASK_ASSETS = int(os.environ.get("CC_PAYOUTS_TASK_ASSETS", "2000"))
# Search ranks by words from each process's in-memory postings copy of the stored
# lexical rows (discovery/backends/base.py); off, the database's full-text index
# (FTS5 or GIN) ranks every query: no copy in memory, slower on common words.
CC_SEARCH_POSTINGS_COPY = _flag("CC_SEARCH_POSTINGS_COPY", True)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if _flag("CC_HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 365 * 24 * 3600

NINJA_PAGINATION_PER_PAGE = 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CC_LOG_LEVEL", "WARNING")},
}
