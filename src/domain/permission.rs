use crate::error::AppError;
use crate::i18n::{Msg, k};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Policy {
    FullAccess,
    ReadOnly,
}

impl Policy {
    pub const ALL: [Policy; 2] = [Policy::FullAccess, Policy::ReadOnly];

    pub fn as_str(self) -> &'static str {
        match self {
            Policy::FullAccess => "AliyunDataWorksFullAccess",
            Policy::ReadOnly => "AliyunDataWorksReadOnlyAccess",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// What a server function needs from its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// View Workspaces, Recycle Bin, DataStudio, Operation Center.
    View,
    /// Create, delete, recover, purge; edit, commit, publish; freeze, unfreeze, delete tasks; add assets.
    Modify,
    /// Manage the account's RAM users and their policies.
    ManageUsers,
    /// Change the account's own settings, such as purge protection: the root only.
    ManageAccount,
}

/// Who is calling, as loaded from the database for every request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub user_id: i64,
    pub account_id: i64,
    pub account_name: String,
    pub user_name: String,
    pub is_root: bool,
    pub policies: Vec<Policy>,
}

impl Principal {
    /// The sign-in name: the account name for the root, `user@account` for a RAM user.
    pub fn sign_in_name(&self) -> String {
        if self.is_root {
            self.account_name.clone()
        } else {
            format!("{}@{}", self.user_name, self.account_name)
        }
    }

    pub fn can(&self, capability: Capability) -> bool {
        let full = self.is_root || self.policies.contains(&Policy::FullAccess);
        match capability {
            Capability::View => full || self.policies.contains(&Policy::ReadOnly),
            Capability::Modify => full,
            Capability::ManageUsers | Capability::ManageAccount => self.is_root,
        }
    }

    pub fn require(&self, capability: Capability) -> Result<(), AppError> {
        if self.can(capability) {
            return Ok(());
        }
        Err(AppError::Forbidden(Msg::new(match capability {
            Capability::View => k::error_no_view_permission,
            Capability::Modify => k::error_full_access_required,
            Capability::ManageUsers => k::error_root_only_users,
            Capability::ManageAccount => k::error_root_only_setting,
        })))
    }

    pub fn viewer(&self) -> Viewer {
        Viewer {
            sign_in_name: self.sign_in_name(),
            account_name: self.account_name.clone(),
            is_root: self.is_root,
            can_view: self.can(Capability::View),
            can_modify: self.can(Capability::Modify),
            can_manage_users: self.can(Capability::ManageUsers),
        }
    }
}

/// What the browser knows about the signed-in principal, to mirror the permission matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub struct Viewer {
    pub sign_in_name: String,
    pub account_name: String,
    pub is_root: bool,
    pub can_view: bool,
    pub can_modify: bool,
    pub can_manage_users: bool,
}

pub const FULL_ACCESS_REQUIRED: &str = "Requires AliyunDataWorksFullAccess";

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(is_root: bool, policies: &[Policy]) -> Principal {
        Principal {
            user_id: 1,
            account_id: 1,
            account_name: "acme".into(),
            user_name: if is_root { "acme".into() } else { "u".into() },
            is_root,
            policies: policies.to_vec(),
        }
    }

    #[test]
    fn the_permission_matrix_holds() {
        use Capability::*;
        let cases = [
            (principal(true, &[]), [true, true, true]),
            (principal(false, &[Policy::FullAccess]), [true, true, false]),
            (principal(false, &[Policy::ReadOnly]), [true, false, false]),
            (principal(false, &[]), [false, false, false]),
            (
                principal(false, &[Policy::ReadOnly, Policy::FullAccess]),
                [true, true, false],
            ),
        ];
        for (p, expected) in cases {
            let got = [p.can(View), p.can(Modify), p.can(ManageUsers)];
            assert_eq!(got, expected, "{p:?}");
            assert_eq!(p.require(Modify).is_ok(), expected[1]);
        }
    }

    #[test]
    fn sign_in_names_are_account_or_user_at_account() {
        assert_eq!(principal(true, &[]).sign_in_name(), "acme");
        assert_eq!(principal(false, &[]).sign_in_name(), "u@acme");
    }
}
