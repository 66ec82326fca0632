"""Exports join the reports app: created in the state over the existing takedowns_export table, which is
then renamed; rows are kept."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor):
    """Keep the moved models' content types (and the permissions and admin log entries that point at them)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("export",):
        if not ContentType.objects.filter(app_label="reports", model=model).exists():
            ContentType.objects.filter(app_label="takedowns", model=model).update(app_label="reports")


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
                    name='Export',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('format', models.CharField(max_length=20)),
                        ('params', models.JSONField(default=dict)),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='pending', max_length=10)),
                        ('progress', models.PositiveSmallIntegerField(default=0)),
                        ('file', models.FileField(blank=True, upload_to='exports/%Y/%m/')),
                        ('filename', models.CharField(blank=True, max_length=200)),
                        ('error', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('expires_at', models.DateTimeField(blank=True, null=True)),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='exports', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['-created_at'],
                        'db_table': 'takedowns_export',
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name='export', table=None),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
