"""Treatycraft settings, read from the environment.

Development defaults need nothing set: SQLite, the in-memory channel layer, DEBUG on.
`DJANGO_ENV=production` switches to the hardened profile, which requires `DJANGO_SECRET_KEY`
and `DJANGO_ALLOWED_HOSTS` (see docs/deployment.md).
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config import network

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


PRODUCTION = env("DJANGO_ENV", "development") == "production"
TESTING = "pytest" in sys.modules or env_bool("TREATYCRAFT_TESTING", False)
# The interface `manage.py serve` (make run HOST=...) binds; anything but loopback means other
# devices can reach this server, so debug pages are off and the machine's addresses are accepted.
BIND_HOST = env("TREATYCRAFT_BIND_HOST", "127.0.0.1")
ON_NETWORK = not network.is_loopback(BIND_HOST)
_port = env("PORT", "8000")
# The base URL of join links, seat links and QR codes ("http://192.168.1.20:8000"); by default the
# address students can reach (see negotiation/publicurl.py).
PUBLIC_URL = env("PUBLIC_URL").rstrip("/")

if PRODUCTION:
    SECRET_KEY = env("DJANGO_SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set (50+ random characters) in production.")
    DEBUG = False
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the public host names in production.")
else:
    # A development key: never used with DJANGO_ENV=production.
    SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-only-insecure-key-treatycraft-0123456789-abcdefghijklmnop")
    # Debug pages list every route and show tracebacks: never on a network others can reach.
    DEBUG = env_bool("DJANGO_DEBUG", True) and not ON_NETWORK
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or [*network.served_hosts(BIND_HOST), "testserver"]
# The address students type when the server is on a network: printed at start, used for links.
CLASSROOM_HOSTS = network.student_addresses(BIND_HOST) if ON_NETWORK else []
if urlsplit(PUBLIC_URL).hostname:
    ALLOWED_HOSTS.append(str(urlsplit(PUBLIC_URL).hostname))

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "template_partials",
    "negotiation",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "negotiation.remote.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "negotiation.middleware.SecurityHeadersMiddleware",
    # Last, as django-axes requires: it answers a locked-out login with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database: SQLite by default, PostgreSQL with DATABASE_URL -----------------------------------
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES: dict[str, dict[str, Any]] = {
        # Persistent connections are opt-in (DATABASE_CONN_MAX_AGE seconds); health checks replace
        # a connection the server dropped before it is used.
        "default": dict(dj_database_url.parse(DATABASE_URL, conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0")),
                                              conn_health_checks=True))
    }
    if DATABASES["default"].get("OPTIONS", {}).get("pool") is True:
        # psycopg's pool keeps 4 connections by default, but a process has more threads that hold
        # one: the thread-sensitive thread (HTTP views, resyncs, doorbells) and the socket's chat
        # post threads (SOCKET_POST_THREADS). With 4, a post waited for a connection while another
        # thread held it (docs/performance.md, "3 Dec, second pass"). DATABASE_POOL_MAX_SIZE sizes it.
        _pool_max = int(env("DATABASE_POOL_MAX_SIZE", str(int(env("TREATYCRAFT_SOCKET_POST_THREADS", "4")) + 4)))
        DATABASES["default"]["OPTIONS"]["pool"] = {"min_size": min(4, _pool_max), "max_size": _pool_max}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # A file, not :memory:, so the live-server tests' Daphne child sees the test database;
            # one per test run (children inherit the name through the environment), so two runs
            # in the same checkout do not write into each other's database.
            "TEST": {"NAME": os.environ.setdefault("SQLITE_TEST_PATH",
                                                   str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3"))},
            "OPTIONS": {
                # WAL lets readers run while one writer commits; IMMEDIATE takes the write lock at
                # BEGIN, so two resolvers cannot both read-then-write (see services.turn_resolve).
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channel layer: in-memory (one process) by default, Redis with REDIS_URL ----------------------
REDIS_URL = env("REDIS_URL")
# Keys and pub/sub channels of this deployment in Redis. Pub/sub channels are shared by every
# database number of a Redis server, so two deployments (or two test clusters) on one Redis need
# different prefixes, or each would receive the other's pushes. Unset keeps channels_redis' "asgi"
# and unprefixed cache keys (a rolling restart of an existing deployment keeps talking to itself).
REDIS_PREFIX = env("REDIS_PREFIX")


def redis_layer_host(url: str) -> dict[str, Any]:
    # redis-py 8 defaults socket_timeout to 5 s, which kills idle BZPOPMIN reads, and caps the
    # async pool at 100 connections; both break channels-redis under load.
    # A connect timeout keeps a request from hanging on an unreachable Redis (the push is then dropped).
    return {"address": url, "socket_timeout": None, "socket_connect_timeout": 2, "max_connections": 10000}


CHANNEL_CAPACITY = int(env("CHANNEL_CAPACITY", "2000"))
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # Redis pub/sub: a push is one PUBLISH and each process fans it out to its own sockets.
            # It measured 22 % less server CPU per chat message than RedisChannelLayer with the
            # same code (docs/performance.md); pushes are doorbells, so its at-most-once delivery
            # costs nothing (a page resyncs from the database on reconnect).
            # CHANNEL_BACKEND=channels_redis.core.RedisChannelLayer selects the other layer.
            "BACKEND": env("CHANNEL_BACKEND", "channels_redis.pubsub.RedisPubSubChannelLayer"),
            "CONFIG": {
                "hosts": [redis_layer_host(REDIS_URL)],
                "capacity": CHANNEL_CAPACITY,
                "expiry": 60,
                "prefix": REDIS_PREFIX or "asgi",
            },
        }
    }
    CACHES = {
        "default": {
            # Django's Redis cache with every call bounded and a breaker (negotiation/cache_pool.py):
            # a stalled Redis costs a request at most one socket timeout.
            "BACKEND": "negotiation.cache_pool.GuardedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_PREFIX,
            "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1,
                        "pool_class": "negotiation.cache_pool.SharedConnectionPool"},
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": CHANNEL_CAPACITY},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth, sessions, security ------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Failed logins are throttled per address and per account (django-axes, at the authentication
# backend, so every login page is covered: /accounts/login/, /admin/login/ and any other view
# that calls authenticate()). After AXES_FAILURE_LIMIT failures the address, and the account,
# are refused for AXES_COOLOFF_TIME with a page that says so; a success resets the count.
AUTHENTICATION_BACKENDS = [
    "negotiation.login_throttle.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env("TREATYCRAFT_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("TREATYCRAFT_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "negotiation.login_throttle.login_locked_out"
AXES_VERBOSE = False
# The client's address: behind the deployment's proxy Daphne's --proxy-headers already puts
# X-Forwarded-For there; a header a client sends itself is never trusted.
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "negotiation:dashboard"
LOGOUT_REDIRECT_URL = "negotiation:home"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400

# WebSocket origins: scheme, host and port must match exactly (AllowedHostsOriginValidator ignores
# port and scheme). Default: the development server's own addresses (every address of the machine
# when it serves a classroom network) and PUBLIC_URL.
_origin_hosts = ["127.0.0.1", "localhost"] if PRODUCTION else network.served_hosts(BIND_HOST)
WEBSOCKET_ALLOWED_ORIGINS = env_list("WEBSOCKET_ALLOWED_ORIGINS") or [
    f"http://{host}:{_port}" for host in _origin_hosts
] + ([PUBLIC_URL] if PUBLIC_URL else [])
WEBSOCKET_ALLOW_ANY_LOCAL_ORIGIN = env_bool("WEBSOCKET_ALLOW_ANY_LOCAL_ORIGIN", not PRODUCTION)
if ON_NETWORK and not PRODUCTION:
    # Plain http on a classroom address is not a trustworthy origin: browsers ignore this header
    # there and log an error on every page.
    SECURE_CROSS_ORIGIN_OPENER_POLICY = None

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", ",".join(f"https://{h}" for h in ALLOWED_HOSTS))

# --- Internationalisation ------------------------------------------------------------------------
LANGUAGE_CODE = "en"
# Interface languages: English and a complete Spanish translation (locale/es, compiled .mo
# committed so no gettext tools are needed to run). Each user picks one (cookie, set_language).
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files: served by WhiteNoise under Daphne (no CDN) ------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
if PRODUCTION:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# --- Game settings (all tunable) -----------------------------------------------------------------
TREATYCRAFT = {
    "CHAT_MAX_LENGTH": int(env("TREATYCRAFT_CHAT_MAX_LENGTH", "1000")),
    "CHAT_RATE_PER_MINUTE": int(env("TREATYCRAFT_CHAT_RATE_PER_MINUTE", "30")),
    # Seconds a bot seat waits between two moves at the table (shorter in short phases).
    "BOT_PACE_SECONDS": int(env("TREATYCRAFT_BOT_PACE_SECONDS", "6")),
    "JOIN_ATTEMPTS_PER_MINUTE": int(env("TREATYCRAFT_JOIN_ATTEMPTS_PER_MINUTE", "20")),
    "MAX_ORDERS_PER_TURN": 40,
    "WS_MAX_FRAME_BYTES": 8 * 1024,
    "WS_FRAMES_PER_10S": 40,
    "CHAT_PAGE_SIZE": 50,
    "TUTORIALS_PER_MINUTE": int(env("TREATYCRAFT_TUTORIALS_PER_MINUTE", "5")),
    "EMAIL_PER_ADDRESS_PER_HOUR": int(env("TREATYCRAFT_EMAIL_PER_ADDRESS_PER_HOUR", "10")),
    "INVITATION_DAYS": int(env("TREATYCRAFT_INVITATION_DAYS", "14")),
    # Threads of their own for chat frames on the game socket (negotiation/consumers.py), so that
    # posts waiting on their commit overlap instead of queueing behind the process's one
    # thread-sensitive thread; 0 keeps them on that thread. Used only on PostgreSQL (concurrent
    # writers); SQLite keeps one writer. Each thread borrows a database connection while it works.
    "SOCKET_POST_THREADS": int(env("TREATYCRAFT_SOCKET_POST_THREADS", "4")),
    # The longest a request waits for one push to the channel layer (Redis) after its commit.
    "PUSH_TIMEOUT_MS": int(env("TREATYCRAFT_PUSH_TIMEOUT_MS", "2000")),
    # Daphne answers 413 to a request body over this while it arrives (config/asgi.py).
    "MAX_REQUEST_BYTES": int(env("TREATYCRAFT_MAX_REQUEST_BYTES", str(512 * 1024))),
}
# The server process's garbage collector (config/collector.py): "tuned", "off" or "a,b,c".
# Not applied in the test process, which imports config.asgi but does not serve.
TREATYCRAFT_SERVER_GC = env("TREATYCRAFT_SERVER_GC", "tuned")

# --- E-mail: the console in development (mail shows in the terminal), SMTP from the environment ---
# Mail is queued in the database (negotiation.mail) and sent by the clock process.
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
                    else "django.core.mail.backends.console.EmailBackend")
EMAIL_PORT = int(env("EMAIL_PORT", "587"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Treatycraft <treatycraft@localhost>")
# Links in mail the clock sends (no request to take the host from).
TREATYCRAFT_SITE_URL = env("TREATYCRAFT_SITE_URL", f"http://127.0.0.1:{_port}")
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "treatycraft": {"handlers": ["console"], "level": env("TREATYCRAFT_LOG_LEVEL", "INFO"), "propagate": False},
        "django": {"handlers": ["console"], "level": "WARNING"},
    },
}
