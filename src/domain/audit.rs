//! What the Audit Log records (SPEC §10): the actions, where a change came from, and its result.
use serde::{Deserialize, Serialize};

macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name stored in the database and shown in the Audit Log.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text)
            }
        }
    };
}

named_enum!(
    /// Every kind of state change the console records, and the failed sign-in.
    Action {
        SignIn => "SignIn",
        SignInFailed => "SignInFailed",
        CreateAccount => "CreateAccount",
        CreateWorkspace => "CreateWorkspace",
        DeleteWorkspace => "DeleteWorkspace",
        RecoverWorkspace => "RecoverWorkspace",
        PurgeWorkspace => "PurgeWorkspace",
        PurgeExpiredWorkspace => "PurgeExpiredWorkspace",
        AddAsset => "AddAsset",
        SaveNode => "SaveNode",
        CommitNode => "CommitNode",
        PublishNode => "PublishNode",
        FreezeTask => "FreezeTask",
        UnfreezeTask => "UnfreezeTask",
        DeleteTask => "DeleteTask",
        CreateRamUser => "CreateRamUser",
        DeleteRamUser => "DeleteRamUser",
        SetRamUserPassword => "SetRamUserPassword",
        AttachPolicy => "AttachPolicy",
        DetachPolicy => "DetachPolicy",
        SetWebhook => "SetWebhook",
        CreateAccessKey => "CreateAccessKey",
        DisableAccessKey => "DisableAccessKey",
        EnableAccessKey => "EnableAccessKey",
        DeleteAccessKey => "DeleteAccessKey",
        ExportWorkspace => "ExportWorkspace",
        EnableDeletionProtection => "EnableDeletionProtection",
        DisableDeletionProtection => "DisableDeletionProtection",
        EnablePurgeProtection => "EnablePurgeProtection",
        DisablePurgeProtection => "DisablePurgeProtection",
        AddUpstream => "AddUpstream",
        RemoveUpstream => "RemoveUpstream",
        CopyNodesFromRecycleBin => "CopyNodesFromRecycleBin",
    }
);

named_enum!(
    /// Which door a change came through: the console's pages, the API, or the console itself
    /// (the purge job).
    Source {
        Console => "Console",
        Api => "API",
        System => "System",
    }
);

named_enum!(
    /// `Denied`: the caller lacked the permission. `Failed`: any other refusal (a wrong name, an
    /// entry already recovered, …), with its message.
    Outcome {
        Success => "Success",
        Denied => "Denied",
        Failed => "Failed",
    }
);

impl Action {
    /// The action of turning a workspace's deletion protection on (`true`) or off.
    pub fn deletion_protection(enabled: bool) -> Action {
        if enabled {
            Action::EnableDeletionProtection
        } else {
            Action::DisableDeletionProtection
        }
    }

    /// The action of turning the account's purge protection on (`true`) or off.
    pub fn purge_protection(enabled: bool) -> Action {
        if enabled {
            Action::EnablePurgeProtection
        } else {
            Action::DisablePurgeProtection
        }
    }
}

/// The user name recorded for changes the console makes by itself.
pub const SYSTEM_USER: &str = "system";

/// Events are kept this long; the purge job's pass deletes older ones.
pub const RETENTION_SECS: i64 = 180 * 86_400;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back_and_the_spec_actions_exist() {
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Some(*action));
        }
        for required in [
            "SignIn",
            "SignInFailed",
            "CreateWorkspace",
            "DeleteWorkspace",
            "RecoverWorkspace",
            "PurgeWorkspace",
            "PurgeExpiredWorkspace",
            "FreezeTask",
            "UnfreezeTask",
            "DeleteTask",
            "CommitNode",
            "PublishNode",
            "CreateRamUser",
            "DeleteRamUser",
            "AttachPolicy",
            "DetachPolicy",
            "CreateAccessKey",
            "DeleteAccessKey",
        ] {
            assert!(Action::parse(required).is_some(), "{required}");
        }
        assert_eq!(Source::Api.as_str(), "API");
        assert_eq!(Outcome::parse("Denied"), Some(Outcome::Denied));
        assert_eq!(Action::parse("deleteworkspace"), None);
    }
}
