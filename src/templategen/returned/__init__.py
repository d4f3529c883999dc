"""Returned: a returned file -> checked answers in the store. The safe archive, identifying
the copy, the Word and Excel readers (worker: in a process with a time budget), answer
checking, and the ingest loop (ingest) that takes items from any source inbox provides.

May import: store, workbooks.plan and forms.controls (where answers live, never the
renderers), office, content, errors. Never inbox or mail.
"""
