"""Export for SPSS (.sav), Stata (.dta) and R/pandas (.parquet): one file per instrument.

The tables come from :mod:`templategen.store.analysis`; this module names the variables
(:mod:`templategen.store.varnames`) and writes them, with pyreadstat (SPSS, Stata) and
pyarrow (Parquet), the optional extra ``templategen[analysis]``.

* Files: ``--out FILE`` when the store holds one instrument; with several, one file per
  instrument beside it, named ``FILE_<instrument>.<suffix>``.
* Missing values: an unanswered slot is system-missing (SPSS ``.``, Stata ``.``, Parquet
  null; an empty string in SPSS and Stata text variables). No user-missing codes are
  declared: the forms have no "don't know" answer that would need one.
* SPSS and Stata: numbers are doubles; choices, ticks and scales carry value labels;
  dates are dates (SPSS DATE11, Stata %td); ``received`` is a datetime in UTC. A Stata
  variable label is cut at 80 characters; Stata labels whole values only, so a scale with
  a point such as 2.5 keeps its values without labels there (reported).
* Parquet keeps the slot keys as column names and types each column: string, float64,
  int64 (whole numbers, whole-valued scales), bool (ticks), date32 (dates), timestamp in
  UTC (``received``); a choice is its text. Each field's metadata holds ``label`` and,
  where there are any, ``value_labels`` (JSON).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from templategen.errors import MissingExtra
from templategen.i18n import _
from templategen.store.analysis import Dataset, Variable, datasets
from templategen.store.backend import require_existing
from templategen.store.database import Store
from templategen.store.varnames import Rename, variable_names

FORMATS = ("sav", "dta", "parquet")
PACKAGES = {"sav": "pyreadstat", "dta": "pyreadstat", "parquet": "pyarrow"}
STATA_LABEL = 80  # characters
# pyreadstat names a variable's Stata value labels after it plus a running number; that
# name may be 32 characters long: names of a .dta leave room for the number.
STATA_NAME = 32
SPSS_LABEL = 256  # bytes of a variable label, SPSS's classic limit (value labels: 120)
SPSS_VALUE_LABEL = 120


@dataclass(frozen=True)
class Written:
    """One file written: where, how many rows, the variables renamed, and warnings."""

    path: Path
    instrument: str
    rows: int
    renames: tuple[Rename, ...]
    warnings: tuple[str, ...]


def _require(fmt: str) -> None:
    try:
        __import__(PACKAGES[fmt])
        if fmt != "parquet":
            __import__("pandas")
    except ImportError:
        raise MissingExtra(_("--format {format} needs the optional packages for analysts; "
                             "install them with: pip install 'templategen[analysis]'").format(
            format=fmt)) from None


def _cut_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit].decode("utf-8", "ignore")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _frame(data: Dataset, names: dict[str, str]) -> Any:
    """A pandas DataFrame of the dataset, under the variables' names."""
    import pandas as pd

    columns: dict[str, Any] = {}
    for var in data.variables:
        name = names[var.key]
        if var.type == "text":
            columns[name] = pd.Series(["" if v is None else v for v in var.values],
                                      dtype=object)
        elif var.type == "date":
            columns[name] = pd.Series(var.values, dtype=object)
        elif var.type == "moment":
            columns[name] = pd.Series([None if v is None else v.replace(tzinfo=None)
                                       for v in var.values], dtype="datetime64[us]")
        else:
            columns[name] = pd.Series(var.values, dtype="float64")
    return pd.DataFrame(columns, index=range(data.rows))


def _whole(var: Variable) -> bool:
    return all(float(v).is_integer() for v in var.value_labels) and all(
        v is None or float(v).is_integer() for v in var.values)


def _write_sav(data: Dataset, names: dict[str, str], path: Path, warnings: list[str]) -> None:
    import pyreadstat

    pyreadstat.write_sav(
        _frame(data, names), path, file_label=data.title,
        column_labels={names[v.key]: _cut_bytes(v.label, SPSS_LABEL) for v in data.variables},
        variable_value_labels={
            names[v.key]: {k: _cut_bytes(label, SPSS_VALUE_LABEL)
                           for k, label in v.value_labels.items()}
            for v in data.variables if v.value_labels},
        variable_measure={names[v.key]: v.measure for v in data.variables},
        variable_format={names[v.key]: "F8.0" for v in data.variables
                         if v.type in ("integer", "choice", "tick")
                         or (v.type == "scale" and _whole(v))})


