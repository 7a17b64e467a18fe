"""Repair text that was UTF-8 but got decoded as Latin-1/cp1252 somewhere upstream ("WÃ¼bben", "$Ï\\x89$Test").

arXiv's API occasionally serves such mojibake (a real recorded response has it in a title). The repair is
conservative: only a run of characters that re-encodes to bytes forming *valid* UTF-8 multi-byte sequences
is replaced, so genuine accented text ("Wübben", "café", "naïve") is never touched.
"""

from __future__ import annotations

import re

# Characters a UTF-8 byte can turn into under Latin-1 or cp1252 (the C1 range and cp1252's extras).
_CP1252_EXTRA = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_SUSPECT_RUN = re.compile("[\u00c2-\u00f4][\u0080-\u00bf" + _CP1252_EXTRA + "]+")


def _to_bytes(run: str) -> bytes | None:
    out = bytearray()
    for char in run:
        code = ord(char)
        if code <= 0xFF:
            out.append(code)
        else:
            try:
                out += char.encode("cp1252")
            except UnicodeEncodeError:
                return None
    return bytes(out)


def _repair_run(match: re.Match[str]) -> str:
    run = match.group(0)
    raw = _to_bytes(run)
    if raw is None:
        return run
    try:
        fixed = raw.decode("utf-8")
    except UnicodeDecodeError:
        return run
    return fixed


def repair_mojibake(text: str) -> str:
    """``text`` with UTF-8-read-as-Latin-1 runs decoded properly; anything else unchanged."""
    if not text or not _SUSPECT_RUN.search(text):
        return text
    return _SUSPECT_RUN.sub(_repair_run, text)


def decode_body(content: bytes) -> tuple[bytes, bool]:
    """The body as valid UTF-8 bytes, and whether bytes had to be replaced (a broken-encoding page)."""
    try:
        content.decode("utf-8")
        return content, False
    except UnicodeDecodeError:
        return content.decode("utf-8", errors="replace").encode("utf-8"), True
