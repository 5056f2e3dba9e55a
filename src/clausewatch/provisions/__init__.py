"""Provisions: segmentation, identity across versions, provision diffs and materiality."""
