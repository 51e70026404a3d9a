//! Logs (tracing, text or JSON) and metrics (Prometheus text at `/metrics`).

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing::{Event, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use crate::config::LogFormat;
use crate::logwriter::{LogFlusher, batch_writer};
use crate::web::request_id;

/// Logs go to stderr in batches written by a background thread ([`crate::logwriter`]), so a
/// request never waits for a write syscall. Keep the returned guard alive until exit:
/// dropping it writes out what is still pending.
#[must_use = "dropping the guard stops the log writer"]
pub fn init_logging(format: LogFormat, filter: &str) -> LogFlusher {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let (writer, guard) = batch_writer(std::io::stderr());
    crate::web::access_log::install(writer.clone(), format);
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_writer(writer);
    let result = match format {
        LogFormat::Text => {
            let builder = builder.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
            let text = tracing_subscriber::fmt::format().with_target(false);
            builder.event_format(WithRequestId { inner: text, json: false }).try_init()
        }
        LogFormat::Json => {
            let json = tracing_subscriber::fmt::format()
                .with_target(false)
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false);
            builder.json().event_format(WithRequestId { inner: json, json: true }).try_init()
        }
    };
    // A second call (tests) keeps the first subscriber.
    let _ = result;
    guard
}

/// The process-wide metrics recorder, installed on first use.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("duken_http_request_duration_seconds".into()),
                    &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0],
                )
                .expect("the bucket list is not empty")
                .build_recorder();
            let handle = recorder.handle();
            // Fails only if another recorder is installed; the handle still renders ours.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// The event format with the id of the request being handled (if any) added to each line:
/// ` request_id=…` at the end of a text line, a `"request_id"` member of a JSON one.
struct WithRequestId<F> {
    inner: F,
    json: bool,
}

impl<S, N, F> FormatEvent<S, N> for WithRequestId<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> std::fmt::Result {
        request_id::with_current(|id| {
            let Some(id) = id else { return self.inner.format_event(ctx, writer.by_ref(), event) };
            // Formatted aside to add the id before the line's end. (Lines within a request
            // lose their colours on a terminal: the formatter's colour switch is not public.)
            let mut line = String::new();
            self.inner.format_event(ctx, Writer::new(&mut line), event)?;
            let line = line.strip_suffix('\n').unwrap_or(&line);
            match line.strip_suffix('}') {
                Some(members) if self.json => {
                    let id = serde_json::to_string(id).map_err(|_| std::fmt::Error)?;
                    writeln!(writer, "{members},\"request_id\":{id}}}")
                }
                _ => writeln!(writer, "{line} request_id={id}"),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::fmt::MakeWriter;

    use super::*;
    use crate::web::request_id::RequestId;

    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Lines {
        type Writer = Lines;
        fn make_writer(&'a self) -> Lines {
            self.clone()
        }
    }

    async fn log_in_and_out_of_a_request(json: bool) -> Vec<String> {
        let lines = Lines::default();
        let builder = tracing_subscriber::fmt().with_target(false).with_ansi(false).with_writer(lines.clone());
        let subscriber: Box<dyn Subscriber + Send + Sync> = if json {
            let format = tracing_subscriber::fmt::format().json().flatten_event(true).with_current_span(true);
            Box::new(builder.json().event_format(WithRequestId { inner: format, json: true }).finish())
        } else {
            let format = tracing_subscriber::fmt::format().with_target(false);
            Box::new(builder.event_format(WithRequestId { inner: format, json: false }).finish())
        };
        let _guard = tracing::subscriber::set_default(subscriber);
        tracing::warn!(n = 1, "outside");
        request_id::scope(RequestId("abc-1".into()), async { tracing::warn!(n = 2, "inside") }).await;
        let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        text.lines().map(str::to_owned).collect()
    }

    #[tokio::test]
    async fn text_lines_within_a_request_end_with_its_id() {
        let lines = log_in_and_out_of_a_request(false).await;
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[0].ends_with("outside n=1"), "{lines:?}");
        assert!(lines[1].ends_with("inside n=2 request_id=abc-1"), "{lines:?}");
    }

    #[tokio::test]
    async fn json_lines_within_a_request_carry_its_id() {
        let lines = log_in_and_out_of_a_request(true).await;
        let parsed: Vec<serde_json::Value> = lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(parsed.len(), 2);
        assert!(parsed[0].get("request_id").is_none());
        assert_eq!(parsed[1]["request_id"], "abc-1");
        assert_eq!(parsed[1]["message"], "inside");
        assert_eq!(parsed[1]["n"], 2);
    }
}
