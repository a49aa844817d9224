//! Who may call each server function, and what malformed calls to it get. One catalogue of every
//! server function (`server_functions!`: what it needs, whether it touches only the caller's own
//! account, its arguments) feeds both the permission matrix and the sweep of malformed bodies.
use crate::helpers::*;
use reqwest::StatusCode;
use workspace_console::store::Pool;

// ---- The catalogue ----------------------------------------------------------------------------

/// What a server function needs of its caller.
#[derive(Clone, Copy, PartialEq)]
enum Needs {
    /// Nothing: anyone, signed in or not, may call it.
    Public,
    /// A signed-in user, whatever their policy (their own notifications).
    SignedIn,
    View,
    Modify,
    ManageUsers,
    /// The account's own settings (purge protection): the root only, like ManageUsers.
    ManageAccount,
}

/// One argument of a server function: its name, the value of a valid call (the one the sweep of
/// malformed bodies starts from), and whether it may be left out (`Option`).
struct Arg {
    name: &'static str,
    sample: &'static str,
    optional: bool,
}

/// An argument every call must carry, with the value of a valid call.
fn arg(name: &'static str, sample: &'static str) -> Arg {
    Arg {
        name,
        sample,
        optional: false,
    }
}

/// An argument that may be left out (`Option`), with the value of a valid call.
fn optional(name: &'static str, sample: &'static str) -> Arg {
    Arg {
        name,
        sample,
        optional: true,
    }
}

/// One server function of the catalogue.
struct ServerFunction {
    endpoint: &'static str,
    needs: Needs,
    /// It touches only the caller's own account (another account's root gets 200, not 404).
    own_account_only: bool,
    args: Vec<Arg>,
}

impl ServerFunction {
    /// The arguments of a call: `values` in the order of `args`, leaving out trailing optional ones.
    fn call_args(&self, values: Vec<String>) -> Vec<(&'static str, String)> {
        assert!(
            values.len() <= self.args.len() && self.args[values.len()..].iter().all(|a| a.optional),
            "{}: {} values for its arguments",
            self.endpoint,
            values.len()
        );
        self.args.iter().map(|a| a.name).zip(values).collect()
    }
}

/// The catalogue's entry of `endpoint`.
fn server_function(endpoint: &str) -> ServerFunction {
    catalogue()
        .into_iter()
        .find(|function| function.endpoint == endpoint)
        .unwrap_or_else(|| panic!("{endpoint} is not in the catalogue"))
}

/// The permission-matrix tests of one server function (see `server_functions!`).
macro_rules! matrix_tests {
    ($endpoint:literal; $($test:ident $(($case_own:expr))? = |$ids:ident, $who:ident| $values:expr;)*) => {$(
        on_both_engines!($test);
        // A case's values need not depend on the caller or on the demo's ids.
        #[allow(unused_variables)]
        async fn $test(pool: Pool) {
            let app = spawn_app(pool, false).await;
            let loaded = Ids::load(&app).await;
            let function = server_function($endpoint);
            let case_own: Option<bool> = None $(.or(Some($case_own)))?;
            let own_account_only = case_own.unwrap_or(function.own_account_only);
            check_matrix(&app, function.endpoint, function.needs, own_account_only, |$who| {
                let $ids = &loaded;
                function.call_args($values)
            })
            .await;
        }
    )*};
}

