"""VGG19: the layer table (layers.py), the weights and their readers (weights.py), the extractor."""
