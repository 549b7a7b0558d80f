"""chipcontrol: US export controls (EAR) for AI chips, answered as of a date, with citations."""

__version__ = "0.1.0"
__all__ = ["__version__"]
