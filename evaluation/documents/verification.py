"""Tokens printed in a certificate's QR code, opening its public verification page.

A token is the certificate's id and a keyed hash of it (``12-3fa9c0d2e1b4``): short
enough for a small QR code, and not guessable from another certificate's token.
"""

import hashlib
import hmac

from django.conf import settings
from django.urls import reverse

TOKEN_SALT = b"ocop.certificate.verify"


def _digest(pk):
    key = hashlib.sha256(TOKEN_SALT + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, str(pk).encode(), hashlib.sha256).hexdigest()[:12]


def certificate_token(certificate):
    return f"{certificate.pk}-{_digest(certificate.pk)}"


def certificate_id_from_token(token):
    """The certificate id a token stands for, or None if the token is not ours."""
    pk, _, digest = token.partition("-")
    if not pk.isdigit() or not hmac.compare_digest(digest, _digest(int(pk))):
        return None
    return int(pk)


def verification_url(certificate):
    path = reverse("ocop:verify", args=[certificate_token(certificate)])
    return settings.OCOP_PUBLIC_BASE_URL.rstrip("/") + path
