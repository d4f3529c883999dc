"""Compare: the comparison workbook, one module per kind of sheet (overview, items, open
answers, matrices, provenance) over shared cell helpers.

May import: store, office, content, errors.
"""
