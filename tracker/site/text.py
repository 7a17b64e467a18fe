"""Plain text for the pages: TeX in paper titles made readable, and counted nouns with the right plural.

arXiv titles carry bits of LaTeX (``M$^3$Exam``, ``$\\ell_2$ Magnitude``, ``\\textsc{DiARC}``). Pages, chart
labels and the feed show text, so ``tex_text`` turns that TeX into the Unicode a reader expects
(``M³Exam``, ``ℓ₂ Magnitude``, ``DiARC``): superscripts and subscripts where Unicode has them, Greek letters
and common symbols by name, font commands reduced to their argument, braces and ``$`` delimiters dropped.
What it cannot render it strips cleanly (``x^{ab}`` → ``x^(ab)``, ``\\unknown{X}`` → ``X``); a lone ``$``
(``$500``) is money, not maths, and stays. The result is plain text: templates escape it as they escape
any title, and BibTeX keeps the title as written (``tracker.site.pages.bibtex`` escapes it for LaTeX).
"""

from __future__ import annotations

import re

__all__ = ["plural", "tex_text"]

_SUPERSCRIPT = dict(zip(
    "0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW*",
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ*",
    strict=True,
))
_SUPERSCRIPT.update({"∘": "°", "⋆": "*", "′": "′", "®": "®", "™": "™"})
_SUBSCRIPT = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True))
for _table in (_SUPERSCRIPT, _SUBSCRIPT):  # punctuation between raised or lowered characters stays as it is
    _table.update({".": ".", ",": ","})
_DOUBLE_STRUCK = dict(zip("CHNPQRZ", "ℂℍℕℙℚℝℤ", strict=True))

_SYMBOLS = {
    # Greek
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "varpi": "ϖ", "rho": "ρ", "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ",
    "upsilon": "υ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
    "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    # operators, relations, arrows
    "times": "×", "cdot": "·", "circ": "∘", "pm": "±", "mp": "∓", "div": "÷", "star": "⋆", "ast": "∗",
    "dagger": "†", "ddagger": "‡", "oplus": "⊕", "otimes": "⊗", "oslash": "⊘", "cup": "∪", "cap": "∩",
    "neq": "≠", "ne": "≠", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "approx": "≈", "sim": "∼",
    "simeq": "≃", "equiv": "≡", "propto": "∝", "ll": "≪", "gg": "≫", "in": "∈", "notin": "∉",
    "subset": "⊂", "subseteq": "⊆", "mid": "|",
    "to": "→", "rightarrow": "→", "leftarrow": "←", "leftrightarrow": "↔", "Rightarrow": "⇒",
    "Leftarrow": "⇐", "Leftrightarrow": "⇔", "mapsto": "↦", "nrightarrow": "↛", "uparrow": "↑",
    "downarrow": "↓",
    # other symbols
    "infty": "∞", "ell": "ℓ", "nabla": "∇", "partial": "∂", "forall": "∀", "exists": "∃", "emptyset": "∅",
    "neg": "¬", "land": "∧", "lor": "∨", "sum": "∑", "prod": "∏", "int": "∫", "sqrt": "√",
    "langle": "⟨", "rangle": "⟩", "lceil": "⌈", "rceil": "⌉", "lfloor": "⌊", "rfloor": "⌋",
    "ldots": "…", "cdots": "⋯", "dots": "…", "prime": "′", "degree": "°", "checkmark": "✓",
    "textregistered": "®", "texttrademark": "™", "textcopyright": "©", "textpertenthousand": "‱",
    "textperthousand": "‰", "textdegree": "°", "S": "§", "P": "¶", "dag": "†", "ddag": "‡",
    # spacing and sizing: nothing to show
    "left": "", "right": "", "big": "", "Big": "", "bigg": "", "Bigg": "", "displaystyle": "",
    "quad": " ", "qquad": " ", "bf": "", "rm": "", "it": "", "tt": "", "sf": "", "sc": "", "em": "",
    "limits": "", "nolimits": "",
}
# commands whose argument is shown as it is (font, style, text in maths)
_STYLES = {
    "text", "textbf", "textit", "textsc", "texttt", "textrm", "textsf", "textup", "textmd", "textnormal",
    "emph", "underline", "mathrm", "mathbf", "mathit", "mathsf", "mathtt", "mathcal", "mathfrak", "mathscr",
    "boldsymbol", "bm", "operatorname", "mbox", "hbox", "overline", "widetilde", "widehat", "tilde", "hat",
    "bar", "vec", "dot",
}
_FUNCTIONS = {"log", "ln", "exp", "sin", "cos", "tan", "max", "min", "arg", "det", "lim", "sup", "inf", "Pr"}
_ESCAPED = {"&": "&", "%": "%", "_": "_", "#": "#", "$": "$", "{": "{", "}": "}", " ": " ", ",": " ", ";": " ",
            ":": " ", "!": "", "\\": " "}

