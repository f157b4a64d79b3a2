"""Keras 3 files: ``.keras`` (a zip of ``metadata.json``, ``config.json`` and
``model.weights.h5``) and ``.weights.h5`` (the weights alone), read as data and written so
that ``keras.saving.load_model`` / ``model.load_weights`` open them.

Reading checks the zip (entries, names, sizes) and the JSON (size, depth) as neurona's own
format does, then the HDF5 file (:mod:`.h5`), converts the config (:mod:`.model_config`) under
a bound: no layer may allocate more numbers than the file's weights hold, so a config that
declares absurd sizes fails before allocating; every weight is checked before any is assigned.
"""

import datetime
import os
import zipfile

import numpy as np

from ...atomic import atomic_write
from ...layers.layer import checking_new_weights
from ...registry import pop_custom_objects, push_custom_objects
from ..archive import MAX_CONFIG_BYTES, check_entry, check_name, open_zip, parse_json, \
    read_entry, weights_limit
from ..errors import ModelFileError
from ..serialization import allocation_check
from .h5 import read_h5, write_h5
from .layer_map import KERAS_LAYERS
from .model_config import Reader, model_to_keras
from .optimizer_state import optimizer_arrays, restore_optimizer
from .weights import is_functional, keras_trainable_variables, keras_weight_groups

CONFIG_NAME, METADATA_NAME, WEIGHTS_NAME = "config.json", "metadata.json", "model.weights.h5"
#: the folder of a ``.keras`` file's assets (``assets/<layer path>/<file>``)
ASSETS = "assets/"
#: the Keras release whose format the files follow (written as metadata.json's keras_version)
KERAS_FORMAT_VERSION = "3.15.1"
OPTIMIZER_GROUP = "optimizer/vars"


def _join(*parts):
    return "/".join(p for p in parts if p)


# -- writing --------------------------------------------------------------------------------------
def weights_image(model, include_optimizer=True):
    """``model.weights.h5``'s bytes in Keras's layout (the optimizer's state when compiled)."""
    groups, datasets = {}, {}
    for path, layer, variables in keras_weight_groups(model):
        group = _join(path, "vars")
        groups[group] = {"name": layer.name}
        for i, variable in enumerate(variables):
            datasets[f"{group}/{i}"] = np.asarray(variable.numpy())
    for path, layer in layer_paths(model):
        entry = _entry(layer)
        for relative, named in ({} if entry is None else entry.write_named(layer)).items():
            group = _join(path, relative, "vars")
            groups.setdefault(group, {"name": layer.name})
            datasets.update({f"{group}/{name}": array for name, array in named.items()})
    if include_optimizer and getattr(model, "compiled", False):
        arrays = optimizer_arrays(model, keras_trainable_variables(model))
        groups[OPTIMIZER_GROUP] = {"name": model.optimizer.name}
        datasets.update({f"{OPTIMIZER_GROUP}/{k}": v for k, v in arrays.items()})
    return write_h5(groups, datasets)


def layer_paths(model, orders=None, class_names=None):
    """``[(path, layer)]``: where Keras's walk puts each layer (its weights' group, and its
    assets' folder under ``assets/``)."""
    seen, out = set(), []
    for path, layer, _ in keras_weight_groups(model, orders, class_names):
        if id(layer) not in seen:  # a layer's first group is its own path
            seen.add(id(layer))
            out.append((path, layer))
    return out


def _entry(layer):
    """The layer map's entry of one of neurona's own layers (None for a user's class)."""
    if not type(layer).__module__.startswith("neurona."):
        return None
    return KERAS_LAYERS.get(type(layer).__name__)


def assets_of(model):
    """``{zip entry name: text}`` of every layer's assets (a TextVectorization's vocabulary)."""
    out = {}
    for path, layer in layer_paths(model):
        entry = _entry(layer)
        if entry is not None:
            for name, text in entry.write_assets(layer).items():
                out[ASSETS + _join(path, name)] = text.encode("utf-8")
    return out


def save_keras_model(model, filepath, overwrite=True):
    """Write ``model`` as a Keras 3 ``.keras`` file (see :func:`neurona.saving.save_model`)."""
    import json

    from ... import __version__

    config = json.dumps(model_to_keras(model)).encode("utf-8")
    metadata = json.dumps({
        "keras_version": KERAS_FORMAT_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
        "saved_by": f"neurona {__version__}"}).encode("utf-8")
    weights = weights_image(model)
    assets = assets_of(model)

    def write(stream):
        with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(METADATA_NAME, metadata)
            archive.writestr(CONFIG_NAME, config)
            archive.writestr(zipfile.ZipInfo(WEIGHTS_NAME), weights,
                             compress_type=zipfile.ZIP_STORED)
            for name, data in assets.items():
                archive.writestr(name, data)

    atomic_write(filepath, write, overwrite)


