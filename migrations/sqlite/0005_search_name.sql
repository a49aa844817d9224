-- The lower-case name the workspace list's search matches with LIKE, as on PostgreSQL (where the
-- name's case-insensitive collation cannot be used with LIKE): one query for both engines.
ALTER TABLE workspaces ADD COLUMN search_name TEXT GENERATED ALWAYS AS (lower(name)) VIRTUAL;