/// The catalogue of server functions. Each entry:
///
/// ```text
/// "endpoint" {
///     needs: View,                  // Public, SignedIn, View, Modify, ManageUsers or ManageAccount
///     own_account_only: true,       // whether it touches only the caller's own account
///     args: [arg("name", "value of a valid call"), optional("name", "value"), ...],
///     matrix: [test_name = |ids, who| vec![value, ...], ...],
/// }
/// ```
///
/// makes the entry of `catalogue()` (in this order: the sweep's) and, for each `matrix` case, the
/// permission-matrix test `test_name` (`test_name::sqlite`, `test_name::postgres`), which calls the
/// function as every caller `who` with that caller's values, in the order of `args` (trailing
/// optional ones may be left out), `ids` being the demo's [`Ids`]. A case written
/// `test_name (own_account_only: true) = ...` overrides the entry's `own_account_only`.
macro_rules! server_functions {
    ($(
        $endpoint:literal {
            needs: $needs:ident,
            own_account_only: $own:expr,
            args: [$($arg:expr),* $(,)?],
            matrix: [$(
                $test:ident $((own_account_only: $case_own:expr))? = |$ids:ident, $who:ident| $values:expr
            ),* $(,)?] $(,)?
        }
    )*) => {
        /// Every server function, in the order the sweep calls them.
        fn catalogue() -> Vec<ServerFunction> {
            vec![$(ServerFunction {
                endpoint: $endpoint,
                needs: Needs::$needs,
                own_account_only: $own,
                args: vec![$($arg),*],
            }),*]
        }
        $(matrix_tests!($endpoint; $($test $(($case_own))? = |$ids, $who| $values;)*);)*
    };
}

