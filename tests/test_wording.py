"""The wording review (« Relire la formulation », ``tal wording check``): measured on a
corpus written for TAL, its rewordings, the command line, the fallback to patterns
when the French model cannot be loaded, and an application that starts without it."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys

import pytest

from conftest import ROOT
from tal import cli
from tal.journal import language
from tal.journal.lexicon import fold
from tal.journal.wording import review, review_in_thread

CORPUS = ROOT / "tests" / "data" / "wording"
# The people the corpus names: a suggestion never repeats them.
CORPUS_NAMES = """Martin Paul Sophie Kévin Nadia Julien Lefèvre Thomas Émilie Marc Fatima Jérôme Lucas Pierre
Amandine Girard Camille Hugo Antoine Robert Yasmine Romain Nathalie Léa Vidal Bruno Clément Sandrine Mathieu
Julie""".split()


def sentences(name: str) -> list[str]:
    lines = (CORPUS / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="session")
def model():
    """The French model, loaded once for the whole session."""
    nlp = language.model()
    assert nlp is not None, "fr_core_news_sm must be installed (pyproject.toml)"
    return nlp


def check_lines(texts: list[str], tmp_path, capsys) -> list[dict]:
    """``tal wording check FILE --lines --format json``, as a user runs it."""
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    assert cli.main(["wording", "check", str(path), "--lines", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [t["text"] for t in result["texts"]] == texts
    return result["texts"]


def figures(prefix: str, tmp_path, capsys) -> tuple[float, float, list[str], list[str]]:
    blaming, plain = sentences(f"blaming{prefix}.txt"), sentences(f"not_blaming{prefix}.txt")
    results = check_lines(blaming + plain, tmp_path, capsys)
    caught = [r["text"] for r in results[: len(blaming)] if r["flags"]]
    alarms = [r["text"] for r in results[len(blaming):] if r["flags"]]
    recall = len(caught) / len(blaming)
    false_alarms = len(alarms) / len(plain)
    precision = len(caught) / (len(caught) + len(alarms)) if caught or alarms else 1.0
    with capsys.disabled():
        print(f"\nwording corpus{prefix or ' (tuning)'}: {len(blaming)} blaming, {len(plain)} not blaming; "
              f"recall {recall:.2f}, precision {precision:.2f}, false alarms {false_alarms:.2f}")
    return recall, false_alarms, [s for s in blaming if s not in caught], alarms


def test_the_corpus_is_large_and_varied_enough():
    blaming, plain = sentences("blaming.txt"), sentences("not_blaming.txt")
    assert len(blaming) >= 40 and len(plain) >= 40
    assert len(set(blaming + plain)) == len(blaming) + len(plain)
    samples = (ROOT / "experiments").glob("*.toml")
    sample_text = " ".join(p.read_text(encoding="utf-8") for p in samples)
    assert sum(s in sample_text for s in plain) >= 8  # sentences of the sample entries


def test_the_detector_catches_blame_without_false_alarms_on_the_corpus(model, tmp_path, capsys):
    recall, false_alarms, missed, alarms = figures("", tmp_path, capsys)
    assert recall >= 0.90, missed
    assert false_alarms <= 0.10, alarms


def test_held_out_sentences_written_after_tuning(model, tmp_path, capsys):
    """Figures on sentences never used to tune the detector (printed; reported as they are)."""
    recall, false_alarms, missed, alarms = figures("_heldout", tmp_path, capsys)
    assert len(sentences("blaming_heldout.txt")) >= 20 and len(sentences("not_blaming_heldout.txt")) >= 20
    assert recall >= 0.80, missed
    assert false_alarms <= 0.10, alarms


def test_the_issues_example_flags_the_person_and_rewords_about_the_system(model):
    text = "C'est la faute de Martin qui a oublié d'envoyer les courriers."
    flags = review(text)
    assert [text[f.start:f.end] for f in flags] == [f.excerpt for f in flags]
    assert any("la faute de" in f.excerpt for f in flags)
    assert any("Martin qui a oublié" in f.excerpt for f in flags)
    assert flags[0].suggestion == ("Les courriers n'ont pas été envoyés\u202f: rien dans le processus ne signalait "
                                   "que cette étape manquait.")


@pytest.mark.parametrize("sentence", [
    "Martin a signalé l'anomalie le jour même.",
    "Karim et Julie ont animé les ateliers.",
    "L'outil aurait dû envoyer une alerte.",
    "Ce n'est pas de sa faute : l'écran n'affichait pas l'alerte.",
    "Nous avons oublié de prévoir une salle de repli en cas de pluie.",
])
def test_naming_a_colleague_for_a_neutral_or_positive_act_is_not_blame(model, sentence):
    assert review(sentence, ["Martin Durand", "Julie Petit"]) == []


@pytest.mark.parametrize(("sentence", "suggestion"), [
    ("Le stagiaire a oublié de joindre la pièce justificative.",
     "La pièce justificative n'a pas été jointe\u202f: rien dans le processus ne signalait que cette étape manquait."),
    ("Sophie aurait dû vérifier les adresses avant l'envoi.",
     "Les adresses n'ont pas été vérifiées avant l'envoi\u202f: rien dans le processus ne signalait que cette "
     "étape manquait."),
    ("Le technicien a mal configuré le serveur de messagerie.",
     "Le serveur de messagerie a été mal configuré\u202f: aucun contrôle n'a permis de repérer l'erreur à temps."),
    ("Les courriers sont partis en retard à cause de Paul.",
     "Les courriers sont partis en retard\u202f: le processus en place n'a pas permis de l'éviter."),
    ("C'est la faute de la cantinière si les menus étaient faux.",
     "Les menus étaient faux\u202f: le processus en place n'a pas permis de l'éviter."),
    ("Cette erreur est due au manque de rigueur de l'instructrice.",
     "Cette erreur est due à un défaut d'organisation\u202f: le processus en place n'a pas permis de l'éviter."),
])
def test_suggestions_reword_the_sentence_about_the_system(model, sentence, suggestion):
    flags = review(sentence)
    assert flags and {f.suggestion for f in flags} == {suggestion}


def test_suggestions_never_repeat_the_persons_name(model):
    names = {fold(n) for n in CORPUS_NAMES}
    for sentence in sentences("blaming.txt") + sentences("blaming_heldout.txt"):
        for flag in review(sentence):
            words = {fold(w) for w in re.findall(r"[\w-]+", flag.suggestion)}
            assert not words & names, (sentence, flag.suggestion)
            assert flag.suggestion != sentence


def test_account_names_are_people_and_never_repeated(model):
    text = "Le 3 mars, Bernadette Kowalczyk n'a pas transmis la liste des inscrits."
    flags = review(text, ["Bernadette Kowalczyk"])
    assert flags and "Kowalczyk" in flags[0].excerpt
    assert "Kowalczyk" not in flags[0].suggestion and "Bernadette" not in flags[0].suggestion


def test_offsets_point_into_the_original_text_across_sentences_and_lines(model):
    text = ("Été 2026 : l’équipe a réagi vite.\nLe logiciel n'a pas alerté.\n\n"
            "Ensuite, M. Vidal a oublié d’envoyer les relances. Karim a relancé les familles.")
    flags = review(text)
    assert len(flags) == 1
    [flag] = flags
    assert text[flag.start:flag.end] == flag.excerpt
    assert "M. Vidal a oublié" in flag.excerpt
    assert flag.sentence == "Ensuite, M. Vidal a oublié d’envoyer les relances."


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_empty_texts_have_no_flags(model, text):
    assert review(text) == []


async def test_the_review_runs_in_a_worker_thread(model):
    found = await review_in_thread({"a": "Le stagiaire a oublié le dossier.", "b": "Tout va bien."})
    assert [key for key, _ in found] == ["a"]


# ---------------------------------------------------------------- command line


def test_the_command_prints_each_flag_with_its_rewording(model, tmp_path, capsys):
    path = tmp_path / "entree.txt"
    path.write_text("Karim a relancé les familles.\nÀ cause de Paul, les courriers sont partis en retard.\n",
                    encoding="utf-8")
    assert cli.main(["wording", "check", str(path), "--lines"]) == 0
    out = capsys.readouterr().out
    assert "ligne 2, caractères 0–15\u202f: «\u202fÀ cause de Paul\u202f» — désigne une personne comme cause de l'incident" in out
    assert ("Suggestion\u202f: Les courriers sont partis en retard\u202f: le processus en place n'a pas permis "
            "de l'éviter.") in out
    assert out.rstrip().endswith("1 passage(s) signalé(s) dans 1 texte(s) sur 2.")


def test_the_command_reads_standard_input_as_one_text(model, monkeypatch, capsys):
    text = "Karim a relancé les familles. Le stagiaire aurait dû vérifier les adresses."
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8"))
    assert cli.main(["wording", "check", "-", "--format", "json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)["texts"]
    assert entry["text"] == text
    [flag] = entry["flags"]
    assert set(flag) == {"start", "end", "excerpt", "reason", "suggestion"}
    assert text[flag["start"]:flag["end"]] == flag["excerpt"] == "Le stagiaire aurait dû"
    assert flag["reason"] == "juge après coup ce qu'une personne aurait dû faire"


@pytest.mark.parametrize(("content", "message"), [
    (b"\xff\xfe\x00L\x00e", "le texte n'est pas en UTF-8"),
    (("a" * 200_001).encode(), "le texte dépasse 200\u202f000 caractères"),
])
def test_bad_input_is_one_line_and_exit_status_1(tmp_path, capsys, content, message):
    path = tmp_path / "entree.txt"
    path.write_bytes(content)
    assert cli.main(["wording", "check", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == f"tal : erreur : {path} : {message}"


def test_a_missing_file_or_a_folder_is_a_user_error(tmp_path, capsys):
    assert cli.main(["wording", "check", str(tmp_path / "absent.txt")]) == 1
    assert cli.main(["wording", "check", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("tal : erreur") == 2


# ---------------------------------------------------------------- loading


def test_without_the_model_the_review_falls_back_to_patterns_and_says_so(model, monkeypatch, caplog):
    def broken(name):
        raise OSError(f"[E050] Can't find model '{name}'")

    saved = dict(language._state)
    monkeypatch.setattr(language, "_load", broken)
    language.reset()
    try:
        with caplog.at_level(logging.WARNING, logger="tal.wording"):
            flags = review("C'est la faute de M. Vidal. Martin a signalé l'anomalie. L'agent Moreau a oublié la clé.")
        assert [f.excerpt for f in flags] == ["la faute de", "L'agent Moreau a oublié"]
        assert all(f.suggestion and "Vidal" not in f.suggestion and "Moreau" not in f.suggestion for f in flags)
        assert review("M. Dupont a transmis la liste.", ["Jean Dupont"]) == []  # a name alone is not blame
        [record] = [r for r in caplog.records if r.name == "tal.wording"]
        assert "fr_core_news_sm unavailable" in record.getMessage() and "patterns" in record.getMessage()
        assert record.exc_info is None
        review("Encore une phrase.")  # loaded (or not) once per process: no second attempt, no second log
        assert len([r for r in caplog.records if r.name == "tal.wording"]) == 1
    finally:
        language._state.update(saved)


def test_the_application_starts_without_loading_the_model():
    code = ("import sys; from tal.app import create_app; create_app(); "
            "print(sorted(m for m in sys.modules if m == 'spacy' or m.startswith(('spacy.', 'thinc', "
            "'fr_core_news_sm', 'tal.journal.analysis'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
