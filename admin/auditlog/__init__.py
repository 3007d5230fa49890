"""Reading the audit stream for staff (issue 13, item 8): filter it, page through it newest
first, export what a filter matches as CSV, and check its hash chain.

Read only: nothing here writes to, edits or deletes from the stream (``auth.stores.audit``
appends; retention trims from the CLI). ``query`` reads, ``filters`` parses what staff ask
for, ``events`` names the event types, ``export`` writes CSV and ``present`` turns an entry
into what a table row shows.
"""
