"""Bad input and injected faults, shared by the CLI, GUI and fuzz tests (plain helpers,
imported as ``from tests.bad_inputs import ...``).

``make_bad_inputs``: every kind of bad image file the issue lists, made in a folder. Each
entry: kind -> (path, words the one-sentence message must hold). "unreadable" needs
``deny_reading`` too: the tests run as root here, and root reads any file whatever its
permission bits, so the refusal is injected at open() as the OS would give it.
``fake_loss`` and ``link_fails_in`` inject faults where they would happen; ``mutate`` and
``mutation_edit`` make the fuzz tests' broken files.
"""

from __future__ import annotations

import builtins
import errno
import os
import struct
import zlib
from pathlib import Path

import pytest
from hypothesis import strategies as st
from PIL import Image


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_claiming(width: int, height: int) -> bytes:
    """A PNG of under 100 bytes whose header claims width x height pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 16))
        + _chunk(b"IEND", b"")
    )


# The kinds make_bad_inputs makes, in the order the tests are listed.
KINDS = [
    "missing", "empty", "truncated", "not an image", "decompression bomb", "zero size",
    "folder", "unreadable",
]  # fmt: skip


def all_files(folder: Path) -> list[str]:
    """Every file under folder, hidden temporary files included."""
    if not folder.exists():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def make_bad_inputs(folder: Path, good: str) -> dict[str, tuple[str, str]]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes.jpg").write_text("these are my holiday notes, not a photo\n")
    (folder / "empty.png").write_bytes(b"")
    (folder / "cut.jpg").write_bytes(Path(good).read_bytes()[:3000])
    (folder / "bomb.png").write_bytes(png_claiming(100_000, 100_000))
    (folder / "flat.png").write_bytes(png_claiming(0, 5))
    (folder / "a_folder.jpg").mkdir(exist_ok=True)
    Image.new("RGB", (8, 8)).save(folder / "secret.png")
    return {
        "missing": (str(folder / "nope.jpg"), "was not found"),
        "empty": (str(folder / "empty.png"), "empty"),
        "truncated": (str(folder / "cut.jpg"), "truncated"),
        "not an image": (str(folder / "notes.jpg"), "not a readable image"),
        "decompression bomb": (str(folder / "bomb.png"), "too large to load safely"),
        "zero size": (str(folder / "flat.png"), "flat.png"),
        "folder": (str(folder / "a_folder.jpg"), "is a folder"),
        "unreadable": (str(folder / "secret.png"), "permission denied"),
    }


def deny_reading(monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    """Make open() of ``path`` fail as for a file without read permission."""
    real_open = builtins.open

    def guarded(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.fspath(file) == path:
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)


# --- faults injected into a run (test_robust_cli.py, test_gui_robust.py) ---


def fake_loss(monkeypatch: pytest.MonkeyPatch, behaviour: str) -> None:
    """Replace the compiled loss: 'oom' raises TensorFlow's out-of-memory error on the
    third evaluation, 'nan' returns a NaN loss there."""
    # Imported here: the fuzz tests use this module too and need no TensorFlow.
    from nst.run import objective_now as transfer  # where the session compiles its loss
    from nst.tf_runtime import tf

    real = transfer.loss_function
    calls = []

    def patched(*args):
        compiled = real(*args)

        def loss(image, *rest):
            calls.append(1)
            total, parts, grad = compiled(image, *rest)
            if len(calls) >= 3:
                if behaviour == "oom":
                    raise tf.errors.ResourceExhaustedError(
                        None, None, "OOM when allocating tensor with shape[1,64,30,40]"
                    )
                total = tf.constant(float("nan"))
            return total, parts, grad

        return loss

    monkeypatch.setattr(transfer, "loss_function", patched)


def link_fails_in(monkeypatch: pytest.MonkeyPatch, folder: Path, code: int) -> None:
    """Make os.link into ``folder`` fail with errno ``code`` (a full disk, say)."""
    real_link = os.link

    def link(src, dst, *args, **kwargs):
        if Path(dst).parent == folder:
            raise OSError(code, os.strerror(code), str(dst))
        return real_link(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "link", link)


# --- mutations for the fuzz tests (test_fuzz.py, test_image_refusals.py) ---

mutation_edit = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 100_000), st.integers(1, 255)),
    st.tuples(st.just("set"), st.integers(0, 100_000), st.integers(0, 255)),
    st.tuples(st.just("insert"), st.integers(0, 100_000), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("delete"), st.integers(0, 100_000), st.integers(1, 32)),
    st.tuples(st.just("truncate"), st.integers(0, 100_000), st.just(0)),
)


def mutate(data: bytes, edits: list[tuple]) -> bytes:
    out = bytearray(data)
    for kind, position, value in edits:
        if not out:
            break
        at = position % len(out)
        if kind == "flip":
            out[at] ^= value
        elif kind == "set":
            out[at] = value
        elif kind == "insert":
            out[at:at] = value
        elif kind == "delete":
            del out[at : at + value]
        else:
            del out[at:]
    return bytes(out)
