"""Texts a respondent reads, in plain Dutch (B1) with English as second language."""

from __future__ import annotations

LANGUAGES = ("nl", "en")

_TEXTS = {
    "nl": {
        "skip": "Naar de vragen", "switch": "English", "step": "Stap {step} van {steps}", "left": "Nog ongeveer {minutes} minuten",
        "back": "Vorige", "next": "Volgende", "send": "Versturen", "required": "verplicht", "choose_all": "Kies alles wat past.",
        "error_title": "Er is iets niet goed ingevuld", "errors": {
            "required": "Geef hier een antwoord.", "not_a_number": "Vul een getal in.", "not_a_whole_number": "Vul een heel getal in.",
            "constraint": "Dit antwoord kan niet kloppen. Kijk het nog eens na.", "not_a_choice": "Kies een van de antwoorden.",
            "not_relevant": "Deze vraag hoort bij een vraag die je niet hebt beantwoord. Laat haar leeg of beantwoord eerst die vraag.",
            "too_long": "Dit antwoord is te lang.", "no_consent": "Zonder toestemming kun je geen vragen beantwoorden."},
        "thanks_title": "Bedankt voor het meedoen!", "thanks": "Je antwoorden zijn verstuurd.",
        "code_intro": "Wil je later toch niet meedoen? Bewaar dan deze code. Met de code kun je je antwoorden laten verwijderen:",
        "withdraw_link": "Antwoorden verwijderen", "signup": "Kans maken op een bon of meedoen aan een groepsgesprek? Meld je hier apart aan.",
        "signup_note": "Je naam wordt apart bewaard. Niemand kan zien welke antwoorden van jou zijn.",
        "declined_title": "Jammer, maar helemaal goed", "declined": "Je doet niet mee. Er is niets van je bewaard. Je kunt dit venster sluiten.",
        "withdraw_title": "Antwoorden verwijderen", "withdraw_intro": "Vul de code in die je kreeg na het versturen.",
        "code": "Code", "withdraw": "Verwijderen", "withdrawn": "Je antwoorden zijn verwijderd.",
        "not_found": "Deze code kennen we niet (meer). Kijk de code nog eens na.",
        "signup_title": "Aanmelden", "purpose": "Waarvoor meld je je aan?", "name": "Naam", "email": "E-mailadres",
        "phone": "Telefoonnummer (alleen voor de groepsgesprekken)", "availability": "Wanneer kun je? (alleen voor de groepsgesprekken)",
        "send_signup": "Aanmelden", "signed_up": "Je bent aangemeld. Bedankt!",
        "resume_title": "Later verder gaan?", "resume_hint": "Bewaar deze link. Met de link ga je verder waar je was. Deel de link met niemand: wie de link heeft, ziet je antwoorden.",
        "resume_gone_title": "Deze link werkt niet meer", "resume_gone": "De link is verlopen of de antwoorden zijn al verstuurd.", "start_again": "Opnieuw beginnen",
        "purposes": {"loterij": "Kans maken op een bol.com-bon", "focusgroep": "Meedoen aan een groepsgesprek"},
    },
    "en": {
        "skip": "Skip to the questions", "switch": "Nederlands", "step": "Step {step} of {steps}", "left": "About {minutes} minutes left",
        "back": "Previous", "next": "Next", "send": "Send", "required": "required", "choose_all": "Choose all that apply.",
        "error_title": "Something is not filled in correctly", "errors": {
            "required": "Please answer this question.", "not_a_number": "Enter a number.", "not_a_whole_number": "Enter a whole number.",
            "constraint": "This answer cannot be right. Please check it.", "not_a_choice": "Choose one of the answers.",
            "not_relevant": "This question belongs to a question you did not answer. Leave it empty or answer that question first.",
            "too_long": "This answer is too long.", "no_consent": "Without consent you cannot answer questions."},
        "thanks_title": "Thank you for taking part!", "thanks": "Your answers have been sent.",
        "code_intro": "Changed your mind? Keep this code. With it you can have your answers deleted:",
        "withdraw_link": "Delete my answers", "signup": "Want a chance to win a voucher or join a group conversation? Sign up separately here.",
        "signup_note": "Your name is stored separately. Nobody can see which answers are yours.",
        "declined_title": "That's fine", "declined": "You are not taking part. Nothing about you was stored. You can close this window.",
        "withdraw_title": "Delete answers", "withdraw_intro": "Enter the code you got after sending.",
        "code": "Code", "withdraw": "Delete", "withdrawn": "Your answers have been deleted.",
        "not_found": "We do not know this code (any more). Please check it.",
        "signup_title": "Sign up", "purpose": "What are you signing up for?", "name": "Name", "email": "E-mail address",
        "phone": "Phone number (group conversations only)", "availability": "When are you available? (group conversations only)",
        "send_signup": "Sign up", "signed_up": "You are signed up. Thank you!",
        "resume_title": "Continue later?", "resume_hint": "Keep this link. With it you continue where you left off. Do not share it: whoever has the link sees your answers.",
        "resume_gone_title": "This link no longer works", "resume_gone": "The link has expired or the answers were already sent.", "start_again": "Start again",
        "purposes": {"loterij": "A chance to win a voucher", "focusgroep": "Join a group conversation"},
    },
}


def text(lang: str) -> dict:
    return _TEXTS.get(lang, _TEXTS["nl"])
