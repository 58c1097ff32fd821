"""Texts a respondent reads: Django i18n with English message ids and a Dutch catalogue
(``locale/nl/LC_MESSAGES/django.po``). Dutch (plain, B1, "je") is the default; English is the second language.

The language is chosen by ``?lang=`` (a region tag such as ``en-GB`` counts as its language),
else by the browser's ``Accept-Language``; a language we do not have falls back to Dutch with a
visible notice (:func:`choose_language`).
"""

from __future__ import annotations

from django.utils.translation import gettext, ngettext, override
from django.utils.translation import gettext_lazy as _

LANGUAGES = ("nl", "en")
NAMES = {"nl": "Nederlands", "en": "English"}  # each language named in itself

_TEXTS = {
    "skip": _("Skip to the questions"),
    "skip_content": _("Skip to the content"),
    "step": _("Step {step} of {steps}"),
    "back": _("Previous"),
    "next": _("Next"),
    "send": _("Send"),
    "to_review": _("Check your answers"),
    "required": _("required"),
    "optional_all": _("You may skip any question."),
    "choose_all": _("Choose all that apply."),
    "error_title": _("Something is not filled in correctly"),
    "error_prefix": _("Error:"),
    "clear": _("Clear answer"),
    "read_aloud": _("Read aloud"),
    "stop_reading": _("Stop reading"),
    "copy": _("Copy"),
    "copied": _("Copied"),
    "errors": {
        "required": _("Please answer this question."),
        "not_a_number": _("Type a number, for example 3 or 0.5."),
        "not_a_whole_number": _("Type a whole number, for example 3."),
        "ambiguous_number": _("Which number do you mean? Write a thousand without a point or comma: 1000. Write one and a half as 1.5."),
        "constraint": _("This answer cannot be right. Please check it."),
        "not_a_choice": _("Choose one of the answers."),
        "not_relevant": _("This question belongs to an answer you did not give. Leave it empty."),
        "too_long": _("This answer is too long."),
        "bad_character": _("This answer contains a sign we cannot store. Please type it again."),
        "no_consent": _("Without consent you cannot answer questions."),
        "not_a_date": _("Enter a date."),
        "not_a_time": _("Enter a time."),
        "not_a_datetime": _("Enter a date and a time."),
        "not_acknowledged": _("Tick the box to confirm."),
        "out_of_range": _("Choose a value within the range."),
        "out_of_range_between": _("Choose a number from {low} to {high}."),
        "not_offered": _("Choose one of the answers shown."),
        "too_large": _("This number is too large."),
        "too_many_instances": _("There are too many entries here. Remove one."),
    },
    "dropped": _("We did not keep your answer to these questions, because they do not fit an earlier answer:"),
    "review_title": _("Check your answers"),
    "review_intro": _("Is everything right? You can still change an answer. Then press Send."),
    "change": _("Change"),
    "change_page": _("Change answers on this page"),
    "no_answers": _("No answers on this page."),
    "no_answer": _("No answer"),
    "add_instance": _("Add another"),
    "remove_instance": _("Remove this one"),
    "thanks_title": _("Thank you for taking part!"),
    "thanks": _("Your answers have been sent."),
    "code_intro": _("Changed your mind? Keep this code. With it you can have your answers deleted:"),
    "code_download": _("Save as a file"),
    "code_print": _("Print"),
    "code_file": _("Your code to delete your answers"),
    "withdraw_link": _("Delete my answers"),
    "signup": _("Want a chance to win a voucher or join a group conversation? Sign up separately here."),
    "signup_new_tab": _("(opens in a new tab; this page stays open)"),
    "signup_note": _("Your name is stored separately. Nobody can see which answers are yours."),
    "declined_title": _("That's fine"),
    "declined": _("You are not taking part. Nothing about you was stored. You can close this window."),
    "join_anyway": _("I want to take part after all"),
    "withdraw_title": _("Delete answers"),
    "withdraw_intro": _("Type the code you got after sending. Capitals, spaces and dashes do not matter."),
    "code": _("Code"),
    "withdraw": _("Delete"),
    "withdrawn": _("Your answers have been deleted."),
    "already_withdrawn": _("These answers were deleted earlier. Nothing was stored."),
    "not_found": _("We do not know this code (any more). Please check it."),
    "typo": _("One of the characters of this code is wrong. Please check the code and type it again."),
    "code_empty": _("Type your code."),
    "signup_title": _("Sign up"),
    "purpose": _("What are you signing up for?"),
    "name": _("Name"),
    "email": _("E-mail address"),
    "phone": _("Phone number (group conversations only)"),
    "availability": _("When are you available? (group conversations only)"),
    "send_signup": _("Sign up"),
    "signed_up": _("You are signed up. Thank you!"),
    "resume_title": _("Continue later?"),
    "resume_hint": _("Keep this link. With it you continue where you left off. Do not share it: whoever has the link sees your answers."),
    "resume_gone_title": _("This link no longer works"),
    "resume_gone": _("The link has expired or the answers were already sent."),
    "start_again": _("Start again"),
    "closed_title": _("This questionnaire is closed"),
    "closed": _("You could fill in this questionnaire until {date}. It is no longer possible to take part. Thank you for your interest."),
    "closed_draft": _("Your answers were not sent, and we have deleted them."),
    "signup_closed_title": _("Signing up is closed"),
    "signup_closed": _("You could sign up until and including {date}. That is no longer possible. Thank you for your interest."),
    "not_open_title": _("This questionnaire is not open yet"),
    "not_open": _("You can fill in this questionnaire from {date}. Please come back then, using the same link."),
    "preview": _("Preview for researchers: this questionnaire is not open to respondents now. Your answers are not stored."),
    "preview_done_title": _("End of the preview"),
    "preview_done": _("This was a preview: your answers were not stored and nothing was counted."),
    "lang_fallback": _("This questionnaire is not available in the language you asked for. You see it in Dutch."),
    "purposes": {
        "loterij": _("A chance to win a voucher"),
        "focusgroep": _("Join a group conversation"),
    },
}


