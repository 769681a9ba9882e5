"""The run folder (the contract in docs/outputs.md), written atomically and read back.

:func:`write_run` writes the tables and the summary to a temporary sibling folder and renames
it into place, so an interrupted run never leaves a folder that looks complete
(``summary.json`` is the last file written inside the temporary folder, and the rename is
atomic on one filesystem). :func:`read_run` reads a complete folder back.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj


def write_run(out_dir: str | Path, summary: dict, tables: dict[str, pd.DataFrame],
              extra_files: dict[str, bytes | str] | None = None,
              parquet: bool = True) -> Path:
    """Write the run folder atomically: temp sibling folder, then rename into place."""
    out = Path(out_dir).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(out)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        for name, df in tables.items():
            df.to_csv(tmp / f"{name}.csv", index=False)
            if parquet and name in ("dispatch", "prices"):
                try:
                    df.to_parquet(tmp / f"{name}.parquet", index=False)
                except (ImportError, ValueError):
                    pass
        for name, content in (extra_files or {}).items():
            mode = "wb" if isinstance(content, bytes) else "w"
            with open(tmp / name, mode) as fh:
                fh.write(content)
        # test hook: widen the window in which a killed run must leave nothing complete
        time.sleep(float(os.environ.get("WATTBIT_TEST_WRITE_DELAY_S", "0") or 0))
        with open(tmp / "summary.json", "w") as fh:
            json.dump(_jsonable(summary), fh, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        old = None
        if out.exists():
            old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
            os.replace(out, old)
        os.replace(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


# identifier columns read as text (ids such as "01" or "2025-06-01 00:00" stay as written)
TEXT_COLUMNS = ("time", "node", "site", "centre", "from", "to", "region", "unit", "tech",
                "corridor", "class", "demand", "constraint", "row", "variable", "label")


def read_run(run_dir: str | Path) -> tuple[dict, dict[str, pd.DataFrame], str]:
    """summary.json, every result table (``*.csv``, by file stem) and highs.log of a run
    folder; raises FileNotFoundError when the folder has no summary.json (not complete)."""
    folder = Path(run_dir)
    summary_file = folder / "summary.json"
    if not summary_file.is_file():
        raise FileNotFoundError(f"{folder} is not a complete run folder (no summary.json)")
    summary = json.loads(summary_file.read_text())
    tables = {}
    for f in sorted(folder.glob("*.csv")):
        try:
            tables[f.stem] = pd.read_csv(f, dtype=dict.fromkeys(TEXT_COLUMNS, str))
        except pd.errors.EmptyDataError:
            tables[f.stem] = pd.DataFrame()
    log = folder / "highs.log"
    return summary, tables, log.read_text() if log.is_file() else ""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_temporaries(out: Path) -> None:
    """Delete temporary folders of earlier runs into ``out`` whose process is gone."""
    for tmp in out.parent.glob(f".{out.name}.tmp-*"):
        try:
            pid = int(tmp.name.rsplit(".tmp-", 1)[1].split("-")[0])
        except (IndexError, ValueError):
            continue
        if not _pid_alive(pid):
            shutil.rmtree(tmp, ignore_errors=True)
    for old in out.parent.glob(f".{out.name}.old-*"):
        shutil.rmtree(old, ignore_errors=True)