_COMMAND = re.compile(r"\\([A-Za-z]+)\s*|\\(.)", re.DOTALL)
# a $…$ pair: not escaped, not empty, and not starting or ending with a space (so "$5 and $10" is money)
_MATH = re.compile(r"(?<!\\)\$(?!\s)((?:\\.|[^$\\])+?)(?<!\s)(?<!\\)\$")


def _group(text: str, start: int) -> tuple[str, int]:
    """The argument at ``start``: a ``{…}`` group (nested braces kept) or one character; and where it ends."""
    while start < len(text) and text[start] == " ":
        start += 1
    if start >= len(text):
        return "", start
    if text[start] != "{":
        if text[start] == "\\":
            match = _COMMAND.match(text, start)
            if match:  # a command, with its argument when it takes one (``^\\textbf{2}``)
                end = match.end()
                if match.group(1) in _STYLES and end < len(text) and text[end] == "{":
                    end = _group(text, end)[1]
                return text[start:end], end
        return text[start], start + 1
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "{" and (index == 0 or text[index - 1] != "\\"):
            depth += 1
        elif text[index] == "}" and text[index - 1] != "\\":
            depth -= 1
            if depth == 0:
                return text[start + 1 : index], index + 1
    return text[start + 1 :], len(text)


def _script(body: str, table: dict[str, str], mark: str) -> str:
    """``body`` raised or lowered with Unicode's super/subscript letters, or ``^(body)`` when one is missing."""
    if body and all(char in table for char in body):
        return "".join(table[char] for char in body)
    return f"{mark}{body}" if len(body) == 1 else f"{mark}({body})"


def _convert(text: str, maths: bool) -> str:
    """TeX to text, inside ``$…$`` (``maths``: scripts and spacing as in maths mode) or outside."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            match = _COMMAND.match(text, index)
            if match is None:  # a trailing backslash
                index += 1
                continue
            name, symbol = match.group(1), match.group(2)
            index = match.end()
            if symbol is not None:
                out.append(_ESCAPED.get(symbol, symbol))
            elif name in _STYLES or name in ("textsuperscript", "textsubscript", "mathbb", "frac", "sqrt"):
                argument, index = _group(text, index)
                inner = _convert(argument, maths)
                if name == "textsuperscript":
                    out.append(_script(inner, _SUPERSCRIPT, "^"))
                elif name == "textsubscript":
                    out.append(_script(inner, _SUBSCRIPT, "_"))
                elif name == "mathbb":
                    out.append("".join(_DOUBLE_STRUCK.get(c, c) for c in inner))
                elif name == "frac":
                    denominator, index = _group(text, index)
                    out.append(f"{inner}/{_convert(denominator, maths)}")
                elif name == "sqrt":
                    out.append(f"√{inner}" if len(inner) == 1 else f"√({inner})")
                else:
                    out.append(inner)
            elif name in _SYMBOLS:
                out.append(_SYMBOLS[name])
            elif name in _FUNCTIONS:
                out.append(name + " ")
            else:  # an unknown command: its name or argument as text, never the backslash
                if index < len(text) and text[index] == "{":
                    argument, index = _group(text, index)
                    out.append(_convert(argument, maths))
                else:
                    out.append(name)
        elif maths and char in "^_":
            argument, index = _group(text, index + 1)
            inner = _convert(argument, maths)
            out.append(_script(inner, _SUPERSCRIPT if char == "^" else _SUBSCRIPT, char))
        elif char in "{}":
            index += 1
        elif char == "~" and not maths:
            out.append(" ")
            index += 1
        else:
            out.append(char)
            index += 1
    return "".join(out)


def tex_text(title: str) -> str:
    """A title's TeX as plain Unicode text (see the module's docstring); text without TeX comes back as it is."""
    if "$" not in title and "\\" not in title:
        return title
    parts: list[str] = []
    last = 0
    for match in _MATH.finditer(title):
        parts.append(_convert(title[last : match.start()], maths=False))
        parts.append(_convert(match.group(1), maths=True).strip())
        last = match.end()
    parts.append(_convert(title[last:], maths=False))
    return re.sub(r"\s{2,}", " ", "".join(parts)).strip()


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 paper``, ``0 papers``, ``2,634 papers``: the count (with thousands separators) and its noun."""
    noun = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {noun}"
