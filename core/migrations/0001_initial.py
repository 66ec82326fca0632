"""The outbox and the audit trail join the foundation app. Their tables existed as takedowns_notice,
takedowns_noticeattempt and takedowns_auditevent: the models are created in the state only, over those
tables, which are then renamed. Rows are kept as they are (see takedowns 0003 for the dropped FK
constraints: these tables refer to claims, brands and merchants by plain ids)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor):
    """Keep the moved models' content types (and the permissions and admin log entries that point at them)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("notice", "noticeattempt", "auditevent"):
        if not ContentType.objects.filter(app_label="core", model=model).exists():
            ContentType.objects.filter(app_label="takedowns", model=model).update(app_label="core")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("takedowns", "0003_move_records_out"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Notice',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('channel', models.CharField(choices=[('email', 'E-mail'), ('webhook', 'Platform webhook'), ('tdb', 'DSA Transparency Database')], max_length=10)),
                        ('kind', models.CharField(max_length=50)),
                        ('recipient', models.CharField(blank=True, max_length=500)),
                        ('language', models.CharField(default='en', max_length=10)),
                        ('payload', models.JSONField(default=dict)),
                        ('idempotency_key', models.CharField(max_length=200, unique=True)),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('sending', 'Sending'), ('sent', 'Sent'), ('failed', 'Failed')], default='pending', max_length=10)),
                        ('attempts', models.PositiveIntegerField(default=0)),
                        ('last_error', models.TextField(blank=True)),
                        ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('lease_until', models.DateTimeField(blank=True, null=True)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('claim_id', models.BigIntegerField(blank=True, db_index=True, null=True)),
                        ('merchant_id', models.BigIntegerField(blank=True, db_index=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['status', 'next_attempt_at'], name='notice_sweep_idx')],
                        'db_table': 'takedowns_notice',
                    },
                ),
                migrations.CreateModel(
                    name='NoticeAttempt',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('started_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('ok', models.BooleanField(default=False)),
                        ('status_code', models.PositiveIntegerField(blank=True, null=True)),
                        ('error', models.TextField(blank=True)),
                        ('duration_ms', models.PositiveIntegerField(default=0)),
                        ('notice', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='delivery_attempts', to='core.notice')),
                    ],
                    options={
                        'ordering': ['started_at'],
                        'db_table': 'takedowns_noticeattempt',
                    },
                ),
                migrations.CreateModel(
                    name='AuditEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(max_length=50)),
                        ('actor_label', models.CharField(max_length=150)),
                        ('object_type', models.CharField(max_length=50)),
                        ('object_id', models.CharField(max_length=50)),
                        ('brand_id', models.BigIntegerField(blank=True, db_index=True, null=True)),
                        ('merchant_id', models.BigIntegerField(blank=True, db_index=True, null=True)),
                        ('claim_id', models.BigIntegerField(blank=True, db_index=True, null=True)),
                        ('note', models.TextField(blank=True)),
                        ('data', models.JSONField(blank=True, default=dict)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['-created_at', '-pk'],
                        'indexes': [models.Index(fields=['created_at'], name='audit_created_idx')],
                        'db_table': 'takedowns_auditevent',
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name='notice', table=None),
        migrations.AlterModelTable(name='noticeattempt', table=None),
        migrations.AlterModelTable(name='auditevent', table=None),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
