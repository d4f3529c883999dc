"""Workbooks: the Excel side. plan (where every cell goes) -> write (openpyxl) -> copies
(patch each recipient's cells into the master) -> render; formulas, style and charts.

May import: office, content, errors.
"""
