"""Loading the configured search backend, the way Django loads cache backends.

settings.VINDPLAATS_SEARCH = {"BACKEND": "dotted.path.Class", "OPTIONS": {...}}
"""

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

DEFAULT = {"BACKEND": "search.backends.database.DatabaseBackend", "OPTIONS": {}}
_backend = None


def get_backend():
    """The configured backend, created once per process."""
    global _backend
    if _backend is None:
        config = getattr(settings, "VINDPLAATS_SEARCH", DEFAULT)
        _backend = import_string(config["BACKEND"])(**config.get("OPTIONS", {}))
    return _backend


@receiver(setting_changed)
def _forget_backend(*, setting, **kwargs):
    global _backend
    if setting == "VINDPLAATS_SEARCH":
        _backend = None
