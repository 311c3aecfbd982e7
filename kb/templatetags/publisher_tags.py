"""The publisher of the site, as settings.VINDPLAATS_PUBLISHER names it."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def publisher():
    """{"name", "address", "email", "kvk"} of who publishes Vindplaats."""
    details = settings.VINDPLAATS_PUBLISHER
    return {
        "name": details["NAME"],
        "address": details["ADDRESS"],
        "email": details["EMAIL"],
        "kvk": details["KVK"],
    }
