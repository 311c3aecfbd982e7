"""Security headers that Django itself does not set.

Both middlewares sit above the anonymous page cache (kb.cache) in
settings.MIDDLEWARE, so a page served from the cache gets the headers of the
current settings, not the ones it was stored with.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config

from django.conf import settings


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
