"""Waves: a study's repeated measurements. Every existing version goes into a first wave of its
study (labelled with the study's creation year), and a version id is unique per wave only."""

import django.db.models.deletion
from django.db import migrations, models


def first_waves(apps, schema_editor):
    Study = apps.get_model("afstand", "Study")
    Wave = apps.get_model("afstand", "Wave")
    InstrumentVersion = apps.get_model("afstand", "InstrumentVersion")
    for study in Study.objects.all():
        if not InstrumentVersion.objects.filter(study=study).exists():
            continue
        wave = Wave.objects.create(study=study, label=str(study.created_on.year), targets={})
        InstrumentVersion.objects.filter(study=study).update(wave=wave)


class Migration(migrations.Migration):
    dependencies = [("afstand", "0008_audit_random_keys_declined_limit_caches")]

    operations = [
        migrations.CreateModel(
            name="Wave",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("label", models.SlugField(max_length=40)),
                ("starts_on", models.DateField(blank=True, null=True)),
                ("ends_on", models.DateField(blank=True, null=True)),
                ("targets", models.JSONField(blank=True, default=dict)),
                ("created_on", models.DateField(auto_now_add=True)),
                ("study", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="waves", to="afstand.study")),
            ],
            options={"ordering": ["id"], "unique_together": {("study", "label")}},
        ),
        migrations.AddField(
            model_name="instrumentversion",
            name="wave",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="versions", to="afstand.wave"),
        ),
        migrations.RunPython(first_waves, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="instrumentversion",
            name="wave",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="versions", to="afstand.wave"),
        ),
        migrations.AlterField(model_name="instrumentversion", name="version_id", field=models.CharField(max_length=80)),
        migrations.AddConstraint(
            model_name="instrumentversion",
            constraint=models.UniqueConstraint(fields=("wave", "version_id"), name="version_once_per_wave"),
        ),
    ]
