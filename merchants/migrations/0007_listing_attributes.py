# Listing attributes sent by the marketplace (brand, model, condition, colour …), captured with each claim.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("merchants", "0006_identifiers_networks_listing_images"),
    ]

    operations = [
        migrations.AddField(
            model_name="listing",
            name="attributes",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
