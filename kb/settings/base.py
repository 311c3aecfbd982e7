"""Settings shared by every environment.

Optional services switch on only when their environment variable is set: the
defaults run on SQLite with nothing else to start. docs/configuration.md lists
every variable.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

from django.utils.translation import gettext_lazy as _

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent
VAR_DIR = Path(os.environ.get("VINDPLAATS_VAR_DIR", BASE_DIR / "var"))
# The SQLite file, media and dev mail live here; a fresh clone has no var/ yet.
# Others may pass through to media/ (a web server serving it) but not list it.
VAR_DIR.mkdir(mode=0o711, parents=True, exist_ok=True)
# mkdir leaves an existing var/ as it is (a checkout's is 0755): ours loses
# read and write for the group and others (0755 becomes 0711).
if (_var := VAR_DIR.stat()).st_uid == os.getuid() and _var.st_mode & 0o066:
    VAR_DIR.chmod(_var.st_mode & 0o7711)
del _var


def env_list(name, default=""):
    """A comma-separated environment variable as a list, blanks dropped."""
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


INSTALLED_APPS = [
    # Our apps, top layer first (docs/architecture.md); each imports only
    # from the ones below it.
    "kb",
    "explore",
    "practices",
    "accounts",
    "community",
    "notifications",
    "submissions",
    "editorial",
    "search",
    "core",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    # Wagtail's user management, listing members by name (accounts.admin_users).
    "accounts.apps.UsersAppConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "django_tasks",
    "django_tasks_db",
    "django_htmx",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Above the page cache, so pages served from it get the current headers.
    "core.middleware.ContentSecurityPolicyMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    # Above the page cache, so searches answered from it count too.
    "explore.middleware.SearchTermMiddleware",
    "core.cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Names the member's browser so text kept after a login lapse is shown
    # to them only (core.keep_input).
    "core.keep_input.MemberHintMiddleware",
    "core.middleware.RequestSizeLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

# A form whose CSRF check failed (older than a login elsewhere) keeps its
# text and is shown again when it came from this site (core.keep_input).
CSRF_FAILURE_VIEW = "core.keep_input.csrf_failure"

# Django serves MEDIA_ROOT (without the private folders) and the previews of
# the error pages at /404/ and /500/ (kb/urls.py): the dev settings only.
DEV_URLS = False

# Seconds an anonymous page stays in the cache (core.cache); 0 turns it off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "0"))

# Searches on the search page are counted per process and written this often
# (search.terms, the "Zoektermen" report).
SEARCH_TERMS_WRITE_SECONDS = 60

# Content-Security-Policy (django-csp, core.middleware), in every environment so
# the browser tests meet it too. The public site runs only its own scripts and
# styles from /static/: no inline <script>, no style="" attributes, no eval
# (htmx is configured without eval and without its inline indicator styles,
# templates/search/search_page.html). A page cached by core.cache is the same
# for every visitor, so a policy with a nonce (csp.constants.NONCE) would need
# the page cache switched off for that page.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Wagtail's and Django's admin get a looser policy (core.middleware): Wagtail's
# widgets and panels still write inline <script> and style="" in their
# templates, its editor shows the page preview in a frame of its own, uploads
# are previewed from blob: URLs (no avatars from Gravatar: it is off) and the
# dashboard asks releases.wagtail.org for a new version. Only editors log in
# there; everything else stays as strict as the public site.
ADMIN_CONTENT_SECURITY_POLICY = {
    "URL_PREFIXES": ("/admin/", "/django-admin/"),
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF, "https://releases.wagtail.org"],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    },
}
# Browser features the site never uses, off for it and anything it embeds
# (core.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

ROOT_URLCONF = "kb.urls"
WSGI_APPLICATION = "kb.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "notifications.context_processors.notifications",
            ],
        },
    },
]

# Database: PostgreSQL from DATABASE_URL, SQLite in var/ otherwise.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with the database file (and its -wal/-shm) created and
    # kept at mode 0600: it holds password hashes and personal data.
    DATABASES["default"]["ENGINE"] = "kb.sqlite_backend"
    # The web server, the email worker and cron's jobs write to one file.
    # WAL lets readers go on while one writes; IMMEDIATE takes the write lock
    # when a transaction starts, so a transaction that read first waits its
    # turn (up to `timeout` seconds) instead of failing with "database is
    # locked" when it comes to write. Found by the soak (bench/soak.py).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# `manage.py backup` signs each archive's manifest with an HMAC and `restore`
# refuses an archive whose signature does not match (kb/backups/archive.py).
# The key: BACKUP_KEY, or else one derived from SECRET_KEY. To
# restore on another machine, give it the same BACKUP_KEY (or SECRET_KEY).
# With BACKUP_KEY set, SECRET_KEY no longer signs nor verifies backups; keys
# still accepted after a change go in BACKUP_KEY_FALLBACKS (comma-separated).
BACKUP_KEY = os.environ.get("BACKUP_KEY", "")
BACKUP_KEY_FALLBACKS = env_list("BACKUP_KEY_FALLBACKS")
# /health/ tells anonymous visitors only "ok", "degraded" or "unavailable";
# staff, and monitoring that sends "Authorization: Bearer <HEALTH_TOKEN>",
# also get the details (kb.views.health). Empty: no token is accepted.
HEALTH_TOKEN = os.environ.get("HEALTH_TOKEN", "")

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: the site speaks Dutch; message ids are English.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
# Uploads and renditions: read and write for the site, read for its group (a
# web server serving MEDIA_ROOT belongs to it), nothing for other users.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

# Complex page models can exceed Django's default of 1000 fields in the editor.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# Accounts (django-allauth): sign in with email, verified before first use.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Vindplaats] "
ACCOUNT_PREVENT_ENUMERATION = True
# allauth's rate limits are on by default and count in the default cache,
# which production shares between workers (Redis, or the database).
# The admin logins (kb/admin_login.py) count against "login" and "login_failed"
# too; a blocked attempt gets templates/429.html.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_email": "1/m/user",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    # Images decoded from members' uploads (avatars, submissions): core.images.
    "image_upload": "30/h/user",
}
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "accounts.forms.SignupForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
}
# Members are shown by their display name; the internal username never is.
ACCOUNT_USER_DISPLAY = "accounts.adapter.user_display"

# Profile photos (accounts.avatars): the upload limit is checked before the
# file is decoded, the pixel limit before the pixels are loaded (core.images).
# Pixels are what is decoded: a JPEG is decoded at 1/2 to 1/8 scale when that
# still covers AVATAR_SIZE, so a 50-megapixel phone photo passes; a progressive
# JPEG counts at full size. A PNG or WebP is always decoded at full size, so it
# has the lower AVATAR_MAX_FULL_PIXELS; above a limit an image is refused
# without being decoded.
AVATAR_MAX_BYTES = 5 * 1024 * 1024
AVATAR_MAX_PIXELS = 16_000_000
AVATAR_MAX_FULL_PIXELS = 4_000_000
AVATAR_SIZE = 400

DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Vindplaats <noreply@vindplaats.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work (django-tasks). Wagtail's own small tasks run inline; the
# site's email goes through the "background" backend, a database queue that
# `manage.py db_worker --backend background` works through. A bigger
# deployment points TASK_BACKEND at a queue-backed backend instead.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "background": {
        "BACKEND": os.environ.get("TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    },
}
# The email outbox (notifications.mail): a failed send is retried after this
# many seconds, doubling each time (at most six hours apart), and marked
# failed for the editors after NOTIFICATIONS_EMAIL_MAX_ATTEMPTS tries.
NOTIFICATIONS_EMAIL_RETRY_SECONDS = 60
NOTIFICATIONS_EMAIL_MAX_ATTEMPTS = 8
# Sent and failed emails are deleted after this many days (send_pending_emails).
NOTIFICATIONS_EMAIL_RETENTION_DAYS = int(os.environ.get("EMAIL_RETENTION_DAYS", "30"))

# Who publishes Vindplaats: the footer names them ("Vindplaats is een uitgave
# van ..."), and the demo's colophon, contact page, privacy and accessibility
# statements are written with these details (load_demo_data, which updates
# the pages it wrote when they change). The defaults describe a fictional
# publisher; docs/configuration.md lists the variables.
VINDPLAATS_PUBLISHER = {
    "NAME": os.environ.get(
        "VINDPLAATS_PUBLISHER_NAME", "Stichting Vindplaats Zorg (voorbeeld)"
    ),
    "ADDRESS": os.environ.get(
        "VINDPLAATS_PUBLISHER_ADDRESS", "Voorbeeldstraat 12, 3511 AB Utrecht"
    ),
    "EMAIL": os.environ.get("VINDPLAATS_PUBLISHER_EMAIL", "redactie@example.org"),
    "KVK": os.environ.get("VINDPLAATS_PUBLISHER_KVK", "00000000"),
    # Processors in the privacy statement (AVG art. 28).
    "HOSTING": os.environ.get(
        "VINDPLAATS_HOSTING_PROVIDER", "Voorbeeld Hosting B.V. (voorbeeld)"
    ),
    "EMAIL_PROVIDER": os.environ.get(
        "VINDPLAATS_EMAIL_PROVIDER", "Voorbeeld Mail B.V. (voorbeeld)"
    ),
    # What the privacy statement promises; the operator's log rotation and
    # backup cleaning keep it (docs/operations.md).
    "LOG_RETENTION_DAYS": int(os.environ.get("VINDPLAATS_LOG_RETENTION_DAYS", "14")),
    "BACKUP_RETENTION_DAYS": int(
        os.environ.get("VINDPLAATS_BACKUP_RETENTION_DAYS", "30")
    ),
}

# Community rules (community.flood): figures a moderator may want to tune.
COMMUNITY_FLOOD = {
    # Seconds a member waits between two posts (questions and answers).
    "MIN_INTERVAL_SECONDS": int(os.environ.get("COMMUNITY_MIN_INTERVAL_SECONDS", "30")),
    # Posts per 24 hours for everyone, and for accounts younger than NEW_ACCOUNT_DAYS.
    "POSTS_PER_DAY": 50,
    "NEW_ACCOUNT_DAYS": 7,
    "NEW_ACCOUNT_POSTS_PER_DAY": 5,
    "NEW_ACCOUNT_MIN_INTERVAL_SECONDS": 120,
    # The same text again from the same member within this many hours is refused.
    "DUPLICATE_WINDOW_HOURS": 24,
    # Reports and contact messages per member per 24 hours.
    "REPORTS_PER_DAY": 20,
    "CONTACT_MESSAGES_PER_DAY": 10,
    # Visitors writing to a contact person without an account
    # (community.relay): messages per IP address per hour, confirmation
    # emails per email address per 24 hours (new links included), visitors'
    # messages relayed to one contact person per 24 hours, and new
    # confirmation links per message.
    "CONTACT_VISITOR_PER_IP_PER_HOUR": 10,
    "CONTACT_VISITOR_PER_ADDRESS_PER_DAY": 5,
    "CONTACT_VISITOR_PER_CONTACT_PER_DAY": 20,
    "CONTACT_CONFIRMATION_RESENDS": 2,
    # "Nuttig" votes, follows and accepting an answer (each click, on or off)
    # per member per minute.
    "TOGGLES_PER_MINUTE": 20,
    # Changes to one question, answer or adoption in any 24 hours.
    "EDITS_PER_POST_PER_DAY": 10,
    # Adoptions ("wij zijn hier ook mee aan de slag") a member records in
    # any 24 hours (community.adoptions).
    "ADOPTIONS_PER_DAY": 10,
    # Profile saves per member in any hour.
    "PROFILE_SAVES_PER_HOUR": 20,
}

# Wagtail
WAGTAIL_SITE_NAME = "Vindplaats"
WAGTAIL_I18N_ENABLED = False
# The one base URL of every absolute link outside a page: emails (allauth's
# included), the Atom feed and the sitemap (core.site_url), never the request's
# Host header. Production refuses to start without SITE_URL; `make run` sets
# it to the address it serves on. Without it (`manage.py runserver` alone) the
# sitemap, feed and robots.txt link to the host they were asked on
# (core.site_url.links_for), everything else to the default.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL or "http://127.0.0.1:8000"
# No member's email hash goes to gravatar.com: the admin shows initials.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_FRONTEND_LOGIN_URL = "/account/login/"
# Password and address are changed on the site (allauth: old password with
# its failed-attempt limit, new addresses confirmed), never in Wagtail's
# account page; that page links there (accounts/wagtail_hooks.py).
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
# The admin login keeps its "Forgotten password?" link: /admin/password_reset/
# leads to allauth's reset (kb/urls.py).
WAGTAIL_PASSWORD_RESET_ENABLED = True
# The admin login counts failed attempts like the members' login does
# (kb/admin_login.py, ACCOUNT_RATE_LIMITS "login" and "login_failed").
WAGTAILADMIN_USER_LOGIN_FORM = "kb.admin_login.WagtailLoginForm"
# Review workflow emails ("Redactiecontrole", see editorial/workflow.py). Wagtail
# emails the Editors and Moderators groups when a page is submitted and the
# submitter when it is approved or sent back; editorial/ routes these through
# the site's outbox and gives members (who cannot open the admin) the site's
# own Dutch email instead. Superusers are technical accounts, not the redactie:
# they are not emailed about every submission. Editors can switch each kind
# off in their admin account settings.
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL
WAGTAILADMIN_NOTIFICATION_USE_HTML = True
WAGTAILADMIN_NOTIFICATION_INCLUDE_SUPERUSERS = False
# What an approved workflow does: publish, also when the approving editor has
# no page publish permission of their own (the Editors group); see
# editorial.finish.publish_approved.
WAGTAIL_FINISH_WORKFLOW_ACTION = "editorial.finish.publish_approved"
WAGTAILSEARCH_BACKENDS = {
    # Wagtail's own backend serves the admin's page and snippet search. The
    # public search contract lives in the `search` app.
    "default": {"BACKEND": "wagtail.search.backends.database"},
}
# The public search contract's backend (search app). Elasticsearch switches on
# with ELASTICSEARCH_URL; the database backend stays its fallback.
VINDPLAATS_SEARCH = {"BACKEND": "search.backends.database.DatabaseBackend"}
if os.environ.get("ELASTICSEARCH_URL"):
    VINDPLAATS_SEARCH = {
        "BACKEND": "search.backends.elasticsearch.ElasticsearchBackend",
        "OPTIONS": {
            "url": os.environ["ELASTICSEARCH_URL"],
            "index_prefix": os.environ.get("ELASTICSEARCH_INDEX_PREFIX", "vindplaats"),
            "username": os.environ.get("ELASTICSEARCH_USERNAME", ""),
            "password": os.environ.get("ELASTICSEARCH_PASSWORD", ""),
            "api_key": os.environ.get("ELASTICSEARCH_API_KEY", ""),
            "ca_certs": os.environ.get("ELASTICSEARCH_CA_CERTS", ""),
            "timeout": float(os.environ.get("ELASTICSEARCH_TIMEOUT", "5")),
            "replicas": int(os.environ.get("ELASTICSEARCH_REPLICAS", "0")),
        },
    }
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# Every rendition of an editor's upload decodes the full image (~4 bytes a
# pixel, plus copies): 16 MP holds a 12 MP photo and keeps that under ~200 MB.
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 16_000_000
WAGTAIL_ALLOW_UNICODE_SLUGS = False

# "Deel jouw initiatief" (submissions): what a member may attach to a story.
# Sizes are checked before a file is read; an image's pixel count from its
# header before the pixels are decoded (decompression bombs are refused).
SUBMISSIONS_MAX_IMAGES = 6
SUBMISSIONS_MAX_DOCUMENTS = 6
SUBMISSIONS_IMAGE_MAX_BYTES = 10 * 1024 * 1024
# Decoded pixels, as for avatars (core.images): 16 MP holds a 12 MP photo or a
# 5K screenshot; a larger JPEG is decoded at reduced scale.
SUBMISSIONS_IMAGE_MAX_PIXELS = 16_000_000
# A PNG or WebP (and the full size of a progressive JPEG counts against the
# limit above) is decoded at full size: 8 MP is a bit more than the largest
# image kept (SUBMISSIONS_IMAGE_MAX_SIDE squared, 5.8 MP).
SUBMISSIONS_IMAGE_MAX_FULL_PIXELS = 8_000_000
# Images are re-encoded (upright, without EXIF/GPS) at most this many pixels
# wide or high: twice the widest the site shows (the 1200-pixel hero).
SUBMISSIONS_IMAGE_MAX_SIDE = 2400
SUBMISSIONS_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
# A .docx/.xlsx/.pptx/.odt is a zip: refused when its members would unpack to
# more than this, or one of them to more than this many times its packed size
# (a zip bomb); see submissions/files.py.
SUBMISSIONS_DOCUMENT_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
SUBMISSIONS_DOCUMENT_MAX_COMPRESSION_RATIO = 100
# Unsent drafts a member may keep at once (each may hold uploaded files).
SUBMISSIONS_MAX_OPEN_DRAFTS = 10
# Initiatives and updates a member may send in per 24 hours (each one emails
# every editor); above it the form answers 429 and keeps the draft.
SUBMISSIONS_SEND_IN_PER_DAY = 5
# Larger requests are refused before they are read (core.middleware): the
# submission form's three image and three document slots, full, plus text.
MAX_REQUEST_BYTES = 3 * (
    SUBMISSIONS_IMAGE_MAX_BYTES + SUBMISSIONS_DOCUMENT_MAX_BYTES
) + (4 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "vindplaats": {
            "handlers": ["console"],
            "level": os.environ.get("LOG_LEVEL", "INFO"),
            "propagate": False,
        },
    },
}
