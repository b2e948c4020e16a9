"""Language packs: what the analyser knows of a language, as data files, in one frozen object.

A pack is a directory ``sentiment/packs/<lang>/`` (ISO 639-1) of TOML files and the learned
model's JSON artefact:

* ``pack.toml`` — ``lang``, ``name``, whether the analysis starts from VADER's own (English)
  lexicon (``vader``), the words that negate (``negations``, for a pack without VADER's) and
  the model file (``model``);
* ``lexicon.toml`` — ``[words]`` added to the lexicon, ``[overrides]`` that replace VADER's;
* ``phrases.toml`` — ``[[phrase]]`` name, valence, patterns;
* ``families.toml`` — ``[complaint]`` bias and constants, ``[signals]`` weights,
  ``[[family]]`` name, meaning, weight, role (``amplifier`` / ``against``), patterns;
* ``aspects.toml`` — ``[aspects]`` name = keywords;
* ``rules.toml`` — the word lists of :mod:`sentiment.rules` (English only; optional).

Patterns are regular expressions written as strings; ``{NAME}`` in a pattern is the building
block ``NAME`` of the file's ``[defines]`` table. :func:`load_pack` reads a pack once per
process (cached) into a :class:`Pack`; nothing is read at import.
"""

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from sentiment.learned import LearnedModel, load_model

PACKS_DIR = Path(__file__).resolve().parent
_DEFINE = re.compile(r"\{([A-Z_]+)\}")
ROLES = ("amplifier", "against")


@dataclass(frozen=True, slots=True)
class Family:
    """One kind of complaint evidence: a readable name, what it means, and its patterns."""

    name: str
    meaning: str
    patterns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ComplaintWeights:
    """How the complaint families combine (:mod:`sentiment.complaint`)."""

    #: weight of each family and of each numeric signal
    weights: Mapping[str, float]
    bias: float
    amplifiers: frozenset[str]
    against: frozenset[str]
    negative_words: float
    rating_evidence: float


@dataclass(frozen=True, slots=True)
class WordRules:
    """The word lists of :mod:`sentiment.rules` ("too", "like", "pretty", idiom nouns)."""

    too_valence: float
    too_skip: frozenset[str]
    like_after: frozenset[str]
    pretty_degree: frozenset[str]
    pretty_boost: float
    idiom_nouns: Mapping[str, float]
    idiom_before: frozenset[str]


@dataclass(frozen=True, slots=True)
class Pack:
    """Everything the analyser knows of one language, frozen."""

    lang: str
    name: str
    directory: Path
    #: whether the analysis starts from VADER's own English lexicon and negations
    vader: bool
    #: words that negate the word after them (besides VADER's, when ``vader``)
    negations: frozenset[str]
    lexicon: Mapping[str, float]
    overrides: Mapping[str, float]
    #: ``(name, valence, patterns)``
    phrases: tuple[tuple[str, float, tuple[str, ...]], ...]
    families: tuple[Family, ...]
    complaint: ComplaintWeights
    #: aspect -> keywords
    aspects: Mapping[str, tuple[str, ...]]
    rules: WordRules | None
    model_file: str | None
    model: LearnedModel | None

    @property
    def model_path(self) -> Path | None:
        """The learned model's artefact, if the pack has one."""
        return self.directory / self.model_file if self.model_file else None


class PackError(ValueError):
    """A pack's data files are missing or malformed (the message names file and key)."""


def _read(path: Path, *, required: bool = True) -> dict[str, Any]:
    if not path.exists():
        if required:
            raise PackError(f"{path}: missing")
        return {}
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise PackError(f"{path}: {exc}") from exc


def _expand(patterns: list[str], defines: Mapping[str, str], where: str) -> tuple[str, ...]:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        return defines[name] if name in defines else match.group(0)

    out = tuple(_DEFINE.sub(one, pattern) for pattern in patterns)
    for pattern in out:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise PackError(f"{where}: bad pattern {pattern!r}: {exc}") from exc
    return out


def _floats(table: Mapping[str, Any], where: str) -> dict[str, float]:
    out = {}
    for key, value in table.items():
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise PackError(f"{where}: {key!r} should be a number, got {value!r}")
        out[key] = float(value)
    return out


