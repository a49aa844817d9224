-- A searched Recycle Bin (SPEC §21) reads its entries' lower-case names and deleters from the
-- index alone: counting the matches of a search among 10,000 entries looked every entry up in the
-- table (7 ms on SQLite), and now reads the index (2 ms). The "Deleted by" choices read an index
-- of their own (3 ms to under 1 ms). Same name, same leading columns: every read that used the
-- index before uses it still.
DROP INDEX workspaces_bin_by_account;
CREATE INDEX workspaces_bin_by_account ON workspaces (account_id, deleted_at, id, search_name, deleted_by)
    WHERE deleted_at IS NOT NULL AND purge_started_at IS NULL;
CREATE INDEX workspaces_bin_deleted_by ON workspaces (account_id, deleted_by)
    WHERE deleted_at IS NOT NULL AND purge_started_at IS NULL;
