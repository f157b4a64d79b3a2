"""The chunk pool and the chunked passes of Ops: the same bits on 1 and on several threads, and
the same bits as one unchunked pass where the elements are independent."""

import threading

import numpy as np
import pytest

from neurona.backend.ops import ELEMENT_CHUNK, Ops, product_cut
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
        worked = threading.Event()

        def task(i):
            with lock:
                seen[i] += 1
                names.add(threading.current_thread().name)
            if threading.current_thread().name.startswith("neurona-chunks-"):
                worked.set()
            else:  # the caller waits (at most 10 s) until a worker has taken a chunk
                worked.wait(10)

        for _ in range(5):
            worked.clear()
            pool.run(task, 40)
            assert worked.is_set()
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


def test_product_cut_depends_on_the_shape_only_and_keeps_small_products_whole():
    assert product_cut(32, 30, 64) is None          # W2's layers: one BLAS call
    axis, bounds = product_cut(256, 512, 512)
    assert axis == 1 and bounds == [(0, 128), (128, 256), (256, 384), (384, 512)]
    axis, bounds = product_cut(15488, 288, 64)
    assert axis == 0 and bounds[0] == (0, 1952) and bounds[-1] == (13664, 15488)


SHAPES = [(256, 512, 512), (512, 256, 512), (128, 784, 512), (15488, 288, 64), (128, 1600, 128),
          (32, 30, 64)]


@pytest.mark.parametrize("m,k,n", SHAPES)
def test_matmul_gives_the_same_bits_on_one_and_on_three_threads(m, k, n):
    rng = np.random.default_rng(m + k + n)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((n, k), dtype=np.float32).T    # a transposed view, as in backward
    one, three = Ops(threads=1), Ops(threads=3)
    out = np.full((m, n), np.nan, np.float32)
    try:
        with one.parallel_region():
            single = one.matmul(a, b)
        with three.parallel_region():
            many = three.matmul(a, b)
            into = three.matmul(a, b, out=out)
    finally:
        three.set_threads(1)
    assert into is out
    assert np.array_equal(single, many) and np.array_equal(single, out)
    np.testing.assert_allclose(single, a.astype(np.float64) @ b.astype(np.float64), rtol=1e-4,
                               atol=1e-3)


def test_matmul_outside_a_parallel_region_is_numpys_product():
    rng = np.random.default_rng(4)
    a = rng.standard_normal((256, 512), dtype=np.float32)
    b = rng.standard_normal((512, 512), dtype=np.float32)
    ops = Ops(threads=2)
    assert not ops.in_parallel_region
    assert np.array_equal(ops.matmul(a, b), a @ b) and ops._pool is None


def test_parallel_region_runs_the_blas_on_one_thread_and_restores_it_after_nesting():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    blas = threadpoolctl.ThreadpoolController().select(user_api="blas").lib_controllers[0]
    before = blas.get_num_threads()
    blas.set_num_threads(2)
    try:
        ops = Ops(threads=2)
        with ops.parallel_region():
            assert blas.get_num_threads() == 1 and ops.in_parallel_region
            with ops.parallel_region():       # fit's validation runs evaluate inside fit
                assert blas.get_num_threads() == 1
            assert blas.get_num_threads() == 1 and ops.in_parallel_region
        assert blas.get_num_threads() == 2 and not ops.in_parallel_region
        with pytest.raises(KeyError):
            with ops.parallel_region():
                raise KeyError("a failing step")
        assert blas.get_num_threads() == 2
    finally:
        blas.set_num_threads(before)


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
        with ops.parallel_region():
            ops.elementwise(task, size)
    finally:
        ops.set_threads(1)
    assert np.array_equal(out, whole)
    assert sorted(calls) == chunk_bounds(size, ELEMENT_CHUNK if size > ELEMENT_CHUNK else size)


def test_elementwise_is_one_pass_on_one_thread_and_outside_a_parallel_region():
    calls = []
    one, two = Ops(threads=1), Ops(threads=2)
    with one.parallel_region():
        one.elementwise(lambda start, stop: calls.append((start, stop)), 3 * ELEMENT_CHUNK)
    two.elementwise(lambda start, stop: calls.append((start, stop)), 3 * ELEMENT_CHUNK)
    assert calls == [(0, 3 * ELEMENT_CHUNK)] * 2
    assert two._pool is None   # no thread was started for it


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
        with backend.get_ops().parallel_region():
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


