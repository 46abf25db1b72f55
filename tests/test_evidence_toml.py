"""Crafted experiment files are refused at the edge with one French line, exit 1 and no
traceback (issue 8, points 10 and 11): nesting and key limits checked before parsing,
NUL characters refused on both engines."""

from __future__ import annotations

import pytest

from conftest import ROOT
from test_cli import tal  # noqa: F401 (fixture)
from tal.core.errors import DomainError
from tal.experiments import fileformat
from tal.experiments.tables import Experiment

MINIMAL = (ROOT / "tests" / "data" / "minimal.toml").read_text(encoding="utf-8")

CRAFTED = {
    "dotted key of 40,000 parts": ('format = "tal-experiment/1"\n' + ".".join(["a"] * 40_000) + " = 1\n",
                                   "x.toml, ligne 2", "clé trop longue"),
    "100,000 nested arrays": ('format = "tal-experiment/1"\nx = ' + "[" * 100_000 + "]" * 100_000 + "\n",
                              "x.toml, ligne 2", "structure trop imbriquée"),
    "nested inline tables": ("x = " + "{a = " * 50_000 + "1" + "}" * 50_000 + "\n", "x.toml, ligne 1",
                             "structure trop imbriquée"),
    "table name of 40,000 parts": ("[" + ".".join(["t"] * 40_000) + "]\n", "x.toml, ligne 1", "clé trop longue"),
    "quoted key of 80,000 characters": ('"' + "k" * 80_000 + '" = 1\n', "x.toml, ligne 1", "clé trop longue"),
}


@pytest.mark.parametrize("text, field, message", CRAFTED.values(), ids=list(CRAFTED))
def test_crafted_files_are_refused_before_parsing(text, field, message):
    with pytest.raises(DomainError) as caught:
        fileformat.parse(text, "x.toml")
    assert caught.value.field == field and message in caught.value.message


def test_brackets_dots_and_equals_inside_texts_do_not_count():
    text = MINIMAL.replace('title = "', 'title = "a.b.c.d.e.f.g.h.i.j [[[[[[[[[[[[[[[[[[ {{{{ = ', 1)
    assert fileformat.parse(text).experiment.title.startswith("a.b.c.d.e.f.g.h.i.j [[[[")


def test_the_command_line_answers_a_crafted_file_with_one_line(tal, tmp_path):
    for name, (text, _, message) in CRAFTED.items():
        path = tmp_path / "x.toml"
        path.write_text(text, encoding="utf-8")
        result = tal("load", str(path))
        assert result.returncode == 1, name
        assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, (name, result.stderr)
        assert message in result.stderr


async def test_a_nul_in_a_toml_string_is_refused_on_both_engines(tal, tmp_path):
    path = tmp_path / "nul.toml"
    path.write_text(MINIMAL.replace('title = "', 'title = "avant\\u0000', 1), encoding="utf-8")
    result = tal("load", str(path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "experiment.title : caractère nul interdit" in result.stderr
    assert await Experiment.count() == 0
