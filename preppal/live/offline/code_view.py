"""What the interviewer can see in the code editor, without running anything.

The interviewer never judges or runs the code; it only needs enough to talk about what is on
screen like a person looking at it: the names defined there ("merge_intervals"), whether the
code looks like it answers the current coding question (so it never asks for code that is
already written), whether there are tests, and an input the code plainly does not guard
against (it reads ``items[0]`` and never checks for an empty input).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DEFINITIONS = (
    re.compile(r"^\s*(?:async\s+)?def\s+([A-Za-z_]\w*)", re.M),  # Python
    re.compile(r"^\s*class\s+([A-Za-z_]\w*)", re.M),  # Python, Java, C++, TypeScript
    re.compile(r"\bfunction\s+([A-Za-z_$][\w$]*)"),  # JavaScript
    re.compile(r"\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s*)?(?:\([^)]*\)|[A-Za-z_$][\w$]*)\s*=>"),
    re.compile(r"^\s*func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)\s*\(", re.M),  # Go
    re.compile(  # Java, C++: a return type, a name, parameters, a body
        r"^\s*(?:(?:public|private|protected|static|final|inline|virtual)\s+)*[\w<>\[\]:*&]+\s+"
        r"([A-Za-z_]\w*)\s*\([^;{}]*\)\s*\{",
        re.M,
    ),
)
_NOT_NAMES = frozenset({"if", "for", "while", "switch", "return", "catch", "main", "else", "new"})
_TESTS = re.compile(r"\b(def test_\w+|assert\b|it\(|test\(|describe\(|@Test|unittest|pytest|expect\()")
_SQL = re.compile(r"^\s*(select|with)\b", re.I)
# First element or last element read from an argument, with no emptiness check anywhere.
_INDEXES_FIRST = re.compile(r"\b\w+\s*\[\s*(0|-1)\s*\]")
_GUARDS_EMPTY = re.compile(
    r"\b(if\s+not\s+\w+|len\(\s*\w+\s*\)\s*(==|<|<=)\s*[01]|\.length\s*(===?|<|<=)\s*[01]|"
    r"\.empty\(\)|\.isEmpty\(\)|len\(\w+\)\s*==\s*0|==\s*nil|is\s+None|\?\?)"
)


def _identifier_words(name: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ")
    return [w.lower() for w in spaced.split()]


@dataclass(frozen=True)
class CodeView:
    text: str

    @property
    def empty(self) -> bool:
        return not self.text.strip()

    @property
    def names(self) -> tuple[str, ...]:
        """Functions and classes defined on screen, in order."""
        found: list[tuple[int, str]] = []
        for pattern in _DEFINITIONS:
            found += [(m.start(1), m.group(1)) for m in pattern.finditer(self.text) if m.group(1) not in _NOT_NAMES]
        ordered: list[str] = []
        for _, name in sorted(found):
            if name not in ordered:
                ordered.append(name)
        return tuple(ordered)

    @property
    def is_query(self) -> bool:
        return bool(_SQL.search(self.text))

    @property
    def has_tests(self) -> bool:
        return bool(_TESTS.search(self.text))

    @property
    def unguarded_empty(self) -> bool:
        """Reads the first or last element and never checks for an empty input."""
        return bool(_INDEXES_FIRST.search(self.text)) and not _GUARDS_EMPTY.search(self.text)

    def main_name(self) -> str:
        """The name to talk about: the first function that is not a test, else the first class."""
        names = [n for n in self.names if not n.lower().startswith("test")]
        return names[0] if names else ""

    def answers(self, code_words: tuple[str, ...] | list[str]) -> bool:
        """The code looks written for a question described by ``code_words`` (its names, or its
        text, use them): then the question is asked about this code instead of asking for it."""
        if self.empty or not code_words:
            return False
        wanted = [w.lower() for w in code_words]
        named = {w for n in self.names for w in _identifier_words(n)}
        if any(any(word.startswith(w) for word in named) for w in wanted):
            return True
        lowered = self.text.lower()
        return sum(1 for w in wanted if w in lowered) >= 2

    def changed_from(self, other: CodeView) -> bool:
        """New code since ``other`` (whitespace-only edits don't count)."""
        return self.text.split() != other.text.split() and not self.empty
