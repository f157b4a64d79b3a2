"""A Keras file is read as data: each trick used against Keras's own ``safe_mode``
(CVE-2024-3660, CVE-2025-1550, CVE-2025-8747, CVE-2025-9905/9906) and HDF5's ways of pointing
elsewhere are refused, naming the layer and why, and nothing named in the file is imported,
run or allocated."""

import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")

import neurona as nk  # noqa: E402
from neurona.saving import ModelFileError  # noqa: E402


def _dense_file(tmp_path):
    """A small Keras-format model (written by neurona, which test_keras_format proves Keras
    reads) as ``{entry: bytes}``."""
    model = nk.Sequential([nk.Input((3,)), nk.layers.Dense(2, name="dense")])
    model.save(tmp_path / "base.keras")
    with zipfile.ZipFile(tmp_path / "base.keras") as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _write(path, entries):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def _with_config(tmp_path, edit, name="bad.keras"):
    entries = _dense_file(tmp_path)
    config = json.loads(entries["config.json"])
    edit(config)
    entries["config.json"] = json.dumps(config).encode()
    return _write(tmp_path / name, entries)


def _dense(config):
    return config["config"]["layers"][1]


def test_a_lambda_layer_is_refused_and_its_bytecode_never_runs(tmp_path):
    """CVE-2024-3660 (and CVE-2025-9905 for .h5): a Lambda layer's marshalled code."""
    marker = tmp_path / "pwned"
    code = compile(f"lambda x: (__import__('pathlib').Path({str(marker)!r}).touch(), x)[1]",
                   "<file>", "eval")
    import base64
    import marshal

    function = {"class_name": "__lambda__", "config": {
        "code": base64.b64encode(marshal.dumps(code.co_consts[0])).decode(), "defaults": None,
        "closure": None}}

    def add_lambda(config):
        config["config"]["layers"].insert(1, {
            "module": "keras.layers", "class_name": "Lambda", "registered_name": None,
            "config": {"name": "lambda", "function": function, "arguments": {}}})

    with pytest.raises(ModelFileError, match=r"layer 'lambda' \(Lambda\).*never runs code"):
        nk.saving.load_model(_with_config(tmp_path, add_lambda), safe_mode=False)

    def lambda_activation(config):
        _dense(config)["config"]["activation"] = function

    with pytest.raises(ModelFileError, match=r"layer 'dense'.*Python lambda"):
        nk.saving.load_model(_with_config(tmp_path, lambda_activation))
    assert not marker.exists()


@pytest.mark.parametrize("module, name", [("os", "system"), ("subprocess", "Popen"),
                                          ("builtins", "eval"), ("posix", "system"),
                                          ("neurona_probe_never_imported", "Evil")])
def test_modules_named_in_a_file_are_never_imported(module, name, tmp_path):
    """CVE-2025-1550: ``module`` + ``class_name`` naming any importable function."""
    def as_layer(config):
        config["config"]["layers"][1] = {"module": module, "class_name": name,
                                         "config": {"name": "evil", "command": "touch pwned"},
                                         "registered_name": None}

    def as_initializer(config):
        _dense(config)["config"]["kernel_initializer"] = {
            "module": module, "class_name": name, "config": {"command": "touch pwned"},
            "registered_name": None}

    for edit, where in ((as_layer, "layer 'evil'"), (as_initializer, "layer 'dense'")):
        with pytest.raises(ModelFileError,
                           match=f"{where}.*{name!r} from module {module!r}.*never imports"):
            nk.saving.load_model(_with_config(tmp_path, edit))
    assert "neurona_probe_never_imported" not in sys.modules


