"""allauth phrases the site words differently.

allauth's Dutch catalogue says "Aanmelden" for signing in, which Dutch
readers also take for signing up. Listing the msgids here keeps them in our
catalogue (LOCALE_PATHS wins over allauth's), where they read "Inloggen" and
"Uitloggen" like the header.
"""

from django.utils.translation import gettext_noop

OVERRIDDEN = [
    gettext_noop("Sign In"),
    gettext_noop("Sign Out"),
    gettext_noop("You have signed out."),
]
