-- The dependencies on purged nodes become lost once per batch statement rather than once per
-- removed node: a PL/pgSQL call for every node made the purge sweep of 1,000 entries 2.03 times bare
-- SQL (goal <= 2). Same rule, same transaction. (SQLite's row trigger costs no such call.)
DROP TRIGGER node_dependencies_upstream_purged ON assets;
DROP FUNCTION node_dependencies_upstream_purged();
CREATE FUNCTION node_dependencies_upstream_purged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE node_dependencies d
    SET lost = true,
        upstream = w.name COLLATE "default" || '.' || gone.name
    FROM gone JOIN workspaces w ON w.id = gone.workspace_id
    WHERE gone.kind = 'node' AND d.upstream_id = gone.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER node_dependencies_upstream_purged AFTER DELETE ON assets
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT
    EXECUTE FUNCTION node_dependencies_upstream_purged();
