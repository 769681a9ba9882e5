"""Collecting input problems so that a user sees all of them at once.

Every check appends a :class:`Problem` naming the file, the row (1-based data row, as a
spreadsheet user counts them below the header) and the column, with a hint on how to fix it.
:meth:`Problems.raise_if_any` raises :class:`CaseError` with all of them before any model is
built.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
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

    # -------------------------------------------------------------- column checks
    def require_columns(self, df: pd.DataFrame, file: str, columns: list[str]) -> bool:
        ok = True
        for col in columns:
            if col not in df.columns:
                self.add(file, "required column is missing", column=col,
                         hint=f"add a '{col}' column (see docs/inputs.md)")
                ok = False
        return ok

    def numeric(
        self,
        df: pd.DataFrame,
        file: str,
        column: str,
        *,
        required: bool = False,
        min_value: float | None = None,
        max_value: float | None = None,
        default: float | None = None,
        strict_min: bool = False,
    ) -> pd.Series:
        """Convert a column to float, reporting non-numbers, NaNs and out-of-range values.

        Returns the converted column (``default`` where empty and not required).
        """
        if column not in df.columns:
            return pd.Series(default if default is not None else np.nan, index=df.index,
                             dtype=float)
        raw = df[column]
        values = pd.to_numeric(raw, errors="coerce").astype(float)
        # only cells that failed to convert are looked at as text (converting whole 8760-row
        # columns to strings was most of load_case's time on large cases)
        bad_type = values.isna() & raw.notna()
        if bad_type.any():
            bad_type[bad_type] = raw[bad_type].astype(str).str.strip() != ""
        for i in np.flatnonzero(bad_type.to_numpy()):
            self.add(file, f"'{raw.iloc[i]}' is not a number", row=i + 1, column=column,
                     hint="write a plain number")
        missing = values.isna() & ~bad_type
        if required:
            for i in np.flatnonzero(missing.to_numpy()):
                self.add(file, "value is missing", row=i + 1, column=column,
                         hint="this column is required in every row")
        elif default is not None:
            values = values.fillna(default)
        if min_value is not None:
            low = values < min_value if not strict_min else values <= min_value
            for i in np.flatnonzero(low.to_numpy()):
                cmp = ">" if strict_min else ">="
                self.add(file, f"value {values.iloc[i]:g} must be {cmp} {min_value:g}",
                         row=i + 1, column=column)
        if max_value is not None:
            for i in np.flatnonzero((values > max_value).to_numpy()):
                self.add(file, f"value {values.iloc[i]:g} must be <= {max_value:g}",
                         row=i + 1, column=column)
        return values

    def unique(self, df: pd.DataFrame, file: str, columns: list[str]) -> None:
        dup = df.duplicated(subset=columns, keep="first")
        for i in np.flatnonzero(dup.to_numpy()):
            key = ", ".join(str(df[c].iloc[i]) for c in columns)
            self.add(file, f"duplicate id ({key})", row=i + 1, column="/".join(columns),
                     hint="each id may appear only once")

    def references(
        self, df: pd.DataFrame, file: str, column: str, allowed, what: str
    ) -> None:
        allowed = set(allowed)
        for i, v in enumerate(df[column].to_numpy()):
            if v not in allowed:
                self.add(file, f"unknown {what} '{v}'", row=i + 1, column=column,
                         hint=f"use one of the {what} ids defined in the case")


def warn_implausible(message: str) -> None:
    warnings.warn(message, UserWarning, stacklevel=3)
