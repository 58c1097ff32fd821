"""Large files take the fast paths (columns converted on two threads, 4 MB parse blocks, rows
looked up only for problems): the result must be the same as for the same rows read one by one."""

from __future__ import annotations

import random

import numpy as np
import pytest

from afstand.errors import DataError
from afstand.instrument.loader import load_instrument
from afstand.responses import load_responses, readers
from tests.helpers import MINI_FORM, md_form

HEADER = "response_id,consent,age,years,s1,s2,fruit,why\n"


def rows(n: int, seed: int = 4) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        out.append(
            ",".join(
                [
                    f"r{i}",
                    rng.choice(["ja", "ja", "ja", "nee", "", " ja "]),
                    rng.choice(["", "34", "17", "99", " 40 "]),
                    rng.choice(["", '"1,5"', "2.25", "0"]),
                    rng.choice(["", "eens", "oneens", "neutraal", "  "]),
                    rng.choice(["eens", "oneens", ""]),
                    rng.choice(["", "appel", "appel kers", "peer kers appel"]),
                    rng.choice(["", "omdat", f'"tekst, {i % 97} {"lang " * 80}"', "x"]),
                ]
            )
        )
    return out


@pytest.fixture
def mini(tmp_path):
    return load_instrument(md_form(tmp_path, MINI_FORM))


def same(a, b) -> None:
    assert (a.n_total, a.n_consented) == (b.n_total, b.n_consented)
    assert a.response_ids.tolist() == b.response_ids.tolist() and a.file_rows.tolist() == b.file_rows.tolist()
    for name in a.single:
        assert a.single[name].tolist() == b.single[name].tolist(), name
    for name in a.multi:
        assert a.multi[name].matrix.tolist() == b.multi[name].matrix.tolist(), name
    for name in a.numbers:
        assert np.array_equal(a.numbers[name], b.numbers[name], equal_nan=True), name
    for name in a.texts:
        assert a.texts[name].to_pylist() == b.texts[name].to_pylist(), name
    assert [p.as_dict() for p in a.problems] == [p.as_dict() for p in b.problems]


def test_large_file_reads_as_its_rows_do(tmp_path, mini, monkeypatch):
    body = rows(60_000)
    big = tmp_path / "big.csv"
    big.write_text(HEADER + "\n".join(body) + "\n", encoding="utf-8")
    assert big.stat().st_size > 4 << 20  # several parse blocks: dictionaries unified across chunks
    threaded = load_responses(big, mini)
    monkeypatch.setattr(readers.os, "cpu_count", lambda: 1)  # one thread
    serial = load_responses(big, mini)
    same(threaded, serial)
    # the same rows, in files small enough for the plain path, put together
    parts = [load_responses(_write(tmp_path, f"part{k}.csv", body[k : k + 20_000]), mini) for k in range(0, 60_000, 20_000)]
    assert threaded.n_consented == sum(p.n_consented for p in parts)
    for name in threaded.single:
        assert threaded.single[name].tolist() == sum((p.single[name].tolist() for p in parts), []), name
    assert threaded.texts["why"].to_pylist() == sum((p.texts["why"].to_pylist() for p in parts), [])


def test_problems_in_a_large_file_name_the_row(tmp_path, mini):
    body = rows(60_000)
    body[45_000] = "r45000,ja,veertig,,eens,oneens,appel,x"
    big = _write(tmp_path, "bad.csv", body)
    with pytest.raises(DataError) as err:
        load_responses(big, mini)
    assert [(p.row, p.column, p.value) for p in err.value.problems] == [(45_002, "age", "veertig")]


def _write(tmp_path, name: str, body: list[str]):
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(body) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("n", [200, 60_000])
def test_choice_counts_counted_while_checking_are_the_codes_counts(tmp_path, mini, n):
    data = load_responses(_write(tmp_path, "counts.csv", rows(n, seed=9)), mini)
    for name, codes in data.single.items():
        item = mini.items[name]
        remembered = data.__dict__["_choice_counts"][(name, len(item.choice_list.names))]
        assert remembered[0] is codes  # seeded by the validator: not counted again
        assert data.choice_counts(item).tolist() == np.bincount(codes + 1, minlength=len(item.choice_list.names) + 1).tolist()


@pytest.mark.parametrize("choices", [1, 3, 16, 17, 40])
def test_the_validators_tally_is_bincount_for_few_and_many_choices(choices):
    from afstand.responses.validate import _tally

    codes = np.random.default_rng(choices).integers(-1, choices, 5_000).astype(np.int32)
    assert _tally(codes, choices).tolist() == np.bincount(codes + 1, minlength=choices + 1).tolist()