def save_keras_weights(model, filepath, overwrite=True):
    """Write the weights (and the optimizer's state) as Keras 3's ``.weights.h5``."""
    image = weights_image(model)
    atomic_write(filepath, lambda stream: stream.write(image), overwrite)


# -- reading --------------------------------------------------------------------------------------
def read_keras_archive(path, where):
    """``(config dict, weights bytes, {asset entry name: bytes})`` of a ``.keras`` file, every
    entry checked (an asset is at most as large as a config may be)."""
    with open_zip(path, where) as (archive, size):
        infos = archive.infolist()
        names = set()
        for info in infos:
            check_name(info.filename, where)
            if info.filename in names:
                raise ModelFileError(f"{where}: duplicated entry {info.filename!r}")
            names.add(info.filename)
            check_entry(info, size, where)
        for name in sorted(names - {CONFIG_NAME, METADATA_NAME, WEIGHTS_NAME}):
            if name == "model.weights.npz" or name.startswith("model.weights"):
                raise ModelFileError(f"{where}: the weights are stored as {name!r}; neurona "
                                     "reads Keras files whose weights are model.weights.h5")
            if name.startswith(ASSETS):
                continue  # a folder, or a layer's asset: read below, claimed after building
            raise ModelFileError(f"{where}: unexpected entry {name!r}; not a Keras model "
                                 "file, or it was tampered with")
        for required in (CONFIG_NAME, WEIGHTS_NAME):
            if required not in names:
                raise ModelFileError(f"{where}: no {required} in the archive; not a Keras 3 "
                                     "model file")
        by_name = {info.filename: info for info in infos}
        config = parse_json(read_entry(archive, by_name[CONFIG_NAME], MAX_CONFIG_BYTES, where),
                            f"{where}[{CONFIG_NAME}]")
        if METADATA_NAME in by_name:
            parse_json(read_entry(archive, by_name[METADATA_NAME], MAX_CONFIG_BYTES, where),
                       f"{where}[{METADATA_NAME}]")
        info = by_name[WEIGHTS_NAME]
        weights = read_entry(archive, info, weights_limit(info, where), where)
        assets = {name: read_entry(archive, by_name[name], MAX_CONFIG_BYTES, where)
                  for name in sorted(names) if name.startswith(ASSETS) and not name.endswith("/")}
    return config, weights, assets


def _orders(model, reader):
    """``{id(functional model): layer names}`` in the file's order and ``{id(layer): class
    name}`` of its custom layers, for :mod:`.weights`."""
    layers = model._flatten_layers()
    orders = {id(layer): reader.orders[layer.name] for layer in layers
              if is_functional(layer) and reader.orders.get(layer.name)}
    return orders, {id(layer): reader.class_names[layer.name] for layer in layers
                    if layer.name in reader.class_names}


def load_keras_model(filepath, custom_objects=None, compile=True):  # noqa: A002
    """Load a Keras 3 ``.keras`` file (see :func:`neurona.saving.load_model`)."""
    from .. import serialization as S

    path = os.fspath(filepath)
    where = repr(path)
    config, weights, assets = read_keras_archive(path, where)
    arrays = read_h5(weights, f"{where}[{WEIGHTS_NAME}]")
    push_custom_objects(custom_objects or {})
    try:
        reader = Reader(where, custom_objects)
        ours = reader.layer(config, where)
        with checking_new_weights(allocation_check(arrays, where)):
            model = S.model_from_config(ours, where)
        orders, class_names = _orders(model, reader)
        assign_keras_weights(model, arrays, where, orders, class_names=class_names)
        restore_assets(model, assets, arrays, where, orders, class_names)
        compile_config = config.get("compile_config")
        if compile and compile_config:
            compile_model(model, reader.compile_config(compile_config, where), where)
            optimizer = {int(k.rsplit("/", 1)[1]): v for k, v in arrays.items()
                         if k.startswith(OPTIMIZER_GROUP + "/")}
            if optimizer:
                restore_optimizer(model, optimizer, keras_trainable_variables(model, orders),
                                  where)
    finally:
        pop_custom_objects()
    return model


