"""Our FarmHash Fingerprint64 and SipHash-2-4 equal the reference C implementations
(pyfarmhash, siphash24) on every length class of input, and FingerprintCat64 gives Keras's
documented HashedCrossing bins."""

import random
import struct

import pytest

from neurona.layers.fingerprint import (CROSS_HASH_KEY, fingerprint64, fingerprint_cat64,
                                        siphash24)

LENGTHS = list(range(0, 130)) + [255, 256, 257, 1000, 4097]


def test_fingerprint64_equals_farmhash():
    farmhash = pytest.importorskip("farmhash")
    draw = random.Random(0)
    for n in LENGTHS:
        data = bytes(draw.randrange(256) for _ in range(n))
        assert fingerprint64(data) == farmhash.fingerprint64(data), n
    assert fingerprint64("héllo") == farmhash.fingerprint64("héllo".encode())


def test_siphash24_equals_the_reference():
    reference = pytest.importorskip("siphash24")
    draw = random.Random(1)
    for n in LENGTHS:
        data = bytes(draw.randrange(256) for _ in range(n))
        key = (draw.getrandbits(64), draw.getrandbits(64))
        digest = reference.siphash24(data, key=struct.pack("<QQ", *key)).digest()
        assert siphash24(data, key) == int.from_bytes(digest, "little"), n


def test_keras_documented_bins():
    # keras.layers.Hashing docstring: FarmHash, SipHash with salt [133, 137] and with 133
    assert [fingerprint64(c) % 3 for c in "ABCDE"] == [1, 0, 1, 1, 2]
    assert [siphash24(c, (133, 137)) % 3 for c in "ABCDE"] == [1, 2, 1, 0, 2]
    assert [siphash24(c, (133, 133)) % 3 for c in "ABCDE"] == [0, 0, 2, 1, 0]
    # keras.layers.HashedCrossing docstring: ('A', 101), ('B', 101), ... into 5 bins
    crossed = [fingerprint_cat64(fingerprint_cat64(CROSS_HASH_KEY, fingerprint64(a)), b) % 5
               for a, b in zip("ABABA", [101, 101, 101, 102, 102])]
    assert crossed == [1, 4, 1, 1, 3]
