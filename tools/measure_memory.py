"""Measure a run's peak memory and compare it with nst.memory's estimate.

    python -m tools.measure_memory 256 512 1024          # estimate vs measured, per size
    python -m tools.measure_memory --fit 64 128 384 768  # least-squares fit of the factors
    python -m tools.measure_memory --precision bfloat16 512 1024   # in bfloat16
    python -m tools.measure_memory --precision switch 1024   # "automatic", float32 halfway

Each size runs in a fresh process (tubingen.jpg / starry_night.jpg, the paper's layers,
12 steps, so that L-BFGS's history is full), ends as a run does (its result, whose losses
are evaluated in float32), and reports its peak resident memory (``ru_maxrss``), which is
what the out-of-memory killer and the system monitor see, and that of its steps alone.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "gui" / "samples"
# Steps of a first-order run (the fit of FIXED_BYTES and PER_VALUE_BYTES ran 12 L-BFGS
# steps, automatic stages, when L-BFGS kept 10 pairs). L-BFGS runs one size for two steps
# more than it keeps pairs at that size (memory_model.lbfgs_history), so that the peak includes
# its whole history.
STEPS = 12


def child(size: int, optimizer: str, regions: int = 0, precision: str = "float32") -> None:
    """Run one transfer in this process and print its peak RSS as JSON. ``regions`` 2: two
    styles, The Starry Night on the photo's left half and The Scream on the rest.
    ``precision``: the setting, or "switch": "automatic" made to go on in float32 halfway
    (as it does once bfloat16 lowers the loss no further), so that the peak holds both."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from nst.memory_model import steps_to_fill_history
    from nst.run.session import Transfer
    from nst.settings import Settings

    extra: dict = {}
    steps, stages = STEPS, None
    if optimizer == "lbfgs":
        steps, stages = steps_to_fill_history(str(SAMPLES / "tubingen.jpg"), size), 1
    if regions:
        extra = {"extra_styles": ((str(SAMPLES / "the_scream.jpg"), 1.0),),
                 "style_masks": (half_mask(), "")}  # fmt: skip
    settings = Settings(
        content=str(SAMPLES / "tubingen.jpg"),
        style=str(SAMPLES / "starry_night.jpg"),
        size=size,
        iterations=steps,
        stages=stages,
        optimizer=optimizer,
        preview_every=0,
        precision="automatic" if precision == "switch" else precision,
        **extra,
    )
    if precision == "switch":
        converge_at(steps // 2)
    session = Transfer(settings)
    for _ in session.steps():
        pass
    steps_peak = peak_rss()
    session.result()  # as a run ends: the image at its size and its losses in float32
    used = session.precision.used, session.precision.float32_from_step
    sizes = {"width": session.width, "height": session.height, "peak": peak_rss()}
    switch = {"precision": used[0], "float32_from_step": used[1]}
    print(json.dumps({**sizes, "steps_peak": steps_peak, **switch}))


def converge_at(step: int) -> None:
    """Make the run's steps report convergence once, at ``step``: "automatic" then goes
    on in float32 where it computes in bfloat16 (nst.run.session._finish_in_float32)."""
    from nst.run import session

    class ConvergingOnce(session.Stepper):
        def step(self, number: int) -> None:
            super().step(number)
            self.converged = self.converged or number == step

    session.Stepper = ConvergingOnce


def half_mask() -> str:
    """A mask of tubingen.jpg's left half, in the temporary folder."""
    import tempfile

    from PIL import Image

    width, height = Image.open(SAMPLES / "tubingen.jpg").size
    mask = Image.new("L", (width, height), 0)
    mask.paste(255, (0, 0, width // 2, height))
    path = Path(tempfile.mkdtemp()) / "left.png"
    mask.save(path)
    return str(path)


def peak_rss() -> int:
    """This process's peak resident memory in bytes.

    /proc's VmHWM first: ru_maxrss survives exec, so a child started by a big parent (the
    test suite, with TensorFlow loaded) would report the parent's size (seen: 1.6 GB for a
    0.9 GB run); VmHWM belongs to the new address space and starts afresh at exec.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kB


def measure(size: int, optimizer: str, regions: int = 0, precision: str = "float32") -> dict:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tools.measure_memory",
            "--child",
            str(size),
            "--optimizer",
            optimizer,
            "--regions",
            str(regions),
            "--precision",
            precision,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def switched(measured: dict) -> str:
    """' in bfloat16, float32 from step 8': the precision a measured run used."""
    step = measured.get("float32_from_step")
    then = f", float32 from step {step}" if step is not None else ""
    steps = measured.get("steps_peak", measured["peak"]) / 2**20
    return f"  in {measured.get('precision')}{then}; its steps {steps:.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", type=int, nargs="+")
    parser.add_argument("--optimizer", default="lbfgs")
    parser.add_argument("--fit", action="store_true", help="fit FIXED and PER_VALUE bytes")
    parser.add_argument(
        "--regions",
        type=int,
        default=0,
        choices=(0, 2),
        help="2: two styles, each in a region (guided Grams)",
    )
    parser.add_argument(
        "--precision",
        default="float32",
        choices=("float32", "bfloat16", "automatic", "switch"),
        help='"switch": "automatic", made to go on in float32 halfway',
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.sizes[0], args.optimizer, args.regions, args.precision)
        return

    from nst import memory_model
    from nst.memory import whole_kernels
    from nst.settings import Settings

    layers = Settings().layers_in_use
    # the figures this machine's runs at this precision are estimated by
    setting = "automatic" if args.precision == "switch" else args.precision
    kernels = whole_kernels(Settings(precision=setting))
    rows = []
    for size in args.sizes:
        m = measure(size, args.optimizer, args.regions, args.precision)
        values = memory_model.activation_values(m["width"], m["height"], layers)
        vectors = memory_model.optimizer_vectors(args.optimizer, m["width"] * m["height"] * 3)
        vectors *= m["width"] * m["height"] * 12
        estimate = memory_model.peak_bytes(
            *(m["width"], m["height"], layers, args.optimizer),
            regions=args.regions,
            kernels=kernels,
        )
        rows.append((size, m, values, vectors, estimate))
        error = (estimate - m["peak"]) / m["peak"]
        print(
            f"{size:5d} px  {m['width']}x{m['height']}  activations {values / 1e6:7.1f} M  "
            f"measured {m['peak'] / 2**20:7.0f} MiB  estimate {estimate / 2**20:7.0f} MiB  "
            f"({error:+.1%}){switched(m)}",
            flush=True,
        )
    if args.fit:
        # peak - vectors = FIXED + PER_VALUE * values: ordinary least squares on 2 unknowns.
        xs = [r[2] for r in rows]
        ys = [r[1]["peak"] - r[3] for r in rows]
        n = len(xs)
        mean_x, mean_y = sum(xs) / n, sum(ys) / n
        slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / sum(
            (x - mean_x) ** 2 for x in xs
        )
        print(f"FIXED_BYTES = {mean_y - slope * mean_x:,.0f}  PER_VALUE_BYTES = {slope:.2f}")


if __name__ == "__main__":
    main()