def render_in(lang: str, request, template: str, context: dict, status: int = 200):
    """Render a respondent page in the respondent's language (also Django's own form messages)."""
    from django.shortcuts import render

    with override(lang if lang in LANGUAGES else "nl"):
        return render(request, template, context, status=status)


def _resolve(value):
    return {k: _resolve(v) for k, v in value.items()} if isinstance(value, dict) else str(value)


def _copy(value):
    return {k: _copy(v) for k, v in value.items()} if isinstance(value, dict) else value


_RESOLVED: dict[str, dict] = {}  # per language: the catalogues do not change while a process runs


def text(lang: str) -> dict:
    """Every respondent text in ``lang`` (nl when unknown), as plain strings for the templates.

    Translated once per process and language (translating the ~90 texts took 1.7 ms of every
    respondent request, bench/privacy_load.py); each caller gets its own copy."""
    lang = lang if lang in LANGUAGES else "nl"
    resolved = _RESOLVED.get(lang)
    if resolved is None:
        with override(lang):
            resolved = _RESOLVED[lang] = _resolve(_TEXTS)
        resolved["switch"] = NAMES["en" if lang == "nl" else "nl"]  # the other language, named in itself
    return _copy(resolved)


def minutes_text(lang: str, minutes: int, *, left: bool) -> str:
    with override(lang if lang in LANGUAGES else "nl"):
        if left:
            return ngettext("About %(n)d minute left", "About %(n)d minutes left", minutes) % {"n": minutes}
        return ngettext("This takes about %(n)d minute.", "This takes about %(n)d minutes.", minutes) % {"n": minutes}


def too_many_text(lang: str, window_seconds: int) -> str:
    """ "Too many tries" with the wait the limit's window asks for, in whole minutes."""
    minutes = max(1, -(-int(window_seconds) // 60))
    with override(lang if lang in LANGUAGES else "nl"):
        return ngettext(
            "Too many tries. Please wait %(n)d minute and try again.", "Too many tries. Please wait %(n)d minutes and try again.", minutes
        ) % {"n": minutes}


def code_length_text(lang: str, expected: int, typed: int) -> str:
    """A code typed too short or too long: how long a code is, and how many characters were typed."""
    with override(lang if lang in LANGUAGES else "nl"):
        return gettext("A code has %(expected)d characters: 4 groups of 4, then 1 more. You typed %(n)d.") % {
            "expected": expected,
            "n": typed,
        }


def choose_language(asked: str | None, accept: str = "") -> tuple[str, bool]:
    """(language, fell_back): ``asked`` (``?lang=``, region tags mapped to their language) when we
    have it, else the first language of ``Accept-Language`` we have, else Dutch.
    ``fell_back`` is True when a language was asked for explicitly and we do not have it."""
    if asked:
        base = asked.strip().lower().replace("_", "-").split("-")[0]
        if base in LANGUAGES:
            return base, False
        return "nl", True
    ranked = []
    for position, part in enumerate(accept.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        base = tag.strip().lower().split("-")[0]
        if base in LANGUAGES and quality > 0:
            ranked.append((-quality, position, base))
    return (min(ranked)[2] if ranked else "nl"), False
