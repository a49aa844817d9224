//! `--demo`: seeds SPEC §8's accounts, users and workspaces into an empty database, through the
//! same services the console uses, so the demo obeys every rule the product does.
use crate::assets::service::{self as assets, NewAsset};
use crate::deletion::service as deletion;
use crate::domain::{Principal, Timestamp};
use crate::error::{AppError, AppResult};
use crate::identity::service as identity;
use crate::operations::service as tasks;
use crate::store::Pool;
use crate::workspaces::service::{self as workspaces, NewWorkspace};

const DAY: i64 = 86_400;

pub const SIGN_INS: [(&str, &str, &str); 5] = [
    ("acme", "acme-demo-1", "root of account acme"),
    (
        "alice@acme",
        "alice-demo-1",
        "RAM user with AliyunDataWorksFullAccess",
    ),
    (
        "bob@acme",
        "bob-demo-1",
        "RAM user with AliyunDataWorksReadOnlyAccess",
    ),
    ("carol@acme", "carol-demo-1", "RAM user with no policy"),
    ("globex", "globex-demo-1", "root of a second account"),
];

const MORE_ACME: [&str; 27] = [
    "customer_360",
    "supply_chain",
    "hr_analytics",
    "ads_platform",
    "risk_control",
    "inventory_ops",
    "iot_telemetry",
    "web_logs",
    "crm_sync",
    "billing_core",
    "search_ranking",
    "recsys_features",
    "fraud_detect",
    "bi_dashboards",
    "data_lake_raw",
    "growth_lab",
    "logistics_eta",
    "pricing_engine",
    "support_tickets",
    "mobile_events",
    "partner_feeds",
    "compliance_audit",
    "geo_insights",
    "payments_recon",
    "content_review",
    "churn_model",
    "user_profiles",
];

