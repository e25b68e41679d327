"""Instant mode: feed-forward arbitrary style transfer in a fraction of a second.

The networks are Magenta's arbitrary image stylization (Ghiasi, Lee, Kudlur, Dumoulin,
Shlens, "Exploring the structure of a real-time, arbitrary neural artistic stylization
network", BMVC 2017), as published for mobile use: int8 TensorFlow Lite, Apache-2.0
(nst/instant/models/, LICENSES.md). A style predictor (MobileNetV2) turns a 256x256 style
image into a 100-number style vector; a transformer restyles a content image with it
through conditional instance normalization.

Why the Lite interpreter rather than a Keras rebuild from dequantized weights: its int8
kernels (XNNPACK) already give a 512 px result in well under a second on a 2-core CPU,
which is all a preview and a head start need, and a rebuild would mean re-implementing
280 graph operations by hand with the risk of a subtle mismatch. The cost: no GPU.

Other sizes: the transformer is convolutional, but its three upsampling steps
(RESIZE_NEAREST_NEIGHBOR) carry their output sizes as constants written for 384x384
(192x192, 384x384, 384x384). Resizing only the input tensor therefore gives a 384x384
output whatever the input (measured: a 512x384 input came back 384x384, squashed). So for
each content size we rewrite those constants in a copy of the model (scaled by H/384 and
W/384) before loading it. The whole image then goes through the network in one pass:
no tiles, hence no seams, and the instance normalization sees the whole image's statistics.
"""

from __future__ import annotations

import collections
import functools
import hashlib
import importlib.resources
import logging
import os
import threading
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from nst.errors import RunError, reason
from nst.imaging.load import load_image
from nst.imaging.resize import resize_longest, to_uint8
from nst.run.result import provenance
from nst.settings import Settings
from nst.tf_runtime import quiet_stderr, tf

log = logging.getLogger(__name__)

# Package data (pyproject.toml), found the way an installed package finds its files.
MODEL_DIR = Path(str(importlib.resources.files("nst.instant") / "models"))
PREDICT_MODEL = "style_predict_int8.tflite"
TRANSFER_MODEL = "style_transfer_int8.tflite"
STYLE_SIDE = 256  # the style predictor's fixed input, [1, 256, 256, 3] (SOURCES.md)
TRAINED_SIDE = 384  # the transformer's published input side; its resize constants assume it
# The transformer halves the image twice (two stride-2 convolutions) and doubles it twice,
# so a side that is a multiple of 4 comes back at its own size; others are padded to one.
SIDE_MULTIPLE = 4
# The largest side we run in one pass. Measured through the CLI on the 2-core machine:
# 2048x1536 peaked at 6.0 GB of memory (1024x768: 2.0 GB) and took 26 s under heavy load.
# Memory grows with the pixel count, so 3072 px needs about 13 GB; past that, one clear
# sentence rather than the machine swapping.
MAX_SIDE = 3072
_CACHED_SIZES = 2  # transformers kept loaded: a preview size and an output size


