"""The files a run reads by path besides its photo and style (extra style images, region
masks) travel with its task: the driver reads their bytes, the worker writes them into a
folder of its own for the length of the run, so no machine needs a shared folder."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from nst.settings import Settings


def side_paths(settings: Settings) -> list[str]:
    """Extra style images and mask images ("" is a style's "rest", no file)."""
    paths = [path for path, _ in settings.extra_styles] + [m for m in settings.style_masks if m]
    return list(dict.fromkeys(paths))


def read_side_files(settings: Settings) -> dict[str, bytes]:
    """Their bytes by path; one that cannot be read is left out, and the run then says
    which file it cannot read, as it does in-process."""
    files = {}
    for path in side_paths(settings):
        with contextlib.suppress(OSError):
            files[path] = Path(path).read_bytes()
    return files


@contextlib.contextmanager
def files_here(settings: Settings, files: dict[str, bytes]) -> Iterator[tuple[Settings, dict]]:
    """``settings`` with its side files' paths moved to copies written here, and the map
    from each copy's path back to the driver's (to word an error in the driver's paths)."""
    if not files:
        yield settings, {}
        return
    with tempfile.TemporaryDirectory(prefix="nst-item-") as folder:
        local: dict[str, str] = {}
        for n, (path, data) in enumerate(files.items()):
            target = Path(folder) / str(n) / Path(path).name  # the file keeps its name
            target.parent.mkdir()
            target.write_bytes(data)
            local[path] = str(target)
        moved = settings.replace(
            extra_styles=tuple((local.get(p, p), w) for p, w in settings.extra_styles),
            style_masks=tuple(local.get(m, m) for m in settings.style_masks),
        )
        yield moved, {copy: path for path, copy in local.items()}
