"""Sign-ups and drafts belong to a wave, like responses.

A sign-up already stored goes to the study's wave when the study has only one (one UPDATE per
study, in this migration's one transaction: every row changed keeps sharing one transaction id,
and the rows keep their random order); with several waves it cannot be placed and stays without
a wave (listed under "all waves" only). A draft already stored stays without a wave (its wave is
inside its encrypted state, which only its respondent's link can open); it expires by its date
as before."""

import django.db.models.deletion
from django.db import migrations, models


def place_signups(apps, schema_editor):
    SignUp = apps.get_model("afstand", "SignUp")
    Wave = apps.get_model("afstand", "Wave")
    for study_id in SignUp.objects.filter(wave__isnull=True).values_list("study_id", flat=True).distinct():
        waves = list(Wave.objects.filter(study_id=study_id)[:2])
        if len(waves) == 1:
            SignUp.objects.filter(study_id=study_id, wave__isnull=True).update(wave=waves[0])


class Migration(migrations.Migration):
    dependencies = [("afstand", "0012_choice_codes")]

    operations = [
        migrations.AddField(
            model_name="signup",
            name="wave",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="signups", to="afstand.wave"
            ),
        ),
        migrations.RunPython(place_signups, migrations.RunPython.noop),
        migrations.AddField(
            model_name="draft",
            name="wave",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="afstand.wave"
            ),
        ),
    ]
