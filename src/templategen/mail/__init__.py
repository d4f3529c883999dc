"""Mail: send each recipient their copies and see who is missing.

kit (find the copies by their custom properties) -> compose (the Jinja2 mail template) ->
transport (drafts or SMTP) with every message logged in the store (send); status and
remind. Reading the replies is inbox's job (mail files, mbox, Maildir, IMAP).

May import: store, office, content, errors, and returned.safezip only (kit opens the
built copies as safely as a returned file). Never inbox, nor the rest of returned.
"""
