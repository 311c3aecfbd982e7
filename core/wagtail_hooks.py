"""Admin-wide display rules of the project (see core/admin_display.py)."""

import django_filters
from wagtail.admin.active_filters import register_filter_adapter_class
from wagtail.admin.ui.fields import register_display_class

from django.db import models

from .admin_display import YesNoDisplay, YesNoFilterAdapter

register_display_class(models.BooleanField, display_class=YesNoDisplay)
register_filter_adapter_class(django_filters.BooleanFilter, YesNoFilterAdapter)
