"""What a certificate's QR code opens: its public verification page.

Each certificate carries a random code of its own (``Certificate.verification_code``,
16 letters and digits), printed in its QR code as ``/xac-minh/<code>/``. The code is
stored, not derived from ``SECRET_KEY``, so a printed QR code keeps answering when
the key changes. Certificates issued before codes were stored were printed with a
keyed hash of their id (``12-3fa9c0d2e1b4``); a migration made that token their code,
so those printed QR codes answer too, whatever happens to the key afterwards.

A product token (``sp12-…``) opens the product's latest certificate, for a QR code
printed on the package that stays right when the certificate is renewed; it is still
a keyed hash, and nothing prints it yet.
"""

import base64
import hashlib
import hmac
import secrets

from django.conf import settings
from django.urls import reverse

TOKEN_SALT = b"ocop.certificate.verify"
PRODUCT_PREFIX = "sp"
CODE_BYTES = 10


def new_verification_code():
    """16 lower-case letters and digits (80 random bits): unguessable, and easy to
    read out over the phone when the QR code will not scan."""
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode().lower()


def _digest(value):
    key = hashlib.sha256(TOKEN_SALT + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, str(value).encode(), hashlib.sha256).hexdigest()[:12]


def certificate_token(certificate):
    """What the certificate's QR code carries."""
    return certificate.verification_code


def product_token(product):
    value = f"{PRODUCT_PREFIX}{product.pk}"
    return f"{value}-{_digest(value)}"


def product_id_from_token(token):
    """The product id a product token stands for, or None if it is not one."""
    value, _, digest = token.partition("-")
    number = value.removeprefix(PRODUCT_PREFIX)
    if not (value.startswith(PRODUCT_PREFIX) and number.isdigit()):
        return None
    if not hmac.compare_digest(digest, _digest(value)):
        return None
    return int(number)


def verification_url(certificate):
    path = reverse("ocop:verify", args=[certificate_token(certificate)])
    return settings.OCOP_PUBLIC_BASE_URL.rstrip("/") + path
