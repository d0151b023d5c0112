"""Notices about the text itself: "This article is for subscribers",
"Dieser Text erschien zuerst bei ...", "Este contenido es exclusivo". A story
seldom names the very text it is in; paywall and republication notices do, in
any language. Corrections and updates name it too, and always stay.
"""

from __future__ import annotations

import re

from reader.core.cleaner.model import _LEADS, _TAILS, NARRATION, _set

# The nouns a text calls itself by, and the phrases that point at it.
_DOCUMENT_NOUNS = _set(
    "article story content text page post piece episode newsletter artikel beitrag inhalt"
    " inhalte seite geschichte meldung recherche contenu texte reportage artículo contenido"
    " texto nota página reportaje articolo contenuto testo pagina"
)
_SELF_REFERENCE = re.compile(
    r"\b(?:(?:this|the (?:full|whole|complete|entire|rest of (?:this|the))) (?:article|story"
    r"|content|text|page|post|piece|episode|newsletter)"
    r"|(?:dies(?:er|es|en|em|e)|(?:den|der|das|die|dem) (?:ganzen?|vollständigen?|kompletten?"
    r"|gesamten?)) (?:artikel|text|beitrag|inhalte?|seite|geschichte|meldung|recherche)"
    r"|(?:cet article|ce (?:contenu|texte|reportage)|cette page|l['’]article (?:complet|entier)"
    r"|la suite de (?:cet|l['’])article)"
    r"|(?:est[ea] (?:artículo|contenido|texto|nota|página|reportaje)|el (?:artículo|texto)"
    r" completo)"
    r"|(?:quest[oa] (?:articolo|contenuto|testo|pagina)))\b",
    re.I,
)


def speaks_of_itself(text: str, tokens: list[str] | None = None) -> bool:
    """Whether ``text`` names the very text it is in ("this article", "dieser
    Inhalt", "el artículo completo"). ``tokens``: ``text.lower().split()``."""
    if tokens is None:
        tokens = text.lower().split()
    if DOCUMENT_TOKENS.isdisjoint(tokens):
        return False
    return _SELF_REFERENCE.search(text) is not None


# The document nouns as whitespace tokens, with the punctuation that clings to them.
DOCUMENT_TOKENS = frozenset(
    lead + word + tail for word in _DOCUMENT_NOUNS for lead in _LEADS for tail in _TAILS
)


# What a notice about the text itself concerns: who may read it ("Dieser Artikel
# ist nur für Abonnenten"), or where it first ran and who allowed it here.
_ACCESS_NOTICE = frozenset(
    "k:" + concept for concept in _set("subscribe register member access exclusive")
)
_ORIGIN_NOTICE = frozenset(["k:origin", "k:permission"])
# Where it first ran needs a verb of publishing: "This article originally
# misidentified ..." is a correction, which a reader must see.
_PUBLISHED = re.compile(
    r"\b(?:publish|appear|ran\b|run\b|reprint|reproduc|republi|veröffentlich|erschien|erstveröff"
    r"|publica|publicó|publié|pubblica|apareci|paru)",
    re.I,
)
# Corrections and updates stay, whatever they say about the text.
_REVISED = re.compile(
    r"\b(?:correct|update|amend|clarif|misidentif|mis à jour|mise à jour|corrig|korrig|berichtig"
    r"|aktualisiert|actualiz|rectific|aggiornat|rettific)",
    re.I,
)


def correction_of_itself(text: str, tokens: list[str] | None = None) -> bool:
    """A correction or update note about the very text ("Correction: This
    article misidentified ..."): story a reader must see, never a notice."""
    return speaks_of_itself(text, tokens) and _REVISED.search(text) is not None


def notice_about_itself(text: str, found: set[str]) -> bool:
    """Whether a sentence is a notice about the very text it is in: who may read
    it or where it first ran, not a correction (``found``: its features)."""
    access = not found.isdisjoint(_ACCESS_NOTICE)
    origin = not found.isdisjoint(_ORIGIN_NOTICE) and _PUBLISHED.search(text) is not None
    return (
        (access or origin)
        and found.isdisjoint(NARRATION)
        and speaks_of_itself(text)
        and _REVISED.search(text) is None
    )
