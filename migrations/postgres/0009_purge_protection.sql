-- Purge protection (SPEC §15a): while the account's root keeps it on, no entry leaves the Recycle
-- Bin early; only Recover or the end of its 14 days take it out.
ALTER TABLE account_settings ADD COLUMN purge_protection BOOLEAN NOT NULL DEFAULT false;

-- Part three's notices are not all about one Recycle Bin entry: "purge protection was turned
-- off" is about the account, and "downstream nodes lost their upstream" (§16) names nodes.
ALTER TABLE notifications ALTER COLUMN workspace_id DROP NOT NULL;
ALTER TABLE notifications ALTER COLUMN deleted_at DROP NOT NULL;
ALTER TABLE notifications ALTER COLUMN purge_at DROP NOT NULL;
ALTER TABLE notifications ALTER COLUMN workspace SET DEFAULT '';
ALTER TABLE notifications ADD COLUMN detail TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN (
    'Warning7Days', 'Warning1Day', 'Purged', 'PurgeProtectionOff', 'UpstreamLost'));

-- Turning it on or off is a live change: other users' Recycle Bin pages follow at once.
DROP TRIGGER audit_events_live ON audit_events;
CREATE TRIGGER audit_events_live AFTER INSERT ON audit_events
    FOR EACH ROW
    WHEN (NEW.result = 'Success' AND NEW.action IN (
        'CreateWorkspace', 'DeleteWorkspace', 'RecoverWorkspace', 'PurgeWorkspace',
        'PurgeExpiredWorkspace', 'PublishNode', 'FreezeTask', 'UnfreezeTask', 'DeleteTask',
        'EnableDeletionProtection', 'DisableDeletionProtection',
        'EnablePurgeProtection', 'DisablePurgeProtection',
        'DetachPolicy', 'DeleteRamUser', 'SetRamUserPassword'))
    EXECUTE FUNCTION audit_events_live();
