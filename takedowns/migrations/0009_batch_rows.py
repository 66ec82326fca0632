# Bulk filing's per-row evidence: the ZIP named by the file's `evidence` column is kept with the batch until
# its rows are filed (failures stay in `errors`, as codes with parameters).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("takedowns", "0008_queue_views"),
    ]

    operations = [
        migrations.AddField(
            model_name="claimbatch",
            name="evidence_archive",
            field=models.FileField(blank=True, upload_to="batches/%Y/%m/"),
        ),
    ]
