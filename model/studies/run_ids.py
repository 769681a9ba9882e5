"""Identities of runs: hashes of the case files, the scenarios, the options and the code.

A run's id is the first 16 hex digits of the SHA-256 of a canonical JSON payload holding the
case digest (:func:`case_hash`), what every scenario changes (:func:`scenario_content`), the
solver options, the code version (:func:`code_version`) and, when given, the run options
(time reduction). A sweep skips a run whose folder ``runs/<run_id>/`` is complete, so this
scheme must not change by accident: ``tests/test_run_ids.py`` pins it.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from model.inputs.read import GEO_FILES, TABLE_FILES
from model.inputs.scenarios import SOURCE_KEY, load_scenario

# the whole package model/ (not just studies/): a change to any layer changes the run ids
PACKAGE_DIR = Path(__file__).resolve().parents[1]


def sha(data: bytes) -> str:
    """SHA-256 of ``data`` as hex."""
    return hashlib.sha256(data).hexdigest()


def plain(obj: Any) -> Any:
    """``obj`` as plain JSON-able Python (numpy scalars to numbers, paths to text)."""
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [plain(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, Path):
        return str(obj)
    return obj


def canonical(obj: Any) -> str:
    """Compact JSON with sorted keys: the text that is hashed."""
    return json.dumps(plain(obj), sort_keys=True, separators=(",", ":"), default=str)


def code_version() -> str:
    """Package version + hash of every ``*.py`` source under :data:`PACKAGE_DIR`."""
    from model.version import __version__

    h = hashlib.sha256()
    for f in sorted(PACKAGE_DIR.rglob("*.py")):
        h.update(f.relative_to(PACKAGE_DIR).as_posix().encode())
        h.update(b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return f"{__version__}+{h.hexdigest()[:12]}"


def git_commit() -> str | None:
    """The repository's HEAD commit (recorded for information; not part of the run id)."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PACKAGE_DIR, capture_output=True,
                             text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def case_hash(case_path: str | Path) -> str:
    """Hash of the contents of every file :func:`model.inputs.read.read_raw` reads."""
    folder = Path(case_path)
    names = ["case.yaml", *TABLE_FILES.values()]
    names += [f"{stem}{ext}" for stem in GEO_FILES.values()
              for ext in (".geojson", ".gpkg", ".json")]
    h = hashlib.sha256()
    for name in sorted(names):
        f = folder / name
        if f.is_file():
            h.update(name.encode() + b"\0" + sha(f.read_bytes()).encode() + b"\0")
    return h.hexdigest()[:16]


def case_name(case: Path) -> str:
    """The case's ``name`` in case.yaml (else its folder name)."""
    try:
        cfg = yaml.safe_load((case / "case.yaml").read_text()) or {}
    except (OSError, yaml.YAMLError):
        cfg = {}
    return str(cfg.get("name") or case.name) if isinstance(cfg, dict) else case.name


def scenario_content(source: str | Path | dict) -> dict:
    """What a scenario changes (its sections without name, description or source)."""
    spec, _ = load_scenario(source)
    return {k: v for k, v in spec.items() if k not in ("name", "description", SOURCE_KEY)}


def make_run_id(case_digest: str, scenarios: list, solver_options: dict | None,
                version: str, run_options: dict | None = None) -> str:
    """The run id of the case (by digest) with these scenarios, options and code version."""
    payload = {"case": case_digest, "scenarios": [scenario_content(s) for s in scenarios],
               "solver": solver_options or {}, "code": version}
    if run_options:
        payload["run"] = run_options
    return sha(canonical(payload).encode())[:16]


def run_meta(case: Path, digest: str, version: str, solver_options: dict | None,
             run_options: dict, **first) -> dict:
    """What every run folder's run.json records about where it came from (``first`` leads)."""
    return {**first, "case": str(case), "case_hash": digest, "code_version": version,
            "git_commit": git_commit(), "solver_options": solver_options or {},
            "run_options": run_options}


def given_options(options: dict | None) -> dict:
    """The options that were given (None means: not given)."""
    return {k: v for k, v in (options or {}).items() if v is not None}
