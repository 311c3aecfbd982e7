import posixpath
import re

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.views.account import LoginView as WagtailLoginView
from wagtail.documents import urls as wagtaildocs_urls

from django.conf import settings
from django.contrib import admin
from django.http import Http404
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve as serve_media

from . import views
from .admin_login import DjangoAdminLoginForm, rate_limited
from .sitemaps import sitemap

# The admin logins are rate limited (kb/admin_login.py); Wagtail's uses the
# form in settings.WAGTAILADMIN_USER_LOGIN_FORM.
admin.site.login_form = DjangoAdminLoginForm

urlpatterns = [
    path("django-admin/login/", rate_limited(admin.site.login)),
    # Django's admin login links to allauth's password reset as well (it shows
    # the link when this name exists); before the admin's own URLs, which end
    # in a catch-all.
    path(
        "django-admin/password_reset/",
        RedirectView.as_view(pattern_name="account_reset_password"),
        name="admin_password_reset",
    ),
    path("django-admin/", admin.site.urls),
    path(
        "admin/login/",
        rate_limited(WagtailLoginView.as_view()),
        name="wagtailadmin_login",
    ),
    # One password reset for everyone: allauth's (rate limited, with a
    # honeypot, through the outbox, the same answer for any address). Wagtail's
    # own reset pages, which mailed directly and told who has an account, lead
    # to allauth's form; so does its "Forgotten password?" link.
    re_path(
        r"^admin/password_reset/",
        RedirectView.as_view(pattern_name="account_reset_password"),
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documenten/", include(wagtaildocs_urls)),
    path("health/", views.health, name="health"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("account/", include("allauth.urls")),
    path("leden/", include("accounts.urls")),
    path("community/", include("community.urls")),
    path("meldingen/", include("notifications.urls")),
    path("", include("submissions.urls")),
    path("", include("editorial.urls")),
    path("", include("explore.urls")),
]

# Development only, with settings.DEV_URLS (kb.settings.dev; `make run` serves
# with DEBUG off, so the site's own error pages show, docs/development.md). In
# production the web server serves MEDIA_ROOT, and must likewise leave these
# folders out: documents are served through Wagtail's view at /documenten/
# only, which checks who may see them (collections, submissions.wagtail_hooks);
# files members attached to a draft only through the form's own view
# (submissions.views).
PRIVATE_MEDIA = ("documents/", "submissions/")


def dev_media(request, path, document_root=None, show_indexes=False):
    """Django's static serve for MEDIA, without PRIVATE_MEDIA."""
    if posixpath.normpath(path).lstrip("/").startswith(PRIVATE_MEDIA):
        raise Http404
    return serve_media(request, path, document_root=document_root)


if settings.DEV_URLS:
    media_prefix = re.escape(settings.MEDIA_URL.lstrip("/"))
    urlpatterns += [
        re_path(
            rf"^{media_prefix}(?P<path>.*)$",
            dev_media,
            {"document_root": settings.MEDIA_ROOT},
        ),
        path("404/", views.page_not_found_preview),
        path("500/", views.server_error_preview),
    ]

urlpatterns += [path("", include(wagtail_urls))]

handler500 = "kb.views.server_error"
