-- An event's message as the console words it in the reader's language (SPEC §24): its key in the
-- translation tables and its parameters, as JSON ({"key", "params", "texts"}). `message` keeps its
-- English for the API and the CSV export. Events recorded before hold '' and show their English.
ALTER TABLE audit_events ADD COLUMN worded TEXT NOT NULL DEFAULT '';
