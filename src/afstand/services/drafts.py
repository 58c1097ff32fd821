"""Survey drafts that only their respondent can read.

A draft is the state of one survey in progress (answers so far, page, language, channel) kept
on the server so that every page step can be a post/redirect/get: Back, reload and a re-opened
tab show a page, never a resubmission warning. The respondent's link holds a random 128-bit
token, which the server does not keep:

* the row is found by ``SHA-256("afstand-draft-id:" + token)``;
* its content is encrypted with AES-256-GCM under a key derived from the token
  (HKDF-SHA256, its own ``info``), with a random nonce per save.

A database or backup reader therefore sees only random-looking bytes, a date and the wave: no
answers, no time (nothing inside the state carries a timestamp; drafts expire by their date,
``AFSTAND_DRAFT_DAYS``).

A draft belongs to the wave whose link it was started from (the state's ``w``, also kept as the
row's wave so that ``afstand purge --wave`` finds it): the survey continues it only in that wave,
and once the wave's fieldwork is over (after its last day) a draft that was not sent yet expires:
when next opened its answers are deleted and it can no longer be sent; its link then says that
the questionnaire is closed (:class:`Ended`), until the row expires by its date; after a reopen, that
the link no longer works, as no new draft takes its token (:func:`taken`). A sent draft (the thank-you page with the
withdrawal code) and a researcher's preview of a closed wave are kept until their date expires.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from afstand.web.models import Draft, Wave

_ID = b"afstand-draft-id:"
_INFO = b"afstand draft encryption v1"
_TOKEN_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def new_token() -> str:
    return secrets.token_urlsafe(16)  # 128 bits


def valid_token(token: str) -> bool:
    return 16 <= len(token) <= 64 and set(token) <= _TOKEN_CHARS


def _row_key(token: str) -> str:
    return hashlib.sha256(_ID + token.encode()).hexdigest()


def _cipher(token: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(token.encode())
    return AESGCM(key)


def _seal(token: str, state: dict) -> str:
    nonce = secrets.token_bytes(12)
    return base64.b64encode(nonce + _cipher(token).encrypt(nonce, json.dumps(state, separators=(",", ":")).encode(), _ID)).decode()


def save(token: str, state: dict, today: dt.date | None = None) -> None:
    defaults = {"state": _seal(token, state), "saved_on": today or dt.date.today()}
    if isinstance(state.get("w"), int):  # the wave of the draft's version (a sent draft keeps the one it had)
        defaults["wave_id"] = state["w"]
    Draft.objects.update_or_create(token_hash=_row_key(token), defaults=defaults)


def load(token: str, today: dt.date | None = None) -> dict | None:
    """The draft's state, or None when unknown, unreadable, older than AFSTAND_DRAFT_DAYS, or not
    sent while its wave's fieldwork is over (:func:`open_draft` says which wave)."""
    found = open_draft(token, today)
    return None if isinstance(found, Ended) else found


@dataclass(frozen=True)
class Ended:
    """A draft that was not sent when its wave's fieldwork ended: its answers are gone; ``state``
    keeps only the version, the wave and the language (to say that the questionnaire is closed)."""

    state: dict
    wave: Wave


def open_draft(token: str, today: dt.date | None = None) -> dict | Ended | None:
    """As :func:`load`, but a draft not sent while its wave's fieldwork is over is :class:`Ended`:
    its answers are deleted the first time (the row keeps the version, wave and language, and its
    date, so it still expires by it) and every later open says the same."""
    if not valid_token(token):
        return None
    draft = Draft.objects.select_related("wave").filter(token_hash=_row_key(token)).first()
    if draft is None:
        return None
    today = today or dt.date.today()
    if draft.saved_on < today - dt.timedelta(days=settings.AFSTAND_DRAFT_DAYS):
        draft.delete()
        return None
    try:
        sealed = base64.b64decode(draft.state)
        plain = _cipher(token).decrypt(sealed[:12], sealed[12:], _ID)
        state = json.loads(plain)
    except (ValueError, InvalidTag):
        return None
    if not isinstance(state, dict):
        return None
    if state.get("ended") or ("done" not in state and not state.get("x") and _wave_over(draft, state, today)):
        wave = _wave_of(draft, state)
        if wave is None:
            return None
        if not state.get("ended"):  # the answers go; the date stays (no later expiry)
            state = {"ended": 1, "v": state.get("v"), "w": wave.id, "l": state.get("l", "nl")}
            Draft.objects.filter(pk=draft.pk).update(state=_seal(token, state))
        return Ended(state, wave)
    return state


def _wave_of(draft: Draft, state: dict) -> Wave | None:
    if draft.wave is None and isinstance(state.get("w"), int):  # a draft saved before drafts had a wave column
        return Wave.objects.filter(id=state["w"]).first()
    return draft.wave


def _wave_over(draft: Draft, state: dict, today: dt.date) -> bool:
    """Whether the fieldwork of the draft's wave ended before ``today``."""
    wave = _wave_of(draft, state)
    return wave is not None and wave.ends_on is not None and wave.ends_on < today


def taken(token: str) -> bool:
    """Whether a draft row exists for ``token``, readable or not. A new draft never takes such a
    token: a link whose answers were deleted when its wave ended stays dead after a reopen, also
    when the consent page it came from is sent again from the browser's history (review rev14 F8)."""
    return valid_token(token) and Draft.objects.filter(token_hash=_row_key(token)).exists()


def delete(token: str | None) -> None:
    if token:
        Draft.objects.filter(token_hash=_row_key(token)).delete()
