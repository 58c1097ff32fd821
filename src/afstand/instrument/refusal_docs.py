"""The "When a form is refused" section of docs/xlsform.md (rendered by
:func:`afstand.instrument.support.render_markdown`, which a test keeps current)."""

REFUSALS = """## When a form is refused

A form with a mistake is refused with one message (listing up to ten mistakes) that names the file,
the sheet, the row as the spreadsheet shows it (the column names are row 1), the column, the cell
and the value: `form.xlsx: sheet survey, row 7, column 'type' (cell A7), value 'select_one jn':
[row : 7] List name not in choices sheet: jn`. `afstand instrument check` exits with status 2 and
prints it; the upload page answers 400 and shows it.

Before pyxform reads the form, afstand reads its survey, choices and settings sheets
(`afstand.instrument.form_sheets`) and refuses (`afstand.instrument.sheet_checks`) what pyxform
would report without a place, report as something else, fail on with a plain exception, or pass
silently: no sheet named survey (a workbook of one sheet is the survey, as in pyxform); column
names not in row 1; a column name that is a number or date, or is there twice; a survey without a
`type` or `name` column; a row with content but no type; a type that is a number; a choices sheet
without `list_name` or `name`; a choice without list name (pyxform drops it); a second row of
settings (pyxform reads only the first); a column after 20 empty ones or rows after 60 empty ones
(pyxform stops reading there); merged cells (pyxform sees the text in the first cell only); a name,
type, list name or expression that the spreadsheet holds as a date or time (`1-2` typed in Excel);
a sheet name a CSV form's first column does not know; in a Markdown or CSV form, an empty sheet, a
sheet started twice, or a value beyond the cells of row 1. pyxform's own messages are passed on
unchanged with that place in front (`afstand.instrument.form_errors`); a `default_language` that
is none of the form's languages is refused after pyxform.

Expressions: pyxform passes an expression it cannot parse (`. >= 16 and`, `(${consent} = 'ja'`)
unchanged; ODK Validate, Enketo and KoboToolbox refuse such a form when it is deployed, and so does
afstand. One check of a form for the web survey (`afstand.instrument.form_logic`), used alike by
`afstand instrument check`, the upload page and `afstand study create`, compiles every `relevant`,
`constraint`, `required` condition, `calculation`, `choice_filter` and `repeat_count` with the form
engine and names each one it cannot evaluate with its cell and what is wrong, in words:
`form.xlsx: sheet survey, row 5, column 'constraint' (cell I5), value '. >= 16 and': the expression
ends after 'and': something must follow`; likewise `a '(' is not closed`, `'4' cannot follow '3': an
operator (and, or, =, +, …) is missing between them`, `'==' is not written so in XLSForm: write
'='` (and `&&`, `||`, `!`), a text whose quote is not closed, a `${name}` or `../name` that leads
to no question, `now()` in a calculation (afstand stores no precise times). A function marked
analysis only, used in such an expression, refuses the form for the web survey the same way (the
web survey cannot evaluate it); `afstand analyze` still reads another tool's export of the form
(reading a form does not compile its expressions). A function afstand does not know is refused by
the support matrix with its cell and expression: `sheet survey, row 7, column 'relevant' (cell
H7), value "contains(${why}, 'x') and foo(${age})": question over/why (text): function 'foo' is
not supported: not a feature afstand knows`.

Kept, with a warning that names the place (`afstand instrument show`, `afstand study create`): a
label, hint or setting the spreadsheet holds as a date or time (it is shown as
`2024-02-01 00:00:00`), a value in a column without a name in row 1 (pyxform skips it), and a
`choice_filter` that reads a column the choices do not have (valid
XPath; the name reads as empty for every choice; pyxform's own `or_other` example writes
`pastel=yes` for `pastel='yes'`).
""".splitlines()
