"""The offline demo: fictional platforms' legal documents and the loopback server that serves them.

``catalog`` reads ``sites/manifest.json`` and writes Open Terms Archive declarations for it,
``server`` serves the pages revision by revision (or generated pages, for benchmarks), and
``synthetic`` generates those pages. Nothing here touches the network beyond 127.0.0.1.
"""
