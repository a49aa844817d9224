//! Cross-workspace dependencies (SPEC §16): the rules of the account's node graph, pure. An edge
//! `(node, upstream)` says that `node` runs after `upstream`; edges of workspaces in the Recycle
//! Bin count too (they come back with a recover).
use crate::error::AppError;
use crate::i18n::{Key, Msg, k};
use std::collections::{HashMap, HashSet};

/// How many downstream dependencies the "Delete Workspace" dialog and the API list; the rest are
/// counted.
pub const DOWNSTREAM_SHOWN: i64 = 100;

/// How many downstream nodes the root's notice names after a purge; the rest are counted.
pub const LOST_NAMED: usize = 20;

/// The status a task shows while its node waits for an upstream (SPEC §16).
pub const WAITING_FOR_UPSTREAM: &str = "Waiting for upstream";

/// The text of a task's status as the console shows it (`Running`, `Frozen`, "Waiting for
/// upstream"); none for another value, shown as it is.
pub fn task_status_key(status: &str) -> Option<Key> {
    match status {
        "Running" => Some(k::deps_task_running),
        "Frozen" => Some(k::deps_task_frozen),
        WAITING_FOR_UPSTREAM => Some(k::deps_task_waiting),
        _ => None,
    }
}

/// Where a dependency's upstream node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpstreamState {
    /// In an active workspace: the dependency is whole.
    Active,
    /// Its workspace is in the Recycle Bin: the downstream task waits until it is recovered.
    InRecycleBin,
    /// It was purged: the downstream task waits until the dependency is removed.
    Purged,
}

impl UpstreamState {
    pub fn of(lost: bool, upstream_binned: bool) -> UpstreamState {
        match (lost, upstream_binned) {
            (true, _) => UpstreamState::Purged,
            (false, true) => UpstreamState::InRecycleBin,
            (false, false) => UpstreamState::Active,
        }
    }

    /// What DataStudio shows beside the dependency; nothing when it is whole.
    pub fn label(self) -> &'static str {
        match self {
            UpstreamState::Active => "",
            UpstreamState::InRecycleBin => "Upstream in Recycle Bin",
            UpstreamState::Purged => "Upstream purged",
        }
    }

    /// The text of a state's label, as DataStudio shows it (`Upstream::state` holds its English).
    pub fn label_key(label: &str) -> Option<Key> {
        match label {
            "Upstream in Recycle Bin" => Some(k::deps_upstream_in_bin),
            "Upstream purged" => Some(k::deps_upstream_purged),
            _ => None,
        }
    }

    /// Whether a task of the downstream node waits (does not run, accrues no cost).
    pub fn holds_back(self) -> bool {
        self != UpstreamState::Active
    }
}

/// Whether `node` may depend on `upstream`, given the account's `edges` (node, upstream) and
/// whether that dependency exists already. Refuses the node itself, a duplicate and a cycle: a
/// dependency closes one when `node` is already upstream of `upstream`, however far.
pub fn check_new(
    edges: &[(i64, i64)],
    node: i64,
    upstream: i64,
    upstream_name: &str,
) -> Result<(), AppError> {
    if node == upstream {
        return Err(AppError::Invalid(Msg::new(k::error_own_upstream)));
    }
    if edges.contains(&(node, upstream)) {
        return Err(AppError::Conflict(
            Msg::new(k::error_already_upstream).with("upstream", upstream_name),
        ));
    }
    if reaches(edges, upstream, node) {
        return Err(AppError::Invalid(
            Msg::new(k::error_cycle).with("upstream", upstream_name),
        ));
    }
    Ok(())
}

/// Whether `to` is upstream of `from`, following the edges from downstream to upstream.
fn reaches(edges: &[(i64, i64)], from: i64, to: i64) -> bool {
    let mut upstreams: HashMap<i64, Vec<i64>> = HashMap::new();
    for &(node, upstream) in edges {
        upstreams.entry(node).or_default().push(upstream);
    }
    let mut seen = HashSet::from([from]);
    let mut next = vec![from];
    while let Some(at) = next.pop() {
        for &up in upstreams.get(&at).map_or(&[][..], Vec::as_slice) {
            if up == to {
                return true;
            }
            if seen.insert(up) {
                next.push(up);
            }
        }
    }
    false
}

/// The names in the root's notice: the first `LOST_NAMED`, then "and N more".
pub fn name_some(names: &[String]) -> String {
    let shown = names.iter().take(LOST_NAMED).cloned().collect::<Vec<_>>();
    let mut text = shown.join(", ");
    if names.len() > LOST_NAMED {
        text.push_str(&format!(" and {} more", names.len() - LOST_NAMED));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_is_not_its_own_upstream() {
        assert!(matches!(
            check_new(&[], 1, 1, "w.n"),
            Err(AppError::Invalid(_))
        ));
    }

    #[test]
    fn a_dependency_is_added_once() {
        assert!(matches!(
            check_new(&[(1, 2)], 1, 2, "w.b"),
            Err(AppError::Conflict(m)) if m == "w.b is already an upstream of this node."
        ));
    }

    #[test]
    fn a_dependency_that_closes_a_cycle_is_refused_however_long_the_cycle() {
        // 1 runs after 2, 2 after 3, 3 after 4.
        let chain = [(1, 2), (2, 3), (3, 4)];
        assert!(
            matches!(check_new(&chain, 2, 1, "w.a"), Err(AppError::Invalid(m)) if m.contains("cycle"))
        );
        assert!(
            matches!(check_new(&chain, 4, 1, "w.a"), Err(AppError::Invalid(m)) if m.contains("cycle"))
        );
        // Not a cycle: a second path to the same upstream, or a new branch.
        assert_eq!(check_new(&chain, 1, 4, "w.d"), Ok(()));
        assert_eq!(check_new(&chain, 5, 1, "w.a"), Ok(()));
        assert_eq!(check_new(&chain, 1, 5, "w.e"), Ok(()));
    }

    #[test]
    fn a_graph_with_a_diamond_and_a_loop_elsewhere_is_walked_once() {
        let edges = [(1, 2), (1, 3), (2, 4), (3, 4), (7, 8), (8, 7)];
        assert!(check_new(&edges, 4, 1, "w.a").is_err());
        assert_eq!(check_new(&edges, 4, 9, "w.i"), Ok(()));
    }

    #[test]
    fn a_binned_or_purged_upstream_holds_the_task_back() {
        assert_eq!(UpstreamState::of(false, false), UpstreamState::Active);
        assert!(!UpstreamState::Active.holds_back());
        assert_eq!(
            UpstreamState::of(false, true).label(),
            "Upstream in Recycle Bin"
        );
        assert!(UpstreamState::of(false, true).holds_back());
        assert_eq!(UpstreamState::of(true, true), UpstreamState::Purged);
        assert!(UpstreamState::Purged.holds_back());
    }

    #[test]
    fn the_notice_names_twenty_then_counts_the_rest() {
        let names: Vec<String> = (1..=23).map(|i| format!("w.n{i}")).collect();
        let text = name_some(&names);
        assert!(text.starts_with("w.n1, w.n2, "));
        assert!(text.ends_with("w.n20 and 3 more"), "{text}");
        assert_eq!(name_some(&names[..2]), "w.n1, w.n2");
    }
}
