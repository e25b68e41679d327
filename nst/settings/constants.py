"""The constants of a run's settings: the choices, the limits, and where each comes from."""

from __future__ import annotations

OPTIMIZERS: tuple[str, ...] = ("lbfgs", "adam", "adadelta", "rmsprop", "sgd")
# Learning rates for an image in 0..255 pixel units with our normalized losses (see
# nst/objective/losses.py), first-order methods seeing the gradient per pixel
# (nst/run/stage.py). L-BFGS's rate scales its quasi-Newton step: 1 is the full step. The
# others were picked by a sweep on tubingen.jpg / starry_night.jpg, 40 steps at 128 and
# 256 px (total loss after 40 steps at 256 px: Adam 4 -> 1.10, 8 -> 1.12; SGD 10 -> 1.10,
# 20 -> 1.14, 40 diverges; Adadelta 1000 -> 1.28, 3000 -> 1.48; RMSprop 2 -> 1.26, 4 ->
# worse at 128 px). Adam's 4 is within the range jcjohnson's neural-style uses for 0..255
# images (1 to 10).
DEFAULT_LEARNING_RATES: dict[str, float] = {
    "lbfgs": 1.0,
    "adam": 4.0,
    "adadelta": 1000.0,
    "rmsprop": 2.0,
    "sgd": 10.0,
}

# "instant": start from the feed-forward stylization (nst/instant/), a head start.
INITS: tuple[str, ...] = ("content", "noise", "style", "instant")

# "gatys": the optimization (nst/run/session.py); "instant": the feed-forward network of
# Ghiasi et al. 2017 (nst/instant/), a fraction of a second, at some cost in quality; "texture": the
# optimization with no content image, from noise, matching only the style (texture
# synthesis, Gatys, Ecker & Bethge 2015, "Texture Synthesis Using Convolutional Neural
# Networks").
METHODS: tuple[str, ...] = ("gatys", "instant", "texture")

# Whose colours the result has (Gatys, Bethge, Hertzmann, Shechtman 2017, "Preserving Color
# in Neural Artistic Style Transfer"; see colour.py): the painting's (the 2016 method), the
# photo's by recolouring the painting to the photo's colour statistics first ("match"), or
# the photo's by optimizing luminance only and taking the photo's colour channels
# ("luminance").
COLOURS: tuple[str, ...] = ("style", "match", "luminance")


# Precision of VGG19's convolutions (nst/vgg/extractor.py). Grams, losses, the image and
# its gradient are float32 in all. "bfloat16" ("Fast") needs AVX512_BF16/AMX on a CPU, or
# tensor cores on a GPU, to be faster; elsewhere it is emulated and slower. "automatic" (the
# default) is bfloat16 where this machine has them and float32 elsewhere (nst/precision.py);
# the other two force one.
PRECISIONS: tuple[str, ...] = ("automatic", "float32", "bfloat16")


# Coarse-to-fine (Gatys et al. 2017, "Controlling Perceptual Factors in Neural Style
# Transfer", section 5): optimize at a small size, upsample, refine at the next size. With
# stages=None the plan is automatic: halve the working size while it stays at or above
# COARSEST_SIZE, at most MAX_STAGES sizes. 256 px is the size the 2017 paper starts from.
COARSEST_SIZE = 256
# A texture grows from white noise, with no photo to keep: starting as small as this builds
# its large shapes in a few cheap steps, and the upsampling smooths the noise away. The
# texture method at 128 px, 60 L-BFGS steps (The Scream, 16:9, stages=1 against
# stages=3): one stage left a speckled image (mean neighbour difference 36 of 255, TV loss
# 0.117); 32 -> 64 -> 128 px gave clean strokes (23, TV 0.011) at the same style loss
# (0.65 against 0.63) in two thirds of the time.
TEXTURE_COARSEST_SIZE = 32
MAX_STAGES = 4
# Share of the iterations spent at each coarse size; the working size gets the rest (at
# least half, with MAX_STAGES 4). A step at half the size costs a quarter of a full one.
# A sixth reached a given loss at the least cost of the shares tried (bench/RESULTS.md:
# 50 coarse steps of 300 against 25 and 100).
COARSE_STAGE_SHARE = 1 / 6
# Print sizes: a stage above PRINT_SIZE px takes at most PRINT_STAGE_STEPS steps, and the
# steps it leaves go to the largest stage at or below PRINT_SIZE. Above 2048 px a stage is
# evaluated in tiles on a 24 GiB machine (a 2048x1536 step peaks at some 15 GB whole,
# nst/memory_model.py) and costs 4x a 2048 px step at least: the quality is bought
# cheaper below. jcjohnson/neural-style's print schedule takes 50 steps at 3620 px.
PRINT_SIZE = 2048
PRINT_STAGE_STEPS = 60
# A texture grows from noise and needs its coarse stages more (TEXTURE_COARSEST_SIZE's
# measurement above was made with half of the iterations at the coarse sizes).
TEXTURE_COARSE_SHARE = 0.5

# The style image's size relative to the output (Settings.style_scale): at 0.25 a painting
# is seen four times smaller, so its strokes come out four times finer; past 4 VGG19's
# receptive fields (about 200 px at conv5_1) see single strokes, not texture.
MIN_STYLE_SCALE = 0.1
MAX_STYLE_SCALE = 4.0

# A texture's width over its height, at most this or its inverse: a 1024 px strip of 10:1
# is still 102 px high, above VGG19's MIN_SIZE with room for its deepest layers.
MAX_ASPECT = 10.0

# A texture's canvas (the stand-in for a photo that gives it its shape) has this longest
# side before it is scaled to the working size: 1024 keeps its proportions exact to 0.1%.
TEXTURE_CANVAS_SIDE = 1024

MIN_SIZE = 16  # below this block5 has no spatial extent left (VGG19 pools 4 times: 16 / 2^4 = 1)
MAX_SIZE = 8192  # past this a single image's activations no longer fit in 24 GiB
MAX_ITERATIONS = 100_000
