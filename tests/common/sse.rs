//! An open live stream (`GET /live/events`), read event by event.
use futures::StreamExt;
use reqwest::StatusCode;
use std::time::{Duration, Instant};
use workspace_console::live::LiveChange;

/// The SPEC's bound: a change shows within 2 seconds.
pub const WITHIN: Duration = Duration::from_secs(2);

/// One open stream, read event by event.
pub struct Stream {
    body: std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buf: String,
    ended: bool,
}

#[derive(Debug, PartialEq)]
pub enum Next {
    Event(String, String),
    Ended,
    Silent,
}

impl Stream {
    pub async fn open(url: &str, client: &reqwest::Client) -> Stream {
        let res = client
            .get(format!("{url}/live/events"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        Stream {
            body: Box::pin(res.bytes_stream()),
            buf: String::new(),
            ended: false,
        }
    }

    /// The next event (name, data) within `wait`, skipping comments and the retry line.
    pub async fn next(&mut self, wait: Duration) -> Next {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let (mut name, mut data) = (String::from("message"), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event: ") {
                        name = v.into();
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        data.push_str(v);
                    }
                }
                if !data.is_empty() {
                    return Next::Event(name, data);
                }
            }
            if self.ended {
                return Next::Ended;
            }
            match tokio::time::timeout_at(deadline, self.body.next()).await {
                Err(_) => return Next::Silent,
                Ok(Some(Ok(bytes))) => self.buf.push_str(&String::from_utf8_lossy(&bytes)),
                Ok(Some(Err(_)) | None) => self.ended = true,
            }
        }
    }

    /// The next change, which must come within [`WITHIN`] of now.
    pub async fn change(&mut self) -> LiveChange {
        self.change_since(Instant::now()).await
    }

    /// The next change, which must come within [`WITHIN`] of `made` (when the change was asked for).
    pub async fn change_since(&mut self, made: Instant) -> LiveChange {
        let left = WITHIN.saturating_sub(made.elapsed());
        match self.next(left).await {
            Next::Event(name, data) if name == "change" => {
                assert!(made.elapsed() <= WITHIN, "heard after {:?}", made.elapsed());
                serde_json::from_str(&data).unwrap()
            }
            other => panic!("expected a change within {WITHIN:?} of the request, got {other:?}"),
        }
    }

    /// Nothing arrives for `wait`.
    pub async fn silent_for(&mut self, wait: Duration) {
        assert_eq!(self.next(wait).await, Next::Silent);
    }
}
