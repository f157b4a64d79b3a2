"""The chunk pool and the chunked passes of Ops: the same bits on 1 and on several threads, and
the same bits as one unchunked pass where the elements are independent."""

import threading

import numpy as np
import pytest

from neurona.backend.ops import ELEMENT_CHUNK, Ops
from neurona.backend.parallel import ChunkPool, chunk_bounds
from neurona.optimizers import Adam


def test_chunk_bounds_cover_the_range_in_order_with_a_shorter_last_piece():
    assert chunk_bounds(10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert chunk_bounds(8, 4) == [(0, 4), (4, 8)]
    assert chunk_bounds(0, 4) == []


def test_pool_runs_every_chunk_once_and_uses_its_workers():
    pool = ChunkPool(3)
    try:
        seen, names = [0] * 200, set()
        lock = threading.Lock()

        def task(i):
            with lock:
                seen[i] += 1
                names.add(threading.current_thread().name)
            np.sqrt(np.arange(20000.0))  # long enough for a worker to wake and claim some

        for _ in range(5):
            pool.run(task, 40)
        assert seen[:40] == [5] * 40 and seen[40:] == [0] * 160
        assert threading.current_thread().name in names
    finally:
        pool.close()
    assert pool.threads == 1


def test_pool_reraises_a_task_error_in_the_caller_and_stays_usable():
    pool = ChunkPool(2)
    try:
        def task(i):
            if i == 3:
                raise KeyError("chunk 3")

        with pytest.raises(KeyError, match="chunk 3"):
            pool.run(task, 8)
        out = []
        pool.run(out.append, 4)
        assert sorted(out) == [0, 1, 2, 3]
    finally:
        pool.close()


def test_pool_called_from_its_own_task_runs_the_inner_chunks_in_the_caller():
    pool = ChunkPool(2)
    try:
        cells = np.zeros((4, 4))

        def outer(i):
            def inner(j):
                cells[i, j] += 1
            pool.run(inner, 4)

        pool.run(outer, 4)
        assert np.array_equal(cells, np.ones((4, 4)))
    finally:
        pool.close()


@pytest.mark.parametrize("threads", [0, -1, 1.5, True, "2"])
def test_bad_thread_counts_are_refused_with_the_value(threads):
    with pytest.raises(ValueError, match=r"threads must be an int >= 1.*got " + repr(threads)[:2]):
        Ops(threads=threads)
    with pytest.raises(ValueError, match="ChunkPool: threads must be an int >= 1"):
        ChunkPool(threads)


@pytest.mark.parametrize("size", [5, ELEMENT_CHUNK, 3 * ELEMENT_CHUNK + 17])
def test_elementwise_chunks_give_the_bits_of_one_pass(size):
    rng = np.random.default_rng(size)
    x = rng.standard_normal(size, dtype=np.float32)
    whole = np.tanh(x) * np.float32(1.5)
    ops = Ops(threads=2)
    out = np.empty_like(x)
    calls = []

    def task(start, stop):
        calls.append((start, stop))
        np.tanh(x[start:stop], out=out[start:stop])
        out[start:stop] *= np.float32(1.5)

    try:
        ops.elementwise(task, size)
    finally:
        ops.set_threads(1)
    assert np.array_equal(out, whole)
    assert sorted(calls) == chunk_bounds(size, ELEMENT_CHUNK if size > ELEMENT_CHUNK else size)


def test_elementwise_on_one_thread_is_one_pass():
    calls = []
    Ops(threads=1).elementwise(lambda start, stop: calls.append((start, stop)),
                               3 * ELEMENT_CHUNK)
    assert calls == [(0, 3 * ELEMENT_CHUNK)]


def _adam_run(threads, amsgrad):
    """Parameters after three Adam steps over a flat buffer of 200,000 float32 values."""
    import neurona
    from neurona import backend

    previous = backend.active.ops
    backend.active.ops = Ops(threads=threads)
    try:
        rng = np.random.default_rng(0)
        w = neurona.Variable(rng.standard_normal((400, 500), dtype=np.float32))
        opt = Adam(1e-2, amsgrad=amsgrad)
        for step in range(3):
            g = rng.standard_normal((400, 500), dtype=np.float32) * np.float32(step + 1)
            opt.apply_gradients([(g, w)])
        return np.array(w.data)
    finally:
        backend.active.ops.set_threads(1)
        backend.active.ops = previous


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_over_chunks_gives_the_bits_of_one_pass_on_one_and_two_threads(amsgrad,
                                                                            monkeypatch):
    single, double = _adam_run(1, amsgrad), _adam_run(2, amsgrad)
    monkeypatch.setattr("neurona.backend.ops.ELEMENT_CHUNK", 10 ** 9)   # one pass
    whole = _adam_run(2, amsgrad)
    assert np.array_equal(single, double) and np.array_equal(single, whole)
    start = np.random.default_rng(0).standard_normal((400, 500), dtype=np.float32)
    # three Adam steps move each weight by at most 3 lr, and on average by a good part of it
    moved = np.abs(single - start)
    assert moved.max() <= 0.0301 and moved.mean() > 0.005
