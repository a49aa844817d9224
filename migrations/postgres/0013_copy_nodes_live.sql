-- Nodes copied out of a Recycle Bin entry (SPEC §23) are a live change: other users' DataStudio
-- of the target workspace shows them at once.
DROP TRIGGER audit_events_live ON audit_events;
CREATE TRIGGER audit_events_live AFTER INSERT ON audit_events
    FOR EACH ROW
    WHEN (NEW.result = 'Success' AND NEW.action IN (
        'CreateWorkspace', 'DeleteWorkspace', 'RecoverWorkspace', 'PurgeWorkspace',
        'PurgeExpiredWorkspace', 'PublishNode', 'FreezeTask', 'UnfreezeTask', 'DeleteTask',
        'EnableDeletionProtection', 'DisableDeletionProtection',
        'EnablePurgeProtection', 'DisablePurgeProtection', 'RemoveUpstream',
        'CopyNodesFromRecycleBin',
        'DetachPolicy', 'DeleteRamUser', 'SetRamUserPassword'))
    EXECUTE FUNCTION audit_events_live();
