"""A small stop-word language detector for en / es / fr / de (no model, no download).

It reads only the ordinary words of a text: hashtags, @-mentions, URLs and bracketed
annotations (``[on-screen: ...]``, ``[00:12]``, ``[title]``) are skipped. A word shared by
several languages ("de", "la", "in") counts for each of them with a split weight. Accented
letters that belong to one language (ñ, ß, ç, ...) add a small bonus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["LANGUAGES", "UNDETERMINED", "LanguageGuess", "detect_language", "plain_words"]

LANGUAGES = ("en", "es", "fr", "de")
UNDETERMINED = "und"

_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "a",
            "an",
            "the",
            "and",
            "or",
            "but",
            "is",
            "are",
            "was",
            "were",
            "be",
            "been",
            "being",
            "am",
            "i",
            "me",
            "my",
            "mine",
            "you",
            "your",
            "yours",
            "he",
            "she",
            "it",
            "its",
            "we",
            "our",
            "they",
            "them",
            "their",
            "this",
            "that",
            "these",
            "those",
            "of",
            "to",
            "in",
            "on",
            "for",
            "with",
            "at",
            "by",
            "from",
            "about",
            "into",
            "over",
            "after",
            "before",
            "just",
            "so",
            "very",
            "really",
            "not",
            "no",
            "do",
            "does",
            "did",
            "have",
            "has",
            "had",
            "will",
            "would",
            "can",
            "could",
            "should",
            "what",
            "when",
            "where",
            "why",
            "how",
            "all",
            "any",
            "some",
            "more",
            "most",
            "than",
            "too",
            "out",
            "up",
            "here",
            "there",
            "if",
            "then",
            "because",
            "love",
            "loving",
            "got",
            "get",
            "try",
            "tried",
            "new",
            "today",
            "week",
            "my",
            "our",
            "us",
            "it's",
            "i'm",
            "don't",
            "can't",
            "im",
            "also",
            "only",
            "still",
            "always",
            "never",
            "ever",
            "who",
            "which",
            "much",
            "many",
            "one",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "un",
            "una",
            "unos",
            "unas",
            "y",
            "o",
            "pero",
            "es",
            "son",
            "era",
            "fue",
            "ser",
            "estar",
            "está",
            "están",
            "estoy",
            "de",
            "del",
            "al",
            "en",
            "con",
            "por",
            "para",
            "sin",
            "sobre",
            "que",
            "qué",
            "como",
            "cómo",
            "cuando",
            "muy",
            "más",
            "menos",
            "mi",
            "mis",
            "tu",
            "tus",
            "su",
            "sus",
            "nuestro",
            "nuestra",
            "yo",
            "tú",
            "él",
            "ella",
            "nosotros",
            "ellos",
            "este",
            "esta",
            "estos",
            "estas",
            "ese",
            "esa",
            "eso",
            "lo",
            "le",
            "les",
            "se",
            "me",
            "te",
            "nos",
            "ya",
            "hoy",
            "también",
            "porque",
            "pero",
            "nunca",
            "siempre",
            "todo",
            "toda",
            "todos",
            "todas",
            "mucho",
            "muchas",
            "hay",
            "tengo",
            "tiene",
            "he",
            "ha",
            "han",
            "probé",
            "probado",
            "nuevo",
            "nueva",
            "semana",
            "gracias",
            "aquí",
            "así",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "un",
            "une",
            "des",
            "et",
            "ou",
            "mais",
            "est",
            "sont",
            "était",
            "être",
            "avoir",
            "de",
            "du",
            "au",
            "aux",
            "en",
            "dans",
            "avec",
            "pour",
            "par",
            "sur",
            "sans",
            "que",
            "qui",
            "quoi",
            "comme",
            "quand",
            "très",
            "plus",
            "moins",
            "mon",
            "ma",
            "mes",
            "ton",
            "ta",
            "tes",
            "son",
            "sa",
            "ses",
            "notre",
            "nos",
            "votre",
            "vos",
            "je",
            "tu",
            "il",
            "elle",
            "nous",
            "vous",
            "ils",
            "elles",
            "ce",
            "cette",
            "ces",
            "cet",
            "ça",
            "ne",
            "pas",
            "se",
            "me",
            "te",
            "lui",
            "leur",
            "y",
            "aujourd'hui",
            "aussi",
            "parce",
            "jamais",
            "toujours",
            "tout",
            "toute",
            "tous",
            "toutes",
            "beaucoup",
            "j'ai",
            "c'est",
            "j'adore",
            "nouveau",
            "nouvelle",
            "semaine",
            "merci",
            "ici",
            "voici",
            "voilà",
            "chez",
        ]
    ),
    "de": frozenset(
        [
            "der",
            "die",
            "das",
            "den",
            "dem",
            "des",
            "ein",
            "eine",
            "einen",
            "einem",
            "einer",
            "und",
            "oder",
            "aber",
            "ist",
            "sind",
            "war",
            "waren",
            "sein",
            "haben",
            "hat",
            "habe",
            "von",
            "zu",
            "zum",
            "zur",
            "im",
            "in",
            "mit",
            "für",
            "auf",
            "aus",
            "bei",
            "nach",
            "über",
            "ohne",
            "dass",
            "wie",
            "wenn",
            "sehr",
            "mehr",
            "weniger",
            "mein",
            "meine",
            "meinen",
            "dein",
            "deine",
            "sein",
            "seine",
            "ihr",
            "ihre",
            "unser",
            "unsere",
            "ich",
            "du",
            "er",
            "sie",
            "es",
            "wir",
            "ihr",
            "nicht",
            "kein",
            "keine",
            "sich",
            "mich",
            "dich",
            "mir",
            "dir",
            "auch",
            "heute",
            "weil",
            "nie",
            "immer",
            "alles",
            "alle",
            "viel",
            "viele",
            "noch",
            "schon",
            "gibt",
            "neue",
            "neuen",
            "neues",
            "woche",
            "danke",
            "hier",
            "endlich",
            "jetzt",
        ]
    ),
}

_WEIGHTS: dict[str, dict[str, float]] = {}
for _lang, _words in _STOPWORDS.items():
    for _w in _words:
        _WEIGHTS.setdefault(_w, {})[_lang] = 0.0
for _w, _langs in _WEIGHTS.items():
    for _lang in _langs:
        _langs[_lang] = 1.0 / len(_langs)

_SPECIAL_CHARS = {"ñ": "es", "¿": "es", "¡": "es", "ß": "de", "ä": "de", "ö": "de", "ü": "de"}
_FR_CHARS = set("çèêëàâîïôûœ")

_SKIP = re.compile(
    r"https?://\S+|www\.\S+|\b\S+\.(?:com|ly|me|to|app|co|io|ee|net|org)/\S*|[#@][\w.]+|\[[^\]\n]*\]"
)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@dataclass(frozen=True)
class LanguageGuess:
    """The detected language (``und`` when the evidence is too thin) and the scores."""

    language: str
    scores: dict[str, float]
    words: int


def plain_words(text: str) -> list[str]:
    """The lower-cased ordinary words of ``text`` (no hashtags, mentions, URLs, annotations)."""
    stripped = _SKIP.sub(" ", text)
    return [w.replace("’", "'").lower() for w in _WORD.findall(stripped)]


def detect_language(*texts: str | None, min_score: float = 2.0) -> LanguageGuess:
    """Guess en/es/fr/de from the ordinary words of the texts, or ``und`` if unsure."""
    scores = dict.fromkeys(LANGUAGES, 0.0)
    n_words = 0
    for text in texts:
        if not text:
            continue
        for word in plain_words(text):
            n_words += 1
            weights = _WEIGHTS.get(word)
            if weights:
                for lang, weight in weights.items():
                    scores[lang] += weight
            elif "'" in word:
                # French elisions ("l'huile", "d'un") are a strong hint.
                head = word.split("'", 1)[0]
                if head in {"l", "d", "j", "qu", "n", "c", "s", "m", "t"}:
                    scores["fr"] += 0.5
            for ch in word:
                if ch in _SPECIAL_CHARS:
                    scores[_SPECIAL_CHARS[ch]] += 0.5
                    break
                if ch in _FR_CHARS:
                    scores["fr"] += 0.5
                    break
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], LANGUAGES.index(kv[0])))
    (best, best_score), (_, second) = ranked[0], ranked[1]
    if best_score < min_score or best_score < 1.5 * second:
        return LanguageGuess(UNDETERMINED, scores, n_words)
    return LanguageGuess(best, scores, n_words)
