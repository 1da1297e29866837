"""Analyses of model activations that are not benchmark scores."""