server_functions! {
    "current_viewer" {
        needs: Public,
        own_account_only: true,
        args: [],
        matrix: [],
    }
    "sign_in" {
        needs: Public,
        own_account_only: true,
        args: [arg("username", "acme"), arg("password", "x")],
        matrix: [],
    }
    "sign_up" {
        needs: Public,
        own_account_only: true,
        args: [arg("account_name", "newco"), arg("password", "newco-pass-1")],
        matrix: [],
    }
    "list_ram_users" {
        needs: ManageUsers,
        own_account_only: true,
        args: [],
        matrix: [list_ram_users_is_for_the_root_only = |ids, who| vec![]],
    }
    "create_ram_user" {
        needs: ManageUsers,
        own_account_only: true,
        args: [
            arg("name", "dave"),
            arg("password", "dave-demo-12"),
            optional("policy", ""),
        ],
        matrix: [
            create_ram_user_is_for_the_root_only = |ids, who| vec![
                format!("dave_{}", who.tag()),
                s("dave-password-1"),
                s("AliyunDataWorksReadOnlyAccess"),
            ],
        ],
    }
    "set_ram_user_password" {
        needs: ManageUsers,
        own_account_only: false,
        args: [arg("user_id", "3"), arg("password", "bob-new-pass-1")],
        matrix: [
            set_ram_user_password_is_for_the_root_only = |ids, who| vec![
                ids.bob.clone(),
                s("new-bob-password"),
            ],
        ],
    }
    "set_ram_user_policy" {
        needs: ManageUsers,
        own_account_only: false,
        args: [
            arg("user_id", "3"),
            arg("policy", "AliyunDataWorksFullAccess"),
            arg("attached", "true"),
        ],
        matrix: [
            set_ram_user_policy_is_for_the_root_only = |ids, who| vec![
                ids.carol.clone(),
                s("AliyunDataWorksReadOnlyAccess"),
                s(true),
            ],
        ],
    }
    "delete_ram_user" {
        needs: ManageUsers,
        own_account_only: false,
        args: [arg("user_id", "4")],
        matrix: [delete_ram_user_is_for_the_root_only = |ids, who| vec![ids.carol.clone()]],
    }
    "list_workspaces" {
        needs: View,
        own_account_only: true,
        args: [arg("query", ""), arg("page", "1")],
        matrix: [list_workspaces_needs_a_dataworks_policy = |ids, who| vec![s(""), s(1)]],
    }
    "create_workspace" {
        needs: Modify,
        own_account_only: true,
        args: [
            arg("name", "fresh_ws"),
            arg("display_name", ""),
            arg("description", ""),
            arg("data_modeling", "false"),
            optional("deletion_protection", "false"),
        ],
        matrix: [
            create_workspace_needs_full_access = |ids, who| vec![
                format!("new_{}", who.tag()),
                s(""),
                s(""),
                s(false),
            ],
        ],
    }
    "set_deletion_protection" {
        needs: Modify,
        own_account_only: false,
        args: [arg("workspace", "sales_dw"), arg("enabled", "true")],
        matrix: [
            set_deletion_protection_needs_full_access = |ids, who| vec![s("finance_etl"), s(false)],
        ],
    }
    "set_purge_protection" {
        needs: ManageAccount,
        own_account_only: true,
        args: [arg("enabled", "false")],
        matrix: [set_purge_protection_is_for_the_root_only = |ids, who| vec![s(false)]],
    }
    "get_workspace_overview" {
        needs: View,
        own_account_only: false,
        args: [arg("workspace", "sales_dw")],
        matrix: [
            workspace_overview_needs_view_and_hides_other_accounts = |ids, who| vec![s("finance_etl")],
        ],
    }
    "list_assets" {
        needs: View,
        own_account_only: false,
        args: [arg("workspace", "sales_dw"), arg("kind", "node")],
        matrix: [list_assets_needs_view = |ids, who| vec![s("finance_etl"), s("node")]],
    }
    "add_asset" {
        needs: Modify,
        own_account_only: false,
        args: [
            arg("workspace", "sales_dw"),
            arg("kind", "resource"),
            arg("product", "PAI"),
            arg("name", "x.py"),
            arg("subtype", "Python"),
            arg("detail", ""),
        ],
        matrix: [
            add_asset_needs_full_access = |ids, who| vec![
                s("finance_etl"),
                s("data_source"),
                s("PAI"),
                format!("src_{}", who.tag()),
                s("OSS"),
                s("oss://x/"),
            ],
        ],
    }
    "list_nodes" {
        needs: View,
        own_account_only: false,
        args: [arg("workspace", "sales_dw")],
        matrix: [list_nodes_needs_view = |ids, who| vec![s("finance_etl")]],
    }
    "list_workspace_names" {
        needs: View,
        own_account_only: true,
        args: [],
        matrix: [list_workspace_names_needs_view = |ids, who| vec![]],
    }
    "list_workspace_nodes" {
        needs: View,
        own_account_only: false,
        args: [arg("workspace", "sales_dw")],
        matrix: [list_workspace_nodes_needs_view = |ids, who| vec![s("finance_etl")]],
    }
    "add_upstream" {
        needs: Modify,
        own_account_only: false,
        args: [arg("node_id", "1"), arg("upstream_node_id", "2")],
        matrix: [
            add_upstream_needs_full_access = |ids, who| by_root(
                who,
                vec![ids.tmp_check.clone(), ids.reconcile.clone()],
                vec![ids.export_audience.clone(), ids.pai_forecast.clone()],
            ),
        ],
    }
    "remove_upstream" {
        needs: Modify,
        own_account_only: false,
        args: [arg("node_id", "1"), arg("upstream_node_id", "2")],
        matrix: [
            remove_upstream_needs_full_access = |ids, who| by_root(
                who,
                vec![ids.reconcile.clone(), ids.ads_report.clone()],
                vec![ids.daily_ledger.clone(), ids.dwd_sales.clone()],
            ),
        ],
    }
    "get_node" {
        needs: View,
        own_account_only: false,
        args: [arg("workspace", "sales_dw"), arg("node_id", "1")],
        matrix: [get_node_needs_view = |ids, who| vec![s("finance_etl"), ids.reconcile.clone()]],
    }
    "save_node" {
        needs: Modify,
        own_account_only: false,
        args: [arg("workspace", "sales_dw"), arg("node_id", "1"), arg("code", "x")],
        matrix: [
            save_node_needs_full_access = |ids, who| vec![
                s("sales_dw"),
                ids.tmp_check.clone(),
                format!("echo {}", who.tag()),
            ],
        ],
    }
    "commit_node" {
        needs: Modify,
        own_account_only: false,
        args: [arg("workspace", "sales_dw"), arg("node_id", "1")],
        matrix: [
            commit_node_needs_full_access = |ids, who| by_root(
                who,
                vec![s("marketing_ml"), ids.export_audience.clone()],
                vec![s("sales_dw"), ids.tmp_check.clone()],
            ),
        ],
    }
    "publish_node" {
        needs: Modify,
        own_account_only: false,
        args: [arg("workspace", "sales_dw"), arg("node_id", "1")],
        matrix: [
            publish_node_needs_full_access = |ids, who| by_root(
                who,
                vec![s("finance_etl"), ids.reconcile.clone()],
                vec![s("sales_dw"), ids.pai_forecast.clone()],
            ),
        ],
    }
    "list_tasks" {
        needs: View,
        own_account_only: false,
        args: [optional("workspace", "sales_dw")],
        matrix: [
            list_tasks_of_a_workspace_needs_view = |ids, who| vec![s("finance_etl")],
            // Without a workspace: the caller's own account's tasks.
            list_tasks_of_the_account_needs_view (own_account_only: true) = |ids, who| vec![],
        ],
    }
    "freeze_task" {
        needs: Modify,
        own_account_only: false,
        args: [arg("task_id", "1")],
        matrix: [
            freeze_task_needs_full_access = |ids, who| vec![
                by_root(who, ids.dwd_task.clone(), ids.ods_task.clone()),
            ],
        ],
    }
    "unfreeze_task" {
        needs: Modify,
        own_account_only: false,
        args: [arg("task_id", "1")],
        matrix: [
            unfreeze_task_needs_full_access = |ids, who| vec![
                by_root(who, ids.ledger_task.clone(), ids.ads_task.clone()),
            ],
        ],
    }
    "delete_task" {
        needs: Modify,
        own_account_only: false,
        args: [arg("task_id", "1")],
        matrix: [
            delete_task_needs_full_access = |ids, who| vec![
                by_root(who, ids.dwd_task.clone(), ids.ods_task.clone()),
            ],
        ],
    }
    "get_deletion_preview" {
        needs: Modify,
        own_account_only: false,
        args: [arg("workspace", "sales_dw")],
        matrix: [deletion_preview_needs_full_access = |ids, who| vec![s("finance_etl")]],
    }
    "delete_workspace" {
        needs: Modify,
        own_account_only: false,
        args: [
            arg("workspace", "sales_dw"),
            arg("typed_name", "sales_dw"),
            arg("freeze_tasks", "true"),
        ],
        matrix: [
            delete_workspace_needs_full_access = |ids, who| {
                let ws = by_root(who, "finance_etl", "marketing_ml");
                vec![s(ws), s(ws), s(true)]
            },
        ],
    }
    "list_recycle_bin" {
        needs: View,
        own_account_only: true,
        args: [
            arg("query", ""),
            arg("deleted_by", ""),
            arg("sort", ""),
            arg("page", "1"),
        ],
        matrix: [
            list_recycle_bin_needs_view = |ids, who| vec![s("sand"), s("alice@acme"), s("name"), s(1)],
        ],
    }
    "bin_entries_present" {
        needs: View,
        own_account_only: true,
        args: [arg("targets[0][id]", "1"), arg("targets[0][deleted_at]", "1")],
        matrix: [
            bin_entries_present_needs_view = |ids, who| vec![ids.legacy.clone(), ids.legacy_at.clone()],
        ],
    }
    // Another account's ids are answered entry by entry as missing ones: 200 for its root.
    "recover_entries" {
        needs: Modify,
        own_account_only: true,
        args: [arg("targets[0][id]", "1"), arg("targets[0][deleted_at]", "1")],
        matrix: [
            recover_entries_needs_full_access = |ids, who| by_root(
                who,
                vec![ids.other_entry.clone(), ids.other_at.clone()],
                vec![ids.legacy.clone(), ids.legacy_at.clone()],
            ),
        ],
    }
    "purge_entries" {
        needs: Modify,
        own_account_only: true,
        args: [
            arg("targets[0][id]", "1"),
            arg("targets[0][deleted_at]", "1"),
            arg("confirm_count", "1"),
        ],
        matrix: [
            purge_entries_needs_full_access = |ids, who| by_root(
                who,
                vec![ids.other_entry.clone(), ids.other_at.clone(), s(1)],
                vec![ids.legacy.clone(), ids.legacy_at.clone(), s(1)],
            ),
        ],
    }
    "get_bin_entry" {
        needs: View,
        own_account_only: false,
        args: [arg("entry_id", "1")],
        matrix: [get_bin_entry_needs_view = |ids, who| vec![ids.legacy.clone()]],
    }
    "list_bin_assets" {
        needs: View,
        own_account_only: false,
        args: [arg("entry_id", "1"), arg("kind", "node"), arg("page", "1")],
        matrix: [list_bin_assets_needs_view = |ids, who| vec![ids.legacy.clone(), s("node"), s(2)]],
    }
    "get_bin_node" {
        needs: View,
        own_account_only: false,
        args: [arg("entry_id", "1"), arg("node_id", "1")],
        matrix: [get_bin_node_needs_view = |ids, who| vec![ids.legacy.clone(), ids.monthly_summary.clone()]],
    }
    "recover_workspace" {
        needs: Modify,
        own_account_only: false,
        args: [arg("entry_id", "1"), arg("deleted_at", "1")],
        matrix: [
            recover_workspace_needs_full_access = |ids, who| by_root(
                who,
                vec![ids.other_entry.clone(), ids.other_at.clone()],
                vec![ids.legacy.clone(), ids.legacy_at.clone()],
            ),
        ],
    }
    "undo_delete" {
        needs: Modify,
        own_account_only: false,
        args: [arg("entry_id", "1"), arg("deleted_at", "1")],
        matrix: [
            undo_delete_needs_full_access = |ids, who| by_root(
                who,
                vec![ids.other_entry.clone(), ids.other_at.clone()],
                vec![ids.fresh.clone(), ids.fresh_at.clone()],
            ),
        ],
    }
    "purge_workspace" {
        needs: Modify,
        own_account_only: false,
        args: [arg("entry_id", "1"), arg("deleted_at", "1"), arg("typed_name", "x")],
        matrix: [
            purge_workspace_needs_full_access = |ids, who| by_root(
                who,
                vec![ids.other_entry.clone(), ids.other_at.clone(), s("supply_chain")],
                vec![ids.legacy.clone(), ids.legacy_at.clone(), s("legacy_reports")],
            ),
        ],
    }
    "copy_bin_nodes" {
        needs: Modify,
        own_account_only: false,
        args: [
            arg("entry_id", "1"),
            arg("target_workspace", "finance_etl"),
            arg("node_ids[0]", "1"),
        ],
        matrix: [
            // globex names its own target; alice and the root each copy a node of acme's entry.
            copy_bin_nodes_needs_full_access = |ids, who| vec![
                ids.tmp_join_test.clone(),
                s(if who == Who::Globex { "sales_dw" } else { "finance_etl" }),
                by_root(who, ids.check_join_counts.clone(), ids.join_orders_customers.clone()),
            ],
        ],
    }
    "sign_out" {
        needs: Public,
        own_account_only: true,
        args: [],
        matrix: [],
    }
    "list_audit_events" {
        needs: View,
        own_account_only: true,
        args: [arg("cursor", "Newest")],
        matrix: [list_audit_events_needs_view = |ids, who| vec![s("Newest")]],
    }
    "list_notifications" {
        needs: SignedIn,
        own_account_only: true,
        args: [],
        matrix: [],
    }
    "live_session" {
        needs: SignedIn,
        own_account_only: true,
        args: [],
        matrix: [],
    }
    "count_unread_notifications" {
        needs: SignedIn,
        own_account_only: true,
        args: [],
        matrix: [],
    }
    "mark_notifications_read" {
        needs: SignedIn,
        own_account_only: true,
        args: [],
        matrix: [],
    }
    "get_webhook" {
        needs: ManageUsers,
        own_account_only: true,
        args: [],
        matrix: [get_webhook_is_for_the_root = |ids, who| vec![]],
    }
    "set_webhook" {
        needs: ManageUsers,
        own_account_only: true,
        args: [arg("url", "http://127.0.0.1:9/hook")],
        matrix: [
            // A public address (example.com's), never sent to: the test app runs no webhook worker.
            // (A documentation address such as 192.0.2.10 is refused: not globally routable.)
            set_webhook_is_for_the_root = |ids, who| vec![s("https://93.184.216.34/hook")],
        ],
    }
    "new_webhook_secret" {
        needs: ManageUsers,
        own_account_only: true,
        args: [],
        matrix: [
            new_webhook_secret_is_for_the_root = |ids, who| vec![],
        ],
    }
    "list_access_keys" {
        needs: ManageUsers,
        own_account_only: true,
        args: [],
        matrix: [list_access_keys_is_for_the_root = |ids, who| vec![]],
    }
    "create_access_key" {
        needs: ManageUsers,
        own_account_only: false,
        args: [optional("user_id", "1")],
        matrix: [
            create_access_key_is_for_the_root_and_its_own_users = |ids, who| vec![ids.bob.clone()],
        ],
    }
    "set_access_key_enabled" {
        needs: ManageUsers,
        own_account_only: false,
        args: [arg("id", "LTAInone"), arg("enabled", "true")],
        matrix: [],
    }
    "delete_access_key" {
        needs: ManageUsers,
        own_account_only: false,
        args: [arg("id", "LTAInone")],
        matrix: [],
    }
}

