//! The live console's changes (SPEC §13): which audit actions a page follows, and what the live
//! region says of each.
use crate::i18n::{Lang, k};
use serde::{Deserialize, Serialize};

/// The audit actions that change what the live pages show.
pub const LIVE_ACTIONS: [&str; 15] = [
    "CreateWorkspace",
    "DeleteWorkspace",
    "RecoverWorkspace",
    "PurgeWorkspace",
    "PurgeExpiredWorkspace",
    "PublishNode",
    "FreezeTask",
    "UnfreezeTask",
    "DeleteTask",
    "EnableDeletionProtection",
    "DisableDeletionProtection",
    "EnablePurgeProtection",
    "DisablePurgeProtection",
    "RemoveUpstream",
    "CopyNodesFromRecycleBin",
];

/// The actions after which an open stream checks again that its viewer may still see the account
/// (a policy detached, a user deleted, a password reset); they are not sent to the browser.
pub const ACCESS_ACTIONS: [&str; 3] = ["DetachPolicy", "DeleteRamUser", "SetRamUserPassword"];

/// One change as the browser receives it (the SSE `change` event's data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub struct LiveChange {
    /// The audit event's id (also the SSE event id).
    pub id: i64,
    pub action: String,
    pub workspace: String,
    /// Who made it: `alice@acme`, or `system` for the purge job.
    pub user: String,
}

impl LiveChange {
    /// What the live region says of it, in `lang`: "sales_dw was deleted by alice@acme".
    pub fn announcement(&self, lang: Lang) -> String {
        let by = if self.user == crate::domain::audit::SYSTEM_USER {
            lang.text(k::live_by_console).to_owned()
        } else {
            lang.fill(k::live_by_user, &[("user", &self.user)])
        };
        let key = match self.action.as_str() {
            "CreateWorkspace" => k::live_created,
            "DeleteWorkspace" => k::live_deleted,
            "RecoverWorkspace" => k::live_recovered,
            "PurgeWorkspace" | "PurgeExpiredWorkspace" => k::live_purged,
            "PublishNode" => k::live_node_published,
            "FreezeTask" => k::live_task_frozen,
            "UnfreezeTask" => k::live_task_unfrozen,
            "DeleteTask" => k::live_task_deleted,
            "EnableDeletionProtection" => k::live_deletion_protection_on,
            "DisableDeletionProtection" => k::live_deletion_protection_off,
            "RemoveUpstream" => k::live_upstream_removed,
            "CopyNodesFromRecycleBin" => k::live_nodes_copied,
            "EnablePurgeProtection" => k::live_purge_protection_on,
            "DisablePurgeProtection" => k::live_purge_protection_off,
            _ => k::live_other,
        };
        lang.fill(
            key,
            &[
                ("workspace", &self.workspace),
                ("action", &self.action),
                ("by", &by),
            ],
        )
    }

    /// Whether this change is about the workspace `name` (names compare ignoring letter case).
    pub fn is_about(&self, name: &str) -> bool {
        self.workspace.eq_ignore_ascii_case(name)
    }

    /// Whether the Workspaces page's list shows its effect.
    pub fn changes_workspace_list(&self) -> bool {
        matches!(
            self.action.as_str(),
            "CreateWorkspace"
                | "DeleteWorkspace"
                | "RecoverWorkspace"
                | "EnableDeletionProtection"
                | "DisableDeletionProtection"
        )
    }

    /// Whether the Recycle Bin's list shows its effect.
    pub fn changes_recycle_bin(&self) -> bool {
        matches!(
            self.action.as_str(),
            "DeleteWorkspace"
                | "RecoverWorkspace"
                | "PurgeWorkspace"
                | "PurgeExpiredWorkspace"
                | "EnablePurgeProtection"
                | "DisablePurgeProtection"
        )
    }

    /// Whether a workspace's list of nodes (DataStudio) shows its effect.
    pub fn changes_nodes(&self) -> bool {
        matches!(
            self.action.as_str(),
            "CopyNodesFromRecycleBin" | "PublishNode" | "RecoverWorkspace"
        )
    }

