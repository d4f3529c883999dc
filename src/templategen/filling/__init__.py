"""Filling: a respondent simulator (sample and awkward answers, filling forms and workbooks)
and the headless LibreOffice driver, for the demo, the tests and the benchmarks.

May import: returned (to find answer places), forms, workbooks, office, content, errors.
"""
