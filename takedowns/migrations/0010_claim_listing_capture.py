# Reserved for: the listing as captured when a claim is filed. Operations are filled in by the change that needs them.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('takedowns', '0009_batch_rows'),
    ]

    operations = []
