"""What the web app stores. Anonymity is built into the tables:

* a :class:`Response` holds answers, the immutable instrument version, the recruitment
  channel and the *date* of submission — no IP address, user agent, cookie id or time;
* its primary key is random, so neither the key nor SQLite's rowid reveals the order in
  which responses arrived;
* the withdrawal code is stored only as a SHA-256 hash;
* a :class:`SignUp` (lottery / focus group) lives in its own table with a random key,
  a date only, the wave whose thank-you page it came from (written in batches of at least k per
  wave, :mod:`afstand.services.signup_spool`) and no column that refers to a response or an
  instrument version;
* :class:`Counter` keeps the only trace of declined consents and withdrawals: a number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def random_key() -> int:
    """A random positive 63-bit key: row order says nothing about arrival order."""
    return secrets.randbits(62) + 1


def hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode("utf-8")).hexdigest()


def tombstone_hash(withdrawal_hash: str) -> str:
    """A withdrawn response's tombstone: a keyed hash (the server's secret) of its withdrawal hash,
    so that the tombstone in a newer backup does not equal the response row in an older one."""
    import hmac

    from django.conf import settings

    return hmac.new(settings.SECRET_KEY.encode(), b"withdrawn:" + withdrawal_hash.encode(), hashlib.sha256).hexdigest()


class Study(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    created_on = models.DateField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class Wave(models.Model):
    """One measurement of a repeated study (e.g. the 2021 and the 2022 wave): its own fieldwork
    dates, targets, links and instrument versions. Responses belong to a wave through the version
    (the deployment) they answered."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="waves")
    label = models.SlugField(max_length=40)  # "2021": in links (/s/<study>/m/<label>/<instrument>) and exports
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    targets = models.JSONField(default=dict, blank=True)  # {"werkers": {"total": 150, "whatsapp": 50}, ...}
    created_on = models.DateField(auto_now_add=True)
    # the publication ledger of this wave: {"werkers": {"organisatie": ["ljr", "rn"]}} — groups a report of
    # this wave hid, which every later report and analysis page of it keeps hidden (afstand.analysis.ledger)
    published_hidden = models.JSONField(default=dict, blank=True)

    class Meta:
        unique_together = [("study", "label")]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.study.slug}/{self.label}"


class InstrumentVersion(models.Model):
    """One uploaded XLSForm deployed in one wave. Never changed: a new upload is a new version.

    The same form content in another study or wave is a new deployment (its own row), so a
    wave's responses stay apart; ``version_id`` (the content hash) is unique within a wave."""

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="versions")
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="versions")
    name = models.SlugField()  # the instrument's name in the study, e.g. "werkers"
    version_id = models.CharField(max_length=80)  # content hash, e.g. werkers@3666cb6308de0910
    filename = models.CharField(max_length=200)
    xlsform = models.BinaryField()
    target = models.PositiveIntegerField(null=True, blank=True)
    active = models.BooleanField(default=True)  # the version new respondents get
    created_on = models.DateField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["study", "name", "active"])]
        constraints = [models.UniqueConstraint(fields=["wave", "version_id"], name="version_once_per_wave")]

    def save(self, *args, **kwargs):
        if self.pk and InstrumentVersion.objects.filter(pk=self.pk).exclude(version_id=self.version_id).exists():
            raise ValueError("an instrument version is immutable: upload a new version instead")
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.version_id


class Response(models.Model):
    id = models.BigIntegerField(primary_key=True, default=random_key, editable=False)
    instrument_version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="responses")
    instance_id = models.UUIDField(unique=True)  # chosen by the client: makes submission idempotent
    public_id = models.CharField(max_length=24, unique=True)  # the response id in exports
    answers = models.JSONField()
    submitted_on = models.DateField()  # a date, never a time
    channel = models.CharField(max_length=20, blank=True)
    withdrawal_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["public_id"]  # random: exports do not show arrival order


