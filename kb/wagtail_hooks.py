"""Admin-wide display rules of the project (see kb/admin_display.py)."""

from wagtail.admin.ui.fields import register_display_class

from django.db import models

from .admin_display import YesNoDisplay

register_display_class(models.BooleanField, display_class=YesNoDisplay)
