"""The window's small widgets, one module per concept: editors.py (number and choice
boxes), image_view.py (an image scaled to fit with its caption; NumPy to QImage),
path_label.py (a path fitted to a width), scrolling.py (a panel that scrolls),
wheel_guard.py (the wheel scrolls a panel, not the control under it), picker.py (an image
picker that loads in the background; the samples), layers.py (a checklist of VGG19's
layers with weights), loss_plot.py (the loss curve), mask_painter.py (painting a region).
"""
