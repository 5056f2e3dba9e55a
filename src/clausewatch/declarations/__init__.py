"""Open Terms Archive declarations: load, validate, look up by date, import."""

from clausewatch.declarations.model import (
    DeclarationError,
    Problem,
    RangeSelector,
    Selector,
    ServiceDeclaration,
    SourceDocument,
    TermsDeclaration,
    load_service,
    terms_from_body,
    validate_directory,
)

__all__ = [
    "DeclarationError",
    "Problem",
    "RangeSelector",
    "Selector",
    "ServiceDeclaration",
    "SourceDocument",
    "TermsDeclaration",
    "load_service",
    "terms_from_body",
    "validate_directory",
]
