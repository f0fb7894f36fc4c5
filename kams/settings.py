"""KAMS settings: one module, read from the environment.

Safe defaults run the embedded demo (SQLite under ./var/). Production sets at least
``DATABASE_URL``, ``KAMS_SECRET_KEY``, ``KAMS_ALLOWED_HOSTS`` and ``KAMS_DEBUG=0``; then
``kams check --deploy`` is clean.
"""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("KAMS_VAR_DIR", Path.cwd() / "var")).resolve()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _demo_secret_key() -> str:
    """A key generated once and kept under var/, so demo sessions survive restarts."""
    path = VAR_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        path.write_text(key)
        path.chmod(0o600)
        return key


DEBUG = env_bool("KAMS_DEBUG", True)
SECRET_KEY = os.environ.get("KAMS_SECRET_KEY") or _demo_secret_key()
ALLOWED_HOSTS = env_list("KAMS_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("KAMS_CSRF_TRUSTED_ORIGINS", "")

# Which kind of deployment this is: a province (省公司) or headquarters (总部). Both run the
# same code; headquarters aggregates what provinces upload (HQ-01).
KAMS_DEPLOYMENT = os.environ.get("KAMS_DEPLOYMENT", "province")
if KAMS_DEPLOYMENT not in {"province", "hq"}:
    raise RuntimeError("KAMS_DEPLOYMENT must be 'province' or 'hq'")
KAMS_PROVINCE_CODE = os.environ.get("KAMS_PROVINCE_CODE", "JS")

INSTALLED_APPS = [
    "jazzmin",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "treebeard",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "kams.core",
    "kams.org",
    "kams.audit",
    "kams.system",
    "kams.access",
    "kams.web",
    "kams.demo",
    "kams.customers",
    "kams.billing",
    "kams.credit",
    "kams.collection",
    "kams.notify",
    "kams.service",
    "kams.care",
    "kams.support",
    "kams.club",
    "kams.portal",
    "kams.partners",
    "kams.clubstats",
    "kams.clubinfo",
    "kams.cards",
    "kams.clubapi",
    "kams.channels",
    "kams.settlement",
    "kams.channelstats",
    "kams.resources",
    "kams.terminals",
    "kams.resourceapi",
    "kams.returnforms",
]

MIDDLEWARE = [
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
    "django_htmx.middleware.HtmxMiddleware",
    "kams.audit.middleware.AuditContextMiddleware",
    "kams.access.middleware.SecondFactorRequiredMiddleware",
    # Axes goes last so that it sees the outcome of the whole authentication stack.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kams.urls"
WSGI_APPLICATION = "kams.wsgi.application"

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
                "kams.web.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'kams.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
if DATABASE_URL.startswith("sqlite:///") and DATABASE_URL == DEFAULT_DATABASE_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers (and a running backup) work beside the writer; IMMEDIATE makes a
    # write transaction take the lock at BEGIN so that concurrent writers queue, not fail.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["TEST"] = {"NAME": None}

if "pytest" in sys.modules or os.environ.get("KAMS_TEST_RESTORE_DB"):
    # A second, empty database that the backup/restore test restores into (ORG-08).
    restore = dict(DATABASES["default"])
    if restore["ENGINE"] == "django.db.backends.sqlite3":
        restore["NAME"] = str(VAR_DIR / "restore.sqlite3")
        restore["TEST"] = {"NAME": str(VAR_DIR / "test_restore.sqlite3")}
    else:
        restore["NAME"] = f"{restore['NAME']}_restore"
        restore["TEST"] = {"NAME": f"test_{restore['NAME']}"}
    DATABASES["restore"] = restore
    # Tests create many logins; the production hasher's cost is pointless there.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: local memory by default; Redis when KAMS_REDIS_URL is set (several web processes)
if os.environ.get("KAMS_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["KAMS_REDIS_URL"],
        }
    }

# --- Authentication and login (ORG-09) ------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("KAMS_PASSWORD_MIN_LENGTH", "10"))},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "kams.access.validators.CharacterClassValidator"},
]
LOGIN_URL = "access:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "access:login"

# Both read the system parameters (ORG-06), so administrators tune them without a restart.
AXES_FAILURE_LIMIT = "kams.access.lockout.failure_limit"
AXES_COOLOFF_TIME = "kams.access.lockout.cooloff_time"
# Lock the account name, not the address: an operator's office sits behind one NAT address,
# and locking it would lock out a whole floor. The token endpoint is rate-limited besides.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kams.access.views.lockout_response"
AXES_VERBOSE = False

