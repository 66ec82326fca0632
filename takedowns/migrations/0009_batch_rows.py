# Reserved for: bulk filing's per-row evidence and failures. Operations are filled in by the change that needs them.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('takedowns', '0008_queue_views'),
    ]

    operations = []
