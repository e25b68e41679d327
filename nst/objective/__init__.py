"""The objective: the loss terms (losses.py) and the one compiled loss with its gradient."""
