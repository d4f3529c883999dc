"""A report for each subject: one Word document per school or agency (templategen report).

``figures`` reads what the comparison compares (compare.data, compare.ranking, the content's
scoring) into each subject's figures, ``matrices`` each table rule's rollup over the subject's
respondents; ``charts`` draws them (matplotlib); ``document`` lays the report out on the
house style; ``write`` writes one per subject (and prints them).

May import: compare (its shared core, not the full or summary layout), content, store, forms
(the house style), office, i18n, errors, xmltext.
"""
