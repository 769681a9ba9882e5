"""Collecting input problems so that a user sees all of them at once.

Every check appends a :class:`Problem` naming the file, the row (1-based data row, as a
spreadsheet user counts them below the header) and the column, with a hint on how to fix it.
The checks of each table's columns come from its schema (:mod:`model.inputs.tables`); the
checks across tables add problems here.
:meth:`Problems.raise_if_any` raises :class:`CaseError` with all of them before any model is
built.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    row: int | None = None
    column: str | None = None
    hint: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f" — {self.hint}"
        return text


class CaseError(Exception):
    """Raised when a case folder (or a scenario) has problems; carries all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the case:\n{lines}")


@dataclass
class Problems:
    items: list[Problem] = field(default_factory=list)

    def add(self, file: str, message: str, row=None, column=None, hint: str = "") -> None:
        self.items.append(Problem(file, message, None if row is None else int(row), column, hint))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise CaseError(self.items)

    # ------------------------------------------------------------- cross-table checks
    def references(
        self, df: pd.DataFrame, file: str, column: str, allowed, what: str
    ) -> None:
        """Values of ``column`` that are not ``allowed`` ids (empty cells: the schema's)."""
        allowed = set(allowed)
        for i, v in enumerate(df[column].to_numpy()):
            if v not in allowed and not pd.isna(v):
                self.add(file, f"unknown {what} '{v}'", row=i + 1, column=column,
                         hint=f"use one of the {what} ids defined in the case")


def warn_implausible(message: str) -> None:
    warnings.warn(message, UserWarning, stacklevel=3)
