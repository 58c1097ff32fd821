"""Focus groups: the guides of appendices 6 and 7 as data, session notes (txt, docx) as codable sources."""

from __future__ import annotations

import pytest

from afstand.coding.focus import load_guide, parse_session, read_notes
from afstand.errors import DataError
from tests.helpers import NOTES


def test_guides_follow_the_appendices(study):
    workers, clients = (load_guide(p) for p in sorted(study.guide_paths(), reverse=True))
    assert workers.title == "Focusgroep reclasseringswerkers" and len(workers.themes) == 10
    assert [t.minutes for t in workers.themes][:3] == [15, 5, 30]
    assert workers.themes[2].statements[0].text.startswith("De werkalliantie is op afstand meer taakgericht")
    assert clients.minutes == 45 and clients.themes[2].statements[0].id == "S1"
    codebook = study.codebook()
    assert all(codebook.for_question(t.question) for g in (workers, clients) for t in g.themes)


def test_notes_become_sources_per_theme_with_tallies(study, tmp_path):
    guide = load_guide(study.root / "focusgroepen" / "gids-werkers.toml")
    session = parse_session(NOTES, guide, "2021-03-10")
    assert session.tallies == {"S1": (5, 2)}
    assert session.unplaced == "Verslag focusgroep 10 maart"
    sources = {s.id: s for s in session.sources()}
    assert set(sources) == {"fg-werkers/2021-03-10/werkalliantie", "fg-werkers/2021-03-10/risico", "fg-werkers/2021-03-10/typen"}
    assert sources["fg-werkers/2021-03-10/typen"].question == "W2" and "lvb" in sources["fg-werkers/2021-03-10/typen"].text
    assert all(s.kind == "note" for s in sources.values())


def test_docx_notes_and_bad_notes(study, tmp_path):
    import docx

    document = docx.Document()
    for line in NOTES.splitlines():
        document.add_paragraph(line)
    path = tmp_path / "verslag.docx"
    document.save(path)
    guide = load_guide(study.root / "focusgroepen" / "gids-werkers.toml")
    assert len(parse_session(read_notes(path), guide, "s").sources()) == 3
    with pytest.raises(DataError, match="no theme of the guide"):
        parse_session("alleen losse tekst", guide, "s")
    with pytest.raises(DataError, match="row 2: tally for a statement"):
        parse_session("Thema 1: Werkalliantie\nStelling S9: 1 omhoog, 1 omlaag", guide, "s")
    broken = tmp_path / "kapot.docx"
    broken.write_bytes(b"not a docx")
    with pytest.raises(DataError, match="cannot read notes"):
        read_notes(broken)
