-- Deletion protection (SPEC §15): while it is on, the workspace cannot be deleted.
ALTER TABLE workspaces ADD COLUMN deletion_protection BOOLEAN NOT NULL DEFAULT false;
-- Turning it on or off is a live change: other users' Workspaces pages show the badge at once.
DROP TRIGGER audit_events_live ON audit_events;
CREATE TRIGGER audit_events_live AFTER INSERT ON audit_events
    FOR EACH ROW
    WHEN (NEW.result = 'Success' AND NEW.action IN (
        'CreateWorkspace', 'DeleteWorkspace', 'RecoverWorkspace', 'PurgeWorkspace',
        'PurgeExpiredWorkspace', 'PublishNode', 'FreezeTask', 'UnfreezeTask', 'DeleteTask',
        'EnableDeletionProtection', 'DisableDeletionProtection',
        'DetachPolicy', 'DeleteRamUser', 'SetRamUserPassword'))
    EXECUTE FUNCTION audit_events_live();