// ---- The permission matrix --------------------------------------------------------------------

const EVERYONE: [Who; 6] = [
    Who::SignedOut,
    Who::Carol,
    Who::Bob,
    Who::Globex,
    Who::Alice,
    Who::Root,
];

/// What each principal must get: anyone may call a public function; otherwise signed out 401; no
/// permission 403; another account's object 404 (or 200 when the call only touches the caller's
/// own account).
fn expected(needs: Needs, who: Who, own_account_only: bool) -> StatusCode {
    let allowed = match (needs, who) {
        (Needs::Public, _) => true,
        (_, Who::SignedOut) => return StatusCode::UNAUTHORIZED,
        (Needs::SignedIn, _) => true,
        (Needs::View, Who::Carol) => false,
        (Needs::View, _) => true,
        (Needs::Modify, Who::Carol | Who::Bob) => false,
        (Needs::Modify, _) => true,
        (Needs::ManageUsers | Needs::ManageAccount, Who::Root | Who::Globex) => true,
        (Needs::ManageUsers | Needs::ManageAccount, _) => false,
    };
    match (allowed, who) {
        (false, _) => StatusCode::FORBIDDEN,
        (true, Who::Globex) if !own_account_only => StatusCode::NOT_FOUND,
        (true, _) => StatusCode::OK,
    }
}

