"""Reading small user uploads (CSV matrices) safely, with messages a student can act on."""

from __future__ import annotations

import numpy as np

from nmf_core._validation import as_nonnegative_matrix

__all__ = ["parse_csv_matrix"]


def parse_csv_matrix(
    data: bytes,
    *,
    max_rows: int = 5000,
    max_columns: int = 2000,
    allowed_columns: tuple[int, ...] | None = None,
    max_bytes: int = 5_000_000,
) -> np.ndarray:
    """Parse an uploaded CSV of nonnegative numbers into a float64 matrix (rows are points).

    A first line that is not numeric is treated as a header and skipped. Commas, semicolons,
    tabs or spaces separate the values.

    Parameters
    ----------
    data : bytes
        The file's contents.
    max_rows, max_columns : int
        Size caps; larger files are refused.
    allowed_columns : tuple of int, optional
        Accepted numbers of columns (e.g. ``(2, 3)`` for point clouds).
    max_bytes : int
        Refuse files larger than this before parsing anything.

    Returns
    -------
    ndarray, shape (n, k)

    Raises
    ------
    ValueError
        Not text, empty, ragged, non-numeric, too large, wrong column count, NaN/inf or
        negative values. The message says which.

    Examples
    --------
    >>> parse_csv_matrix(b"x,y\\n1,2\\n3,4\\n").tolist()
    [[1.0, 2.0], [3.0, 4.0]]
    """
    if not isinstance(data, bytes | bytearray):
        raise ValueError("The upload must be raw bytes of a CSV file.")
    if len(data) > max_bytes:
        raise ValueError(
            f"The file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB."
        )
    try:
        text = bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("The file is not a text CSV (it could not be read as UTF-8).") from None
    if "\x00" in text:
        raise ValueError("The file is not a text CSV (it contains binary data).")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValueError("The file is empty: it needs at least one row of numbers.")
    if len(lines) > max_rows + 1:
        raise ValueError(f"The file has {len(lines)} rows; the limit is {max_rows}.")
    rows: list[list[float]] = []
    for number, line in enumerate(lines, start=1):
        fields = [field for field in _split(line) if field != ""]
        try:
            values = [float(field) for field in fields]
        except ValueError:
            if number == 1 and not rows:
                continue  # a header line
            raise ValueError(
                f"Row {number} has a value that is not a number: {line[:60]!r}."
            ) from None
        rows.append(values)
    if not rows:
        raise ValueError("The file has a header but no rows of numbers.")
    widths = {len(row) for row in rows}
    if len(widths) != 1:
        raise ValueError(
            f"Rows have different numbers of values ({sorted(widths)}); every row "
            "needs the same number of columns."
        )
    width = widths.pop()
    if width > max_columns:
        raise ValueError(f"The file has {width} columns; the limit is {max_columns}.")
    if allowed_columns is not None and width not in allowed_columns:
        wanted = " or ".join(str(count) for count in allowed_columns)
        raise ValueError(
            f"The file has {width} column{'s' if width != 1 else ''}; this page needs {wanted}."
        )
    if len(rows) > max_rows:
        raise ValueError(f"The file has {len(rows)} rows; the limit is {max_rows}.")
    return as_nonnegative_matrix(
        np.asarray(rows, dtype=np.float64), name="The uploaded matrix", allow_sparse=False
    )


def _split(line: str) -> list[str]:
    for separator in (",", ";", "\t"):
        if separator in line:
            return [field.strip() for field in line.split(separator)]
    return line.split()