def _fit_weights(threads):
    """Weights after two epochs of a W1-shaped MLP (products big enough to be cut)."""
    import neurona
    from neurona import backend, layers

    previous = backend.active.ops
    backend.active.ops = Ops(threads=threads)
    try:
        neurona.utils.set_random_seed(3)
        rng = np.random.default_rng(1)
        x = rng.standard_normal((512, 64), dtype=np.float32)
        y = np.tanh(x[:, :1] * 2).astype(np.float32)
        model = neurona.Sequential([layers.Dense(512, activation="relu", input_shape=[64]),
                                    layers.Dense(512, activation="relu"), layers.Dense(1)])
        model.compile(optimizer="adam", loss="mae")
        history = model.fit(x, y, batch_size=256, epochs=2, verbose=0, seed=3)
        return [np.array(w) for w in model.get_weights()], history.history["loss"]
    finally:
        backend.active.ops.set_threads(1)
        backend.active.ops = previous


def test_fit_gives_the_same_bits_on_one_and_two_threads():
    (w1, loss1), (w2, loss2) = _fit_weights(1), _fit_weights(2)
    assert all(np.array_equal(a, b) for a, b in zip(w1, w2))
    assert loss1 == loss2 and loss1[1] < loss1[0]   # and it learned something


def _cnn_weights(threads):
    """Weights after one epoch of a small MNIST-CNN-shaped model (conv + pooling blocks)."""
    import neurona
    from neurona import backend, layers

    previous = backend.active.ops
    backend.active.ops = Ops(threads=threads)
    try:
        neurona.utils.set_random_seed(5)
        rng = np.random.default_rng(2)
        x = rng.random((192, 16, 16, 1), dtype=np.float32)
        y = (x.reshape(192, -1).mean(axis=1) > 0.5).astype(np.int64)
        model = neurona.Sequential([
            layers.Conv2D(16, 3, activation="relu", input_shape=[16, 16, 1]),
            layers.MaxPooling2D(2),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(2, activation="softmax"),
        ])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        before = [np.array(w) for w in model.get_weights()]
        model.fit(x, y, batch_size=96, epochs=1, verbose=0, seed=1)
        return before, [np.array(w) for w in model.get_weights()]
    finally:
        backend.active.ops.set_threads(1)
        backend.active.ops = previous


def test_conv_pool_blocks_on_two_threads_give_the_bits_of_one(monkeypatch):
    # a small cache budget: several blocks per batch, so the pool has blocks to share
    monkeypatch.setattr(Ops, "cache_block_bytes", 2 ** 16)
    (start, one), (_, two) = _cnn_weights(1), _cnn_weights(2)
    assert all(np.array_equal(a, b) for a, b in zip(one, two))
    assert not any(np.array_equal(a, b) for a, b in zip(start, one))   # every weight trained


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_child_gets_workers_of_its_own():
    import os

    pool = ChunkPool(2)
    try:
        pool.run(lambda i: None, 2)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: the parent's worker thread does not exist here
            worked = threading.Event()

            def task(i):
                if threading.current_thread().name == "neurona-chunks-0":
                    worked.set()
                else:  # the caller waits (at most 10 s) for a worker to take a chunk
                    worked.wait(10)

            pool.run(task, 4)
            os.write(write, b"1" if worked.is_set() else b"0")
            os._exit(0)
        os.close(write)
        answer = os.read(read, 1)
        os.waitpid(pid, 0)
        assert answer == b"1"
    finally:
        pool.close()


def test_set_backend_stops_the_replaced_pool_and_the_new_ops_starts_its_own():
    import neurona
    from neurona import backend

    before = backend.get_ops()
    ops = Ops(threads=2)
    backend.active.ops = ops
    try:
        with ops.parallel_region():
            ops.run_chunks(lambda i: None, 4)
        workers = list(ops._pool._workers)
        assert [w.is_alive() for w in workers] == [True]
        neurona.set_backend("numpy")
        assert ops._pool is None and not workers[0].is_alive()
        assert backend.get_ops() is not ops
    finally:
        backend.get_ops().release_threads()
        backend.active.ops = before
