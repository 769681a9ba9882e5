"""formulation layer."""
