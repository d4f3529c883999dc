"""Returned: a returned file -> checked answers in the store. The safe archive, identifying
the copy, the Word and Excel readers, answer checking and ingest.

May import: store, workbooks.plan and forms.controls (where answers live, never the
renderers), office, content, errors.
"""