class Withdrawn(models.Model):
    """A tombstone for a withdrawn response: only a keyed hash of its withdrawal hash
    (:func:`tombstone_hash`, never equal to the deleted row's ``withdrawal_hash``).

    A resubmission of the same instance (a retry still in flight, an old tab) must not bring
    withdrawn answers back. Holds no answers, no date, nothing that points to anyone."""

    withdrawal_hash = models.CharField(max_length=64, primary_key=True)


class SignUp(models.Model):
    """Lottery or focus-group sign-up. Deliberately unlinkable to any response.

    It belongs to the wave whose link the respondent came through (listed, exported and purged per
    wave); none for sign-ups kept before waves in a study that has several. A wave's sign-ups reach
    this table only in groups of at least k (``AFSTAND_SIGNUP_BATCH``), so the wave column never
    singles out fewer than k people, or as the rest of a wave whose fieldwork has ended, when at
    least k of its responses came in since its previous batch (:mod:`afstand.services.signup_spool`)."""

    PURPOSES = [("loterij", _("Lottery")), ("focusgroep", _("Focus group"))]
    id = models.BigIntegerField(primary_key=True, default=random_key, editable=False)
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="signups")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, null=True, blank=True, related_name="signups")
    purpose = models.CharField(max_length=20, choices=PURPOSES)
    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    availability = models.TextField(blank=True)
    signed_up_on = models.DateField()  # the date of the flush that wrote it, the same for its whole batch; never its own

    class Meta:
        ordering = ["id"]  # random


class Counter(models.Model):
    """Counts without content: declined consents and withdrawals per instrument name and wave
    (the wave of the version declined or withdrawn from; none for counts kept before waves).
    The key is random: a sequence would say in which order each count first happened."""

    id = models.BigIntegerField(primary_key=True, default=random_key, editable=False)
    study = models.ForeignKey(Study, on_delete=models.CASCADE)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, null=True, blank=True)
    instrument = models.SlugField()
    kind = models.CharField(max_length=20, choices=[("declined", "declined"), ("withdrawn", "withdrawn")])
    value = models.PositiveIntegerField(default=0)

    class Meta:
        unique_together = [("study", "wave", "instrument", "kind")]


class Membership(models.Model):
    """A researcher's role in one study (object-level permissions)."""

    ROLES = [("owner", _("Owner")), ("analyst", _("Analyst")), ("coder", _("Coder"))]
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="memberships")
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=ROLES)

    class Meta:
        unique_together = [("user", "study")]


def today() -> "dt.date":
    return timezone.localdate()


class AuditEvent(models.Model):
    """Researcher and system actions (logins, exports, deletions) with their time. Respondents'
    actions are not audited here: a withdrawal's row, even without a time, would sit among the
    timed researcher rows in physical order (``ctid``, rowid, dump order); the ``withdrawn``
    :class:`Counter` keeps the number. The key is random."""

    id = models.BigIntegerField(primary_key=True, default=random_key, editable=False)
    at = models.DateTimeField(null=True, blank=True, default=timezone.now)  # None for respondent events
    day = models.DateField(default=today)
    user = models.CharField(max_length=150)
    action = models.CharField(max_length=40)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-day", "-at"]


class Declined(models.Model):
    """An instance that declined consent, by the hash of its decline key only
    (:func:`afstand.services.submissions.decline_key`): a replayed decline is counted once, and a
    decline taken back deletes its row and the count goes down. Holds no answers and no date."""

    withdrawal_hash = models.CharField(max_length=64, primary_key=True)  # the decline key's hash (the column keeps its first name)


class Draft(models.Model):
    """A survey in progress that the respondent may resume with a link (KoboToolbox/Enketo-style drafts).

    Keyed by a SHA-256 of a random 128-bit token that only the respondent's link holds; the page
    state (answers so far, page, channel, language) encrypted with a key derived from that token
    (``afstand.services.drafts``: no reader of the database can read it, and it holds no time),
    and a date, by which it expires. After sending it holds only the encrypted withdrawal code;
    expired drafts are removed by ``afstand purge``. A draft belongs to the wave whose link it was
    started from: it never continues in another wave, and once that wave's fieldwork is over a
    draft not sent yet can no longer be sent (it expires).
    """

    token_hash = models.CharField(max_length=64, primary_key=True)
    state = models.TextField()
    saved_on = models.DateField()
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, null=True, blank=True, related_name="+")  # none: kept before waves


