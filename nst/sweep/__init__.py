"""Sweeps: a grid of small runs that differ in one or two settings, side by side.

    axes = [parse_axis("style_weight=1,10,100"), parse_axis("layer_set=conv1_1,conv1_1-5_1")]
    sweep = Sweep(base, axes, cell_size=128)  # checks every cell's settings
    run = SweepRun(sweep, "results")
    for event in run.events():      # CellStep after each step, CellDone after each cell
        ...                         # run.stop() from any thread ends it within a step
    run.sheet_path                  # results/sweep_tubingen_starry_night_001/contact_sheet.png

An axis is a setting's name and its values. The first axis runs across the contact sheet
(columns), the second down (rows). Names an axis may take:

- any Settings field holding one number, word or switch (``style_weight``, ``tv_weight``,
  ``learning_rate``, ``optimizer``, ``iterations``, ``init``, ``seed``, ``colour``, ...),
  found from the dataclass's own field types, so a field added later is sweepable as it is;
  a few are not (NOT_SWEPT says why);
- ``style_layers.block3_conv1`` / ``content_layers.block4_conv2``: one layer's weight
  (the layer is added to the base's list if it is not there);
- ``layer_set``: the style layers as one of LAYER_SETS, each layer weighted 1;
- ``ratio``: style weight over content weight; a cell's style_weight is the ratio times
  its content_weight. With the default content_weight of 1 it is the same as sweeping
  style_weight. It differs when content_weight is not 1 or is swept too: the balance
  stays fixed while the overall scale changes, which matters to SGD and Adadelta (whose
  step grows with the gradient) and not to Adam or L-BFGS (nearly scale-free).

Every cell is a normal Gatys run at ``cell_size`` px, saved with
``nst.run.outcome.save_outcome`` (PNG + JSON recipe) in a new folder
``<output>/sweep_<content>_<style>_NNN/``, beside ``contact_sheet.png`` (the grid with the
values on its headers) and ``sweep.json`` (the axes, each cell's files and final losses).
The images and the VGG19 weights are loaded once for all cells, and cells with the same
layers reuse the compiled loss (nst.objective.builder.loss_function). Re-rendering a cell
at full size is a normal run of its recipe
with the size replaced (``full_size_settings``; on the command line
``python -m nst --config CELL.json --size 512 --output-dir DIR``).

axes.py names and parses the axes, grid.py builds the cells, runner.py renders them and
writes the folder, sheet.py draws the contact sheet. TensorFlow is imported only when a
sweep runs (runner.py, on the caller's thread), so the window can import this package.
"""