/// Calls `endpoint` as every principal, in order, with arguments chosen per principal, and checks
/// the status each gets; every refusal must leave the database exactly as it was.
async fn check_matrix<F>(
    app: &TestApp,
    endpoint: &str,
    needs: Needs,
    own_account_only: bool,
    args: F,
) where
    F: Fn(Who) -> Vec<(&'static str, String)>,
{
    for who in EVERYONE {
        let client = app.client(who.credentials()).await;
        let before = app.fingerprint().await;
        let (status, body) = app.call(&client, endpoint, &args(who)).await;
        let want = expected(needs, who, own_account_only);
        assert_eq!(status, want, "{endpoint} as {who:?}: {body}");
        if status != StatusCode::OK {
            assert_eq!(
                app.fingerprint().await,
                before,
                "{endpoint} as {who:?} was refused but changed something"
            );
            assert!(
                !body.is_empty(),
                "{endpoint} as {who:?}: a refusal carries a message"
            );
        }
    }
}

/// Ids of demo objects in account acme.
struct Ids {
    tmp_check: String,
    export_audience: String,
    pai_forecast: String,
    reconcile: String,
    daily_ledger: String,
    dwd_sales: String,
    ads_report: String,
    ods_task: String,
    dwd_task: String,
    ads_task: String,
    ledger_task: String,
    /// Deleted by alice at the clock's time.
    fresh: String,
    fresh_at: String,
    /// A node of legacy_reports, in the Recycle Bin.
    monthly_summary: String,
    legacy: String,
    legacy_at: String,
    other_entry: String,
    other_at: String,
    /// The demo's tmp_join_test entry (deleted 5 days ago) and two of its nodes.
    tmp_join_test: String,
    join_orders_customers: String,
    check_join_counts: String,
    bob: String,
    carol: String,
}

impl Ids {
    async fn load(app: &TestApp) -> Ids {
        let node = |ws: &str, n: &str| {
            format!(
                "SELECT a.id FROM assets a JOIN workspaces w ON w.id = a.workspace_id WHERE w.account_id = 1 AND w.name = '{ws}' AND a.name = '{n}'"
            )
        };
        let task = |n: &str| format!("SELECT id FROM tasks WHERE account_id = 1 AND name = '{n}'");
        // A second Recycle Bin entry, and a Frozen task the root can unfreeze.
        let acme = principal(&app.pool, "acme").await;
        // Deleted at the clock's time, so its Undo is still allowed.
        workspace_console::deletion::service::delete(
            &app.pool,
            &by(&acme, T0),
            "supply_chain",
            "supply_chain",
            true,
        )
        .await
        .unwrap();
        let ledger = app.id(&task("daily_ledger")).await.parse().unwrap();
        workspace_console::operations::service::freeze(&app.pool, &by(&acme, T0), ledger)
            .await
            .unwrap();
        // A third, just deleted by alice, for her Undo.
        workspace_console::workspaces::service::create(
            &app.pool,
            &by(&acme, T0),
            workspace_console::workspaces::service::NewWorkspace {
                name: "scratch_pad".into(),
                display_name: String::new(),
                description: String::new(),
                data_modeling: false,
                deletion_protection: false,
            },
        )
        .await
        .unwrap();
        let alice = principal(&app.pool, "alice@acme").await;
        workspace_console::deletion::service::delete(
            &app.pool,
            &by(&alice, T0),
            "scratch_pad",
            "scratch_pad",
            true,
        )
        .await
        .unwrap();
        let (fresh, fresh_at) = bin_entry(&app.pool, "scratch_pad").await;
        let (legacy, legacy_at) = bin_entry(&app.pool, "legacy_reports").await;
        let (other_entry, other_at) = bin_entry(&app.pool, "supply_chain").await;
        Ids {
            tmp_check: app.id(&node("sales_dw", "tmp_check")).await,
            export_audience: app.id(&node("marketing_ml", "export_audience")).await,
            pai_forecast: app.id(&node("sales_dw", "pai_forecast")).await,
            reconcile: app.id(&node("finance_etl", "reconcile")).await,
            daily_ledger: app.id(&node("finance_etl", "daily_ledger")).await,
            dwd_sales: app.id(&node("sales_dw", "dwd_sales")).await,
            ads_report: app.id(&node("sales_dw", "ads_report")).await,
            ods_task: app.id(&task("ods_orders")).await,
            dwd_task: app.id(&task("dwd_sales")).await,
            ads_task: app.id(&task("ads_report")).await,
            ledger_task: ledger.to_string(),
            fresh: fresh.to_string(),
            fresh_at: fresh_at.to_string(),
            monthly_summary: app.id(&node("legacy_reports", "monthly_summary")).await,
            legacy: legacy.to_string(),
            legacy_at: legacy_at.to_string(),
            other_entry: other_entry.to_string(),
            other_at: other_at.to_string(),
            tmp_join_test: bin_entry(&app.pool, "tmp_join_test").await.0.to_string(),
            join_orders_customers: app
                .id(&node("tmp_join_test", "join_orders_customers"))
                .await,
            check_join_counts: app.id(&node("tmp_join_test", "check_join_counts")).await,
            bob: app.id("SELECT id FROM users WHERE name = 'bob'").await,
            carol: app.id("SELECT id FROM users WHERE name = 'carol'").await,
        }
    }
}

fn by_root<T>(who: Who, root: T, others: T) -> T {
    if who == Who::Root { root } else { others }
}

// ---- Bad input at every door ------------------------------------------------------------------

/// Every server function with arguments that make a valid call.
fn server_functions() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    catalogue()
        .into_iter()
        .map(|function| {
            let args: Vec<(&'static str, &'static str)> =
                function.args.iter().map(|a| (a.name, a.sample)).collect();
            (function.endpoint, args)
        })
        .collect()
}

