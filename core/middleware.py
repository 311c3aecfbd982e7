"""Security headers that Django itself does not set.

Both middlewares sit above the anonymous page cache (core.cache) in
settings.MIDDLEWARE, so a page served from the cache gets the headers of the
current settings, not the ones it was stored with.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config

from django.conf import settings
from django.http import HttpResponse
from django.template import loader


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp, with a looser policy for the editors' admin.

    The public site gets settings.CONTENT_SECURITY_POLICY. Paths under
    settings.ADMIN_CONTENT_SECURITY_POLICY["URL_PREFIXES"] (Wagtail's and
    Django's admin) get that setting's DIRECTIVES instead: their templates
    still contain inline scripts and style attributes.

    Wagtail renders a page preview by sending a dummy request for the page's
    own URL through the middleware (`request.is_dummy`); that response is shown
    at the admin's preview URL, so the admin request's policy is the one that
    counts, and the dummy one gets none.
    """

    def process_response(self, request, response):
        if getattr(request, "is_dummy", False):
            return response
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        admin = getattr(settings, "ADMIN_CONTENT_SECURITY_POLICY", None)
        if (
            admin
            and not report_only
            # A view's own @csp decorator still wins.
            and parts.config is None
            and request.path_info.startswith(tuple(admin["URL_PREFIXES"]))
        ):
            parts.config = default_config(admin["DIRECTIVES"])
        return parts


class PermissionsPolicyMiddleware:
    """Send settings.PERMISSIONS_POLICY as the Permissions-Policy header.

    The setting maps a browser feature to the origins allowed to use it; an
    empty list switches the feature off for the site and anything it embeds.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", {})
        if policy:
            response.headers.setdefault(
                "Permissions-Policy",
                ", ".join(
                    f"{feature}=({' '.join(origins)})"
                    for feature, origins in policy.items()
                ),
            )
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request larger than settings.MAX_REQUEST_BYTES before its body
    is read, with a Dutch page (413).

    Django limits form fields in memory (DATA_UPLOAD_MAX_MEMORY_SIZE) but
    streams any size of file upload to disk before a form can look at it. The
    limit is what the largest honest form needs (the submission form's upload
    slots, full); a file too large within it still gets its own message on the
    form, with everything typed kept. Nothing here reads the body, so this
    sits before any middleware or view that does (CSRF's process_view).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            page = loader.get_template("413.html").render(
                {"limit_mb": settings.MAX_REQUEST_BYTES // 2**20}
            )
            return HttpResponse(page, status=413)
        return self.get_response(request)
