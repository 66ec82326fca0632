# Reserved for: the reviewer queue's saved views and assignment. Operations are filled in by the change that needs them.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('takedowns', '0007_test_purchases_image_hashes'),
    ]

    operations = []
