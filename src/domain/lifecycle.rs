//! A workspace's life (SPEC §4–§6): **Active** → Delete Workspace → **In Recycle Bin** for exactly
//! 14 days → Recover (back to Active, before the time is up) or Delete Permanently / the purge job
//! (**Purged**: the row is gone and the name is free). Each transition is decided here; the
//! services read the row, ask, and write what was decided.
use super::Timestamp;
use super::retention::{is_expired, purge_time};
use super::time::format_utc;
use crate::error::AppError;
use crate::i18n::{Msg, k};

/// Why a protected workspace cannot be deleted (SPEC §15): the menu's reason, and the start of
/// the server's refusal.
pub const PROTECTION_ON: &str = "Deletion protection is on";

/// Why nobody can "Delete Permanently" while the account's purge protection is on (SPEC §15a).
pub const PURGE_PROTECTION_ON: &str =
    "Purge protection is on: entries leave the Recycle Bin by Recover or after 14 days";

/// The server's refusal of an early purge while purge protection is on.
pub const PURGE_PROTECTION_REFUSAL: &str = "Purge protection is on for this account";

/// How long after a delete its "Undo" works, by the server's clock (SPEC §17).
pub const UNDO_SECS: i64 = 30;

/// Where a workspace is in its life, read from its row (`deleted_at`, `purge_at`). A purged
/// workspace has no row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Active,
    InRecycleBin {
        deleted_at: Timestamp,
        purge_at: Timestamp,
    },
}

impl Stage {
    /// The stage a row's columns describe; none when they contradict each other.
    pub fn of(deleted_at: Option<Timestamp>, purge_at: Option<Timestamp>) -> Option<Stage> {
        match (deleted_at, purge_at) {
            (None, _) => Some(Stage::Active),
            (Some(deleted_at), Some(purge_at)) => Some(Stage::InRecycleBin {
                deleted_at,
                purge_at,
            }),
            (Some(_), None) => None,
        }
    }

    /// Delete Workspace at `now`: an active workspace goes to the Recycle Bin until exactly 14
    /// days later; one already there is refused, and so is one whose deletion protection is on.
    pub fn delete(self, name: &str, protected: bool, now: Timestamp) -> Result<Stage, AppError> {
        match self {
            Stage::Active if protected => Err(AppError::Protected(
                Msg::new(k::error_protection_on).with("name", name),
            )),
            Stage::Active => Ok(Stage::InRecycleBin {
                deleted_at: now,
                purge_at: purge_time(now),
            }),
            Stage::InRecycleBin { .. } => Err(AppError::Conflict(
                Msg::new(k::error_already_deleted).with("name", name),
            )),
        }
    }

    /// The Recycle Bin entry the caller saw, deleted at `seen`, is still this one: not recovered
    /// since, nor recovered and deleted again. Answers when its time is up.
    pub fn entry_seen(self, name: &str, seen: Timestamp) -> Result<Timestamp, AppError> {
        match self {
            Stage::Active => Err(AppError::Conflict(
                Msg::new(k::error_already_recovered).with("name", name),
            )),
            Stage::InRecycleBin { deleted_at, .. } if deleted_at != seen => Err(
                AppError::Conflict(Msg::new(k::error_deleted_again).with("name", name)),
            ),
            Stage::InRecycleBin { purge_at, .. } => Ok(purge_at),
        }
    }

    /// Recover at `now` the entry the caller saw: back to Active, unless its 14 days are over (an
    /// expired entry is never recovered, even before the purge job has run).
    pub fn recover(self, name: &str, seen: Timestamp, now: Timestamp) -> Result<Stage, AppError> {
        let purge_at = self.entry_seen(name, seen)?;
        if is_expired(purge_at, now) {
            return Err(AppError::Conflict(
                Msg::new(k::error_retention_ended)
                    .with("name", name)
                    .with("time", format_utc(purge_at)),
            ));
        }
        Ok(Stage::Active)
    }

    /// Undo, at `now`, the delete the caller just made: a Recover allowed only within
    /// [`UNDO_SECS`] of the delete; later the entry is recovered from the Recycle Bin instead.
    pub fn undo(self, name: &str, seen: Timestamp, now: Timestamp) -> Result<Stage, AppError> {
        self.entry_seen(name, seen)?;
        if now > seen + UNDO_SECS {
            return Err(AppError::Conflict(
                Msg::new(k::error_undo_over)
                    .with("secs", UNDO_SECS)
                    .with("name", name),
            ));
        }
        self.recover(name, seen, now)
    }

    /// Delete Permanently the entry the caller saw (at any time while it is in the Recycle Bin),
    /// unless the account's purge protection is on (then only Recover or the job take it out).
    pub fn purge(self, name: &str, seen: Timestamp, purge_protected: bool) -> Result<(), AppError> {
        self.entry_seen(name, seen)?;
        if purge_protected {
            return Err(AppError::Protected(Msg::new(k::error_purge_protection_on)));
        }
        Ok(())
    }

