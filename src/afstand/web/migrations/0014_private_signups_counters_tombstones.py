"""Privacy under database internals (review pgpriv, F1/F4/F5/F8):

* a sign-up has no date of its own: the rows kept so far get one date, the latest among them
  (the last flush wrote them all on or after it; retention counts from it);
* counters get random keys (a sequence said in which order each count first happened);
* tombstones become a keyed hash of the withdrawal hash (they equalled the deleted row's hash);
* the per-withdrawal audit rows go (their physical place among timed rows dated them);
* the rate-limit table of the respondents' limits is emptied (its keys named their window in clear;
  those limits now count in files outside the database: afstand.web.ratelimit).
"""

import hashlib
import hmac

from django.conf import settings
from django.db import migrations, models
from django.db.models import Max

import afstand.web.models


def forward(apps, schema_editor):
    SignUp, Counter, Withdrawn, AuditEvent = (apps.get_model("afstand", m) for m in ("SignUp", "Counter", "Withdrawn", "AuditEvent"))
    latest = SignUp.objects.aggregate(latest=Max("signed_up_on"))["latest"]
    if latest is not None:
        SignUp.objects.update(signed_up_on=latest)
    for pk in list(Counter.objects.values_list("pk", flat=True)):
        Counter.objects.filter(pk=pk).update(id=afstand.web.models.random_key())
    for old in list(Withdrawn.objects.values_list("withdrawal_hash", flat=True)):
        new = hmac.new(settings.SECRET_KEY.encode(), b"withdrawn:" + old.encode(), hashlib.sha256).hexdigest()
        Withdrawn.objects.get_or_create(withdrawal_hash=new)
        Withdrawn.objects.filter(withdrawal_hash=old).delete()
    AuditEvent.objects.filter(action="withdrawal").delete()
    connection = schema_editor.connection
    if "afstand_limits" in connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name('afstand_limits')}")


class Migration(migrations.Migration):
    dependencies = [
        ("afstand", "0013_signups_and_drafts_per_wave"),
    ]

    operations = [
        migrations.AlterField(
            model_name="counter",
            name="id",
            field=models.BigIntegerField(default=afstand.web.models.random_key, editable=False, primary_key=True, serialize=False),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
