"""The score summary of a district council's round is that district's document too:
its officers may see and download it. Summaries made before carry no district; they
get their round's.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def give_summaries_their_district(apps, schema_editor):
    Document = apps.get_model("ocop", "Document")
    Round = apps.get_model("evaluation", "Round")
    district = Round.objects.filter(pk=OuterRef("round_id")).values("district_id")
    Document.objects.filter(
        kind="round_summary", district=None, round__district__isnull=False
    ).update(district_id=Subquery(district[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0002_certificate_verification_code"),
        ("ocop", "0007_document_versions_and_subjects"),
    ]

    operations = [
        migrations.RunPython(
            give_summaries_their_district, migrations.RunPython.noop, elidable=True
        ),
    ]
