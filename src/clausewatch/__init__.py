"""clausewatch: watch the legal documents of online platforms."""

__version__ = "0.1.0"
