"""Office: what Word and Excel files share: custom document properties, Excel formula text,
and the headless LibreOffice driver (convert, re-save, print to PDF).

May import: content, errors.
"""
