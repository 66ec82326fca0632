# The listing as captured when a claim is filed: its fields, attributes and the photos it pins.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("merchants", "0007_listing_attributes"),
        ("takedowns", "0009_batch_rows"),
    ]

    operations = [
        migrations.CreateModel(
            name="ListingCapture",
            fields=[
                (
                    "claim",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="listing_capture",
                        serialize=False,
                        to="takedowns.claim",
                    ),
                ),
                ("captured_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("platform_ref", models.CharField(max_length=100)),
                ("url", models.URLField(max_length=500)),
                ("title", models.CharField(max_length=300)),
                ("price", models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True)),
                ("currency", models.CharField(blank=True, max_length=3)),
                ("seller_name", models.CharField(max_length=200)),
                ("seller_ref", models.CharField(max_length=100)),
                ("attributes", models.JSONField(blank=True, default=dict)),
            ],
        ),
        migrations.CreateModel(
            name="ListingCaptureImage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField()),
                (
                    "capture",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="images",
                        to="takedowns.listingcapture",
                    ),
                ),
                (
                    "image",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="merchants.listingimage",
                    ),
                ),
            ],
            options={
                "ordering": ["position"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("capture", "position"), name="capture_image_position_once"
                    )
                ],
            },
        ),
    ]
