"""Forms: the Word side. An instrument -> a fillable .docx with content controls, one
personalised copy per recipient.

May import: office, content, errors.
"""
