"""Language packs: what the analyser knows of a language is data, loaded once into one frozen
object; English results are those of the analyser before the packs (recorded in
english_golden.jsonl by the code that kept all this in Python constants)."""

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from sentiment import Analyzer
from sentiment.packs import PACKS_DIR, PackError, available, load_pack, read_pack

GOLDEN = Path(__file__).with_name("english_golden.jsonl")


def test_a_pack_loads_once_and_is_frozen() -> None:
    pack = load_pack("en")
    assert load_pack("en") is pack
    with pytest.raises(dataclasses.FrozenInstanceError):
        pack.lexicon = {}  # type: ignore[misc]
    with pytest.raises(TypeError):
        pack.lexicon["mediocre"] = 4.0  # type: ignore[index]
    with pytest.raises(TypeError):
        pack.complaint.weights["waiting"] = 9.0  # type: ignore[index]
    assert pack.lexicon["mediocre"] == -1.5
    assert any(f.name == "waiting" for f in pack.families)
    assert "delivery" in pack.aspects
    assert pack.model is not None and pack.model.name == "lr1"
    assert "en" in available()


def test_the_analyser_reads_the_pack_not_python_constants() -> None:
    pack = load_pack("en")
    lexicon = dict(pack.lexicon, mediocre=3.0)
    changed = dataclasses.replace(pack, lexicon=lexicon)
    text = "The food was mediocre."
    assert Analyzer(learned=False).analyze(text).label == "negative"
    assert Analyzer(learned=False, pack=changed).analyze(text).label == "positive"


@pytest.mark.parametrize("kind", ["learned", "rules"])
def test_english_results_are_identical_to_before_the_packs(kind: str) -> None:
    analyzer = Analyzer(learned=kind == "learned")
    rows = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 100
    differ = []
    for row in rows:
        rating, expected = row[kind]
        got = analyzer.analyze(row["text"], rating=rating).as_dict()
        if got != expected:
            differ.append((row["text"], got, expected))
    assert not differ, differ[:3]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("El pedido llegó tarde y nadie responde a mis correos, qué vergüenza.", "es"),
        ("注文した商品がまだ届きません。サポートに連絡しても返事がありません。", "ja"),
    ],
)
def test_a_language_without_a_pack_is_not_scored(text: str, language: str) -> None:
    result = Analyzer().analyze(text, rating=1).as_dict()
    assert result["language"] == language
    assert result["scored"] is False and result["sentiment"] is None
    assert language not in available()


def test_a_bad_pattern_names_the_file_and_the_entry(tmp_path: Path) -> None:
    pack = tmp_path / "xx"
    shutil.copytree(PACKS_DIR / "en", pack, ignore=shutil.ignore_patterns("*.json"))
    text = (pack / "pack.toml").read_text(encoding="utf-8").replace('model = "lr1.json"', "")
    (pack / "pack.toml").write_text(text, encoding="utf-8")
    assert read_pack(pack).model is None
    families = pack / "families.toml"
    families.write_text(
        families.read_text(encoding="utf-8").replace(
            "patterns = [\n", "patterns = [\n    '(?:unclosed',\n", 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(PackError, match=r"families\.toml \[waiting\]: bad pattern"):
        read_pack(pack)
