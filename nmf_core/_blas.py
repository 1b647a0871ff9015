"""The BLAS-thread policy: when NMF's matrix products run on one BLAS thread, and how.

OpenBLAS hands any product above a few thousand entries to all its threads, which sleep between
calls. Waking them costs more than the work for the tiny products HALS sweeps are made of, and
for the products of a small or sparse ``X``; on a busy 2-core machine it can stall for
milliseconds. So those run with BLAS held to one thread (``benchmarks/README.md`` has the
measurements). The limiter is one object for the whole process, so nested and concurrent uses
(e.g. two app sessions) cannot leave BLAS stuck at one thread.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["SERIAL_BLAS", "blas_for_products", "products_are_serial", "single_blas_thread"]

# A product of X with a factor below this many flops is done on one BLAS thread (about a
# millisecond of single-core GEMM): sharing it out gains less than waking the threads costs.
SERIAL_PRODUCT_FLOPS = 1.0e7


class _SerialBLAS:
    """Context manager holding BLAS to one thread inside; re-entrant and thread-safe.

    One controller is built once, on first use (building one per call is slow); entering is
    cheap. The thread count in force at the outermost entry is restored on the outermost exit,
    so nested or concurrent uses cannot leave BLAS stuck at one thread. Without
    ``threadpoolctl`` it does nothing and ``available`` is False.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: list[tuple[Any, int]] = []
        self._libraries: list[Any] | None = None

    def _blas_libraries(self) -> list[Any]:
        if self._libraries is None:
            try:
                from threadpoolctl import ThreadpoolController

                self._libraries = list(
                    ThreadpoolController().select(user_api="blas").lib_controllers
                )
            except Exception:  # optional: without it BLAS keeps its default thread count
                self._libraries = []
        return self._libraries

    @property
    def available(self) -> bool:
        """Whether a BLAS library could be found and limited."""
        return bool(self._blas_libraries())

    def __enter__(self) -> _SerialBLAS:
        with self._lock:
            if self._depth == 0:
                self._saved = []
                for library in self._blas_libraries():
                    threads = library.num_threads
                    if threads != 1:
                        library.set_num_threads(1)
                        self._saved.append((library, threads))
            self._depth += 1
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0:
                for library, threads in self._saved:
                    library.set_num_threads(threads)
                self._saved = []


SERIAL_BLAS = _SerialBLAS()
"""The process-wide limiter: ``with SERIAL_BLAS:`` runs the block on one BLAS thread."""


@contextlib.contextmanager
def single_blas_thread(wanted: bool = True) -> Iterator[bool]:
    """Hold BLAS to one thread inside the block, if ``wanted`` and ``threadpoolctl`` can.

    Yields whether the limit is in force. Re-entrant, and safe to use from several threads at
    once: the thread count is restored when the outermost block ends.

    Examples
    --------
    >>> with single_blas_thread() as limited:
    ...     isinstance(limited, bool)
    True
    """
    if not wanted:
        yield False
        return
    with SERIAL_BLAS:
        yield SERIAL_BLAS.available


def products_are_serial(sparse: bool, n: int, k: int, rank: int) -> bool:
    """Whether the products with an n×k X at this rank are formed with BLAS on one thread.

    Products with a sparse X run in scipy's single-threaded kernels anyway, and those of a
    small dense X are too short to pay for waking BLAS threads.
    """
    return sparse or 2.0 * n * k * rank <= SERIAL_PRODUCT_FLOPS


def blas_for_products(sparse: bool, n: int, k: int, rank: int) -> contextlib.AbstractContextManager:
    """The BLAS setting :func:`nmf_core.nmf` forms the products with X under.

    ``SERIAL_BLAS`` where :func:`products_are_serial`, else a context that changes nothing.
    """
    return SERIAL_BLAS if products_are_serial(sparse, n, k, rank) else contextlib.nullcontext()
