"""Problems found in the data, and how they are printed."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


def visible(text: object) -> str:
    """Text for a one-line message: line breaks and other invisible characters written as escapes."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] if c in "\t\n\r" else f"\\u{ord(c):04x}" for c in str(text))


@dataclass(frozen=True, order=True)
class Problem:
    """One problem at a place in a file (path relative to the repository root)."""

    path: str
    line: int
    column: int
    severity: str
    message: str

    def text(self) -> str:
        """One line, whatever the path or message hold: invisible characters are written as escapes."""
        return f"{visible(self.path)}:{self.line}:{self.column}: {self.severity}: {visible(self.message)}"

    def github(self) -> str:
        """A workflow command that GitHub shows as an annotation on the line."""
        message = visible(self.message).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        path = (
            visible(self.path)
            .replace("%", "%25")
            .replace("\r", "%0D")
            .replace("\n", "%0A")
            .replace(":", "%3A")
            .replace(",", "%2C")
        )
        return f"::{self.severity} file={path},line={self.line},col={self.column}::{message}"


def summary(problems: list[Problem]) -> str:
    errors = sum(p.severity == ERROR for p in problems)
    warnings = len(problems) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == ERROR for p in problems)
