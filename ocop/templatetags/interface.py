"""Template helpers of the interface itself."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def interface_languages():
    """(code, name) of each language, named in its own tongue as settings name it,
    not translated into the page's language."""
    return settings.LANGUAGES
