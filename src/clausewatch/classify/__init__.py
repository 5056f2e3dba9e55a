"""Classification of provisions: type(s), category, severity, confidence and evidence.

``Classifier.load()`` gives the shipped model (numpy only at run time);
``clausewatch train`` rebuilds it from the labelled corpora.

The two names are loaded on first use, so importing the package (as ``clausewatch train
--help`` or ``taxonomy`` do) does not pay for numpy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clausewatch.classify.model import Classifier
    from clausewatch.classify.result import ClassificationResult

__all__ = ["ClassificationResult", "Classifier"]

_HOME = {
    "Classifier": "clausewatch.classify.model",
    "ClassificationResult": "clausewatch.classify.result",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
