"""Settings, all from the environment, with defaults that make `make run` work on a laptop."""

import logging
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).lower() in ("1", "true", "yes", "on")


def envint(name: str, default: str) -> int:
    return int(os.getenv(name, default))


SECRET_KEY = os.getenv("SECRET_KEY", "dev-only-insecure-key-change-me-in-production")
DEBUG = envbool("DEBUG", "True")
ALLOWED_HOSTS = os.getenv("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.getenv("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_htmx",
    "hotline.core",
    "hotline.accounts",
    "hotline.catalog",
    "hotline.workorders",
    "hotline.sla",
    "hotline.callbacks",
    "hotline.intake",
    "hotline.telephony",
    "hotline.knowledge",
    "hotline.dispatch",
    "hotline.analytics",
    "hotline.evaluation",
    "hotline.quality",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "hotline.core.middleware.refuse_nul_in_query",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hotline.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Requests authenticated by a channel key (the channel API, Open311) carry no session, cookie
# or form, and are answered in JSON or XML: hotline.wsgi serves these paths through this shorter
# chain (a fraction of a millisecond of CPU on every order a channel creates; docs/channels.md).
KEY_AUTH_PATHS = ("/api/channel/", "/open311/")
KEY_AUTH_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "hotline.core.middleware.refuse_nul_in_query",
    "hotline.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = "hotline.urls"
WSGI_APPLICATION = "hotline.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "hotline" / "templates"],
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

# SQLite (WAL) under var/ by default; PostgreSQL when DATABASE_URL says so.
DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'hotline.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at the
        # start of each transaction so two writers queue instead of failing mid-way.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# A cache every process shares (rate limits must hold across web processes): the database by
# default, so `make run` needs no server; Redis when REDIS_URL is set.
if os.getenv("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "hotline_cache",
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Messages stay server-side: an API key shown once must not travel in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = os.getenv("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "hotline" / "locale"]
TIME_ZONE = os.getenv("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", str(5 * 1024 * 1024))
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
# What Open311 `GET requests` (public) says about where: "region" (county and street, the point
# rounded to 0.01°) or "exact" (the address and point as given). docs/open311.md.
OPEN311_PUBLIC_ADDRESS = os.getenv("OPEN311_PUBLIC_ADDRESS", "region")
# Whether it publishes what the requester wrote: "none" (default: the category's name instead;
# free text carries names and addresses no scrub can find) or "scrubbed" (the text with phone
# and ID numbers and the requester's name masked). docs/open311.md.
OPEN311_PUBLIC_DESCRIPTION = os.getenv("OPEN311_PUBLIC_DESCRIPTION", "none")
# Whether channel webhooks may point at loopback, private or link-local addresses (a partner on
# the government intranet). Off: such an address is refused when delivering. docs/channels.md.
CHANNEL_WEBHOOK_ALLOW_PRIVATE = envbool("CHANNEL_WEBHOOK_ALLOW_PRIVATE", "False")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Short messages: printed by default; a gateway adapter in production (README: SMS).
SMS_BACKEND = os.getenv("SMS_BACKEND", "hotline.core.sms.ConsoleBackend")
# hotline.core.sms.HttpGatewayBackend posts to this URL with this bearer token and signature.
SMS_GATEWAY_URL = os.getenv("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.getenv("SMS_GATEWAY_TOKEN", "")
SMS_GATEWAY_SIGN = os.getenv("SMS_GATEWAY_SIGN", "【12345热线】")
SMS_GATEWAY_TIMEOUT = envint("SMS_GATEWAY_TIMEOUT", "5")
EMAIL_BACKEND = os.getenv("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "12345@localhost")

# KPI variants (docs/kpis.md): the choices cities make differently.
HOTLINE_KPI = {
    # 基本满意 counts as satisfied with this weight (1 = fully, 0 = not at all, 0.8 = partly).
    "BASIC_SATISFIED_WEIGHT": float(os.getenv("HOTLINE_KPI_BASIC_SATISFIED_WEIGHT", "1")),
    # The N of the N-second answer rate (GB/T 33358: 15 s).
    "ANSWER_WITHIN_SECONDS": envint("HOTLINE_KPI_ANSWER_WITHIN_SECONDS", "15"),
    # Weights of the 三率 composite (Beijing: 响应率 30, 解决率 35, 满意率 35).
    "COMPOSITE_WEIGHTS": {"response": 30, "resolution": 35, "satisfaction": 35},
    # 响应率: the lead unit must reach the requester within this many hours of the dispatch.
    "CONTACT_WITHIN_HOURS": envint("HOTLINE_KPI_CONTACT_WITHIN_HOURS", "24"),
    # What 三率 reads as its 响应率: "response" (acknowledged and contacted in time, Beijing) or
    # "on_time_acknowledge" (acknowledged in time only, for cities that keep no contact record).
    "COMPOSITE_RESPONSE": os.getenv("HOTLINE_KPI_COMPOSITE_RESPONSE", "response"),
    # When the morning report of the day before is generated (HH:MM, local time).
    "DAILY_REPORT_AT": os.getenv("HOTLINE_DAILY_REPORT_AT", "07:00"),
}

# Quality inspection (质检, docs/quality.md).
HOTLINE_QUALITY = {
    # A sample passes with at least this many points out of 100 (and no veto item failed).
    "PASS_MARK": envint("HOTLINE_QUALITY_PASS_MARK", "80"),
    # The sampling queue's default share of a day's answered calls / registered orders (%).
    "SAMPLE_PERCENT": envint("HOTLINE_QUALITY_SAMPLE_PERCENT", "5"),
    # The default seed: the same day, share and seed always draw the same sample.
    "SAMPLE_SEED": envint("HOTLINE_QUALITY_SAMPLE_SEED", "12345"),
    # Days after an inspection during which the agent may appeal.
    "APPEAL_DAYS": envint("HOTLINE_QUALITY_APPEAL_DAYS", "5"),
}

# Background work: eager in-process by default (no server); Redis when CELERY_BROKER_URL is set.
CELERY_BROKER_URL = os.getenv("CELERY_BROKER_URL", "memory://")
CELERY_RESULT_BACKEND = os.getenv("CELERY_RESULT_BACKEND", None)
CELERY_TASK_ALWAYS_EAGER = envbool(
    "CELERY_TASK_ALWAYS_EAGER", "False" if "CELERY_BROKER_URL" in os.environ else "True"
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE

# The rules that differ between cities (domain.md: "a setting, not a constant").
HOTLINE = {
    # After this many returns (退单) of one order the hotline fixes the handler: no further return.
    "RETURN_LIMIT": envint("HOTLINE_RETURN_LIMIT", "3"),
    # A callback that fails this many times closes the order as unreachable.
    "CALLBACK_MAX_ATTEMPTS": envint("HOTLINE_CALLBACK_MAX_ATTEMPTS", "3"),
    # Longest extension (延期) a unit may ask for, in working days: 10 as in the shipped rule set
    # (山东省政务服务热线管理办法: 延期时限一般不超过10个工作日; docs/time-limits.md).
    "EXTENSION_MAX_DAYS": envint("HOTLINE_EXTENSION_MAX_DAYS", "10"),
    # Levels of supervision (督办), 1 = lowest; a move can only raise the level.
    "SUPERVISION_LEVELS": envint("HOTLINE_SUPERVISION_LEVELS", "3"),
    # Whether the reply clock stops while the unit waits on the requester (等待诉求人): 1 = yes.
    "PAUSE_WAITING_REQUESTER": envint("HOTLINE_PAUSE_WAITING_REQUESTER", "0"),
    # The most rows one export of a list may hold (the ledger of a year has its own cap).
    "EXPORT_MAX_ROWS": envint("HOTLINE_EXPORT_MAX_ROWS", "100000"),
    # A new request from the same phone or address repeats an open order of the last N days.
    "REPEAT_WINDOW_DAYS": envint("HOTLINE_REPEAT_WINDOW_DAYS", "30"),
    # Days for which PostgreSQL keeps each day's order-number sequence; older ones are dropped
    # by a daily job (their last number is kept), and made again if an import numbers there.
    "NUMBER_SEQUENCE_KEEP_DAYS": envint("HOTLINE_NUMBER_SEQUENCE_KEEP_DAYS", "7"),
    # Longest title and content accepted.
    "TITLE_MAX_LENGTH": envint("HOTLINE_TITLE_MAX_LENGTH", "200"),
    "CONTENT_MAX_LENGTH": envint("HOTLINE_CONTENT_MAX_LENGTH", "5000"),
    "ATTACHMENT_MAX_BYTES": envint("HOTLINE_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)),
    # Extensions an attachment may have, among those workorders/uploads.py can check: empty for
    # the shipped list, "pdf,jpg" for a list of one's own, "+mp4,-bmp" to change the shipped one.
    "ATTACHMENT_EXTENSIONS": os.getenv("HOTLINE_ATTACHMENT_EXTENSIONS", ""),
    # Hot topics: words a topic's terms leave out besides the shipped filler (咨询、反映、部门…),
    # comma-separated: the words of a city's own requests that name no matter.
    "HOT_FILLER_EXTRA": os.getenv("HOTLINE_HOT_FILLER_EXTRA", ""),
    # Knowledge search: how the city's callers ask, besides the shipped 请问、什么时候、在哪里…,
    # comma-separated (a dialect's 啥时候、咋办): left out before matching (knowledge/search.py).
    "KNOWLEDGE_FILLER_EXTRA": os.getenv("HOTLINE_KNOWLEDGE_FILLER_EXTRA", ""),
    # KPI facts: a refresh re-reads this many events before its mark (events committed late),
    # and the full pass compares orders in batches of this many ids (analytics/facts.py).
    "FACTS_LOOKBACK": envint("HOTLINE_FACTS_LOOKBACK", "5000"),
    "FACTS_BATCH": envint("HOTLINE_FACTS_BATCH", "20000"),
}


class _ForbiddenWithoutTraceback(logging.Filter):
    """A 403 is a refusal working as designed: one warning line, not a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True


# Django's own "django" logger would print through its DEBUG console handler and again through
# the root's: it gets our one handler and stops there, so each line is written once.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"forbidden_without_traceback": {"()": _ForbiddenWithoutTraceback}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["forbidden_without_traceback"],
        }
    },
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
    "loggers": {
        "django": {
            "handlers": ["console"],
            "level": os.getenv("LOG_LEVEL", "WARNING"),
            "propagate": False,
        }
    },
}
