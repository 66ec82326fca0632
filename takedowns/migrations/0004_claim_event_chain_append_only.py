"""Append-only history: each row gets the hash of the row before it (existing rows are chained in the order
they were written), then PostgreSQL refuses any UPDATE or DELETE of a row."""

import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models

from core.chain import GENESIS, link_hash

# The fields the chain vouches for, as the model declared them when this migration was written.
CHAINED = ("claim_id", "transition", "from_state", "to_state", "actor_id", "actor_label", "note", "reason", "created_at")


def chain_existing_rows(apps, schema_editor):
    Model = apps.get_model("takedowns", "ClaimEvent")
    previous = {}
    for row in Model.objects.order_by(*("claim_id", "pk")).iterator(chunk_size=2000):
        chain = row.claim_id
        prev_hash = previous.get(chain, GENESIS)
        fields = {name: getattr(row, name) for name in CHAINED}
        row_hash = link_hash(prev_hash, fields)
        Model.objects.filter(pk=row.pk).update(prev_hash=prev_hash, hash=row_hash)
        previous[chain] = row_hash


class Migration(migrations.Migration):

    dependencies = [
        ('takedowns', '0003_move_records_out'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='claimevent',
            name='hash',
            field=models.CharField(default='', editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='claimevent',
            name='prev_hash',
            field=models.CharField(default='', editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name='claimevent',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='claimevent',
            name='claim',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='takedowns.claim'),
        ),
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
        pgtrigger.migrations.AddTrigger(
            model_name='claimevent',
            trigger=pgtrigger.compiler.Trigger(name='claim_event_append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='39cfbbd6a1d6a1e1ec79ab11d3082aefc3228e89', operation='UPDATE OR DELETE', pgid='pgtrigger_claim_event_append_only_a07b0', table='takedowns_claimevent', when='BEFORE')),
        ),
    ]
