"""Numbering-plan patterns as templates: the digits each position of a national number
may take.

libphonenumber describes each number type of a country with a regular expression over a
small, finite dialect (digits, `\\d`, `[...]`, `(?:...)`, `|`, `?`, `{n}`, `{n,m}`). Such a
pattern is a finite union of fixed-length sequences of digit sets; expanding it once gives
templates from which matching numbers are drawn directly instead of guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

DIGITS = "0123456789"

Template = tuple[str, ...]
"""The digits allowed at each position, each as a sorted string: `("2345", "0123456789")`."""

# A pattern whose expansion passes this is not the finite dialect this module reads.
MAX_TEMPLATES = 5_000


def expand(pattern: str) -> tuple[Template, ...]:
    """Every template of `pattern`, in pattern order, without duplicates."""
    parser = _Parser(pattern)
    templates = parser.alternatives()
    if parser.at < len(pattern):
        raise ValueError(f"unexpected {pattern[parser.at]!r} at {parser.at} in {pattern!r}")
    return tuple(dict.fromkeys(templates))


def compatible(template: Template, offset: int, digits: str) -> bool:
    """Whether `digits` may stand at `offset` in numbers of this template."""
    if offset < 0 or offset + len(digits) > len(template):
        return False
    return all(digit in template[at] for at, digit in enumerate(digits, offset))


def pin(template: Template, offset: int, digits: str) -> Template:
    """The template with `digits` fixed at `offset` (they must be compatible)."""
    return template[:offset] + tuple(digits) + template[offset + len(digits) :]


@dataclass
class _Parser:
    pattern: str
    at: int = 0

    def alternatives(self) -> list[Template]:
        found = self.sequence()
        while self._take("|"):
            found.extend(self.sequence())
        return found

    def sequence(self) -> list[Template]:
        found: list[Template] = [()]
        while self.at < len(self.pattern) and self.pattern[self.at] not in "|)":
            atom = self._quantified(self._atom())
            found = [head + tail for head in found for tail in atom]
            if len(found) > MAX_TEMPLATES:
                raise ValueError(f"{self.pattern!r} expands to too many templates")
        return found

    def _atom(self) -> list[Template]:
        char = self.pattern[self.at]
        if char.isdigit():
            self.at += 1
            return [(char,)]
        if self._take("\\d"):
            return [(DIGITS,)]
        if self._take("["):
            return [(self._digit_class(),)]
        if self._take("(?:"):
            inner = self.alternatives()
            self._expect(")")
            return inner
        raise ValueError(f"unexpected {char!r} at {self.at} in {self.pattern!r}")

    def _digit_class(self) -> str:
        allowed: set[str] = set()
        while not self._take("]"):
            if self._take("\\d"):
                allowed.update(DIGITS)
                continue
            low = self._digit()
            high = self._digit() if self._take("-") else low
            allowed.update(DIGITS[int(low) : int(high) + 1])
        return "".join(sorted(allowed))

    def _quantified(self, atom: list[Template]) -> list[Template]:
        if self._take("?"):
            low, high = 0, 1
        elif self._take("{"):
            low = high = self._number()
            if self._take(","):
                high = self._number()
            self._expect("}")
        else:
            return atom
        found: list[Template] = []
        for count in range(low, high + 1):
            repeated: list[Template] = [()]
            for _ in range(count):
                repeated = [head + tail for head in repeated for tail in atom]
            found.extend(repeated)
        return found

    def _digit(self) -> str:
        char = self.pattern[self.at : self.at + 1]
        if not char.isdigit():
            raise ValueError(f"expected a digit at {self.at} in {self.pattern!r}")
        self.at += 1
        return char

    def _number(self) -> int:
        start = self.at
        while self.pattern[self.at : self.at + 1].isdigit():
            self.at += 1
        if start == self.at:
            raise ValueError(f"expected a count at {start} in {self.pattern!r}")
        return int(self.pattern[start : self.at])

    def _take(self, token: str) -> bool:
        if self.pattern.startswith(token, self.at):
            self.at += len(token)
            return True
        return False

    def _expect(self, token: str) -> None:
        if not self._take(token):
            raise ValueError(f"expected {token!r} at {self.at} in {self.pattern!r}")
