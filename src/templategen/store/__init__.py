"""Store: every returned file and its answers with provenance, and the long-form export.

May import: content, errors.
"""
