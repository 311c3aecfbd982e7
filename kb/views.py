from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from core.site_url import links_for, site_url
from search.backends import get_backend


def server_error(request):
    """Render 500.html without a request context: the failure may lie there."""
    return HttpResponseServerError(loader.get_template("500.html").render())


FAVICON = "img/favicon.ico"


def favicon(request):
    """/favicon.ico, which browsers ask for whatever the page links: the
    icon from the static files (pages link the SVG too, templates/includes/
    icons.html; scripts/make_favicons.py draws the ICO)."""
    path = finders.find(FAVICON)
    if path is None:
        raise Http404
    with open(path, "rb") as icon:
        response = HttpResponse(icon.read(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def page_not_found_preview(request):
    """Lets developers look at the 404 page (settings.DEV_URLS)."""
    return render(request, "404.html", status=404)


def server_error_preview(request):
    return server_error(request)


def may_see_health_details(request):
    """Staff, or monitoring with "Authorization: Bearer <settings.HEALTH_TOKEN>"."""
    if request.user.is_authenticated and request.user.is_staff:
        return True
    token = settings.HEALTH_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return (
        bool(token)
        and scheme.lower() == "bearer"
        and constant_time_compare(given.strip(), token)
    )


def health(request):
    """Database and search status for load balancers and monitoring.

    200 while the site can serve pages (search may be "degraded": the database
    answers searches when Elasticsearch is down); 503 when the database is down.
    Anyone gets the status; the details (database vendor, search backend,
    queue length, error messages) only staff and holders of HEALTH_TOKEN.
    """
    report = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        report["database"] = {"status": "ok", "vendor": connection.vendor}
    except DatabaseError as error:
        report["database"] = {"status": "unavailable", "error": str(error)}
    backend = get_backend()
    try:
        report["search"] = {"backend": type(backend).__name__, **backend.health()}
    except Exception as error:  # a health check reports; it never fails itself
        report["search"] = {
            "backend": type(backend).__name__,
            "status": "unavailable",
            "error": str(error),
        }
    if report["database"]["status"] != "ok":
        status = "unavailable"
    elif report["search"]["status"] != "ok":
        status = "degraded"
    else:
        status = "ok"
    body = {"status": status}
    if may_see_health_details(request):
        body.update(report)
    response = JsonResponse(body, status=503 if status == "unavailable" else 200)
    response["Cache-Control"] = "no-store"
    response["Vary"] = "Authorization, Cookie"
    return response


ROBOTS_DISALLOW = [
    "/admin/",
    "/django-admin/",
    "/account/",
    "/leden/account/",
    "/meldingen/",
    "/mijn-initiatieven/",
    "/deel-jouw-initiatief/",
]


def robots_txt(request):
    """Keep crawlers out of the admin and members' pages; point at the sitemap."""
    lines = ["User-agent: *"]
    lines += [f"Disallow: {path}" for path in ROBOTS_DISALLOW]
    with links_for(request):
        lines += ["", f"Sitemap: {site_url(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
