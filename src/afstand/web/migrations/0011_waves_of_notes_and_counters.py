"""Focus-group notes and the declined/withdrawn counters belong to a wave, like responses.

The notes already stored go to the wave whose fieldwork dates hold their upload day, else to the
newest wave created on or before it, else to the study's first wave; a session's name is unique
within its wave. A counter already kept goes to the study's wave when it has only one; with
several waves it cannot be split and stays without a wave (counted under "all waves" only)."""

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


def place_counters(apps, schema_editor):
    Counter = apps.get_model("afstand", "Counter")
    Wave = apps.get_model("afstand", "Wave")
    for counter in Counter.objects.filter(wave__isnull=True):
        waves = list(Wave.objects.filter(study_id=counter.study_id)[:2])
        if len(waves) == 1:
            counter.wave = waves[0]
            counter.save(update_fields=["wave"])


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
        migrations.AddField(
            model_name="counter",
            name="wave",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to="afstand.wave"),
        ),
        migrations.AlterUniqueTogether(name="counter", unique_together={("study", "wave", "instrument", "kind")}),
        migrations.RunPython(place_counters, migrations.RunPython.noop),
    ]
