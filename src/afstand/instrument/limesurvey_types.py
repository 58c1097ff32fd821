"""What each LimeSurvey question type becomes in the XLSForm (:mod:`afstand.instrument.limesurvey_form`),
as data, and the section of docs/xlsform.md that documents it (generated from this table)."""

from __future__ import annotations

# fmt: off
#: LimeSurvey question type → (its name in LimeSurvey, what the XLSForm gets). Unlisted types are refused.
TYPES = {
    "L": ("List (radio)", "`select_one` of the answer options; \"Other\" adds the choice `other` and the text `<code>_other`"),
    "!": ("List (dropdown)", "as L"),
    "O": ("List with comment", "as L, and the text `<code>_comment`"),
    "M": ("Multiple choice", "`select_multiple` of the subquestions; \"Other\" adds the choice `other` and the text `<code>_other`"),
    "P": ("Multiple choice with comments", "as M, and per option the text `<code>_<subquestion>comment` (shown when it is chosen)"),
    "Y": ("Yes/No", "`select_one` Y / N"),
    "G": ("Gender", "`select_one` F / M"),
    "5": ("5 point choice", "`select_one` 1 … 5"),
    "F": ("Array", "a group `<code>` with one `select_one` of the answer options per subquestion"),
    "H": ("Array by column", "as F"),
    "A": ("Array (5 point choice)", "as F, choices 1 … 5"),
    "B": ("Array (10 point choice)", "as F, choices 1 … 10"),
    "C": ("Array (Yes/No/Uncertain)", "as F, choices Y / U / N"),
    "E": ("Array (Increase/Same/Decrease)", "as F, choices I / S / D"),
    "1": ("Array dual scale", "as F, two per subquestion: `<subquestion>_1` and `_2` (export columns `<code>[<subquestion>][1]`, `[2]`)"),
    ":": ("Array (Numbers)", "a group `<code>` with one `integer` per row and column, `<row>_<column>`"),
    ";": ("Array (Texts)", "a group `<code>` with one `text` per row and column, `<row>_<column>`"),
    "K": ("Multiple numerical input", "a group `<code>` with one `decimal` per subquestion (`integer` with \"integer only\")"),
    "Q": ("Multiple short text", "a group `<code>` with one `text` per subquestion"),
    "N": ("Numerical input", "`decimal` (`integer` with \"integer only\")"),
    "S": ("Short free text", "`text`"),
    "T": ("Long free text", "`text`, appearance `multiline`"),
    "U": ("Huge free text", "`text`, appearance `multiline`"),
    "D": ("Date/Time", "`date` (`datetime` when its date format has hours)"),
    "R": ("Ranking", "`rank` of the answer options (analysis only: export columns `<code>[1]`, `[2]`, …)"),
    "X": ("Text display", "`note`"),
    "I": ("Language switch", "ignored: a `note` that is never shown (afstand's survey asks the language itself); a warning says so"),
    "*": ("Equation", "`hidden` (analysis only: read from exports; the equation is not computed); a warning says so"),
}
REFUSED_TYPES = {"|": ("File upload", "refused: afstand takes no files; remove the question from the survey")}
GENERATED = {  # lists LimeSurvey makes itself: name, (code, English, Dutch) …
    "Y": ("ls_yes_no", (("Y", "Yes", "Ja"), ("N", "No", "Nee"))),
    "G": ("ls_gender", (("F", "Female", "Vrouw"), ("M", "Male", "Man"))),
    "5": ("ls_five", tuple((str(n), str(n), str(n)) for n in range(1, 6))),
    "A": ("ls_five", tuple((str(n), str(n), str(n)) for n in range(1, 6))),
    "B": ("ls_ten", tuple((str(n), str(n), str(n)) for n in range(1, 11))),
    "C": ("ls_yes_uncertain_no", (("Y", "Yes", "Ja"), ("U", "Uncertain", "Onzeker"), ("N", "No", "Nee"))),
    "E": ("ls_increase_same_decrease", (("I", "Increase", "Toename"), ("S", "Same", "Gelijk"), ("D", "Decrease", "Afname"))),
}
WORDS = {"other": ("Other", "Anders"), "specify": ("Other: please specify", "Anders, namelijk"), "comment": ("Comment", "Toelichting")}
#: settings of a question that change what is asked or accepted, which the XLSForm does not get (a warning names them)
NOT_CONVERTED = ("array_filter", "array_filter_exclude", "em_validation_q", "em_validation_sq", "min_answers", "max_answers",
                 "min_num_value_n", "max_num_value_n", "exclude_all_others", "hidden")
# fmt: on


def markdown_section() -> list[str]:
    """The LimeSurvey section of docs/xlsform.md (:func:`afstand.instrument.support.render_markdown` adds it)."""
    prose = (
        "A LimeSurvey survey structure file (`.lss`, LimeSurvey 3.x and 5.x/6.x) is taken wherever an XLSForm is: afstand converts "
        "it to an XLSForm workbook (`src/afstand/instrument/limesurvey_form.py`) and reads that, so the instrument, its version id "
        "and the web survey are those of the XLSForm. `afstand instrument export SURVEY.lss --out FORM.xlsx` writes the workbook "
        "to edit.\n\nNames are LimeSurvey's codes, so LimeSurvey's response exports of the survey read without renaming "
        "(docs/data-formats.md): a question's code is its name; the rows of an array, multiple numerical or multiple short text "
        "question are questions named by the subquestion code in a group named by the question code (`Q5[SQ001]`); the extra "
        "fields `Q1[other]`, `Q1[comment]`, `Q1[SQ001comment]` are the texts `Q1_other`, `Q1_comment`, `Q1_SQ001comment` "
        "(LimeSurvey codes hold no `_`). Each survey language becomes `label::<language> (<code>)` (`label::Nederlands (nl)`), "
        "the base language the default; texts lose their HTML; help texts become hints; mandatory questions are `required` "
        "(soft mandatory is not).\n\nRelevance equations (and the conditions of old surveys) in the simple forms become "
        "`relevant`: comparisons of a question with a value or another question (`Q1 == \"A1\"`, `Q1.NAOK != 'A2'`, `Q2 > 3`), "
        'a multiple choice option (`Q3_SQ001 == "Y"`), `is_empty(Q)`, `!is_empty(Q)`, joined with `and`, `or`, `!` and brackets; '
        "`{Q1}` in a text becomes `${Q1}`. Any other equation leaves the question always shown, and the instrument's warnings "
        "(`afstand instrument show`, the upload page) name it, as they name the settings of a question that change what is asked "
        "or accepted and are not converted (" + ", ".join(f"`{a}`" for a in (*NOT_CONVERTED, "preg")) + ")."
    )
    lines = ["## LimeSurvey survey structure (.lss)", "", *prose.split("\n"), "", "| LimeSurvey type | name | XLSForm |", "|---|---|---|"]
    for code, (name, what) in {**TYPES, **REFUSED_TYPES}.items():
        lines.append(f"| `{code.replace('|', chr(92) + '|')}` | {name} | {what.replace('|', '/')} |")
    return lines + [""]
