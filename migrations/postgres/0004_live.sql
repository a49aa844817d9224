-- The live console (SPEC §13): every successful change that the live pages show is announced on
-- the channel `console_live` when its transaction commits, so every instance's open streams hear
-- it, whichever instance (or the purge job) made it. SQLite needs nothing: one instance reads the
-- new rows of audit_events itself.
CREATE FUNCTION audit_events_live() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('console_live', json_build_object(
        'id', NEW.id,
        'account_id', NEW.account_id,
        'user', NEW.user_name,
        'action', NEW.action,
        'workspace', NEW.workspace)::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER audit_events_live AFTER INSERT ON audit_events
    FOR EACH ROW
    WHEN (NEW.result = 'Success' AND NEW.action IN (
        'CreateWorkspace', 'DeleteWorkspace', 'RecoverWorkspace', 'PurgeWorkspace',
        'PurgeExpiredWorkspace', 'PublishNode', 'FreezeTask', 'UnfreezeTask', 'DeleteTask',
        'DetachPolicy', 'DeleteRamUser', 'SetRamUserPassword'))
    EXECUTE FUNCTION audit_events_live();