@pytest.mark.parametrize("module, name", [
    ("keras.utils", "get_file"),                           # CVE-2025-8747: downloads a file
    ("keras.config", "enable_unsafe_deserialization"),     # CVE-2025-9906
    ("keras.src.saving.serialization_lib", "enable_unsafe_deserialization"),
    ("keras.src.utils.file_utils", "copy"),
])
def test_keras_own_non_modeling_functions_are_refused(module, name, tmp_path):
    def nested(config):
        _dense(config)["config"]["kernel_initializer"] = {
            "module": module, "class_name": name,
            "config": {"origin": "http://127.0.0.1:9/payload", "fname": "x"},
            "registered_name": None}

    with pytest.raises(ModelFileError, match=f"layer 'dense'.*{name!r}"):
        nk.saving.load_model(_with_config(tmp_path, nested))

    def as_layer(config):
        config["config"]["layers"][1] = {"module": module, "class_name": name,
                                         "config": {"name": "x"}, "registered_name": None}

    with pytest.raises(ModelFileError, match=f"{name!r}"):
        nk.saving.load_model(_with_config(tmp_path, as_layer))


def test_registered_names_outside_the_registry_are_refused(tmp_path):
    def custom(config):
        config["config"]["layers"][1] = {"module": "__main__", "class_name": "Sub",
                                         "registered_name": "evil>Sub", "config": {"name": "s"}}

    with pytest.raises(ModelFileError, match=r"'Sub' \(registered as 'evil>Sub'\).*not "
                                             r"registered.*register_keras_serializable"):
        nk.saving.load_model(_with_config(tmp_path, custom))

    def builtin_with_a_claim(config):
        _dense(config)["registered_name"] = "evil>Dense"

    with pytest.raises(ModelFileError, match="'evil>Dense', which is not registered"):
        nk.saving.load_model(_with_config(tmp_path, builtin_with_a_claim))

    class Sub(nk.layers.Layer):
        def call(self, x):
            return x

    with pytest.raises(ModelFileError, match="Sub"):  # given for another name: still refused
        nk.saving.load_model(_with_config(tmp_path, custom), custom_objects={"Other": Sub})


def _h5_with(tmp_path, make):
    """A .keras file whose model.weights.h5 has ``make(h5 file)`` done to it."""
    entries = _dense_file(tmp_path)
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        group = f.create_group("layers/dense/vars")
        make(f, group)
    entries["model.weights.h5"] = buffer.getvalue()
    return _write(tmp_path / "bad.keras", entries)


@pytest.mark.parametrize("kind, expected", [
    ("external_link", "ExternalLink; links to other paths or files are never followed"),
    ("soft_link", "SoftLink; links"),
    ("external_storage", r"keeps its data in external files \['/etc/passwd'\]"),
    ("virtual", "virtual dataset"),
    ("compressed", "compressed or filtered"),
    ("declared_not_stored", r"declares shape \[1000000000\].*refused before allocating"),
    ("strings", "only numbers and booleans"),
])
def test_hdf5_pointers_and_unbacked_sizes_are_refused(kind, expected, tmp_path):
    def make(f, group):
        group["1"] = np.zeros(2, dtype="float32")
        if kind == "external_link":
            group["0"] = h5py.ExternalLink("/etc/other.h5", "/kernel")
        elif kind == "soft_link":
            f["elsewhere"] = np.zeros((3, 2), dtype="float32")
            group["0"] = h5py.SoftLink("/elsewhere")
        elif kind == "external_storage":
            group.create_dataset("0", shape=(3, 2), dtype="float32",
                                 external=[("/etc/passwd", 0, 24)])
        elif kind == "virtual":
            layout = h5py.VirtualLayout(shape=(3, 2), dtype="float32")
            layout[:] = h5py.VirtualSource("/etc/other.h5", "kernel", shape=(3, 2))
            group.create_virtual_dataset("0", layout)
        elif kind == "compressed":
            group.create_dataset("0", data=np.zeros((3, 2), dtype="float32"), compression="gzip")
        elif kind == "declared_not_stored":
            group.create_dataset("0", shape=(10**9,), dtype="float32")
        else:
            group["0"] = np.array([b"rm -rf /"], dtype=object).astype("S")

    with pytest.raises(ModelFileError, match=expected):
        nk.saving.load_model(_h5_with(tmp_path, make))


