"""Make untrusted text safe to show in a terminal.

Rich and Textual strip only a handful of control characters, so every string
that comes from a feed or a page passes through here before it is stored.
Whole escape sequences are removed (not just the ESC byte), so that the
printable tail of e.g. ``ESC]52;c;...BEL`` does not leak into the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# ESC-introduced sequences: CSI, OSC/DCS/APC/PM/SOS strings, and two-byte escapes.
# A string sequence terminated by BEL or ST (ESC \\) within 4096 characters is
# removed whole. An unterminated one loses only its introducer and numeric
# parameters: nothing can tell its payload from the text after it, and text
# must survive (the payload is printable, so showing it is harmless). Payloads
# stop at another introducer, so each character is scanned by at most one
# sequence: linear time even for a run of 8-bit introducers.
_ESCAPE_SEQUENCE = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]?              # CSI ... final byte
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d-\x9f])  # OSC, DCS, SOS, PM, APC (7- or 8-bit)
    (?:[^\x07\x1b\x90\x98\x9c-\x9f]{0,4096}(?:\x07|\x9c|\x1b\\)|[0-9;]*)
  | \x9b[0-?]*[ -/]*[@-~]?                # 8-bit CSI
  | \x1b[ -/]*[0-~]?                      # other two-byte escapes (and a lone ESC)
    """,
    re.VERBOSE,
)
# C0 controls except tab and newline, DEL, and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidi overrides/isolates and zero-width characters: invisible, and able to
# disguise text (e.g. reverse a file extension in a title).
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")
# The same for display lines, except the zero-width joiner and non-joiner where
# text needs them, between two non-ASCII characters: emoji sequences ("👩‍👩‍👧")
# and Persian or Indic spelling. Between ASCII letters they only disguise.
_INVISIBLE_IN_LINES = re.compile(
    r"[\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]"
)
_LONE_JOINER = re.compile(r"(?<![^\x00-\x7f])[\u200c\u200d]|[\u200c\u200d](?![^\x00-\x7f])")


def strip_controls(text: str, *, keep_newlines: bool = True) -> str:
    """Remove escape sequences and control characters; keep everything printable."""
    if not text:
        return ""
    # Every escape sequence starts with a character of _CONTROL (ESC, or a C1 introducer),
    # so most text, which has none, is returned after one fast scan.
    if text.isprintable() or _CONTROL.search(text) is None:
        return text if keep_newlines else text.replace("\n", " ").replace("\t", " ")
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    if not keep_newlines:
        text = text.replace("\n", " ").replace("\t", " ")
    return text


def clean_line(text: str | None, *, limit: int = 2000) -> str:
    """A one-line display string (titles, authors, feed names): no controls,
    no bidi or zero-width tricks, whitespace collapsed, length bounded."""
    if not text:
        return ""
    text = strip_controls(text[: limit * 4], keep_newlines=False)
    text = _LONE_JOINER.sub("", _INVISIBLE_IN_LINES.sub("", text))
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def clean_tags(tags: Sequence[str]) -> list[str]:
    """Tags as display lines (no controls, bounded); empty ones dropped."""
    return [tag for tag in (clean_line(tag, limit=100) for tag in tags) if tag]


def visible_url(url: str | None) -> str:
    """A URL for display: controls removed, invisible characters made visible."""
    if not url:
        return ""
    url = strip_controls(url, keep_newlines=False)
    return _INVISIBLE.sub(lambda m: f"<U+{ord(m.group()):04X}>", url)


def is_http_url(url: str | None) -> bool:
    return bool(url) and re.match(r"(?i)^https?://[^\s/]", url or "") is not None
