"""A small linear model that tells appeal sentences from story sentences.

Logistic regression over sparse binary features of one sentence:

* ``w:`` lowercased words and ``b:`` word bigrams;
* ``c:`` word-initial character 4- and 5-grams (``c:abonn``, ``c:newsl``,
  ``c:unters``): morphology that carries over between outlets and languages;
* ``f:`` the first word and ``g:`` the first two (imperatives open a sentence);
* ``s:`` structure: the reader addressed in the second person, the outlet's
  own voice ("we", "our", in English, German, French and Spanish), both at
  once, an opening imperative-looking word with the reader addressed, length
  bucket, no final stop, exclamation, question, quotation marks, digits,
  currency, reporting verbs.

The weights are trained at build time by ``benchmarks/train_appeal_model.py``
(pure Python, deterministic) and shipped as ``appeal_model.json`` next to this
file. Loading is lazy; scoring a sentence is a few dozen dictionary lookups.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain, repeat
from pathlib import Path
from typing import TypeVar

MODEL_PATH = Path(__file__).with_name("appeal_model.json")
_T = TypeVar("_T")


def _set(spec: str) -> frozenset[str]:
    return frozenset(spec.split())


_TOKEN = re.compile(r"\w+(?:['’]\w+)*")
# Not the words that are more often something else: German "ihr/ihre/ihnen"
# (her, their, them; the formal "Ihr" is found by its capital, see _SIE),
# "du" (French "of the"), Spanish "su/sus" (his, her, their), "ton" (English).
_SECOND_PERSON = _set(
    "you your yours yourself you're you've you'll you'd "
    "dich dir dein deine deinen deinem deiner euch euer eure "
    "vous votre vos tu toi ta tes te "
    "tú tu tus usted ustedes te ti contigo vuestro vuestra "
    # Verbs that carry the person themselves (Spanish and German drop the pronoun).
    "necesitas puedes quieres quieras tienes eres estás sabes valoras disfrutas recibes"
    " lees apoyas buscas bist hast kannst willst möchtest liest"
    " tuo tua tuoi voi vostro vostra vostri vostre"
)
# A sentence that opens with a third person is about someone, not to the reader.
_THIRD_PERSON_OPENERS = _set("he she they er il elle ils elles él ella ellos ellas lui lei loro")
_FIRST_PLURAL = _set(
    "we our ours us we're we've we'll we'd "
    "wir uns unser unsere unseren unserem unserer "
    "nous notre nos "
    "nosotros nosotras nuestro nuestra nuestros nuestras nos "
    "noi nostro nostra nostri nostre"
)
_REPORTING = _set(
    "said says told reported announced according stated claimed wrote added "
    "sagte sagt erklärte berichtete laut dit déclaré selon según dijo afirmó"
)
# "Sie" (German formal you) is only second person with a capital inside a sentence.
_SIE = re.compile(r"(?<=\S )(?:Sie|Ihr|Ihre|Ihren|Ihrem|Ihrer|Ihnen)\b")
# Concepts of the appeal vocabulary across English, German, French and
# Spanish, by word stem: a concept's weight is learnt mostly from the English
# data and carries over to the other languages ("k:subscribe" fires for
# "subscribe", "abonnieren", "abonnez", "suscríbete").
_CONCEPT_STEMS: dict[str, tuple[str, ...]] = {
    "subscribe": ("subscri", "abonn", "abo", "suscri", "suscríb", "abonnent", "abbona", "iscriv"),
    "newsletter": ("newslet", "boletín", "boletin", "infolett"),
    "donate": (
        "donat",
        "donaci",
        "donativ",
        "spende",
        "spendi",
        "don",
        "dons",
        "aportaci",
        "contribu",
        "donazi",
    ),
    "support": (
        "support",
        "unterst",
        "soutien",
        "souten",
        "apoy",
        "apóy",
        "ayúd",
        "ayud",
        "aidez",
        "sostien",
        "sosten",
    ),
    "member": (
        "member",
        "mitglie",
        "membre",
        "socio$",
        "socia$",
        "socios$",
        "adhér",
        "adhes",
        "miembr",
    ),
    "register": (
        "regist",
        "anmeld",
        "inscri",
        "connectez",
        "konto",
        "compte$",
        "cuenta$",
        "login",
        "sesión",
        "sesion",
        "logg",
        "einlogg",
        "connexion",
    ),
    "share": ("share", "teilen", "partag", "compart", "compárt"),
    "reader": ("reader", "leser", "lecteu", "lector", "lettor"),
    "journalism": ("journal", "periodi", "rédact", "redakt", "redacc", "recherc", "reportag"),
    "free": ("free", "kostenl", "gratuit", "gratis"),
    "app": ("app", "apps", "applica", "aplicac"),
    "adblock": ("adbloc", "werbebl", "bloqueu", "bloquea"),
    "follow": ("follow", "folgen", "suivez", "síguen", "siguen", "sígue"),
    "download": ("downlo", "herunte", "télécha", "telecha", "descarg"),
    "now": ("now", "jetzt", "mainten", "ahora", "today", "heute", "aujour", "hoy"),
    "cancel": ("cancel", "kündb", "kündig", "résili", "resili"),
    "exclusive": ("exclus", "réserv", "reserv"),
    "inbox": ("inbox", "postfa", "e-mail", "email", "correo", "courrie", "boîte"),
    "month": ("month", "monat", "mois", "mes"),
    "access": ("access", "zugang", "zugriff", "accès", "acceso", "accesso", "accede", "accedi"),
    "unlimited": ("unlimit", "unbegren", "illimit", "ilimita"),
    "miss": ("miss$", "verpass", "manquez", "manquer", "pierdas", "perderte", "perdere"),
    "origin": ("originally", "originalm", "zuerst", "erstveröff", "initialem", "originariam"),
    "permission": ("permission", "genehmig", "permiso", "autorisa", "permesso"),
    "ads": (
        "werbung",
        "werbefr",
        "anzeigen",
        "publicit",
        "publicid",
        "anunci",
        "pubblicit",
        "ads$",
    ),
}
# German writes compounds: "Jahresabo", "Benutzerkonto", "Fördermitglied".
# Their last part names the concept.
_COMPOUND_ENDS: dict[str, str] = {
    "abo": "subscribe",
    "abos": "subscribe",
    "abonnement": "subscribe",
    "konto": "register",
    "mitglied": "member",
    "mitglieder": "member",
    "mitgliedschaft": "member",
    "spende": "donate",
    "spenden": "donate",
    "newsletter": "newsletter",
    "blocker": "adblock",
}
_COMPOUND_LENGTHS = sorted({len(end) for end in _COMPOUND_ENDS})
_COMPOUND_MIN_HEAD = 3
# A stem ending in "$" must be the whole word ("socio", not "social").
_STEM_CONCEPT: dict[str, str] = {
    stem: concept
    for concept, stems in _CONCEPT_STEMS.items()
    for stem in stems
    if not stem.endswith("$")
}
_WORD_CONCEPT: dict[str, str] = {
    stem[:-1]: concept
    for concept, stems in _CONCEPT_STEMS.items()
    for stem in stems
    if stem.endswith("$")
}
_STEM_LENGTHS = sorted({len(stem) for stem in _STEM_CONCEPT})
# Imperatives addressed to the reader: German "Werden Sie", French "Abonnez-vous",
# Spanish "Suscríbete", "Síguenos".
# Besides: "please" in four languages, a German verb with "uns" ("Folge uns"),
# and the calls to action of the other languages' imperatives (du-forms,
# French -ez forms, Spanish tú-forms), by verb.
# What follows a surname opening a sentence ("Lopez said", "Pérez a dit",
# "Sánchez y ..."), unlike an imperative's object.
_NAME_VERBS = (
    "(?:a|est|ont|sont|dit|avait|était|fut|va|et|ou|said|says|told|has|had|was|is|will|would"
    "|and|or|of|who|ha|dijo|es|fue|y|hat|ist|sagte|und)"
)
IMPERATIVE = re.compile(
    r"^\W*(?:[A-ZÄÖÜ]\w+ (?:Sie|du|uns)\b|\w+ez-(?:vous|nous)\b|\w*[áéíóú]\w*(?:te|nos)\b|Hazte\b"
    r"|(?:Bitte|Por favor|Veuillez|Merci de|Please)\b"
    r"|(?:Werde|Hilf|Unterstütze|Folge|Abonniere|Lies|Teile|Melde|Hol|Lade|Spende|Registriere"
    r"|Sichere|Entdecke|Teste|Lest|Werdet|Helft)\b"
    r"|(?:Rejoign|Offr|Télécharg|Ecout|Écout|Suiv|Profit|Retrouv|Inscriv|Abonn|Souten|Découvr"
    r"|Lis|Partag|Aid|Cliqu|Connect|Recev|Donn|Essay|Activ|Désactiv|Ajout)ez\b"
    # A French sentence that opens with a verb in -ez and no subject is an
    # imperative ("Devenez", "Participez"): a lowercase word follows that is
    # not a verb of its own (a surname in -ez does the saying: "Lopez said",
    # "Pérez a dit"); "Chez" and "Assez" are not verbs.
    r"|(?!Chez\b|Assez\b)[A-ZÉ][a-zéèêàâîôûç]{2,}ez(?=\s+(?!" + _NAME_VERBS + r"\b)[a-zàâçéèêîôû])"
    r"|(?:Faites|Dites)\b"
    r"|(?:Comparte|Descarga|Recibe|Inicia|Escucha|Sigue|Continúa|Accede|Dona|Colabora"
    r"|Apoya|Ayuda|Únete|Prueba|Activa|Desactiva|Disfruta|Lee|Regístrate|Suscríbete|Hazte|Apúntate"
    r"|Sigue|Síguenos|Abbonati|Iscriviti|Sostienici|Sostieni|Scarica|Accedi|Registrati|Leggi"
    r"|Segui|Seguici|Condividi|Dona|Prova|Attiva|Disattiva|Scopri)\b)",
)
IMPERATIVE_INSIDE = re.compile(r"[.!?…]\s+" + IMPERATIVE.pattern.removeprefix("^"))
# An imperative may open a later clause: "Jeder Euro zählt: Spenden Sie jetzt".
_CLAUSE_BREAK = re.compile(r"[:;]\s+|\s[–—]\s+")
# German calls to action in the infinitive: "Jetzt abonnieren", "Hier anmelden",
# "... jetzt kostenlos bestellen."
_INFINITIVE_CTA = re.compile(
    r"^\W*(?:jetzt|hier|gleich)\s+(?:\w+\s+){0,2}?\w+(?:en|ern|eln)\b"
    r"|\b(?:jetzt|hier|gleich|kostenlos|gratis)\s+(?:\w+\s+){0,2}\w+(?:en|ern|eln)\W*$",
    re.I,
)
_INFINITIVE_LEADS = _set("jetzt hier gleich kostenlos gratis")


def _clause_imperative(text: str) -> bool:
    if ":" not in text and ";" not in text and " –" not in text and " —" not in text:
        return False
    return any(IMPERATIVE.match(text[match.end() :]) for match in _CLAUSE_BREAK.finditer(text))


# Function words: they mostly tell the language, and the training data has far
# more English appeals than German, French or Spanish ones, so as features they
# would teach "German means story". They count as one shared token.
_STOPWORDS = _set(
    "the a an of to in and or for on at by with from is are was were be been it that as but"
    " not der die das und ist den dem des ein eine einer einen zu mit von auf im sich nicht"
    " es auch als an bei aus nach wie le la les de des du et est un une en à au aux dans par"
    " sur qui que ne pas ce cette il elle el los las del y es una al por para con se no lo"
    " como más"
    # More function words of German, French, Spanish and Italian (prepositions,
    # articles, conjunctions, auxiliaries): as words they would only say
    # "German" or "French", which the story data has far more of.
    " für um dass daß oder aber wenn so noch nur schon sind hat haben wird werden wurde"
    " war kann können dieser diese dieses diesen diesem einem eines am zum zur vom ins über"
    " unter durch gegen ohne bis seit während"
    " pour avec sans sous plus ou mais si son sa ses leur leurs a ont sont été être était"
    " cet ces dont où y"
    " un unos unas sus su entre sin sobre hasta desde pero o si ha han fue ser son está este"
    " esta estos estas ese esa"
    " il lo gli i della delle dei degli nel nella per con che non è sono da di e una"
)
# Words that open an ordinary question (its subject or a question word follows).
_QUESTION_OPENERS = _set(
    "what who whom whose which when where why how is are was were do does did can could will"
    " would should shall may might must has have had am i you he she it we they this that"
    " don't doesn't didn't isn't aren't wasn't weren't can't couldn't won't wouldn't"
    " shouldn't haven't hasn't hadn't"
    " there wer was wann wo warum wie welche ist sind hat haben kann qui que quoi quand où"
    " pourquoi comment est quel quelle qué quién cuándo dónde por cómo cuál es"
)
_AMBIGUOUS = _set("sie ihr ihre ihren ihrem ihrer ihnen")
# German formal address counts as the word "you": what the model learns about
# addressing the reader from the (many more) English examples carries over.
_FORMAL_YOU = ("w:you",)
_FORMAL_PAIR = ("you", _FORMAL_YOU)
# Spanish "has" + participle ("Has alcanzado"): you have; English "has" is not.
_HAS_DONE = re.compile(r"\b[Hh]as \w+(?:ado|ido)\b")
_CURRENCY = re.compile(r"[$£€]|\b(?:euros?|dollars?|pounds?)\b", re.I)


def _may_name_currency(text: str) -> bool:
    """A necessary condition for _CURRENCY (a sign, or a lowercased text holding
    its words), with substring tests instead of a regex that tries its word
    branch at every position."""
    if "$" in text or "£" in text or "€" in text:
        return True
    lowered = text.lower()
    return "euro" in lowered or "dollar" in lowered or "pound" in lowered


_DIGIT = re.compile(r"\d")
_QUOTE = re.compile(r"[\"“”«»„]")


def may_be_formal(text: str) -> bool:
    """A cheap test before _SIE: "Sie", "Ihr…" or "Ihnen" after a space."""
    return " Sie" in text or " Ihr" in text or " Ihn" in text


def formal_address(text: str, start: int, end: int) -> bool:
    """German formal address ("Sie", "Ihnen" with a capital after a word) in
    ``text[start:end]``, judged with the word before ``start`` in view."""
    return _SIE.search(text, start, end) is not None


def tokens(text: str) -> list[str]:
    # ’ and ' join words alike (_TOKEN), so replacing before the split is the same.
    lowered = text.lower()
    return _TOKEN.findall(lowered.replace("’", "'") if "’" in lowered else lowered)


def _word_features(word: str) -> tuple[str, tuple[str, ...]]:
    """A word's stand-in for bigrams and its own features (word, prefixes, concept)."""
    own = []
    if word in _AMBIGUOUS:
        name = "<pronoun>"  # German "sie/ihr": she, they or you (see features())
    elif word in _STOPWORDS:
        name = "<stop>"
    else:
        name = word
    own.append("w:" + name)
    if len(name) >= 5 and not name.isdigit() and name[0] != "<":
        own.append("c:" + name[:4])
        if len(name) >= 6:
            own.append("c:" + name[:5])
    for length in _STEM_LENGTHS:
        if length > len(word):
            break
        concept = _STEM_CONCEPT.get(word[:length])
        if concept is not None and (length >= 4 or length == len(word)):
            own.append("k:" + concept)
    if word in _WORD_CONCEPT:
        own.append("k:" + _WORD_CONCEPT[word])
    for length in _COMPOUND_LENGTHS:
        if len(word) - length < _COMPOUND_MIN_HEAD:
            break
        concept = _COMPOUND_ENDS.get(word[-length:])
        if concept is not None:
            own.append("k:" + concept)
    return name, tuple(own)