def _load_under_memory_limit(path, limit_bytes=1_500_000_000):
    """Load ``path`` in a child process that may use ``limit_bytes`` of address space at most,
    returning its stderr (the refusal must come before any large allocation)."""
    code = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, ({limit_bytes}, {limit_bytes}))
        import neurona
        try:
            neurona.saving.load_model({str(path)!r})
        except neurona.saving.ModelFileError as err:
            sys.exit("refused: " + str(err))
        sys.exit("loaded")
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, env=env)
    return result.stderr


def test_absurd_sizes_in_a_config_are_refused_before_allocating(tmp_path):
    def huge_units(config):
        _dense(config)["config"]["units"] = 2_000_000_000

    message = _load_under_memory_limit(_with_config(tmp_path, huge_units, "units.keras"))
    assert "refused:" in message and "would create a weight of shape [3, 2000000000]" in message
    assert "before allocating" in message

    def huge_input(config):
        config["config"]["layers"][0]["config"]["batch_shape"] = [None, 100_000, 100_000]

    message = _load_under_memory_limit(_with_config(tmp_path, huge_input, "input.keras"))
    assert "refused:" in message and "declares inputs of shape [None, 100000, 100000]" in message


def test_deeply_nested_configs_and_zip_tricks_are_refused(tmp_path):
    entries = _dense_file(tmp_path)
    deep = {"module": "keras.layers", "class_name": "Dense", "config": {}}
    for _ in range(150):
        deep = {"module": "keras.layers", "class_name": "Sequential",
                "config": {"layers": [deep]}}
    _write(tmp_path / "deep.keras", dict(entries, **{"config.json": json.dumps(deep).encode()}))
    with pytest.raises(ModelFileError, match="nested deeper than"):
        nk.saving.load_model(tmp_path / "deep.keras")
    for name, extra in (("../escape.txt", b"x"), ("assets/vocabulary.txt", b"/etc/passwd"),
                        ("model.weights.npz", b"PK")):
        _write(tmp_path / "extra.keras", dict(entries, **{name: extra}))
        with pytest.raises(ModelFileError, match=r"unsafe entry name|unexpected entry|"
                                                 r"model\.weights\.h5|belongs to no layer"):
            nk.saving.load_model(tmp_path / "extra.keras")
    with zipfile.ZipFile(tmp_path / "dup.keras", "w") as archive, pytest.warns(UserWarning):
        for name, data in list(entries.items()) + [("config.json", entries["config.json"])]:
            archive.writestr(name, data)
    with pytest.raises(ModelFileError, match="duplicated entry"):
        nk.saving.load_model(tmp_path / "dup.keras")
    data = (tmp_path / "base.keras").read_bytes()
    (tmp_path / "cut.keras").write_bytes(data[:len(data) // 2])
    with pytest.raises(ModelFileError, match="not a model archive|corrupt|truncated"):
        nk.saving.load_model(tmp_path / "cut.keras")


def test_dtype_policies_and_literals_neurona_cannot_honour_are_refused(tmp_path):
    def mixed(config):
        _dense(config)["config"]["dtype"] = {"module": "keras", "class_name": "DTypePolicy",
                                             "config": {"name": "mixed_float16"},
                                             "registered_name": None}

    with pytest.raises(ModelFileError, match=r"layer 'dense'.*'mixed_float16' is not supported"):
        nk.saving.load_model(_with_config(tmp_path, mixed))

    def huge_literal(config):
        _dense(config)["config"]["kernel_initializer"] = {
            "module": "keras.initializers", "class_name": "Constant", "registered_name": None,
            "config": {"value": {"class_name": "__numpy__",
                                 "config": {"value": [0.0] * 100_000, "dtype": "float32"}}}}

    with pytest.raises(ModelFileError, match="__numpy__ literal must hold at most"):
        nk.saving.load_model(_with_config(tmp_path, huge_literal))

    def raw_bytes(config):
        _dense(config)["config"]["name"] = {"class_name": "__bytes__", "config": {"value": "eA=="}}

    with pytest.raises(ModelFileError, match="'__bytes__' object"):
        nk.saving.load_model(_with_config(tmp_path, raw_bytes))