/// Arguments that may be left out (`Option`).
fn is_optional_field(endpoint: &str, name: &str) -> bool {
    server_function(endpoint)
        .args
        .iter()
        .any(|a| a.name == name && a.optional)
}

fn is_number_field(name: &str) -> bool {
    matches!(
        name,
        "user_id"
            | "page"
            | "node_id"
            | "task_id"
            | "entry_id"
            | "deleted_at"
            | "confirm_count"
            | "targets[0][id]"
            | "targets[0][deleted_at]"
            | "node_ids[0]"
    )
}

fn is_bool_field(name: &str) -> bool {
    matches!(
        name,
        "attached" | "data_modeling" | "freeze_tasks" | "enabled"
    )
}

/// Malformed bodies of every kind, each with its content type.
fn malformed(endpoint: &str, args: &[(&str, &str)]) -> Vec<(String, &'static str, Vec<u8>)> {
    let form = |pairs: &[(String, String)]| {
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
            .into_bytes()
    };
    let valid: Vec<(String, String)> = args
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    const FORM: &str = "application/x-www-form-urlencoded";
    let mut cases = vec![
        (
            "a JSON body".to_owned(),
            "application/json",
            serde_json::to_vec(&serde_json::json!({"page": [1], "x": {"y": null}})).unwrap(),
        ),
        (
            "a multipart body".to_owned(),
            "multipart/form-data; boundary=XyZ",
            b"--XyZ\r\nContent-Disposition: form-data; name=\"page\"\r\n\r\n1\r\n--XyZ--\r\n"
                .to_vec(),
        ),
        (
            "invalid percent-encoding".to_owned(),
            FORM,
            b"%zz=%E0%A4%A&page=%%%".to_vec(),
        ),
        (
            "bytes that are not UTF-8".to_owned(),
            FORM,
            vec![0xff, 0xfe, b'=', 0xc3, 0x28],
        ),
        ("garbage".to_owned(), FORM, b"&&&===&".to_vec()),
    ];
    for (i, (name, _)) in args.iter().enumerate() {
        if !is_optional_field(endpoint, name) {
            let mut missing = valid.clone();
            missing.remove(i);
            cases.push((format!("{name} missing"), FORM, form(&missing)));
        }
        let bad_values: &[&str] = if is_number_field(name) {
            &["abc", "9223372036854775808", "1e20", "-", "1.5", ""]
        } else if is_bool_field(name) {
            &["maybe", "2", ""]
        } else {
            &[]
        };
        for bad in bad_values {
            let mut pairs = valid.clone();
            pairs[i].1 = bad.to_string();
            cases.push((format!("{name}={bad}"), FORM, form(&pairs)));
        }
        let mut repeated = valid.clone();
        repeated.push(valid[i].clone());
        cases.push((format!("{name} twice"), FORM, form(&repeated)));
    }
    cases
}

