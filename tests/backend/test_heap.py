"""The heap kept during training: freed batch-sized arrays are reused, not faulted in anew."""

import resource

import numpy as np
import pytest

from neurona.backend import heap

pytestmark = pytest.mark.skipif(heap._glibc() is None, reason="the heap policy is glibc's")

STEP_FLOATS = 25_000_000  # 100 MB: above glibc's settled 32 MiB mmap threshold


def _page_faults(fn):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    fn()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def _step():
    """A training step's pattern: a big temporary written, read and freed."""
    return float(np.ones(STEP_FLOATS, np.float32).sum())


def test_a_repeated_step_reuses_the_heap_and_the_memory_goes_back_after():
    outside = _page_faults(_step)
    with heap.kept_while_training():
        _step()  # the first step maps the pages
        inside = [_page_faults(_step) for _ in range(3)]
    after = _page_faults(_step)
    assert outside >= 40  # a fresh mapping each time (>= 50 2 MiB huge pages, or 4 KiB pages)
    assert max(inside) <= 5, inside
    assert after >= 40  # returned to the system: the heap is not kept after training


def test_nested_blocks_keep_the_heap_until_the_outermost_ends():
    with heap.kept_while_training():
        with heap.kept_while_training():
            _step()
        assert heap._depth == 1
        assert _page_faults(_step) <= 5
    assert heap._depth == 0
