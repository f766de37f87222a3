"""Compiled loops (numba) for the figures that numpy, scipy and igraph have no fast form of.

:func:`common_partner_sums` is the sum over the partners two tied actors share, which Burt's
constraint and effective size are built on (:mod:`service.analytics.brokerage`). As a sparse
product (``P @ P`` restricted to ties) its cost is the sum of squared degrees: 1.3 billion
products and 5 GB on the whole Horizon 2020 network, whose hubs have thousands of partners.
Walking each tie's shared partners costs the sum over ties of the smaller degree instead
(0.17 billion steps there), with memory for one value per tie.

The functions are compiled on first use and cached on disk next to this file (numba's
``cache=True``); a process that cannot write there compiles them again, which takes about a
second.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["common_partner_sums"]


@numba.njit(cache=True, nogil=True)
def _reverse_positions(indptr, indices):
    """``rev[p]``: the position of entry (j, i) for the entry p = (i, j) of a symmetric
    CSR pattern with sorted column indices."""
    n = indptr.size - 1
    rev = np.empty(indices.size, np.int64)
    for i in range(n):
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            lo = indptr[j]
            hi = indptr[j + 1]
            while lo < hi:  # binary search for column i in row j
                mid = (lo + hi) // 2
                if indices[mid] < i:
                    lo = mid + 1
                else:
                    hi = mid
            rev[p] = lo
    return rev


@numba.njit(cache=True, nogil=True)
def _common_partner_sums(indptr, indices, x, y, z, rev):
    n = indptr.size - 1
    out = np.zeros(indices.size)
    # row i spread out while it is open: x z and y z of (i, q) side by side at q (one cache
    # line), zero where q is no partner of i, so that the inner loop needs no test
    open_row = np.zeros((n, 2))
    for i in range(n):
        start = indptr[i]
        stop = indptr[i + 1]
        for p in range(start, stop):
            q = indices[p]
            open_row[q, 0] = x[p] * z[q]
            open_row[q, 1] = y[p] * z[q]
        for p in range(start, stop):
            j = indices[p]
            dj = indptr[j + 1] - indptr[j]
            # each tie once, from its end with more partners: walk the other end's row
            if dj < stop - start or (dj == stop - start and j <= i):
                ij = 0.0
                ji = 0.0
                for r in range(indptr[j], indptr[j + 1]):
                    q = indices[r]
                    ij += open_row[q, 0] * y[r]
                    ji += x[r] * open_row[q, 1]
                out[p] = ij
                out[rev[p]] = ji
        for p in range(start, stop):
            q = indices[p]
            open_row[q, 0] = 0.0
            open_row[q, 1] = 0.0
    return out


def common_partner_sums(A, x, y, z) -> np.ndarray:
    r"""For every stored entry *p* = (*i*, *j*) of the symmetric CSR matrix ``A``:
    :math:`\sum_{q \in N(i) \cap N(j)} x_{iq}\, y_{jq}\, z_q`.

    ``A`` must have sorted indices (as :func:`~service.analytics._graph.csr_view` gives).
    ``x`` and ``y`` are aligned with ``A.data`` (a value per stored entry), ``z`` with the
    rows; *N(i)* is the set of stored columns of row *i* (explicit zeros included). With
    ``x = y = A.data`` and ``z = 1/strength`` this is :math:`s_i (P^2)_{ij}`, ``P`` the
    row-normalised ``A``; with ``x = y = z = 1`` it counts the partners *i* and *j* share.

    >>> import scipy.sparse as sp
    >>> A = sp.csr_array(np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0]], dtype=float))
    >>> ones = np.ones(A.nnz)
    >>> common_partner_sums(A, ones, ones, np.ones(3)).tolist()   # one shared partner each
    [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    """
    if not A.has_sorted_indices:
        raise ValueError("common_partner_sums needs a CSR matrix with sorted indices")
    indptr = np.ascontiguousarray(A.indptr, dtype=np.int64)
    indices = np.ascontiguousarray(A.indices, dtype=np.int64)
    rev = _reverse_positions(indptr, indices)
    return _common_partner_sums(indptr, indices, np.ascontiguousarray(x, dtype=float),
                                np.ascontiguousarray(y, dtype=float),
                                np.ascontiguousarray(z, dtype=float), rev)