class _Memo(dict[str, _T]):
    """``compute(word)`` per word: a C-level dict lookup for a word seen before
    (``map(memo.__getitem__, words)``), bounded: the words come from the feeds."""

    def __init__(self, compute: Callable[[str], _T]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, word: str) -> _T:
        if len(self) >= 65536:
            self.clear()
        found = self[word] = self.compute(word)
        return found


_WORDS_SEEN = _Memo(_word_features)


def concepts_named(text: str) -> set[str]:
    """The appeal concepts (``k:*``) the words of ``text`` name, without the
    rest of :func:`features`."""
    found: set[str] = set()
    for word in tokens(text):
        found.update(feature for feature in _WORDS_SEEN[word][1] if feature[0] == "k")
    return found


def features(text: str, words: list[str] | None = None) -> set[str]:
    """The sparse binary features of one sentence (``words``: ``tokens(text)``
    when the caller has them)."""
    words = tokens(text) if words is None else words
    formal = may_be_formal(text) and _SIE.search(text) is not None
    pairs = list(map(_WORDS_SEEN.__getitem__, words))  # (name, own features) per word
    if formal:
        # German formal address ("Lesen Sie", "Ihr Konto"): the reader,
        # like "you" and "vous", not "she" or "they".
        pairs = [_FORMAL_PAIR if pair[0] == "<pronoun>" else pair for pair in pairs]
    # Comprehensions and C-level set updates instead of a loop with calls per word.
    found: set[str] = set(chain.from_iterable([pair[1] for pair in pairs]))
    names = [pair[0] for pair in pairs]
    bigrams = zip(["^", *names], names, strict=False)  # the first list is one longer
    found.update([f"b:{previous} {name}" for previous, name in bigrams])
    if IMPERATIVE.match(text) or _clause_imperative(text):
        found.add("s:imperative")
    if not _INFINITIVE_LEADS.isdisjoint(words) and _INFINITIVE_CTA.search(text):
        found.add("s:infinitive")
    if words:
        found.add(f"b:{names[-1]} $")
        first = "<pronoun>" if words[0] in _AMBIGUOUS else words[0]
        found.add("f:" + first)
        if len(words) > 1:
            found.add("g:" + first + " " + words[1])
    you = formal or not _SECOND_PERSON.isdisjoint(words) or _HAS_DONE.search(text) is not None
    if words and words[0] in _THIRD_PERSON_OPENERS:
        found.add("s:third")
    we = not _FIRST_PLURAL.isdisjoint(words)
    if formal:
        found.add("s:formal")
    if you:
        found.add("s:you")
    if we:
        found.add("s:we")
    if you and we:
        found.add("s:you+we")
    count = len(words)
    found.add(
        "s:len<=3" if count <= 3 else "s:len<=8" if count <= 8 else
        "s:len<=20" if count <= 20 else "s:len<=40" if count <= 40 else "s:len>40"
    )  # fmt: skip
    stripped = text.rstrip()
    if stripped and stripped[-1] not in '.!?…"”»)':
        found.add("s:nostop")
    if stripped.endswith("!"):
        found.add("s:excl")
    if stripped.endswith("?"):
        found.add("s:question")
        if 0 < count <= 5 and words[0] not in _QUESTION_OPENERS:
            # "Prefer to listen?", "Need more space?": the reader addressed
            # with the subject left out, as pitches open.
            found.add("s:elliptic")
    if _QUOTE.search(text):
        found.add("s:quote")
    if _DIGIT.search(text):
        found.add("s:digit")
    if _may_name_currency(text) and _CURRENCY.search(text):
        found.add("s:currency")
    if not _REPORTING.isdisjoint(words):
        found.add("s:report")
    return found


