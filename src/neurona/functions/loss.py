"""Loss functions as fused, numerically stable Functions (see neurona.losses for the API)."""

__all__ = []