    /// Whether the Operation Center's tasks show its effect (a deletion deletes Frozen tasks and
    /// leaves Running ones orphaned).
    pub fn changes_tasks(&self) -> bool {
        matches!(
            self.action.as_str(),
            "DeleteWorkspace"
                | "RecoverWorkspace"
                | "PublishNode"
                | "FreezeTask"
                | "UnfreezeTask"
                | "DeleteTask"
                | "RemoveUpstream"
        )
    }

    /// Whether it changed the workspace itself (rather than one of its tasks): what the
    /// Workspaces list or the Recycle Bin shows.
    pub fn changes_workspace(&self) -> bool {
        self.changes_workspace_list() || self.changes_recycle_bin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(action: &str, user: &str) -> LiveChange {
        LiveChange {
            id: 1,
            action: action.into(),
            workspace: "sales_dw".into(),
            user: user.into(),
        }
    }

    #[test]
    fn announcements_say_what_happened_and_who_did_it() {
        assert_eq!(
            change("DeleteWorkspace", "alice@acme").announcement(Lang::En),
            "sales_dw was deleted by alice@acme"
        );
        assert_eq!(
            change("RecoverWorkspace", "acme").announcement(Lang::En),
            "sales_dw was recovered by acme"
        );
        assert_eq!(
            change("PurgeExpiredWorkspace", "system").announcement(Lang::En),
            "sales_dw was permanently deleted by the console (its 14 days were over)"
        );
        assert_eq!(
            change("DisablePurgeProtection", "acme").announcement(Lang::En),
            "Purge protection was turned off by acme"
        );
        assert_eq!(
            change("FreezeTask", "bob@acme").announcement(Lang::En),
            "A task of sales_dw was frozen by bob@acme"
        );
    }

    #[test]
    fn every_announcement_is_worded_in_both_languages() {
        for action in LIVE_ACTIONS.iter().copied().chain(["SomethingElse"]) {
            for user in ["alice@acme", crate::domain::audit::SYSTEM_USER] {
                for lang in Lang::ALL {
                    let said = change(action, user).announcement(lang);
                    assert!(
                        said.contains("sales_dw") || action.contains("PurgeProtection"),
                        "{action}: {said}"
                    );
                    assert!(!said.contains('{'), "{action}: {said}");
                }
            }
        }
    }

    #[test]
    fn a_change_is_about_its_workspace_in_any_letter_case() {
        let c = change("DeleteWorkspace", "alice@acme");
        assert!(c.is_about("Sales_DW"));
        assert!(!c.is_about("sales_dw2"));
        assert!(c.changes_workspace());
        assert!(!change("FreezeTask", "x").changes_workspace());
    }

    #[test]
    fn each_page_re_reads_for_the_changes_it_shows() {
        let c = |a: &str| change(a, "alice@acme");
        assert!(c("CreateWorkspace").changes_workspace_list());
        assert!(!c("CreateWorkspace").changes_recycle_bin());
        assert!(!c("PurgeWorkspace").changes_workspace_list());
        assert!(c("PurgeExpiredWorkspace").changes_recycle_bin());
        assert!(c("DeleteWorkspace").changes_tasks());
        // A recover lets tasks waiting for one of its nodes run again.
        assert!(c("RecoverWorkspace").changes_tasks());
        assert!(c("RemoveUpstream").changes_tasks());
        assert!(c("FreezeTask").changes_tasks() && !c("FreezeTask").changes_workspace_list());
        // Nodes copied out of a Recycle Bin entry appear in the target's DataStudio (SPEC §23).
        assert!(c("CopyNodesFromRecycleBin").changes_nodes());
        assert!(!c("CopyNodesFromRecycleBin").changes_recycle_bin());
        // Every live action matters to at least one page.
        for a in LIVE_ACTIONS {
            let x = c(a);
            assert!(
                x.changes_workspace_list()
                    || x.changes_recycle_bin()
                    || x.changes_tasks()
                    || x.changes_nodes(),
                "{a}"
            );
        }
    }

    #[test]
    fn the_access_actions_are_never_sent() {
        for a in ACCESS_ACTIONS {
            assert!(!LIVE_ACTIONS.contains(&a));
        }
    }
}
