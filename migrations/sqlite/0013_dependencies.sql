-- Cross-workspace dependencies (SPEC §16): a node (node_id) depends on its upstream nodes, in its
-- own or another workspace of the account. When the upstream node is purged the dependency stays,
-- marked lost (with the upstream's name), so that its downstream task waits until someone removes
-- it; the downstream node's own purge removes it (ON DELETE CASCADE).
CREATE TABLE node_dependencies (
    node_id      INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    upstream_id  INTEGER NOT NULL,
    account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    -- "<workspace>.<node>" of the upstream, written when it is purged.
    upstream     TEXT NOT NULL DEFAULT '',
    lost         INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (node_id, upstream_id)
);
CREATE INDEX node_dependencies_by_upstream ON node_dependencies (upstream_id);
CREATE INDEX node_dependencies_by_account ON node_dependencies (account_id);

-- A purge removes nodes in batches; the dependencies on each node become lost in the statement
-- (so the transaction) that removes it.
CREATE TRIGGER node_dependencies_upstream_purged AFTER DELETE ON assets
    WHEN OLD.kind = 'node'
BEGIN
    UPDATE node_dependencies
    SET lost = 1,
        upstream = (SELECT w.name FROM workspaces w WHERE w.id = OLD.workspace_id) || '.' || OLD.name
    WHERE upstream_id = OLD.id;
END;