def note_id() -> str:
    return "fg-" + secrets.token_hex(6)


class FocusNote(models.Model):
    """A focus-group session's notes on one theme of its discussion guide: coded like an open answer.

    Notes are the researchers' own record of a group conversation (report 4.2.2), uploaded as
    .txt or .docx; statement tallies (thumbs up / down) are kept per theme. A session belongs to
    the wave it was held in (the current wave when uploaded), like a response."""

    id = models.BigIntegerField(primary_key=True, default=random_key, editable=False)
    public_id = models.CharField(max_length=24, unique=True, default=note_id)
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="focus_notes")
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="focus_notes", null=True, blank=True)
    guide = models.CharField(max_length=80)
    session = models.CharField(max_length=200)
    theme = models.CharField(max_length=80)
    question = models.CharField(max_length=40)  # the codebook question of the theme
    title = models.CharField(max_length=300)
    text = models.TextField()
    tallies = models.JSONField(default=dict)  # statement id -> [up, down]
    uploaded_on = models.DateField()

    class Meta:
        unique_together = [("study", "wave", "guide", "session", "theme")]
        ordering = ["guide", "session", "theme"]


class Coding(models.Model):
    """A code applied by a coder to a span [start, end) (Unicode code points) of an open answer or
    a focus-group note (exactly one of the two).

    Deleted with its response, so a withdrawal also removes every coding of that response."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="codings")
    question = models.CharField(max_length=40)  # codebook question, e.g. W1
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="codings", null=True, blank=True)
    note = models.ForeignKey(FocusNote, on_delete=models.CASCADE, related_name="codings", null=True, blank=True)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    code = models.CharField(max_length=80)
    coder = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="codings")
    created = models.DateTimeField(auto_now_add=True)  # the coder's action, not the respondent's

    class Meta:
        unique_together = [("response", "note", "question", "start", "end", "code", "coder")]
        constraints = [
            models.CheckConstraint(condition=models.Q(response__isnull=True) ^ models.Q(note__isnull=True), name="coding_one_source")
        ]


class Reviewed(models.Model):
    """A coder went through this answer (perhaps finding nothing to code): the queue moves on."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE)
    question = models.CharField(max_length=40)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, null=True, blank=True)
    note = models.ForeignKey(FocusNote, on_delete=models.CASCADE, null=True, blank=True)
    coder = models.ForeignKey("auth.User", on_delete=models.CASCADE)

    class Meta:
        unique_together = [("response", "note", "question", "coder")]
        constraints = [
            models.CheckConstraint(condition=models.Q(response__isnull=True) ^ models.Q(note__isnull=True), name="reviewed_one_source")
        ]


class Memo(models.Model):
    """A coder's memo on a code ("code:W1/angst") or on an answer ("answer:W1:<response id>")."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE)
    target = models.CharField(max_length=200)
    text = models.TextField(max_length=5000)
    author = models.ForeignKey("auth.User", on_delete=models.PROTECT)
    created = models.DateTimeField(auto_now_add=True)


class UploadedCodebook(models.Model):
    """The codebook of a study made in the web app (a study folder brings its own): stored as the
    codebook CSV; each codebook question is the name of a text question of one of the study's forms."""

    study = models.OneToOneField(Study, on_delete=models.CASCADE, related_name="codebook")
    filename = models.CharField(max_length=200)
    content = models.TextField()  # codebook CSV (question, code, label_nl, …), as afstand writes it
    uploaded_on = models.DateField(auto_now=True)


class ChoiceCode(models.Model):
    """The numeric code of one choice in SPSS and Stata exports, per study and choice list: assigned
    the first time an export needs it and never changed, removed or given to another choice, so a
    choice keeps its code over versions and waves (afstand.formats.statfiles)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="choice_codes")
    list_name = models.TextField()
    choice = models.TextField()
    code = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["study", "list_name", "choice"], name="one_code_per_choice"),
            models.UniqueConstraint(fields=["study", "list_name", "code"], name="code_never_reused"),
        ]
