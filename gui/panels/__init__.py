"""The window's panels, each a view of the model (gui/model/) that writes the user's edits
back, named by what it shows:

- inputs_panel.py: the content and style pickers, the method; style_mix.py: the style
  strength and the style images with their weights, style_regions.py their regions;
- run_controls.py stacks the Run tab's group boxes, one module each: optimization_box.py,
  colours_box.py, speed_box.py, size_box.py, folder_box.py;
- layers_panel.py: the loss weights and the VGG19 layers;
- result_panel.py: the Result tab (input_views.py: its content view and instant preview);
  status_panel.py: the progress and the status bar;
- binding.py: how a panel binds to the model (the settings groups it edits).
"""
