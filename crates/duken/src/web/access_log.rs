//! The access log: one line per request, written by the front door after the response.
//!
//! It is the one log line every request writes, so it is formatted here by hand, straight into
//! the log writer's buffer, in the same text or JSON shape as `tracing_subscriber::fmt` gives
//! every other line. Going through `tracing`'s formatter cost about a fifth of the throughput
//! of a cached JSON endpoint (`benches/http.sh`): a calendar date computed per line, a visitor
//! per field, floats printed in full. Until [`install`] is called (tests, which capture
//! `tracing` events), the line is an ordinary `tracing` event. Either way it obeys the log
//! filter (`--log`) like any `info` line of this module.

use std::cell::RefCell;
use std::io::Write;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::config::LogFormat;
use crate::logwriter::BatchWriter;

struct Sink {
    writer: BatchWriter,
    format: LogFormat,
}

static SINK: OnceLock<Sink> = OnceLock::new();

/// Sends access lines to `writer` in `format` from now on (once per process).
pub fn install(writer: BatchWriter, format: LogFormat) {
    let _ = SINK.set(Sink { writer, format });
}

/// One served request. `path` carries no query string: queries may hold what must not be
/// logged.
pub struct Entry<'a> {
    pub request_id: &'a str,
    pub method: &'static str,
    pub path: &'a str,
    pub status: u16,
    pub elapsed: Duration,
}

pub fn record(entry: &Entry<'_>) {
    if !tracing::enabled!(tracing::Level::INFO) {
        return;
    }
    let Some(sink) = SINK.get() else {
        let latency_ms = entry.elapsed.as_secs_f64() * 1000.0;
        tracing::info!(method = entry.method, path = %entry.path, status = entry.status, latency_ms, request_id = entry.request_id, "request");
        return;
    };
    LINE.with_borrow_mut(|line| {
        line.clear();
        format_line(line, sink.format, SystemTime::now(), entry);
        sink.writer.push(line);
    });
}

thread_local! {
    /// The line being formatted; kept per thread so a request allocates nothing for it.
    static LINE: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(256));
    /// The date and time to the second of the last line this thread wrote, formatted.
    static SECOND: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
}

fn format_line(line: &mut Vec<u8>, format: LogFormat, now: SystemTime, entry: &Entry<'_>) {
    let since_epoch = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let micros = since_epoch.subsec_micros();
    let latency_us = u64::try_from(entry.elapsed.as_micros()).unwrap_or(u64::MAX);
    let (ms, us) = (latency_us / 1000, latency_us % 1000);
    // Writing into a Vec cannot fail.
    SECOND.with_borrow_mut(|(second, text)| {
        if *second != since_epoch.as_secs() {
            *second = since_epoch.as_secs();
            let at = chrono::DateTime::<chrono::Utc>::from(UNIX_EPOCH + Duration::from_secs(*second));
            *text = at.format("%Y-%m-%dT%H:%M:%S").to_string();
        }
        match format {
            LogFormat::Text => {
                let _ = write!(
                    line,
                    "{text}.{micros:06}Z  INFO request method={method:?} path={path} status={status} \
                     latency_ms={ms}.{us:03} request_id={id}",
                    id = entry.request_id,
                    method = entry.method,
                    path = entry.path,
                    status = entry.status,
                );
            }
            LogFormat::Json => {
                let _ = write!(
                    line,
                    r#"{{"timestamp":"{text}.{micros:06}Z","level":"INFO","message":"request","method":"{}","path":"#,
                    entry.method
                );
                let _ = serde_json::to_writer(&mut *line, entry.path);
                let _ = write!(line, r#","status":{},"latency_ms":{ms}.{us:03},"request_id":"#, entry.status);
                let _ = serde_json::to_writer(&mut *line, entry.request_id);
                line.push(b'}');
            }
        }
    });
    line.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> Entry<'_> {
        Entry { request_id: "0123abcd", method: "GET", path, status: 200, elapsed: Duration::from_micros(12_345) }
    }

    fn formatted(format: LogFormat, path: &str) -> String {
        let mut line = Vec::new();
        let at = UNIX_EPOCH + Duration::from_micros(1_795_581_555_000_042);
        format_line(&mut line, format, at, &entry(path));
        String::from_utf8(line).unwrap()
    }

    #[test]
    fn text_lines_look_like_the_other_log_lines() {
        assert_eq!(
            formatted(LogFormat::Text, "/api/v1/products/1"),
            "2026-11-25T04:39:15.000042Z  INFO request method=\"GET\" path=/api/v1/products/1 status=200 \
             latency_ms=12.345 request_id=0123abcd\n"
        );
    }

    #[test]
    fn json_lines_parse_and_escape_the_path() {
        let line = formatted(LogFormat::Json, "/a\"b\\c");
        assert!(line.ends_with('\n'));
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["timestamp"], "2026-11-25T04:39:15.000042Z");
        assert_eq!(value["path"], "/a\"b\\c");
        assert_eq!(value["status"], 200);
        assert_eq!(value["latency_ms"], 12.345);
        assert_eq!(value["request_id"], "0123abcd");
    }

    #[test]
    fn the_second_is_formatted_again_when_it_changes() {
        let first = formatted(LogFormat::Text, "/");
        let mut line = Vec::new();
        format_line(&mut line, LogFormat::Text, UNIX_EPOCH + Duration::from_secs(1_795_581_556), &entry("/"));
        assert!(first.starts_with("2026-11-25T04:39:15."));
        assert!(String::from_utf8(line).unwrap().starts_with("2026-11-25T04:39:16.000000Z"));
    }
}
