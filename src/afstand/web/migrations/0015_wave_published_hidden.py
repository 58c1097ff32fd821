from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("afstand", "0014_private_signups_counters_tombstones")]

    operations = [
        migrations.AddField(model_name="wave", name="published_hidden", field=models.JSONField(blank=True, default=dict)),
    ]