    /// Whether the purge job takes it at `now`: an entry whose 14 days are over. (The job's query
    /// states the same rule in SQL, `purge_at <= now`, to find them.)
    pub fn purge_due(self, now: Timestamp) -> bool {
        matches!(self, Stage::InRecycleBin { purge_at, .. } if is_expired(purge_at, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::retention::RETENTION_SECS;

    const T: Timestamp = 1_800_000_000;

    fn binned_at(t: Timestamp) -> Stage {
        Stage::Active.delete("sales_dw", false, t).unwrap()
    }

    #[test]
    fn a_row_says_its_stage() {
        assert_eq!(Stage::of(None, None), Some(Stage::Active));
        assert_eq!(
            Stage::of(Some(T), Some(T + RETENTION_SECS)),
            Some(binned_at(T))
        );
        assert_eq!(Stage::of(Some(T), None), None);
    }

    #[test]
    fn deleting_an_active_workspace_bins_it_for_exactly_fourteen_days() {
        assert_eq!(
            binned_at(T),
            Stage::InRecycleBin {
                deleted_at: T,
                purge_at: T + RETENTION_SECS
            }
        );
    }

    #[test]
    fn a_workspace_in_the_bin_cannot_be_deleted_again() {
        let error = binned_at(T).delete("sales_dw", false, T + 1).unwrap_err();
        assert!(matches!(error, AppError::Conflict(m) if m.contains("already been deleted")));
    }

    #[test]
    fn a_protected_workspace_is_not_deleted() {
        assert_eq!(
            Stage::Active.delete("sales_dw", true, T),
            Err(AppError::Protected(
                "Deletion protection is on for sales_dw; disable it first".into()
            ))
        );
    }

    #[test]
    fn recover_brings_the_entry_back_until_its_last_second() {
        let last = T + RETENTION_SECS - 1;
        assert_eq!(binned_at(T).recover("sales_dw", T, last), Ok(Stage::Active));
    }

    #[test]
    fn an_expired_entry_is_never_recovered() {
        let error = binned_at(T)
            .recover("sales_dw", T, T + RETENTION_SECS)
            .unwrap_err();
        assert!(matches!(error, AppError::Conflict(m) if m.contains("can no longer be recovered")));
    }

    #[test]
    fn an_entry_recovered_meanwhile_is_not_recovered_or_purged_again() {
        for error in [
            Stage::Active.recover("sales_dw", T, T + 1).unwrap_err(),
            Stage::Active.purge("sales_dw", T, false).unwrap_err(),
        ] {
            assert!(matches!(error, AppError::Conflict(m) if m.contains("already been recovered")));
        }
    }

    #[test]
    fn an_entry_deleted_again_since_it_was_seen_is_refused() {
        let again = binned_at(T + 60);
        for error in [
            again.recover("sales_dw", T, T + 120).unwrap_err(),
            again.purge("sales_dw", T, false).unwrap_err(),
        ] {
            assert!(
                matches!(error, AppError::Conflict(m) if m.contains("deleted again meanwhile"))
            );
        }
    }

    #[test]
    fn undo_works_for_thirty_seconds_by_the_server_clock() {
        assert_eq!(binned_at(T).undo("sales_dw", T, T), Ok(Stage::Active));
        assert_eq!(binned_at(T).undo("sales_dw", T, T + 30), Ok(Stage::Active));
        let error = binned_at(T).undo("sales_dw", T, T + 31).unwrap_err();
        assert!(
            matches!(error, AppError::Conflict(m) if m.contains("recover it from the Recycle Bin instead"))
        );
        // Recovered or deleted again meanwhile: said so, as Recover says it.
        let error = Stage::Active.undo("sales_dw", T, T + 1).unwrap_err();
        assert!(matches!(error, AppError::Conflict(m) if m.contains("already been recovered")));
        let error = binned_at(T + 5).undo("sales_dw", T, T + 6).unwrap_err();
        assert!(matches!(error, AppError::Conflict(m) if m.contains("deleted again meanwhile")));
    }

    #[test]
    fn delete_permanently_needs_no_wait() {
        assert_eq!(binned_at(T).purge("sales_dw", T, false), Ok(()));
    }

    #[test]
    fn purge_protection_refuses_every_early_purge_but_not_the_job() {
        assert_eq!(
            binned_at(T).purge("sales_dw", T, true),
            Err(AppError::Protected(
                "Purge protection is on for this account".into()
            ))
        );
        // The job's rule does not ask: an expired entry goes at its time, protected or not.
        assert!(binned_at(T).purge_due(T + RETENTION_SECS));
        // An entry recovered meanwhile is said so first.
        assert!(matches!(
            Stage::Active.purge("sales_dw", T, true),
            Err(AppError::Conflict(_))
        ));
    }

    #[test]
    fn the_purge_job_takes_an_entry_once_its_time_is_up() {
        assert!(!binned_at(T).purge_due(T + RETENTION_SECS - 1));
        assert!(binned_at(T).purge_due(T + RETENTION_SECS));
        assert!(!Stage::Active.purge_due(T + 10 * RETENTION_SECS));
    }
}
