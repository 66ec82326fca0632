# Reserved for: listing attributes sent by the marketplace. Operations are filled in by the change that needs them.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('merchants', '0006_identifiers_networks_listing_images'),
    ]

    operations = []
