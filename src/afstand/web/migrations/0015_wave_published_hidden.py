from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("afstand", "0012_choice_codes")]

    operations = [
        migrations.AddField(model_name="wave", name="published_hidden", field=models.JSONField(blank=True, default=dict)),
    ]
