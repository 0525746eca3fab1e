"""prodex: product page URL to clean, structured product information, behind a JoggAI-compatible API."""

__version__ = "0.1.0"
