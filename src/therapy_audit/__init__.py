"""therapy-audit: audit language models and therapy chatbots for mental-health safety."""

__version__ = "0.1.0"
