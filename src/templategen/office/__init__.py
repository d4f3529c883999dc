"""Office: what Word and Excel files share: custom document properties, Excel formula text.

May import: content, errors.
"""
