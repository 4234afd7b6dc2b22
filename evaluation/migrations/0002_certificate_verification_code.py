"""Each certificate gets a verification code of its own, printed in its QR code.

Certificates issued before this were printed with a keyed hash of their id under the
SECRET_KEY of the day (``12-3fa9c0d2e1b4``): that token becomes their code, so the QR
codes already printed keep answering even if the key changes later.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import migrations, models

import evaluation.documents.verification

TOKEN_SALT = b"ocop.certificate.verify"


def printed_token(pk):
    """The token printed before codes were stored (kept here as it was then)."""
    key = hashlib.sha256(TOKEN_SALT + settings.SECRET_KEY.encode()).digest()
    digest = hmac.new(key, str(pk).encode(), hashlib.sha256).hexdigest()[:12]
    return f"{pk}-{digest}"


def fill_codes(apps, schema_editor):
    Certificate = apps.get_model("evaluation", "Certificate")
    certificates = list(Certificate.objects.only("pk"))
    for certificate in certificates:
        certificate.verification_code = printed_token(certificate.pk)
    Certificate.objects.bulk_update(certificates, ["verification_code"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="verification_code",
            field=models.CharField(max_length=40, null=True, editable=False),
        ),
        migrations.RunPython(fill_codes, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="certificate",
            name="verification_code",
            field=models.CharField(
                default=evaluation.documents.verification.new_verification_code,
                editable=False,
                max_length=40,
                unique=True,
                verbose_name="mã xác minh",
            ),
        ),
    ]
