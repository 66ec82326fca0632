"""The round-2 layout: the outbox and the audit trail move to `core`, exports to `reports`, and strikes
come here from `merchants`. Data stays where it is:

1. The outbox's and the audit trail's foreign keys to claims, brands and merchants lose their database
   constraints (the columns and their values stay): `core` refers to them by plain ids, and a history
   row must not change when the row it speaks of does.
2. Notice, NoticeAttempt, AuditEvent and Export leave this app's state; `core` 0001 and `reports` 0001
   take the same tables over and rename them.
3. Strike enters this app's state over `merchants_strike` (merchants 0004 let it go), then the table is
   renamed to `takedowns_strike`.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor):
    """Keep the moved models' content types (and the permissions and admin log entries that point at them)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("strike",):
        if not ContentType.objects.filter(app_label="takedowns", model=model).exists():
            ContentType.objects.filter(app_label="merchants", model=model).update(app_label="takedowns")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("brands", "0002_language"),
        ("merchants", "0004_strike_moves_to_takedowns"),
        ("takedowns", "0002_batch_updated_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="notice",
            name="claim",
            field=models.ForeignKey(
                blank=True, null=True, db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+", to="takedowns.claim",
            ),
        ),
        migrations.AlterField(
            model_name="notice",
            name="merchant",
            field=models.ForeignKey(
                blank=True, null=True, db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+", to="merchants.merchant",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="brand",
            field=models.ForeignKey(
                blank=True, null=True, db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+", to="brands.brand",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="merchant",
            field=models.ForeignKey(
                blank=True, null=True, db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+", to="merchants.merchant",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="claim",
            field=models.ForeignKey(
                blank=True, null=True, db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+", to="takedowns.claim",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="NoticeAttempt"),
                migrations.DeleteModel(name="Notice"),
                migrations.DeleteModel(name="AuditEvent"),
                migrations.DeleteModel(name="Export"),
                migrations.CreateModel(
                    name="Strike",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("issued_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("expires_at", models.DateTimeField()),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        ("revoked_reason", models.CharField(blank=True, max_length=200)),
                        (
                            "claim",
                            models.OneToOneField(
                                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                related_name="strike", to="takedowns.claim",
                            ),
                        ),
                        (
                            "merchant",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="strikes",
                                to="merchants.merchant",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-issued_at"],
                        "indexes": [
                            models.Index(fields=["merchant", "revoked_at", "expires_at"], name="strike_active_idx")
                        ],
                        "db_table": "merchants_strike",
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="strike", table=None),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
