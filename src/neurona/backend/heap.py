"""Keep freed memory in the process heap while a model trains (glibc, i.e. most Linux).

Every training step allocates and frees the same batch-sized arrays (patch matrices,
activations, gradients: megabytes each). glibc's allocator returns large freed blocks to the
operating system (``munmap``, or trimming the heap top past 2x its dynamic mmap threshold), so
the next step gets fresh pages and pays a page fault, plus the kernel's zeroing, for every 4 KiB
it touches. On the MNIST CNN benchmark (W4) that was 350,000 faults per epoch and a quarter of
the step time. :func:`kept_while_training` raises both thresholds for the duration of ``fit``
so the blocks are reused from the heap, then hands the memory back (``malloc_trim``) and sets
the thresholds to the values glibc's own dynamic rule settles at for large arrays.

Elsewhere (macOS, Windows, musl) it does nothing: those allocators keep no such policy knob here.
"""

import contextlib
import threading

#: mallopt parameters (glibc's malloc.h)
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
#: during training: blocks up to 256 MiB come from the heap, and up to 512 MiB of free memory
#: at its top stays mapped between steps
TRAINING_MMAP_THRESHOLD = 256 << 20
TRAINING_TRIM_THRESHOLD = 512 << 20
#: after training: glibc's dynamic threshold's ceiling on 64-bit (32 MiB) and its trim rule (2x)
SETTLED_MMAP_THRESHOLD = 32 << 20
SETTLED_TRIM_THRESHOLD = 64 << 20

_lock = threading.Lock()
_depth = 0  # nested or concurrent fits share one widened heap
_libc = None


def _glibc():
    """The C library when it is glibc (has mallopt and malloc_trim), else None."""
    global _libc
    if _libc is None:
        import ctypes

        try:
            libc = ctypes.CDLL(None)
            libc.gnu_get_libc_version  # only glibc has it
            _libc = libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else False
        except (OSError, AttributeError, TypeError):  # TypeError: Windows has no CDLL(None)
            _libc = False
    return _libc or None


def _set_thresholds(libc, mmap_threshold, trim_threshold):
    libc.mallopt(M_MMAP_THRESHOLD, mmap_threshold)
    libc.mallopt(M_TRIM_THRESHOLD, trim_threshold)


@contextlib.contextmanager
def kept_while_training():
    """Within the block, freed batch-sized arrays stay in the heap for the next step; at the
    end (of the outermost block) the free memory goes back to the operating system."""
    global _depth
    libc = _glibc()
    if libc is None:
        yield
        return
    with _lock:
        _depth += 1
        if _depth == 1:
            _set_thresholds(libc, TRAINING_MMAP_THRESHOLD, TRAINING_TRIM_THRESHOLD)
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                _set_thresholds(libc, SETTLED_MMAP_THRESHOLD, SETTLED_TRIM_THRESHOLD)
                libc.malloc_trim(0)
