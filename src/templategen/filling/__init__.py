"""Filling: a respondent simulator (sample and awkward answers, filling forms and workbooks)
for the demo, the tests and the benchmarks. The LibreOffice driver lives in office.libreoffice
(``filling.libreoffice`` still names it).

May import: returned (to find answer places), forms, workbooks, office, content, errors.
"""