def restore_assets(model, assets, arrays, where, orders=None, class_names=None):
    """Hand each layer the asset files under its path (and the named datasets of its groups,
    a TextVectorization's IDF weights); an asset no layer claims is refused (neurona would
    silently lack what the file holds). ``assets`` None: a weights file, which has none (the
    layers keep their vocabularies)."""
    used = set()
    for path, layer in layer_paths(model, orders, class_names):
        entry = _entry(layer)
        if entry is None:
            continue
        prefix = path + "/" if path else ""
        folder = ASSETS + prefix
        mine = None if assets is None else {name[len(folder):]: data for name, data in
                                            assets.items() if name.startswith(folder)}
        named = {key[len(prefix):]: value for key, value in arrays.items()
                 if key.startswith(prefix) and key.rsplit("/", 1)[-1] in entry.named_datasets}
        used |= {folder + name for name in entry.read_assets(layer, mine, named, where)}
    extra = sorted(set(assets or ()) - used)
    if extra:
        raise ModelFileError(f"{where}: asset {extra[0]!r} belongs to no layer of the model "
                             "that keeps assets; not a file neurona can load faithfully")


def compile_model(model, settings, where):
    try:
        model.compile(**settings)
    except Exception as err:
        raise ModelFileError(f"{where}: cannot restore the compile settings: "
                             f"{type(err).__name__}: {err}") from err


def _ignored(key):
    """Datasets of a Keras file that hold no model state neurona keeps: random-generator
    states (neurona's layers draw from their own generators)."""
    return "seed_generator" in key.split("/")


def assign_keras_weights(model, arrays, where, orders=None, skip_mismatch=False,
                         class_names=None):
    """Check every weight of ``model`` against the file's arrays, then assign them all.

    Returns:
        The group paths skipped because of a mismatch (with ``skip_mismatch``).
    """
    assignments, skipped, used = [], [], set()
    for path, layer, variables in keras_weight_groups(model, orders, class_names):
        group = _join(path, "vars")
        found = {k[len(group) + 1:]: k for k in arrays
                 if k.startswith(group + "/") and "/" not in k[len(group) + 1:]}
        used.update(found.values())
        entry = _entry(layer)
        named = entry.named_datasets if entry is not None else frozenset()
        found = {k: v for k, v in found.items() if k not in named}  # read with the assets
        label = f"layer {layer.name!r} ({type(layer).__name__}) at {group!r}"
        if sorted(found) != [str(i) for i in range(len(found))]:
            raise ModelFileError(f"{where}: {label}: datasets {sorted(found)} are not numbered "
                                 "0, 1, ...")
        problem = None
        if len(found) != len(variables):
            problem = f"expects {len(variables)} weights, the file has {len(found)}"
        else:
            for i, variable in enumerate(variables):
                value = arrays[found[str(i)]]
                if value.shape != tuple(variable.shape):
                    problem = (f"weight {i} ({variable.name}) has shape {list(value.shape)} in "
                               f"the file, {list(variable.shape)} in the model")
                    break
        if problem is not None:
            if not skip_mismatch:
                raise ModelFileError(f"{where}: {label} {problem}")
            skipped.append(group)
            continue
        assignments += [(v, arrays[found[str(i)]]) for i, v in enumerate(variables)]
    extra = sorted(k for k in arrays if k not in used and not k.startswith("optimizer/")
                   and not _ignored(k))
    if extra:
        raise ModelFileError(f"{where}: the file holds weights this model has no place for: "
                             f"{extra[:10]}{' ...' if len(extra) > 10 else ''}")
    for variable, value in assignments:
        variable.assign(value.astype(variable.data.dtype, copy=False))
    return skipped


def load_keras_weights(model, filepath, skip_mismatch=False):
    """Load Keras 3's ``.weights.h5`` (or the weights of a ``.keras`` file) into ``model``."""
    path = os.fspath(filepath)
    where = repr(path)
    if path.endswith(".keras"):
        _, data, _ = read_keras_archive(path, where)
    else:
        if not os.path.isfile(path):
            raise FileNotFoundError(f"No weights file at {path!r}")
        with open(path, "rb") as stream:
            data = stream.read()
    arrays = read_h5(data, where)
    skipped = assign_keras_weights(model, arrays, where, skip_mismatch=skip_mismatch)
    restore_assets(model, None, arrays, where)
    optimizer = {int(k.rsplit("/", 1)[1]): v for k, v in arrays.items()
                 if k.startswith(OPTIMIZER_GROUP + "/")}
    if optimizer and getattr(model, "compiled", False):
        restore_optimizer(model, optimizer, keras_trainable_variables(model), where)
    return skipped