def _write_dta(data: Dataset, names: dict[str, str], path: Path, warnings: list[str]) -> None:
    import pyreadstat

    labels: dict[str, dict[int | float, str]] = {}
    for v in data.variables:
        if not v.value_labels:
            continue
        if _whole(v):
            labels[names[v.key]] = {int(k): label for k, label in v.value_labels.items()}
        else:
            warnings.append(_("{name}: Stata labels whole values only; the values of {key} "
                              "are written without labels.").format(name=names[v.key],
                                                                    key=v.key))
    pyreadstat.write_dta(
        _frame(data, names), path, file_label=_cut(data.title, STATA_LABEL),
        column_labels={names[v.key]: _cut(v.label, STATA_LABEL) for v in data.variables},
        variable_value_labels=labels)


def _arrow_column(var: Variable) -> tuple[Any, list[Any]]:
    """(the pyarrow type, the values) of one Parquet column."""
    import pyarrow as pa

    if var.type == "choice":
        return pa.string(), [None if v is None else var.value_labels[v] for v in var.values]
    if var.type == "tick":
        return pa.bool_(), [None if v is None else bool(v) for v in var.values]
    if var.type == "integer" or (var.type == "scale" and _whole(var)):
        return pa.int64(), [None if v is None else int(v) for v in var.values]
    types = {"text": pa.string(), "number": pa.float64(), "scale": pa.float64(),
             "date": pa.date32(), "moment": pa.timestamp("us", tz="UTC")}
    return types[var.type], var.values


def _write_parquet(data: Dataset, names: dict[str, str], path: Path,
                   warnings: list[str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields, arrays = [], []
    for var in data.variables:
        kind, values = _arrow_column(var)
        meta = {"label": var.label}
        if var.value_labels:
            meta["value_labels"] = json.dumps(
                {csv_key(k): label for k, label in var.value_labels.items()},
                ensure_ascii=False)
        fields.append(pa.field(var.key, kind, metadata=meta))
        arrays.append(pa.array(values, type=kind))
    table = pa.Table.from_arrays(arrays, schema=pa.schema(
        fields, metadata={"instrument": data.instrument, "title": data.title}))
    pq.write_table(table, path)


def csv_key(value: float) -> str:
    """A value label's value as JSON object key: 3, not 3.0."""
    return str(int(value)) if float(value).is_integer() else str(value)


WRITERS: dict[str, Callable[[Dataset, dict[str, str], Path, list[str]], None]] = {
    "sav": _write_sav,
    "dta": _write_dta,
    "parquet": _write_parquet,
}


def _paths(out: Path, instruments: list[str]) -> list[Path]:
    if len(instruments) == 1:
        return [out]
    return [out.with_name(f"{out.stem}_{inst}{out.suffix}") for inst in instruments]


def export_analysis(db: Path | str, fmt: str, out: Path) -> list[Written]:
    """Write one ``fmt`` file per instrument of the store (see the module docstring)."""
    _require(fmt)
    require_existing(db)
    with Store(db) as store:
        tables = datasets(store)
    out.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for data, path in zip(tables, _paths(out, [d.instrument for d in tables]), strict=True):
        keys = [v.key for v in data.variables]
        renames: list[Rename] = []
        if fmt == "parquet":
            names = {k: k for k in keys}
        else:
            labelled = sum(1 for v in data.variables if v.value_labels)
            names, renames = variable_names(keys, fmt, maximum=(
                STATA_NAME - len(str(labelled)) if fmt == "dta" else None))
        warnings = list(data.warnings)
        WRITERS[fmt](data, names, path, warnings)
        written.append(Written(path, data.instrument, data.rows, tuple(renames),
                               tuple(warnings)))
    return written