class Stylizer:
    """The two networks, loaded once; thread-safe (one call at a time, under a lock)."""

    def __init__(self, model_dir: Path = MODEL_DIR, threads: int | None = None) -> None:
        self.model_dir = Path(model_dir)
        self.threads = threads or os.cpu_count() or 1
        self._lock = threading.Lock()
        self._transfer_bytes = self._read(TRANSFER_MODEL)
        self._predictor = self._interpreter(self._read(PREDICT_MODEL))
        self._transformers: collections.OrderedDict[tuple[int, int], Any] = (
            collections.OrderedDict()
        )

    def _read(self, name: str) -> bytes:
        path = self.model_dir / name
        try:
            return path.read_bytes()
        except OSError as exc:
            raise RunError(
                f"The instant-mode model '{path}' cannot be read ({reason(exc)}); "
                "reinstall the app or restore nst/instant/models/."
            ) from None

    def _interpreter(self, model: bytes, shape: tuple[int, ...] | None = None) -> Any:
        # tf.lite.Interpreter warns that it moves to the ai_edge_litert package; TF 2.21
        # still ships it, and its C++ side prints a line about XNNPACK on creation.
        with warnings.catch_warnings(), quiet_stderr():
            warnings.simplefilter("ignore")
            interpreter = tf.lite.Interpreter(model_content=model, num_threads=self.threads)
            if shape is not None:
                index = interpreter.get_input_details()[0]["index"]
                interpreter.resize_tensor_input(index, shape, strict=False)
            interpreter.allocate_tensors()
        return interpreter

    def style_vector(self, image: np.ndarray) -> np.ndarray:
        """The 100-number style vector of a uint8 (H, W, 3) image."""
        batch = square_crop(image, STYLE_SIDE)[np.newaxis].astype(np.float32) / 255.0
        with self._lock:
            p = self._predictor
            p.set_tensor(p.get_input_details()[0]["index"], batch)
            p.invoke()
            return p.get_tensor(p.get_output_details()[0]["index"]).reshape(-1).copy()

    def stylize(self, content: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """``content`` (uint8, H x W x 3) restyled by ``vector``, at the same size."""
        height, width = content.shape[:2]
        if max(height, width) > MAX_SIDE:
            raise RunError(
                f"The instant method runs up to {MAX_SIDE} px; choose a smaller size "
                f"(now {max(height, width)} px)."
            )
        padded = pad_to_multiple(content, SIDE_MULTIPLE)
        batch = padded[np.newaxis].astype(np.float32) / 255.0
        style = vector.reshape(1, 1, 1, -1).astype(np.float32)
        with self._lock:
            t = self._transformer(batch.shape[1], batch.shape[2])
            inputs = {d["name"]: d["index"] for d in t.get_input_details()}
            t.set_tensor(inputs["content_image"], batch)
            t.set_tensor(next(i for n, i in inputs.items() if n != "content_image"), style)
            t.invoke()
            out = t.get_tensor(t.get_output_details()[0]["index"])[0]
        return to_uint8(out[:height, :width] * 255.0)

    def _transformer(self, height: int, width: int) -> Any:
        key = (height, width)
        if key in self._transformers:
            self._transformers.move_to_end(key)
            return self._transformers[key]
        started = time.perf_counter()
        model = resized_transformer(self._transfer_bytes, height, width)
        interpreter = self._interpreter(model, (1, height, width, 3))
        self._transformers[key] = interpreter
        while len(self._transformers) > _CACHED_SIZES:
            self._transformers.popitem(last=False)
        log.info(
            "loaded the transformer for %dx%d in %.2f s",
            width,
            height,
            time.perf_counter() - started,
        )
        return interpreter


@functools.cache
def shared_stylizer() -> Stylizer:
    """One Stylizer per process (the command line, the window's preview, the head start)."""
    return Stylizer()


def resized_transformer(model: bytes, height: int, width: int) -> bytes:
    """A copy of the transformer whose upsampling steps end at ``height`` x ``width``."""
    from tensorflow.lite.python import schema_py_generated as schema
    from tensorflow.lite.tools import flatbuffer_utils

    if height % SIDE_MULTIPLE or width % SIDE_MULTIPLE:
        raise ValueError(f"sides must be multiples of {SIDE_MULTIPLE}, not {width}x{height}")
    tree = flatbuffer_utils.convert_bytearray_to_object(bytearray(model))
    graph = tree.subgraphs[0]
    resize = schema.BuiltinOperator.RESIZE_NEAREST_NEIGHBOR
    found = 0
    for op in graph.operators:
        code = tree.operatorCodes[op.opcodeIndex]
        if max(code.builtinCode, code.deprecatedBuiltinCode) != resize:
            continue
        buffer = tree.buffers[graph.tensors[op.inputs[1]].buffer]
        old = np.frombuffer(bytes(buffer.data), np.int32)
        new = np.array([old[0] * height // TRAINED_SIDE, old[1] * width // TRAINED_SIDE], np.int32)
        buffer.data = np.frombuffer(new.tobytes(), np.uint8)
        found += 1
    if found != 3:  # expand/conv1, conv2, conv3 in Magenta's transformer
        raise RunError(f"The instant-mode model has {found} upsampling steps, not 3; restore it.")
    return bytes(flatbuffer_utils.convert_object_to_bytearray(tree))


def square_crop(image: np.ndarray, side: int) -> np.ndarray:
    """The central square of ``image``, resized to ``side`` (as Magenta's own examples do
    for the style image, so that a wide painting is not squashed)."""
    height, width = image.shape[:2]
    edge = min(height, width)
    top, left = (height - edge) // 2, (width - edge) // 2
    square = Image.fromarray(image[top : top + edge, left : left + edge])
    return np.asarray(square.resize((side, side), Image.Resampling.LANCZOS))


def pad_to_multiple(image: np.ndarray, multiple: int) -> np.ndarray:
    """Mirror-pad the bottom and right edges up to a multiple of ``multiple``."""
    height, width = image.shape[:2]
    pad_h, pad_w = -height % multiple, -width % multiple
    if not pad_h and not pad_w:
        return image
    return np.pad(image, ((0, pad_h), (0, pad_w), (0, 0)), mode="symmetric")


def blend(
    style_vectors: Sequence[np.ndarray],
    weights: Sequence[float],
    content_vector: np.ndarray | None,
    strength: float,
) -> np.ndarray:
    """Weighted mean of the style vectors, then ``strength`` of it and the rest of the
    content image's own vector (the style-strength control of the model's documentation)."""
    total = float(sum(weights))
    if total <= 0:
        raise ValueError("at least one style weight must be above 0")
    mixed = sum(w * v for w, v in zip(weights, style_vectors)) / total
    if content_vector is None or strength >= 1.0:
        return mixed
    return strength * mixed + (1.0 - strength) * content_vector


# The Lite interpreter runs on the CPU only (see the module's docstring).
DEVICE = f"CPU ({os.cpu_count()} cores, TensorFlow Lite)"


@dataclass(frozen=True)
class InstantResult:
    """An instant stylization and how it was made (the recipe beside the saved file)."""

    image: np.ndarray
    settings: Settings
    duration: float
    # What the window's result view reads from a Gatys Result too: one pass, never stopped.
    steps: int = 1
    stopped: bool = False

    def recipe(self) -> dict[str, Any]:
        return {
            "settings": self.settings.to_dict(),
            "models": {name: model_sha256(name) for name in (PREDICT_MODEL, TRANSFER_MODEL)},
            **provenance(
                self.image, self.duration, f"CPU ({os.cpu_count()} cores, TensorFlow Lite)"
            ),
        }


@functools.cache
def model_sha256(name: str) -> str:
    return hashlib.sha256((MODEL_DIR / name).read_bytes()).hexdigest()


def style_images(settings: Settings) -> list[tuple[np.ndarray, float]]:
    """The main and extra style images with their weights, loaded (zero weights skipped)."""
    pairs = [(settings.style, settings.style_image_weight), *settings.extra_styles]
    return [(load_image(path, role="style image"), weight) for path, weight in pairs if weight > 0]


def stylize(
    content: np.ndarray,
    styles: Sequence[tuple[np.ndarray, float]],
    strength: float,
    size: int | None = None,
    stylizer: Stylizer | None = None,
) -> np.ndarray:
    """``content`` (uint8) restyled by the weighted styles, its longest side ``size``."""
    stylizer = stylizer or shared_stylizer()
    if size is not None:
        content = resize_longest(content, size)
    vectors = [stylizer.style_vector(image) for image, _ in styles]
    own = stylizer.style_vector(content) if strength < 1.0 else None
    vector = blend(vectors, [w for _, w in styles], own, strength)
    return stylizer.stylize(content, vector)


def run(
    settings: Settings,
    content: np.ndarray | None = None,
    styles: Sequence[tuple[np.ndarray, float]] | None = None,
) -> InstantResult:
    """The instant method for a whole recipe, at ``settings.size``."""
    if content is None:
        content = load_image(settings.content, role="content image")
    if styles is None:
        styles = style_images(settings)
    started = time.perf_counter()
    image = stylize(content, styles, settings.style_strength, settings.size)
    return InstantResult(image=image, settings=settings, duration=time.perf_counter() - started)


def _measure_speed(size: int = 512, repeats: int = 8) -> None:
    """python -m nst.instant.stylizer [SIZE]: seconds for an instant result of the bundled pair.

    Prints the first call (which loads the networks) and the fastest and median of the
    following ones; each call includes resizing the photo and the style vector.
    """
    samples = Path(__file__).resolve().parents[2] / "gui" / "samples"
    content = load_image(samples / "tubingen.jpg")
    style = load_image(samples / "starry_night.jpg")
    started = time.perf_counter()
    out = stylize(content, [(style, 1.0)], 1.0, size)
    print(f"first call (loads the networks): {time.perf_counter() - started:.2f} s")
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        stylize(content, [(style, 1.0)], 1.0, size)
        times.append(time.perf_counter() - started)
    print(
        f"{out.shape[1]}x{out.shape[0]}, {os.cpu_count()} cores: fastest {min(times):.3f} s, "
        f"median {float(np.median(times)):.3f} s of {repeats}"
    )


if __name__ == "__main__":
    import sys

    _measure_speed(int(sys.argv[1]) if len(sys.argv) > 1 else 512)