on_both_engines!(malformed_calls_to_every_server_function_get_a_clear_four_hundred);
async fn malformed_calls_to_every_server_function_get_a_clear_four_hundred(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let root = app.client(Some(("acme", "acme-demo-1"))).await;
    let before = app.fingerprint().await;
    let mut checked = 0;
    for (endpoint, args) in server_functions() {
        for (what, content_type, body) in malformed(endpoint, &args) {
            let res = root
                .post(format!("{}/api/{endpoint}", app.url))
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = res.status();
            let text = res.text().await.unwrap();
            if args
                .iter()
                .all(|(name, _)| is_optional_field(endpoint, name))
            {
                // Functions without required arguments may read a body as "no arguments".
                assert!(
                    !status.is_server_error(),
                    "{endpoint} with {what}: {status} {text}"
                );
                continue;
            }
            assert!(
                status.is_client_error(),
                "{endpoint} with {what}: {status} {text}"
            );
            let error: serde_json::Value = serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("{endpoint} with {what}: not JSON: {text}"));
            assert!(
                error["kind"].is_string() && error["message"].is_string(),
                "{endpoint} with {what}: {text}"
            );
            // In plain words: never a type of the server's or the parser's own text.
            assert_plain(
                error["message"].as_str().unwrap_or_default(),
                &format!("{endpoint} with {what}"),
            );
            checked += 1;
        }
    }
    assert!(checked > 200, "{checked}");
    // Re-signing in as root is the only change a valid sign_in/sign_out could make; none ran.
    assert_eq!(app.fingerprint().await, before);
}
