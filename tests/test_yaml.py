"""Configurations read as data, bounded by the file's honest size (issue 18, item 7)."""

import time
import tracemalloc

import pytest

from neurona import _yaml


def _laughs(levels):
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]"
              for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_before_it_expands():
    text = _laughs(9)  # 9 ** 9 = 387 million strings if expanded
    assert len(text) < 400
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(_yaml.RefusedYAML, match=r"the alias \*a is refused") as caught:
        _yaml.safe_load(text)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert time.perf_counter() - started < 1.0 and peak < 5_000_000
    assert caught.value.problem_mark.line == 1  # 0-based: the second line
    assert "lol" not in str(caught.value)  # the value is never formatted into the message


def test_nesting_is_capped_and_plain_configurations_load():
    with pytest.raises(_yaml.RefusedYAML, match="nests deeper than 64 levels"):
        _yaml.safe_load("x: " + "[" * 100000 + "]" * 100000)
    assert _yaml.safe_load("x: " + "[" * 60 + "1" + "]" * 60) == {"x": _nested(60)}
    assert _yaml.safe_load("fit: {epochs: 3}\nlayers: [64, 32]\n") == {
        "fit": {"epochs": 3}, "layers": [64, 32]}
    assert _yaml.safe_load("base: &b 1\n") == {"base": 1}  # an anchor alone is harmless


def _nested(depth):
    value = 1
    for _ in range(depth):
        value = [value]
    return value


def test_non_utf8_text_names_the_file_and_line(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_bytes(b"a: 1\nb: caf\xe9\n")
    with pytest.raises(ValueError, match=r"c.yaml: the file is not UTF-8 text \(byte 0xe9 at "
                                         r"line 2\)"):
        _yaml.read_text(path, ValueError)
    path.write_bytes("\ufeffa: 1\n".encode("utf-8"))  # a byte-order mark is fine
    assert _yaml.read_text(path, ValueError) == "a: 1\n"
