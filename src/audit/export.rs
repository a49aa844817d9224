//! "Download CSV": what the filters select, streamed a batch at a time (one short database read
//! per 1,000 events), so an export of any size holds neither the whole log in memory nor a
//! database connection between two batches.
use super::service::{checked, read};
use super::{AuditEvent, AuditFilter, Cursor};
use crate::domain::Capability;
use crate::domain::time::to_rfc3339;
use crate::error::AppError;
use crate::server::AppState;
use crate::server::input::QueryOf;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

const BATCH: i64 = 1_000;

pub const HEADER: [&str; 8] = [
    "Time",
    "User",
    "Action",
    "Workspace",
    "Source",
    "Client IP",
    "Result",
    "Message",
];

/// `GET /audit-log/export.csv?action=&user=&workspace=`, for the same viewers as the page.
pub async fn download(
    State(state): State<AppState>,
    session: Session,
    query: Result<QueryOf<AuditFilter>, AppError>,
) -> Response {
    let principal = match crate::server::guard::session_principal(&session, &state).await {
        Ok(Some(principal)) => principal,
        Ok(None) => return AppError::Unauthenticated.into_response(),
        Err(error) => return error.into_response(),
    };
    if let Err(error) = principal.require(Capability::View) {
        return error.into_response();
    }
    let filter = match query {
        Ok(QueryOf(filter)) => filter,
        Err(refusal) => return refusal.into_response(),
    };
    let filter = match checked(&filter) {
        Ok(filter) => filter,
        Err(error) => return error.into_response(),
    };
    let account_id = principal.account_id;
    let pool = state.pool.clone();
    let first = csv_rows(true, &[]);
    let batches = futures::stream::unfold(Some(Cursor::Newest), move |cursor| {
        let pool = pool.clone();
        let filter = filter.clone();
        async move {
            let cursor = cursor?;
            let batch = async {
                let mut conn = pool.acquire().await?;
                read(&mut conn, account_id, &filter, cursor, BATCH).await
            }
            .await;
            match batch {
                Ok(events) if events.is_empty() => None,
                Ok(rows) => {
                    let events: Vec<_> = rows.into_iter().map(|row| row.event).collect();
                    let next = (events.len() as i64 == BATCH)
                        .then(|| Cursor::Before(events[events.len() - 1].id));
                    Some((Ok(csv_rows(false, &events)), next))
                }
                Err(error) => {
                    tracing::error!(?error, "audit export: a batch failed; the download is cut");
                    Some((Err(std::io::Error::other("audit export failed")), None))
                }
            }
        }
    });
    // Fused: a body layer (the compression encoder) may poll once more after the end.
    let stream = futures::StreamExt::fuse(futures::StreamExt::chain(
        futures::stream::once(async move { Ok::<_, std::io::Error>(first) }),
        batches,
    ));
    let mut response = Response::new(Body::from_stream(stream));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"audit-log.csv\""),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The events' lines as CSV, after the header line if `header`.
fn csv_rows(header: bool, events: &[AuditEvent]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::with_capacity(events.len() * 120 + 80));
    let written: Result<(), csv::Error> = (|| {
        if header {
            writer.write_record(HEADER)?;
        }
        for e in events {
            writer.write_record([
                to_rfc3339(e.at).as_str(),
                &cell(&e.user_name),
                &e.action,
                &cell(&e.workspace),
                &e.source,
                &cell(&e.client_ip),
                &e.result,
                &cell(&e.message),
            ])?;
        }
        Ok(())
    })();
    if let Err(error) = written {
        tracing::error!(%error, "audit export: writing CSV");
    }
    writer.into_inner().unwrap_or_default()
}

/// A text cell a spreadsheet will not run as a formula: one starting with `=`, `+`, `-`, `@` or a
/// control character gets a leading apostrophe.
pub fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_quotes_survive() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("@acme"), "'@acme");
        assert_eq!(cell("sales_dw"), "sales_dw");
        let event = AuditEvent {
            id: 1,
            at: 0,
            user_name: "alice@acme".into(),
            action: "DeleteWorkspace".into(),
            workspace: "a,\"b\"".into(),
            source: "Console".into(),
            client_ip: "127.0.0.1".into(),
            result: "Success".into(),
            message: "line\nbreak".into(),
        };
        let text = String::from_utf8(csv_rows(true, &[event])).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!(&row[3], "a,\"b\"");
        assert_eq!(&row[7], "line\nbreak");
        assert_eq!(reader.headers().unwrap().len(), 8);
    }
}
