"""Certificates recorded by hand from paper, the grounds and decision of a
revocation, and the day a dossier was filed.

Dossiers submitted before ``filed_on`` existed take the day their commune received
them: the first submission's day, unless a return at the commune moved it later.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def fill_filed_on(apps, schema_editor):
    Dossier = apps.get_model("evaluation", "Dossier")
    Dossier.objects.filter(received_on__isnull=False, filed_on__isnull=True).update(
        filed_on=F("received_on")
    )


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0003_evaluation_rejection'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='certificate',
            name='is_recorded_by_hand',
            field=models.BooleanField(default=False, verbose_name='ghi nhận từ giấy cấp trước khi có phần mềm'),
        ),
        migrations.AddField(
            model_name='certificate',
            name='recorded_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='ghi nhận lúc'),
        ),
        migrations.AddField(
            model_name='certificate',
            name='recorded_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='người ghi nhận'),
        ),
        migrations.AddField(
            model_name='certificate',
            name='revocation_decision_date',
            field=models.DateField(blank=True, null=True, verbose_name='ngày quyết định thu hồi'),
        ),
        migrations.AddField(
            model_name='certificate',
            name='revocation_decision_number',
            field=models.CharField(blank=True, max_length=100, verbose_name='số quyết định thu hồi'),
        ),
        migrations.AddField(
            model_name='certificate',
            name='revocation_found_on',
            field=models.DateField(blank=True, null=True, verbose_name='ngày phát hiện vi phạm'),
        ),
        migrations.AddField(
            model_name='certificate',
            name='revocation_ground',
            field=models.CharField(blank=True, choices=[('forged_dossier', 'Hồ sơ đánh giá giả mạo'), ('criteria_not_met', 'Không còn đáp ứng tiêu chí sau khi kiểm tra'), ('law_violation', 'Vi phạm pháp luật về chất lượng, an toàn thực phẩm, ghi nhãn hoặc sở hữu trí tuệ'), ('mark_misuse', 'Sử dụng sai biểu trưng OCOP'), ('production_stopped', 'Ngừng sản xuất sản phẩm')], max_length=30, verbose_name='căn cứ thu hồi'),
        ),
        migrations.AddField(
            model_name='dossier',
            name='filed_on',
            field=models.DateField(blank=True, null=True, verbose_name='ngày nộp hồ sơ'),
        ),
        migrations.AlterField(
            model_name='certificate',
            name='rulebook',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='evaluation.rulebook', verbose_name='quy định'),
        ),
        migrations.AlterField(
            model_name='certificate',
            name='tier',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='evaluation.tier', verbose_name='cấp công nhận'),
        ),
        migrations.RunPython(fill_filed_on, migrations.RunPython.noop),
    ]
