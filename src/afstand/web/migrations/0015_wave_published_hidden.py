from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("afstand", "0013_signups_and_drafts_per_wave")]

    operations = [
        migrations.AddField(model_name="wave", name="published_hidden", field=models.JSONField(blank=True, default=dict)),
    ]
