//! duken's side of the bank protocol (`protocol.rs`) as a client: signed requests to a bank's
//! API, and what counts as "try again later" (a timeout, no connection, a 5xx, 429) versus a
//! final answer.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use super::protocol;
use crate::config::Config;

/// How duken reaches banks, and where banks reach duken.
pub struct Banks {
    http: reqwest::Client,
    configured_url: Option<String>,
    listening: OnceLock<String>,
    pub retry_base: Duration,
    pub poll_after: Duration,
    timeout: Duration,
}

/// A bank's answer.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

/// A call that did not get a final answer: it is tried again.
#[derive(Debug, thiserror::Error)]
pub enum CallFailed {
    #[error("the bank did not answer in time")]
    Timeout,
    #[error("the bank could not be reached")]
    Unreachable,
    #[error("the bank answered {0}")]
    Unavailable(StatusCode),
}

impl Banks {
    pub fn new(config: &Config) -> Self {
        crate::pricelist::install_tls();
        Banks {
            http: reqwest::Client::builder()
                .timeout(Duration::from_millis(config.bank_timeout_ms.max(50)))
                .connect_timeout(Duration::from_millis(config.bank_timeout_ms.clamp(50, 5_000)))
                .build()
                .unwrap_or_default(),
            configured_url: config.public_url.as_ref().map(|u| u.trim_end_matches('/').to_owned()),
            listening: OnceLock::new(),
            retry_base: Duration::from_millis(config.bank_retry_ms.max(1)),
            poll_after: Duration::from_secs(config.bank_poll_secs),
            timeout: Duration::from_millis(config.bank_timeout_ms.max(50)),
        }
    }

    /// How long a claimed call is another node's: longer than any call can take.
    pub fn lease(&self) -> Duration {
        self.timeout * 2 + Duration::from_secs(5)
    }

    /// The server's own address, for the default public URL.
    pub fn listening_on(&self, addr: SocketAddr) {
        let _ = self.listening.set(format!("http://{addr}"));
    }

    /// Where a bank sends its webhooks.
    pub fn callback_url(&self, bank_code: &str) -> String {
        let base = self
            .configured_url
            .clone()
            .or_else(|| self.listening.get().cloned())
            .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned());
        format!("{base}/banks/{bank_code}/webhook")
    }

    /// How long to wait before try number `attempts + 1`: doubling from the base, at most a
    /// minute, with a little jitter so that retries of one outage do not arrive together.
    pub fn backoff(&self, attempts: i32) -> Duration {
        let exp = u32::try_from(attempts.clamp(1, 16) - 1).unwrap_or(0);
        let wait = self.retry_base.saturating_mul(1u32 << exp).min(Duration::from_secs(60));
        let jitter = rand::random::<u64>() % (wait.as_millis() as u64 / 5 + 1);
        wait + Duration::from_millis(jitter)
    }

    /// A signed request: `body` `None` is a GET.
    pub async fn call(
        &self,
        base_url: &str,
        api_key: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, CallFailed> {
        let url = format!("{}{path}", base_url.trim_end_matches('/'));
        let bytes = body.map(|b| serde_json::to_vec(b).unwrap_or_default()).unwrap_or_default();
        let ts = chrono::Utc::now().timestamp();
        let nonce = protocol::nonce();
        let request = match body {
            Some(_) => self.http.post(&url).header("content-type", "application/json").body(bytes.clone()),
            None => self.http.get(&url),
        };
        let response = request
            .header(protocol::TIMESTAMP, ts.to_string())
            .header(protocol::NONCE, &nonce)
            .header(protocol::SIGNATURE, protocol::sign(api_key, ts, &nonce, &bytes))
            .send()
            .await
            .map_err(|e| if e.is_timeout() { CallFailed::Timeout } else { CallFailed::Unreachable })?;
        let status = response.status();
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::REQUEST_TIMEOUT
        {
            return Err(CallFailed::Unavailable(status));
        }
        let text = response
            .bytes()
            .await
            .map_err(|e| if e.is_timeout() { CallFailed::Timeout } else { CallFailed::Unreachable })?;
        let body = serde_json::from_slice(&text).unwrap_or(Value::Null);
        Ok(Answer { status, body })
    }
}
