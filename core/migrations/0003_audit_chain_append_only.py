"""Append-only history: each row gets the hash of the row before it (existing rows are chained in the order
they were written), then PostgreSQL refuses any UPDATE or DELETE of a row."""

import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models

from core.chain import GENESIS, link_hash

# The fields the chain vouches for, as the model declared them when this migration was written.
CHAINED = ("action", "actor_id", "actor_label", "object_type", "object_id", "brand_id", "merchant_id", "claim_id", "note", "data", "created_at")


def chain_existing_rows(apps, schema_editor):
    Model = apps.get_model("core", "AuditEvent")
    previous = {}
    for row in Model.objects.order_by(*("pk",)).iterator(chunk_size=2000):
        chain = None
        prev_hash = previous.get(chain, GENESIS)
        fields = {name: getattr(row, name) for name in CHAINED}
        row_hash = link_hash(prev_hash, fields)
        Model.objects.filter(pk=row.pk).update(prev_hash=prev_hash, hash=row_hash)
        previous[chain] = row_hash


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_drop_plain_text_api_tokens'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(default='', editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='prev_hash',
            field=models.CharField(default='', editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
        pgtrigger.migrations.AddTrigger(
            model_name='auditevent',
            trigger=pgtrigger.compiler.Trigger(name='audit_event_append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='e4cfff33d8be10ebd5ea593824f28c150ec738ea', operation='UPDATE OR DELETE', pgid='pgtrigger_audit_event_append_only_755ce', table='core_auditevent', when='BEFORE')),
        ),
    ]
