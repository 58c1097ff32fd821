"""``afstand study create|add-version|list``: studies and instrument versions in the database.

The same service as the upload pages (:mod:`afstand.services.studies`), so a bad form is
refused with the same one-line message, and exit status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

from afstand.cli.common import key_values, open_database, print_json
from afstand.errors import AfstandError, not_a_file

DB_HELP = "database URL: sqlite:///path or postgresql://… (default: $AFSTAND_DB_URL, else var/afstand.sqlite3)"


def register(sub) -> None:
    p = sub.add_parser(
        "study",
        help="create studies and add instrument versions in the database",
        description="Studies and their instrument versions in the web app's database (as the upload pages).",
    )
    ssub = p.add_subparsers(title="study commands")

    q = ssub.add_parser(
        "create",
        help="create a study with its first XLSForms",
        description="Create a study with one or more XLSForms; nothing is stored when one form is refused.",
    )
    q.add_argument("--slug", required=True, help="short name in the links, e.g. werken-op-afstand-2022")
    q.add_argument("--title", required=True, help="title of the study")
    q.add_argument("--db", help=DB_HELP)
    q.add_argument(
        "--form",
        action="extend",
        nargs="+",
        required=True,
        metavar="NAME=FILE",
        help="an instrument's name and its XLSForm (.md, .csv, .xlsx, .xls) or LimeSurvey survey (.lss); several allowed",
    )
    q.set_defaults(handler=cmd_create)

    q = ssub.add_parser(
        "add-version",
        help="add a new version of an instrument (the newest is what respondents get)",
        description="Store an XLSForm as the new version of an instrument (the same content again: the same version).",
    )
    q.add_argument("--slug", required=True, help="the study")
    q.add_argument("--db", help=DB_HELP)
    q.add_argument("--form", required=True, metavar="NAME=FILE", help="the instrument's name and its XLSForm")
    q.add_argument("--wave", help="the wave (label) the version is added to (default: the current, newest wave)")
    q.set_defaults(handler=cmd_add_version)

    q = ssub.add_parser(
        "list",
        help="studies with their instruments, versions and numbers of responses",
        description="Every study in the database with its instruments, active version ids and numbers of stored responses.",
    )
    q.add_argument("--db", help=DB_HELP)
    q.add_argument("--json", action="store_true", help="print one JSON object")
    q.set_defaults(handler=cmd_list)

    from afstand.cli.trend import add_wave_parser

    add_wave_parser(ssub)


def _read_forms(specs: list[str]) -> list[tuple[str, str, bytes]]:
    """(instrument name, file name, content) per --form, all read before the database is touched."""
    forms = []
    for name, path in key_values(specs, "--form", "NAME=FILE").items():
        file = Path(path)
        if not file.is_file():
            raise AfstandError(f"{path}: {not_a_file(path)} (--form {name})")
        forms.append((name, file.name, file.read_bytes()))  # the file's name, as an upload gives it
    return forms


def _forms(specs: list[str], db_url: str | None):
    read = _read_forms(specs)
    open_database(db_url)
    from afstand.services.studies import Form  # Django is set up now

    return [Form(name, filename, content) for name, filename, content in read]


def _warn(warnings) -> None:
    for warning in warnings:
        print(f"afstand: warning: {warning}", file=sys.stderr)


def cmd_create(args) -> int:
    forms = _forms(args.form, args.db)
    from afstand.services import studies

    study, versions = studies.create_study(args.slug, args.title, forms)
    for form, version in zip(forms, versions):
        _warn(studies.instrument_for(version).warnings)
        print(f"{study.slug}: {form.name} {version.version_id}")
    return 0


def cmd_add_version(args) -> int:
    forms = _forms([args.form], args.db)
    from afstand.services import studies, waves

    study = studies.study_by_slug(args.slug)
    wave = None
    if args.wave:
        wave = waves.wave_by_label(study, args.wave)
        if wave is None:
            known = ", ".join(w.label for w in waves.waves_of(study)) or "none"
            raise AfstandError(f"--wave {args.wave}: study {study.slug} has no such wave (its waves: {known})")
    form = forms[0]
    version = studies.add_version(study, form.name, form.filename, form.content, form.target, instrument=form.instrument, wave=wave)
    _warn(studies.instrument_for(version).warnings)
    print(f"{study.slug}: {form.name} {version.version_id} (wave {version.wave.label})")
    return 0


def cmd_list(args) -> int:
    open_database(args.db)
    from afstand.services import studies

    found = studies.list_studies()
    if args.json:
        print_json({"studies": found})
        return 0
    for study in found:
        print(f"{study['slug']}\t{study['title']}")
        for instrument in study["instruments"]:
            print(
                f"  {instrument['name']}\t{instrument['version']}\t{instrument['versions']} version(s)\t{instrument['responses']} responses"
            )
    return 0
