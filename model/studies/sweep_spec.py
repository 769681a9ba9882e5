"""Sweep files: reading and checking them, and expanding them to parameter points.

A sweep file combines scenario files, a grid of values and random samples (the format is
described in :mod:`model.studies.sweep`). :func:`load_sweep` reads and checks one (every
problem is reported at once, as a CaseError naming the file and key); :func:`expand` lists its
points (dicts key -> value) and :func:`point_scenarios` turns a point into the scenario list
of its run.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from model.inputs.problems import CaseError, Problem, Problems
from model.inputs.scenarios import SOURCE_KEY
from model.studies.run_ids import plain

SWEEP_KEYS = {"name", "description", "base_scenarios", "grid", "samples"}
SAMPLE_KEYS = {"n", "seed", "uniform", "loguniform", "choice"}
SCENARIO_DIM = "scenarios"


@dataclass
class Sweep:
    name: str
    path: Path | None
    description: str = ""
    base_scenarios: list[Path] = field(default_factory=list)
    grid: dict[str, list] = field(default_factory=dict)
    samples: dict | None = None


# ------------------------------------------------------------------------------ reading
def load_sweep(source: str | Path | dict) -> Sweep:
    """Read and check a sweep file (raises CaseError naming the file and key)."""
    spec, path, where, base_dir = _read_spec(source)
    p = Problems()
    _unknown_keys(spec, SWEEP_KEYS, where, p, prefix="", owner="a sweep file")
    base_paths = _base_scenarios(spec.get("base_scenarios") or [], base_dir, where, p)
    grid = _check_grid(spec.get("grid") or {}, base_dir, where, p)
    samples = spec.get("samples")
    if samples is not None:
        samples = _check_samples(samples, where, p, set(grid))
    p.raise_if_any()
    name = str(spec.get("name") or (path.stem if path else "sweep"))
    return Sweep(name, path, str(spec.get("description") or ""), base_paths, grid, samples)


def _read_spec(source: str | Path | dict) -> tuple[dict, Path | None, str, Path]:
    """The sweep mapping, its file, the name used in messages and the folder paths start in."""
    if isinstance(source, dict):
        spec = dict(source)
        return spec, None, f"sweep '{spec.get('name', 'unnamed')}'", Path.cwd()
    path = Path(source).resolve()
    where = str(source)
    if not path.is_file():
        raise CaseError([Problem(where, "sweep file not found")])
    try:
        spec = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise CaseError([Problem(where, f"is not valid YAML: {exc}")]) from None
    if not isinstance(spec, dict):
        raise CaseError([Problem(where, "a sweep file must be a mapping")])
    return spec, path, where, path.parent


def _unknown_keys(spec: dict, allowed: set[str], where: str, p: Problems, *, prefix: str,
                  owner: str) -> None:
    for key in spec:
        if key not in allowed:
            p.add(where, f"unknown key '{prefix}{key}'",
                  hint=f"{owner} has the keys {', '.join(sorted(allowed))}")


def _base_scenarios(base, base_dir: Path, where: str, p: Problems) -> list[Path]:
    if isinstance(base, str):
        base = [base]
    paths = []
    for b in base if isinstance(base, list) else []:
        bp = (base_dir / str(b)).resolve()
        if not bp.is_file():
            p.add(where, f"base scenario '{b}' not found", hint=f"looked for {bp}")
        paths.append(bp)
    if not isinstance(base, list):
        p.add(where, "'base_scenarios' must be a list of scenario files")
    return paths


def _check_grid(grid, base_dir: Path, where: str, p: Problems) -> dict[str, list]:
    if not isinstance(grid, dict):
        p.add(where, "'grid' must be a mapping of keys to lists of values")
        return {}
    out: dict[str, list] = {}
    for key, values in grid.items():
        key = str(key)
        if not isinstance(values, list) or not values:
            p.add(where, f"grid key '{key}' needs a non-empty list of values")
            continue
        if key == SCENARIO_DIM:
            values = [_scenario_files(v, base_dir, where, p) for v in values]
        out[key] = values
    return out


def _scenario_files(value, base_dir: Path, where: str, p: Problems) -> list[Path]:
    """One value of the ``scenarios`` grid key: a file or a list of files, resolved."""
    files = value if isinstance(value, list) else [value]
    paths = [(base_dir / str(f)).resolve() for f in files]
    for f, fp in zip(files, paths, strict=True):
        if not fp.is_file():
            p.add(where, f"scenario '{f}' in grid key 'scenarios' not found",
                  hint=f"looked for {fp}")
    return paths


def _check_samples(samples, where: str, p: Problems, grid_keys: set[str]) -> dict | None:
    if not isinstance(samples, dict):
        p.add(where, "'samples' must be a mapping with n, seed and uniform/loguniform/choice")
        return None
    _unknown_keys(samples, SAMPLE_KEYS, where, p, prefix="samples.", owner="samples")
    n = samples.get("n")
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        p.add(where, "samples.n must be a whole number >= 1")
    seed = samples.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool):
        p.add(where, "samples.seed must be a whole number")
    seen: set[str] = set()
    for dist in ("uniform", "loguniform", "choice"):
        spec = samples.get(dist) or {}
        if not isinstance(spec, dict):
            p.add(where, f"samples.{dist} must be a mapping of keys to ranges")
            continue
        for key, rng in spec.items():
            key = str(key)
            if key in seen or key in grid_keys:
                p.add(where, f"key '{key}' is sampled twice or also in the grid")
            seen.add(key)
            _check_range(dist, key, rng, where, p)
    if not seen:
        p.add(where, "samples has no uniform, loguniform or choice keys")
    return samples


def _check_range(dist: str, key: str, rng, where: str, p: Problems) -> None:
    if dist == "choice":
        if not isinstance(rng, list) or not rng:
            p.add(where, f"samples.choice '{key}' needs a non-empty list of values")
        return
    ok = (isinstance(rng, list) and len(rng) == 2
          and all(isinstance(v, int | float) and not isinstance(v, bool) for v in rng))
    if not ok or rng[0] > rng[1] or (dist == "loguniform" and rng[0] <= 0):
        p.add(where, f"samples.{dist} '{key}' needs [low, high] with low <= high"
              + (" and low > 0" if dist == "loguniform" else ""))


# ---------------------------------------------------------------------------- points
def expand(sweep: Sweep) -> list[dict]:
    """Parameter points: grid combinations × samples (each a dict key -> value)."""
    grid_points: list[dict] = [{}]
    if sweep.grid:
        keys = list(sweep.grid)
        grid_points = [dict(zip(keys, combo, strict=True))
                       for combo in itertools.product(*(sweep.grid[k] for k in keys))]
    if not sweep.samples:
        return grid_points
    draws = _draw_samples(sweep.samples)
    return [{**g, **d} for g in grid_points for d in draws]


def _draw_samples(s: dict) -> list[dict]:
    """``n`` random points, seeded (the draw order is part of the run ids: keep it)."""
    rng = np.random.default_rng(int(s.get("seed", 0)))
    draws = []
    for i in range(int(s["n"])):
        d: dict = {"sample": i}
        for key, (lo, hi) in (s.get("uniform") or {}).items():
            d[str(key)] = float(rng.uniform(lo, hi))
        for key, (lo, hi) in (s.get("loguniform") or {}).items():
            d[str(key)] = float(math.exp(rng.uniform(math.log(lo), math.log(hi))))
        for key, values in (s.get("choice") or {}).items():
            d[str(key)] = plain(values[int(rng.integers(len(values)))])
        draws.append(d)
    return draws


def point_scenarios(sweep: Sweep, params: dict) -> list:
    """The scenario list of one point: base files, grid scenario files, then the overrides."""
    sources: list = [str(p) for p in sweep.base_scenarios]
    sets: dict = {}
    scales: dict = {}
    for key, value in params.items():
        if key == "sample":
            continue
        if key == SCENARIO_DIM:
            sources += [str(p) for p in value]
        elif key.startswith("scale."):
            scales[key[len("scale."):]] = value
        else:
            sets[key] = value
    if sets or scales:
        spec: dict = {"name": sweep.name, SOURCE_KEY: str(sweep.path or sweep.name)}
        if sets:
            spec["set"] = sets
        if scales:
            spec["scale"] = scales
        sources.append(spec)
    return sources


def point_label(params: dict) -> str:
    """A point in one line of text (``key=value`` pairs), ``base`` for the empty point."""
    parts = []
    for key, value in params.items():
        if key == "sample":
            parts.append(f"sample={value}")
        elif key == SCENARIO_DIM:
            parts.append("scenarios=" + "+".join(Path(p).stem for p in value))
        else:
            parts.append(f"{key}={value:.6g}" if isinstance(value, float) else f"{key}={value}")
    return " ".join(parts) or "base"


def record_params(params: dict) -> dict:
    """A point as recorded in run.json and sweep.json (scenario files by name)."""
    return {k: ([Path(p).stem for p in v] if k == SCENARIO_DIM else plain(v))
            for k, v in params.items()}


def record_grid(grid: dict[str, list]) -> dict:
    """The grid as recorded in sweep.json (scenario files by file name)."""
    return plain({k: ([[Path(p).name for p in v] for v in vals] if k == SCENARIO_DIM else vals)
                  for k, vals in grid.items()})
