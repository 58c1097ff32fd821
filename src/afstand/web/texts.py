"""Texts a respondent reads: Django i18n with English message ids and a Dutch catalogue
(``locale/nl/LC_MESSAGES/django.po``). Dutch (plain, B1) is the default; English is the second language.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

LANGUAGES = ("nl", "en")

_TEXTS = {
    "skip": _("Skip to the questions"),
    "step": _("Step {step} of {steps}"),
    "left": _("About {minutes} minutes left"),
    "back": _("Previous"),
    "next": _("Next"),
    "send": _("Send"),
    "required": _("required"),
    "choose_all": _("Choose all that apply."),
    "error_title": _("Something is not filled in correctly"),
    "errors": {
        "required": _("Please answer this question."),
        "not_a_number": _("Enter a number."),
        "not_a_whole_number": _("Enter a whole number."),
        "constraint": _("This answer cannot be right. Please check it."),
        "not_a_choice": _("Choose one of the answers."),
        "not_relevant": _("This question belongs to a question you did not answer. Leave it empty or answer that question first."),
        "too_long": _("This answer is too long."),
        "bad_character": _("This answer contains a sign we cannot store. Please type it again."),
        "no_consent": _("Without consent you cannot answer questions."),
        "not_a_date": _("Enter a date."),
        "not_a_time": _("Enter a time."),
        "not_a_datetime": _("Enter a date and a time."),
        "not_acknowledged": _("Tick the box to confirm."),
        "out_of_range": _("Choose a value within the range."),
        "not_offered": _("Choose one of the answers shown."),
        "too_large": _("This number is too large."),
        "too_many_instances": _("There are too many entries here. Remove one."),
    },
    "add_instance": _("Add another"),
    "remove_instance": _("Remove this one"),
    "thanks_title": _("Thank you for taking part!"),
    "thanks": _("Your answers have been sent."),
    "code_intro": _("Changed your mind? Keep this code. With it you can have your answers deleted:"),
    "withdraw_link": _("Delete my answers"),
    "signup": _("Want a chance to win a voucher or join a group conversation? Sign up separately here."),
    "signup_note": _("Your name is stored separately. Nobody can see which answers are yours."),
    "declined_title": _("That's fine"),
    "declined": _("You are not taking part. Nothing about you was stored. You can close this window."),
    "withdraw_title": _("Delete answers"),
    "withdraw_intro": _("Enter the code you got after sending."),
    "code": _("Code"),
    "withdraw": _("Delete"),
    "withdrawn": _("Your answers have been deleted."),
    "not_found": _("We do not know this code (any more). Please check it."),
    "too_many": _("Too many tries. Please wait 15 minutes and try again."),
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


def text(lang: str) -> dict:
    """Every respondent text in ``lang`` (nl when unknown), as plain strings for the templates."""
    lang = lang if lang in LANGUAGES else "nl"
    with override(lang):
        texts = _resolve(_TEXTS)
    texts["switch"] = "English" if lang == "nl" else "Nederlands"  # the other language, named in itself
    return texts
