"""Classification of provisions: type(s), category, severity, confidence and evidence.

``Classifier.load()`` gives the shipped model (numpy only at run time);
``clausewatch train`` rebuilds it from the labelled corpora.
"""

from __future__ import annotations

from clausewatch.classify.model import Classifier
from clausewatch.classify.result import ClassificationResult

__all__ = ["ClassificationResult", "Classifier"]
