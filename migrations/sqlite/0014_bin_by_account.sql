-- The Recycle Bin's pages (SPEC §21) read one account's entries through this index, whatever the
-- sort or filter: with 10,000 entries in one account and 100,000 in the database, a page never
-- reads another account's rows. Newest deletion first is the default order.
CREATE INDEX workspaces_bin_by_account ON workspaces (account_id, deleted_at, id)
    WHERE deleted_at IS NOT NULL AND purge_started_at IS NULL;
