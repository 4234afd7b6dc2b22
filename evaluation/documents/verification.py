"""Tokens printed in a certificate's QR code, opening its public verification page.

A token is the certificate's id and a keyed hash of it (``12-3fa9c0d2e1b4``): short
enough for a small QR code, and not guessable from another certificate's token. A
product token (``sp12-…``) opens the product's latest certificate, for a QR code
printed on the package that stays right when the certificate is renewed.
"""

import hashlib
import hmac

from django.conf import settings
from django.urls import reverse

TOKEN_SALT = b"ocop.certificate.verify"


PRODUCT_PREFIX = "sp"


def _digest(value):
    key = hashlib.sha256(TOKEN_SALT + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, str(value).encode(), hashlib.sha256).hexdigest()[:12]


def certificate_token(certificate):
    return f"{certificate.pk}-{_digest(certificate.pk)}"


def product_token(product):
    value = f"{PRODUCT_PREFIX}{product.pk}"
    return f"{value}-{_digest(value)}"


def parse_token(token):
    """``("certificate", id)`` or ``("product", id)``, or None if not our token."""
    value, _, digest = token.partition("-")
    if not hmac.compare_digest(digest, _digest(value)):
        return None
    if value.isdigit():
        return "certificate", int(value)
    number = value.removeprefix(PRODUCT_PREFIX)
    if value.startswith(PRODUCT_PREFIX) and number.isdigit():
        return "product", int(number)
    return None


def certificate_id_from_token(token):
    """The certificate id a certificate token stands for, or None."""
    parsed = parse_token(token)
    return parsed[1] if parsed and parsed[0] == "certificate" else None


def verification_url(certificate):
    path = reverse("ocop:verify", args=[certificate_token(certificate)])
    return settings.OCOP_PUBLIC_BASE_URL.rstrip("/") + path
