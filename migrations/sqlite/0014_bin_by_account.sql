-- The Recycle Bin's pages (SPEC §21) read one account's entries through an index on the account,
-- whatever the sort or filter: with 10,000 entries in one account and 100,000 in the database, a
-- page never reads another account's rows. Newest deletion first, the default order, and the count
-- and "Deleted by" choices read this one; the name sorts read the unique (account_id, name) index
-- in order (the planners' choice on both engines: ./setup.sh bench --only recycle-bin).
CREATE INDEX workspaces_bin_by_account ON workspaces (account_id, deleted_at, id)
    WHERE deleted_at IS NOT NULL AND purge_started_at IS NULL;
