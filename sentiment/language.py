"""Which language a mention is written in: ISO 639-1 codes ("en", "de", "ja"), or None.

The detector is lingua-language-detector (its models ship with the package, nothing is
downloaded), built once per process on first use and restricted to :data:`LANGUAGES`, the
languages most often seen on review sites and social media; fewer candidates make it faster
and more accurate on short texts. It runs in low-accuracy mode (trigrams only): on reviews and
tweets that mode agreed with the high-accuracy one while costing a fraction of the time
(benchmarks/sentiment/README.md, "Language detection").

**Unsure is English.** A text too short to tell (fewer than :data:`MIN_LETTERS` letters, an
emoji, "ok", a star rating without words) or one lingua will not decide on gives None, and the
analyser treats None as English, the brand's default language: scoring "Great!" as English is
right far more often than leaving it unscored. The analyser stores "en" for such a mention
only when it scored it; :func:`detect` itself says None.

**The cheap check.** Most mentions are plain English; a text whose letters are all ASCII and
whose words are at least :data:`ENGLISH_SHARE` English function words ("the", "and", "my",
"was"...) with at least :data:`ENGLISH_MIN_HITS` of them, or one of :data:`STRONG_ENGLISH`, is
English without asking lingua.
German, Spanish or French text rarely has that many of these words (their "die", "de", "la"
are not in the list), and a text with accented letters or another script always goes to lingua.
"""

import re
from functools import lru_cache
from typing import Any

#: The candidate languages (lingua's names): the ~25 most used on review sites.
LANGUAGES = (
    "ENGLISH",
    "GERMAN",
    "FRENCH",
    "SPANISH",
    "PORTUGUESE",
    "ITALIAN",
    "DUTCH",
    "SWEDISH",
    "DANISH",
    "BOKMAL",
    "FINNISH",
    "POLISH",
    "CZECH",
    "HUNGARIAN",
    "ROMANIAN",
    "GREEK",
    "TURKISH",
    "RUSSIAN",
    "UKRAINIAN",
    "ARABIC",
    "HEBREW",
    "HINDI",
    "JAPANESE",
    "KOREAN",
    "CHINESE",
    "INDONESIAN",
    "VIETNAMESE",
    "THAI",
)
#: English names of the ISO codes, for the cue ("not scored: German").
NAMES = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "pt": "Portuguese",
    "it": "Italian",
    "nl": "Dutch",
    "sv": "Swedish",
    "da": "Danish",
    "nb": "Norwegian",
    "fi": "Finnish",
    "pl": "Polish",
    "cs": "Czech",
    "hu": "Hungarian",
    "ro": "Romanian",
    "el": "Greek",
    "tr": "Turkish",
    "ru": "Russian",
    "uk": "Ukrainian",
    "ar": "Arabic",
    "he": "Hebrew",
    "hi": "Hindi",
    "ja": "Japanese",
    "ko": "Korean",
    "zh": "Chinese",
    "id": "Indonesian",
    "vi": "Vietnamese",
    "th": "Thai",
}
#: Below this many letters a text is too short to tell: None.
MIN_LETTERS = 8
#: A text in ASCII letters only needs this many words to be called other than English: lingua
#: takes "Damn UPS!" or "Tgif world!" for Swedish, "Hahaha! Brilliant." for Finnish.
MIN_ASCII_WORDS = 5
#: lingua must prefer its first language by this relative distance, else None.
MIN_DISTANCE = 0.2
#: The cheap check: English function words, their minimum share of the words and count.
ENGLISH_SHARE = 0.2
ENGLISH_MIN_HITS = 2
_ENGLISH_WORDS = """a about after again all also am an and any are as at be been but by can
    could did do
    does doesn't don't for from get got had has have he her here his how i i'm if in into is
    isn't it it's its just me more my no not now of on one only or our out so than that the
    their them then there they this to too up us very was wasn't we were what when which who
    will with won't would you your"""
ENGLISH_WORDS = frozenset(_ENGLISH_WORDS.split())
#: Of those, the ones no other candidate language uses as a word: one is enough (at the share).
_STRONG_ENGLISH = "and the you your with this that my of for have not very would it's i'm don't"
STRONG_ENGLISH = frozenset(_STRONG_ENGLISH.split())
#: The text's first this many characters are enough to tell.
SAMPLE = 1000

_WORD = re.compile(r"[a-z']+")
#: Links, handles, hashtags and HTML entities say nothing of the language.
_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+|&\w+;")
_LETTER = re.compile(r"[^\W\d_]")


def name(code: str | None) -> str:
    """The English name of a language code ("German"), the code itself when unknown."""
    if code is None:
        return "unknown"
    return NAMES.get(code, code)


@lru_cache(maxsize=1)
def detector() -> Any:
    """The lingua detector of this process, built on first use."""
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, lang) for lang in LANGUAGES]
    return (
        LanguageDetectorBuilder.from_languages(*languages)
        .with_low_accuracy_mode()
        .with_minimum_relative_distance(MIN_DISTANCE)
        .build()
    )


def warm() -> None:
    """Build the detector and load its models now (~0.2 s), e.g. before forking workers
    that would each load them again on their first non-English text."""
    detector().detect_language_of("Die Lieferung kam nicht, el pedido no llegó")


def clearly_english(text: str) -> bool:
    """The cheap check: ASCII only, and enough English function words."""
    if not text.isascii():
        return False
    words = _WORD.findall(text.lower())
    found = [word for word in words if word in ENGLISH_WORDS]
    if len(found) < ENGLISH_SHARE * len(words):
        return False
    return len(found) >= ENGLISH_MIN_HITS or any(word in STRONG_ENGLISH for word in found)


def detect(text: str, *, cheap: bool = True) -> str | None:
    """The ISO 639-1 code of ``text``'s language, or None when unsure (see the module's
    docstring: the analyser reads None as English). ``cheap=False`` always asks lingua."""
    text = _NOISE.sub(" ", (text or "")[:SAMPLE])
    if cheap and clearly_english(text):
        return "en"
    if len(_LETTER.findall(text)) < MIN_LETTERS:
        return None
    if text.isascii() and len(_WORD.findall(text.lower())) < MIN_ASCII_WORDS:
        return None
    found = detector().detect_language_of(text)
    if found is None:
        return None
    return str(found.iso_code_639_1.name.lower())
