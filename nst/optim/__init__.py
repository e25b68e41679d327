"""The optimizers that move the pixels: L-BFGS (lbfgs.py) and the first-order ones."""