@dataclass(slots=True)
class Model:
    bias: float
    weights: dict[str, float]
    about: str = ""

    def margin(self, found: set[str]) -> float:
        return self.bias + sum(map(self.weights.get, found, repeat(0.0)))

    def probability_of(self, found: set[str]) -> float:
        return _sigmoid(self.margin(found))

    def strongest(self, found: set[str], count: int = 3) -> list[tuple[str, float]]:
        """The features that pushed hardest towards the decision's side."""
        margin = self.margin(found)
        sign = 1.0 if margin >= 0 else -1.0
        weighted = [(f, self.weights[f]) for f in found if f in self.weights]
        weighted.sort(key=lambda item: (-sign * item[1], item[0]))
        return [item for item in weighted[:count] if sign * item[1] > 0]

    def to_dict(self) -> dict[str, object]:
        return {
            "about": self.about,
            "bias": round(self.bias, 4),
            "weights": {k: round(v, 4) for k, v in sorted(self.weights.items())},
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Model:
        weights = data.get("weights", {})
        bias = data.get("bias", 0.0)
        return cls(
            float(bias) if isinstance(bias, int | float) else 0.0,
            {str(k): float(v) for k, v in weights.items()} if isinstance(weights, dict) else {},
            str(data.get("about", "")),
        )


def _sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


# Features that point at the reader, the outlet or what it sells.
ANCHORS = frozenset(
    ["s:you", "s:we", "s:imperative"]
    + [
        "k:" + concept
        for concept in _set(
            "subscribe newsletter donate member register adblock follow download app support"
        )
    ]
)

# The reader addressed, the outlet speaking or an imperative ...
VOICES = frozenset(["s:you", "s:we", "s:imperative", "s:infinitive"])
# ... together with something an appeal asks for: an appeal on two counts.
ASKS = frozenset(
    "k:" + concept
    for concept in _set(
        "subscribe newsletter donate member register adblock follow download app support"
        " access unlimited origin permission ads"
    )
)

# What an outlet sells or asks the reader to sign up for, in any language: a
# short line naming one of these goes with the pitch next to it ("Jederzeit
# kündbar.", "It's free.", "Hier anmelden.").
SELLS = frozenset(
    "k:" + concept
    for concept in _set(
        "subscribe newsletter donate member register adblock app free access unlimited ads"
        " cancel inbox exclusive download"
    )
)
# The reader addressed or the outlet speaking.
PERSONS = frozenset(["s:you", "s:we"])
# Marks of a story's narration rather than an outlet's pitch: someone reported,
# a sentence about someone, quoted words.
NARRATION = frozenset(["s:report", "s:third", "s:quote"])

# Evidence of its own that a sentence may belong to an appeal: a voice or any
# appeal concept (the n-grams alone do not make a sentence a pitch's tail).
CONCEPTS = frozenset("k:" + concept for concept in _CONCEPT_STEMS)
EVIDENCE = VOICES | CONCEPTS

_CURRENT: Model | None = None
_GATE: frozenset[str] | None = None
# A word whose own weight is at least this opens a block to sentence scoring.
GATE_WEIGHT = 2.0


def current() -> Model:
    """The shipped model (loaded on first use), or the one set by :func:`use`."""
    global _CURRENT
    if _CURRENT is None:
        try:
            data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        _CURRENT = Model.from_dict(data if isinstance(data, dict) else {})
    return _CURRENT


def use(model: Model | None) -> None:
    """Swap the model (benchmarks retrain it per held-out group); None reloads the shipped one."""
    global _CURRENT, _GATE
    _CURRENT = model
    _GATE = None


# The whole words as whitespace-split tokens, with the punctuation that clings to them.
_LEADS = ("", "(", "«", "“", '"', "¿", "¡", "„", "‘")
_TAILS = ("", ",", ".", ":", ";", "?", "!", ")", "»", "”", '"', "…", "’", "'", ".”", ',"')


def gate_words() -> frozenset[str]:
    """Lowercased words that alone make a block worth scoring, also with the
    punctuation that clings to them (so a whitespace split finds them)."""
    global _GATE
    if _GATE is None:
        words = [
            feature[2:]
            for feature, weight in current().weights.items()
            if feature.startswith("w:") and weight >= GATE_WEIGHT
        ]
        _GATE = frozenset(
            lead + word + tail for word in words for lead in _LEADS for tail in _TAILS
        )
    return _GATE