/// Returns false (and changes nothing) when the database already holds data.
pub async fn seed(pool: &Pool, now: Timestamp) -> AppResult<bool> {
    let accounts: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts")
        .fetch_one(pool)
        .await?;
    if accounts > 0 {
        return Ok(false);
    }
    let acme = root(pool, now - 60 * DAY, "acme", "acme-demo-1").await?;
    let alice = ram(
        pool,
        &acme,
        now,
        "alice",
        "alice-demo-1",
        Some("AliyunDataWorksFullAccess"),
    )
    .await?;
    ram(
        pool,
        &acme,
        now,
        "bob",
        "bob-demo-1",
        Some("AliyunDataWorksReadOnlyAccess"),
    )
    .await?;
    ram(pool, &acme, now, "carol", "carol-demo-1", None).await?;
    let globex = root(pool, now - 30 * DAY, "globex", "globex-demo-1").await?;

    // acme: legacy_reports is created first and deleted 13 days before start-up.
    let t = now - 50 * DAY;
    workspace(
        pool,
        t,
        &acme,
        "legacy_reports",
        "Legacy Reports",
        "Reports from the old warehouse.",
        false,
    )
    .await?;
    add_all(
        pool,
        t,
        &acme,
        "legacy_reports",
        &[
            (
                "data_source",
                "DataWorks",
                "mysql_legacy",
                "MySQL",
                "jdbc:mysql://legacy-db:3306/reports",
            ),
            (
                "compute",
                "DataWorks",
                "mc_legacy",
                "MaxCompute",
                "legacy_project",
            ),
            ("node", "DataWorks", "monthly_summary", "ODPS SQL", ""),
            ("node", "DataWorks", "export_csv", "Shell", ""),
            (
                "resource",
                "DataWorks",
                "report_template.xlsx",
                "File",
                "report_template.xlsx",
            ),
            (
                "resource",
                "PAI",
                "legacy_features.py",
                "Python",
                "legacy_features.py",
            ),
            (
                "di_task",
                "DataWorks",
                "sync_legacy",
                "MySQL → MaxCompute",
                "reports.* → ods_reports",
            ),
        ],
    )
    .await?;
    publish(
        pool,
        t,
        &acme,
        "legacy_reports",
        "monthly_summary",
        "SELECT month, sum(amount) FROM ods_reports GROUP BY month;",
    )
    .await?;
    deletion::delete(
        pool,
        now - 13 * DAY,
        &acme,
        "legacy_reports",
        "legacy_reports",
        true,
    )
    .await?;

    let t = now - 20 * DAY;
    workspace(
        pool,
        t,
        &acme,
        "sales_dw",
        "Sales Data Warehouse",
        "Orders, customers and revenue, from ODS to reports.",
        true,
    )
    .await?;
    add_all(
        pool,
        t,
        &acme,
        "sales_dw",
        &[
            (
                "data_source",
                "DataWorks",
                "mysql_orders",
                "MySQL",
                "jdbc:mysql://orders-db:3306/shop",
            ),
            (
                "data_source",
                "DataWorks",
                "odps_sales",
                "MaxCompute",
                "sales_project",
            ),
            (
                "data_source",
                "DataWorks",
                "oss_landing",
                "OSS",
                "oss://acme-landing/sales/",
            ),
            (
                "data_source",
                "PAI",
                "oss_training",
                "OSS",
                "oss://acme-ml/sales-training/",
            ),
            (
                "compute",
                "DataWorks",
                "mc_prod",
                "MaxCompute",
                "sales_prod",
            ),
            (
                "compute",
                "DataWorks",
                "holo_serving",
                "Hologres",
                "holo-sales-serving",
            ),
            (
                "compute",
                "DataWorks",
                "emr_batch",
                "EMR",
                "emr-cluster-sales",
            ),
            (
                "compute",
                "PAI",
                "dlc_quota_sales",
                "PAI DLC quota",
                "quota-sales-16gpu",
            ),
            ("node", "DataWorks", "ods_orders", "ODPS SQL", ""),
            ("node", "DataWorks", "dwd_sales", "ODPS SQL", ""),
            ("node", "DataWorks", "ads_report", "ODPS SQL", ""),
            ("node", "DataWorks", "tmp_check", "Shell", ""),
            ("node", "PAI", "pai_forecast", "PAI Designer", ""),
            (
                "resource",
                "DataWorks",
                "udf_utils.jar",
                "JAR",
                "udf_utils.jar",
            ),
            (
                "resource",
                "DataWorks",
                "region_mapping.csv",
                "File",
                "region_mapping.csv",
            ),
            (
                "resource",
                "PAI",
                "train_forecast.py",
                "Python",
                "train_forecast.py",
            ),
            (
                "di_task",
                "DataWorks",
                "sync_orders",
                "MySQL → MaxCompute",
                "shop.orders → ods_orders",
            ),
            (
                "di_task",
                "DataWorks",
                "sync_customers",
                "MySQL → MaxCompute",
                "shop.customers → ods_customers",
            ),
            (
                "di_task",
                "PAI",
                "sync_training_set",
                "OSS → MaxCompute",
                "sales-training/ → pai_train_set",
            ),
            (
                "model",
                "DataWorks",
                "dim_customer",
                "Dimension table",
                "dim_customer",
            ),
            (
                "model",
                "DataWorks",
                "fct_orders",
                "Fact table",
                "fct_orders",
            ),
            (
                "model",
                "PAI",
                "sales_forecast_features",
                "Summary table",
                "pai_forecast_features",
            ),
            (
                "metric",
                "DataWorks",
                "gmv_daily",
                "Atomic metric",
                "sum(order_amount) per day",
            ),
            (
                "metric",
                "DataWorks",
                "repeat_rate",
                "Derived metric",
                "repeat buyers / buyers",
            ),
            (
                "metric",
                "PAI",
                "forecast_mape",
                "Derived metric",
                "mean absolute percentage error",
            ),
        ],
    )
    .await?;
    let t = now - 3 * DAY;
    publish(
        pool,
        t,
        &acme,
        "sales_dw",
        "ods_orders",
        "INSERT OVERWRITE TABLE ods_orders SELECT * FROM src_orders;",
    )
    .await?;
    publish(pool, t, &alice, "sales_dw", "dwd_sales", "INSERT OVERWRITE TABLE dwd_sales SELECT o.*, c.region FROM ods_orders o JOIN dim_customer c USING (customer_id);").await?;
    let ads = publish(
        pool,
        t,
        &alice,
        "sales_dw",
        "ads_report",
        "SELECT region, sum(amount) AS gmv FROM dwd_sales GROUP BY region;",
    )
    .await?;
    tasks::freeze(pool, now - DAY, &alice, ads).await?;
    commit_code(
        pool,
        t,
        &alice,
        "sales_dw",
        "pai_forecast",
        "{\"pipeline\": \"forecast\", \"algorithm\": \"xgboost\"}",
    )
    .await?;

    let t = now - 15 * DAY;
    workspace(
        pool,
        t,
        &alice,
        "marketing_ml",
        "Marketing ML",
        "Propensity and uplift models on PAI.",
        false,
    )
    .await?;
    add_all(
        pool,
        t,
        &alice,
        "marketing_ml",
        &[
            (
                "data_source",
                "PAI",
                "oss_campaigns",
                "OSS",
                "oss://acme-ml/campaigns/",
            ),
            (
                "data_source",
                "PAI",
                "mc_features",
                "MaxCompute",
                "marketing_features",
            ),
            (
                "data_source",
                "DataWorks",
                "mysql_crm",
                "MySQL",
                "jdbc:mysql://crm-db:3306/crm",
            ),
            (
                "compute",
                "PAI",
                "dlc_quota_marketing",
                "PAI DLC quota",
                "quota-marketing-8gpu",
            ),
            (
                "compute",
                "PAI",
                "dlc_quota_batch",
                "PAI DLC quota",
                "quota-marketing-cpu",
            ),
            ("node", "PAI", "propensity_train", "PAI Designer", ""),
            ("node", "PAI", "uplift_eval", "PAI DLC", ""),
            ("node", "PAI", "feature_prep", "PAI Designer", ""),
            ("node", "DataWorks", "export_audience", "ODPS SQL", ""),
            (
                "resource",
                "PAI",
                "propensity.py",
                "Python",
                "propensity.py",
            ),
            (
                "resource",
                "PAI",
                "uplift_config.json",
                "File",
                "uplift_config.json",
            ),
            (
                "di_task",
                "PAI",
                "sync_campaign_log",
                "OSS → MaxCompute",
                "campaigns/ → ods_campaign_log",
            ),
        ],
    )
    .await?;

    let t = now - 10 * DAY;
    workspace(
        pool,
        t,
        &acme,
        "finance_etl",
        "Finance ETL",
        "Ledger loads and reconciliation.",
        false,
    )
    .await?;
    add_all(
        pool,
        t,
        &acme,
        "finance_etl",
        &[
            (
                "data_source",
                "DataWorks",
                "mysql_ledger",
                "MySQL",
                "jdbc:mysql://ledger-db:3306/ledger",
            ),
            (
                "compute",
                "DataWorks",
                "mc_finance",
                "MaxCompute",
                "finance_prod",
            ),
            ("node", "DataWorks", "daily_ledger", "ODPS SQL", ""),
            ("node", "DataWorks", "reconcile", "Python", ""),
            (
                "resource",
                "DataWorks",
                "fx_rates.csv",
                "File",
                "fx_rates.csv",
            ),
            (
                "resource",
                "PAI",
                "anomaly_rules.py",
                "Python",
                "anomaly_rules.py",
            ),
            (
                "di_task",
                "DataWorks",
                "sync_ledger",
                "MySQL → MaxCompute",
                "ledger.entries → ods_ledger",
            ),
        ],
    )
    .await?;
    publish(
        pool,
        now - 2 * DAY,
        &acme,
        "finance_etl",
        "daily_ledger",
        "INSERT OVERWRITE TABLE dwd_ledger SELECT * FROM ods_ledger WHERE ds = '${bizdate}';",
    )
    .await?;
    commit_code(
        pool,
        now - 2 * DAY,
        &acme,
        "finance_etl",
        "reconcile",
        "import ledger\nledger.reconcile(day='${bizdate}')\n",
    )
    .await?;

    for (i, name) in MORE_ACME.iter().enumerate() {
        let t = now - (58 - i as i64) * DAY - i as i64 * 3_600;
        let owner = if i % 3 == 0 { &alice } else { &acme };
        let display = name
            .split('_')
            .map(capitalize)
            .collect::<Vec<_>>()
            .join(" ");
        workspace(pool, t, owner, name, &display, "", i % 5 == 0).await?;
        add_all(
            pool,
            t,
            owner,
            name,
            &[
                (
                    "data_source",
                    "DataWorks",
                    &format!("{name}_src"),
                    "MySQL",
                    "jdbc:mysql://db:3306/app",
                ),
                (
                    "node",
                    "DataWorks",
                    &format!("{name}_daily"),
                    "ODPS SQL",
                    "",
                ),
            ],
        )
        .await?;
    }

    for (name, display, modeling) in [
        ("sales_dw", "Globex Sales", true),
        ("ops_monitoring", "Ops Monitoring", false),
        ("globex_lake", "Globex Lake", false),
    ] {
        let t = now - 20 * DAY;
        workspace(
            pool,
            t,
            &globex,
            name,
            display,
            "Globex's own workspace.",
            modeling,
        )
        .await?;
        add_all(
            pool,
            t,
            &globex,
            name,
            &[
                (
                    "data_source",
                    "DataWorks",
                    "pg_main",
                    "PostgreSQL",
                    "postgres://globex-db/main",
                ),
                ("node", "DataWorks", "globex_job", "Shell", ""),
            ],
        )
        .await?;
    }
    publish(
        pool,
        now - DAY,
        &globex,
        "sales_dw",
        "globex_job",
        "echo globex",
    )
    .await?;
    Ok(true)
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

async fn root(pool: &Pool, now: Timestamp, name: &str, password: &str) -> AppResult<Principal> {
    let id = identity::create_account(pool, now, name, password).await?;
    identity::load_principal(pool, id)
        .await?
        .ok_or(AppError::Internal)
}

async fn ram(
    pool: &Pool,
    root: &Principal,
    now: Timestamp,
    name: &str,
    pw: &str,
    policy: Option<&str>,
) -> AppResult<Principal> {
    let user = identity::create_ram_user(pool, root, now, name, pw, policy).await?;
    identity::load_principal(pool, user.id)
        .await?
        .ok_or(AppError::Internal)
}

async fn workspace(
    pool: &Pool,
    now: Timestamp,
    p: &Principal,
    name: &str,
    display: &str,
    description: &str,
    modeling: bool,
) -> AppResult<()> {
    let input = NewWorkspace {
        name: name.into(),
        display_name: display.into(),
        description: description.into(),
        data_modeling: modeling,
    };
    workspaces::create(pool, now, p, input).await.map(drop)
}

async fn add_all(
    pool: &Pool,
    now: Timestamp,
    p: &Principal,
    ws: &str,
    items: &[(&str, &str, &str, &str, &str)],
) -> AppResult<()> {
    for (kind, product, name, subtype, detail) in items {
        let input = NewAsset {
            kind: (*kind).into(),
            product: (*product).into(),
            name: (*name).into(),
            subtype: (*subtype).into(),
            detail: (*detail).into(),
        };
        assets::add(pool, now, p, ws, input).await?;
    }
    Ok(())
}

async fn node_id(pool: &Pool, p: &Principal, ws: &str, node: &str) -> AppResult<i64> {
    let nodes = assets::list_nodes(pool, p, ws).await?;
    nodes
        .into_iter()
        .find(|n| n.name == node)
        .map(|n| n.id)
        .ok_or(AppError::Internal)
}

async fn commit_code(
    pool: &Pool,
    now: Timestamp,
    p: &Principal,
    ws: &str,
    node: &str,
    code: &str,
) -> AppResult<i64> {
    let id = node_id(pool, p, ws, node).await?;
    assets::save_code(pool, now, p, ws, id, code).await?;
    assets::commit(pool, now, p, ws, id).await?;
    Ok(id)
}

/// Saves, commits and publishes a node; returns its task's id.
async fn publish(
    pool: &Pool,
    now: Timestamp,
    p: &Principal,
    ws: &str,
    node: &str,
    code: &str,
) -> AppResult<i64> {
    let id = commit_code(pool, now, p, ws, node, code).await?;
    assets::publish(pool, now, p, ws, id).await?;
    sqlx::query_scalar("SELECT id FROM tasks WHERE node_id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .map_err(Into::into)
}
