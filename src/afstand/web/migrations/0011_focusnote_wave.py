"""Focus-group notes belong to a wave, like responses: the notes already stored go to the wave
whose fieldwork dates hold their upload day, else to the newest wave created on or before it,
else to the study's first wave. A session's name is unique within its wave."""

import django.db.models.deletion
from django.db import migrations, models


def place_notes(apps, schema_editor):
    FocusNote = apps.get_model("afstand", "FocusNote")
    Wave = apps.get_model("afstand", "Wave")
    for note in FocusNote.objects.filter(wave__isnull=True):
        waves = list(Wave.objects.filter(study_id=note.study_id).order_by("id"))
        if not waves:
            continue
        day = note.uploaded_on
        held = [w for w in waves if (w.starts_on or w.ends_on) and (w.starts_on or day) <= day <= (w.ends_on or day)]
        before = [w for w in waves if w.created_on <= day]
        note.wave = held[-1] if held else before[-1] if before else waves[0]
        note.save(update_fields=["wave"])


class Migration(migrations.Migration):
    dependencies = [("afstand", "0010_uploaded_codebook")]

    operations = [
        migrations.AddField(
            model_name="focusnote",
            name="wave",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="focus_notes", to="afstand.wave"
            ),
        ),
        migrations.AlterUniqueTogether(name="focusnote", unique_together={("study", "wave", "guide", "session", "theme")}),
        migrations.RunPython(place_notes, migrations.RunPython.noop),
    ]
