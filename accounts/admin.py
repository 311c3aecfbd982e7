"""Django's own admin (/django-admin/) lists users by name and address, not
by their login username (members' usernames are random handles that are
not to be shown); the username stays searchable and on the change form."""

from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model

User = get_user_model()

# Importing Django's auth admin registers its UserAdmin first.
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    list_display = ("__str__", "email", "is_staff", "is_active", "last_login")
    list_display_links = ("__str__",)
    ordering = ("last_name", "first_name")
