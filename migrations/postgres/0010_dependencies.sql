-- Cross-workspace dependencies (SPEC §16): a node (node_id) depends on its upstream nodes, in its
-- own or another workspace of the account. When the upstream node is purged the dependency stays,
-- marked lost (with the upstream's name), so that its downstream task waits until someone removes
-- it; the downstream node's own purge removes it (ON DELETE CASCADE).
CREATE TABLE node_dependencies (
    node_id      BIGINT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    upstream_id  BIGINT NOT NULL,
    account_id   BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    -- "<workspace>.<node>" of the upstream, written when it is purged.
    upstream     TEXT NOT NULL DEFAULT '',
    lost         BOOLEAN NOT NULL DEFAULT false,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (node_id, upstream_id)
);
CREATE INDEX node_dependencies_by_upstream ON node_dependencies (upstream_id);
CREATE INDEX node_dependencies_by_account ON node_dependencies (account_id);

-- A purge removes nodes in batches; the dependencies on each node become lost in the statement
-- (so the transaction) that removes it.
CREATE FUNCTION node_dependencies_upstream_purged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE node_dependencies
    SET lost = true,
        upstream = (SELECT w.name COLLATE "default" FROM workspaces w WHERE w.id = OLD.workspace_id)
                   || '.' || OLD.name
    WHERE upstream_id = OLD.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER node_dependencies_upstream_purged AFTER DELETE ON assets
    FOR EACH ROW WHEN (OLD.kind = 'node')
    EXECUTE FUNCTION node_dependencies_upstream_purged();

-- Removing a dependency can let a waiting task run: Operation Center pages follow it live.
DROP TRIGGER audit_events_live ON audit_events;
CREATE TRIGGER audit_events_live AFTER INSERT ON audit_events
    FOR EACH ROW
    WHEN (NEW.result = 'Success' AND NEW.action IN (
        'CreateWorkspace', 'DeleteWorkspace', 'RecoverWorkspace', 'PurgeWorkspace',
        'PurgeExpiredWorkspace', 'PublishNode', 'FreezeTask', 'UnfreezeTask', 'DeleteTask',
        'EnableDeletionProtection', 'DisableDeletionProtection',
        'EnablePurgeProtection', 'DisablePurgeProtection', 'RemoveUpstream',
        'DetachPolicy', 'DeleteRamUser', 'SetRamUserPassword'))
    EXECUTE FUNCTION audit_events_live();