SESSION_COOKIE_AGE = int(os.environ.get("KAMS_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True  # idle expiry: the age counts from the last request
SESSION_COOKIE_HTTPONLY = True
OTP_TOTP_ISSUER = "KAMS"

# --- Production hardening: on whenever DEBUG is off --------------------------------------
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("KAMS_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("KAMS_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("KAMS_HSTS_PRELOAD", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# --- Internationalisation: Chinese first, English available ----------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
FORMAT_MODULE_PATH = ["kams.formats"]  # ISO date input in Chinese (see kams/formats/zh_Hans)
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files: everything served by the project itself (closed networks) -----------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("KAMS_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
if DEBUG:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from finders meanwhile

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["kams.org.scoping.KamsModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": [
        "kams.org.scoping.ScopeFilterBackend",
        "django_filters.rest_framework.DjangoFilterBackend",
    ],
    "DEFAULT_PAGINATION_CLASS": "kams.core.api.KamsPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kams.core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": os.environ.get("KAMS_LOGIN_RATE", "30/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "KAMS API",
    "DESCRIPTION": "Key Account Management System (大客户管理系统): REST API v1 and TM Forum Open APIs.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets whose field names repeat across domains ("status", "kind", "state") or
    # that serve under two field names get one stable component name each.
    "ENUM_NAME_OVERRIDES": {
        "AgentCategoryEnum": "kams.channels.enums.AgentCategory",
        "AgentLevelEnum": "kams.channels.enums.AgentLevel",
        "CareVisitMethodEnum": "kams.care.enums.VisitMethod",
        "ChannelEvalManualKindEnum": "kams.channelstats.enums.ManualKind",
        "SettlementSchemeKindEnum": "kams.settlement.enums.SchemeKind",
        "SettlementRunKindEnum": "kams.settlement.enums.RunKind",
        "SettlementRunStateEnum": "kams.settlement.enums.RunState",
        "SettlementBillStateEnum": "kams.settlement.enums.BillState",
        "SettlementLineKindEnum": "kams.settlement.enums.LineKind",
        "SettlementAdjustmentKindEnum": "kams.settlement.enums.AdjustmentKind",
        "ChannelEvalScoringMethodEnum": "kams.channelstats.enums.ScoringMethod",
        "ChannelEvalExportFormatEnum": "kams.channelstats.enums.ExportFormat",
        "TerminalSubsidyKindEnum": "kams.terminals.enums.SubsidyKind",
        "TerminalSaleStatusEnum": "kams.terminals.enums.SaleStatus",
        "TerminalFlagKindEnum": "kams.terminals.enums.AnomalyKind",
        "TerminalFlagStatusEnum": "kams.terminals.enums.AnomalyStatus",
        "TerminalImportSourceEnum": "kams.terminals.enums.ImportSource",
        "HqRequestKindEnum": "kams.clubapi.enums.HqKind",
        "ClubChannelKindEnum": "kams.club.enums.ChannelKind",
        "ClubItemKindEnum": "kams.club.enums.ItemKind",
        "ClubPointsKindEnum": "kams.club.enums.PointsKind",
        "ClubPointsCategoryEnum": "kams.club.enums.PointsCategory",
        "ClubIssuerEnum": "kams.club.enums.Issuer",
        "HqRequestStatusEnum": "kams.clubapi.enums.HqStatus",
        "PartnerIndustryEnum": "kams.partners.enums.PartnerIndustry",
        "PartnerStatusEnum": "kams.partners.enums.PartnerStatus",
        "PartnerAgreementStateEnum": "kams.partners.enums.AgreementState",
        "PartnerCouponStateEnum": "kams.partners.enums.CouponState",
        "PartnerExchangeDirectionEnum": "kams.partners.enums.Direction",
        "PartnerExchangeSourceEnum": "kams.partners.enums.ExchangeSource",
        "PartnerStatementStateEnum": "kams.partners.enums.StatementState",
        "PartnerLineKindEnum": "kams.partners.enums.LineKind",
        "PartnerPeriodKindEnum": "kams.partners.enums.PeriodKind",
        "ServiceChannelEnum": "kams.service.enums.Channel",
        "CreditSourceEnum": "kams.credit.enums.CreditSource",
        "CareActionKindEnum": "kams.care.enums.CareKind",
        "CaseSourceEnum": "kams.service.enums.CaseSource",
        "DefinitionSourceEnum": "kams.service.enums.DefinitionSource",
        "CaseEventKindEnum": "kams.service.enums.EventKind",
        "CalendarKindEnum": "kams.service.enums.CalendarKind",
        "CaseStatusEnum": "kams.service.enums.CaseStatus",
        "WorkItemStatusEnum": "kams.service.enums.ItemStatus",
        "UnitKindEnum": "kams.org.enums.UnitKind",
        "AttributeKindEnum": "kams.customers.enums.AttributeKind",
        "CustomerStatusEnum": "kams.customers.enums.CustomerStatus",
        "AccountStatusEnum": "kams.customers.enums.AccountStatus",
        "BusinessEnum": "kams.customers.enums.Business",
        "ContractStateEnum": "kams.customers.enums.ContractState",
        "BillImportStateEnum": "kams.billing.models.ImportState",
        "JobStateEnum": "kams.system.models.JobState",
        "PreferenceKindEnum": "kams.customers.enums.PreferenceKind",
        "CareKindEnum": "kams.customers.enums.CareKind",
        "CreditGradeEnum": "kams.credit.enums.CreditGrade",
        "CandidateStateEnum": "kams.collection.enums.CandidateState",
        "DuplicatePairStateEnum": "kams.collection.enums.PairState",
        "MessageStateEnum": "kams.notify.models.MessageState",
        "CustomerTypeEnum": "kams.customers.enums.CustomerType",
        "SupportResourceKindEnum": "kams.support.enums.ResourceKind",
        "ResourceKindEnum": "kams.resources.enums.ResourceKind",
        "ResourceMoveKindEnum": "kams.resources.enums.MoveKind",
        "ResourcePayMethodEnum": "kams.channels.enums.PayMethod",
        "LineCheckKindEnum": "kams.support.enums.CheckKind",
        "LineCheckResultEnum": "kams.support.enums.CheckResult",
        "NoticeKindEnum": "kams.support.enums.NoticeKind",
        "NoticeStateEnum": "kams.support.enums.NoticeState",
        "LineStatusEnum": "kams.support.enums.LineStatus",
        "LineTypeEnum": "kams.support.enums.LineType",
        "ServiceClassCodeEnum": "kams.support.enums.ServiceClassCode",
        "ConsultationChannelEnum": "kams.support.enums.ConsultationChannel",
        "ConsultationTopicEnum": "kams.support.enums.ConsultationTopic",
        "AnswerSatisfactionEnum": "kams.support.enums.AnswerSatisfaction",
        "SolutionStateEnum": "kams.support.enums.SolutionState",
        "FeasibilityEnum": "kams.support.enums.Feasibility",
        "QualitySubjectKindEnum": "kams.support.enums.SubjectKind",
        "ImpactReasonEnum": "kams.support.enums.ImpactReason",
        "ClubMemberStatusEnum": "kams.club.enums.MemberStatus",
        "ClubLevelChangeKindEnum": "kams.club.enums.LevelChangeKind",
        "ClubContactResultEnum": "kams.club.enums.ContactResult",
        "ClubInfoServiceKindEnum": "kams.clubinfo.enums.ServiceKind",
        "ClubInfoActivityKindEnum": "kams.clubinfo.enums.ActivityKind",
        "ClubInfoActivityStateEnum": "kams.clubinfo.enums.ActivityState",
        "ClubInfoRegistrationStateEnum": "kams.clubinfo.enums.RegistrationState",
        "ClubInfoRegistrationChannelEnum": "kams.clubinfo.enums.RegistrationChannel",
        "ClubInfoDirectionEnum": "kams.clubinfo.enums.Direction",
        "ClubInfoIndicatorSourceEnum": "kams.clubinfo.enums.IndicatorSource",
        "ClubInfoAudienceEnum": "kams.clubinfo.enums.Audience",
        "ClubInfoCareOccasionEnum": "kams.clubinfo.enums.CareOccasion",
        "CardStateEnum": "kams.club.enums.CardState",
        "BlankStateEnum": "kams.cards.enums.BlankState",
        "CorrectableBlankStateEnum": "kams.cards.enums.CORRECTABLE_STATES",
        "BlankMoveKindEnum": "kams.cards.enums.BlankMoveKind",
    },
}

# --- Background jobs (ARCHITECTURE §3) --------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("KAMS_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Notifications (INT-04): one outbox, a sender per channel ---------------------------------
KAMS_SMS_GATEWAY_URL = os.environ.get("KAMS_SMS_GATEWAY_URL", "")
KAMS_SMS_GATEWAY_TOKEN = os.environ.get("KAMS_SMS_GATEWAY_TOKEN", "")
EMAIL_HOST = os.environ.get("KAMS_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("KAMS_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("KAMS_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KAMS_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("KAMS_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("KAMS_EMAIL_FROM", "kams@localhost")
KAMS_NOTIFY_SENDERS = {
    "email": "kams.notify.senders.EmailSender" if EMAIL_HOST else "kams.notify.senders.FileSender",
    "sms": "kams.notify.senders.HttpSmsSender" if KAMS_SMS_GATEWAY_URL else "kams.notify.senders.FileSender",
    "voice": "kams.notify.senders.FileSender",
}

# --- Admin theme ------------------------------------------------------------------------------
JAZZMIN_SETTINGS = {
    "site_title": "KAMS",
    "site_header": "KAMS",
    "site_brand": "KAMS 大客户管理",
    "welcome_sign": "KAMS",
    "copyright": "KAMS",
    "show_ui_builder": False,
    "language_chooser": False,
    "use_google_fonts_cdn": False,
    "topmenu_links": [{"name": _("Back to KAMS"), "url": "web:home"}],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KAMS_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}, "spiff": {"level": "WARNING"}},
}