def available() -> list[str]:
    """The languages that have a pack (directories with a ``pack.toml``), sorted."""
    return sorted(p.parent.name for p in PACKS_DIR.glob("*/pack.toml"))


def read_pack(directory: Path, *, model: bool = True) -> Pack:
    """Read the pack in ``directory`` (not cached: :func:`load_pack` is); ``model=False``
    leaves its learned model out (to train one)."""
    meta = _read(directory / "pack.toml")
    lexicon = _read(directory / "lexicon.toml", required=False)
    phrases = _read(directory / "phrases.toml", required=False)
    families = _read(directory / "families.toml", required=False)
    aspects = _read(directory / "aspects.toml", required=False)
    rules = _read(directory / "rules.toml", required=False)
    lang = str(meta.get("lang", directory.name))
    pdefs = phrases.get("defines", {})
    phrase_list = tuple(
        (
            str(p["name"]),
            float(p["valence"]),
            _expand(p["patterns"], pdefs, f"{directory / 'phrases.toml'} [{p['name']}]"),
        )
        for p in phrases.get("phrase", [])
    )
    fdefs = families.get("defines", {})
    family_list: list[Family] = []
    weights: dict[str, float] = {}
    roles: dict[str, set[str]] = {role: set() for role in ROLES}
    for f in families.get("family", []):
        where = f"{directory / 'families.toml'} [{f.get('name')}]"
        family_list.append(
            Family(str(f["name"]), str(f.get("meaning", "")), _expand(f["patterns"], fdefs, where))
        )
        if "weight" in f:
            weights[f["name"]] = float(f["weight"])
        if "role" in f:
            if f["role"] not in ROLES:
                raise PackError(f"{where}: role should be one of {ROLES}, got {f['role']!r}")
            roles[f["role"]].add(f["name"])
    weights.update(_floats(families.get("signals", {}), f"{directory / 'families.toml'} [signals]"))
    constants = families.get("complaint", {})
    complaint = ComplaintWeights(
        weights=MappingProxyType(weights),
        bias=float(constants.get("bias", 0.0)),
        amplifiers=frozenset(roles["amplifier"]),
        against=frozenset(roles["against"]),
        negative_words=float(constants.get("negative_words", 0.05)),
        rating_evidence=float(constants.get("rating_evidence", 2.0)),
    )
    word_rules = None
    if rules:
        word_rules = WordRules(
            too_valence=float(rules["too_valence"]),
            too_skip=frozenset(rules["too_skip"]),
            like_after=frozenset(rules["like_after"]),
            pretty_degree=frozenset(rules["pretty_degree"]),
            pretty_boost=float(rules["pretty_boost"]),
            idiom_nouns=MappingProxyType(_floats(rules.get("idiom_nouns", {}), "rules.toml")),
            idiom_before=frozenset(rules["idiom_before"]),
        )
    model_file = meta.get("model")
    learned = load_model(directory / model_file) if model_file and model else None
    lexicon_file = directory / "lexicon.toml"
    return Pack(
        lang=lang,
        name=str(meta.get("name", lang)),
        directory=directory,
        vader=bool(meta.get("vader", False)),
        negations=frozenset(meta.get("negations", ())),
        lexicon=MappingProxyType(_floats(lexicon.get("words", {}), f"{lexicon_file} [words]")),
        overrides=MappingProxyType(
            _floats(lexicon.get("overrides", {}), f"{lexicon_file} [overrides]")
        ),
        phrases=phrase_list,
        families=tuple(family_list),
        complaint=complaint,
        aspects=MappingProxyType({str(k): tuple(v) for k, v in aspects.get("aspects", {}).items()}),
        rules=word_rules,
        model_file=str(model_file) if model_file else None,
        model=learned,
    )


@functools.cache
def load_pack(lang: str) -> Pack:
    """The pack of ``lang``, read on first use and kept for the life of the process.

    Raises :class:`KeyError` for a language without a pack."""
    directory = PACKS_DIR / lang
    if not re.fullmatch(r"[a-z]{2,3}", lang) or not (directory / "pack.toml").exists():
        raise KeyError(f"no language pack for {lang!r}")
    return read_pack(directory)
