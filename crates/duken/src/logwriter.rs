//! The log writer: lines are appended to a shared buffer on the thread that logs them, and a
//! background thread writes the buffer to stderr every [`FLUSH_EVERY`]. A request never waits
//! for a write syscall nor wakes another thread. The buffer is bounded: past [`MAX_PENDING`]
//! bytes, lines are dropped and counted (`duken_log_lines_dropped_total`) rather than slowing
//! requests. Dropping the [`LogFlusher`] writes out whatever is left.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;

const FLUSH_EVERY: Duration = Duration::from_millis(20);
const MAX_PENDING: usize = 16 * 1024 * 1024;

#[derive(Default)]
struct Shared {
    pending: Mutex<Vec<u8>>,
    stopping: AtomicBool,
}

impl Shared {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Appends whole lines, or drops and counts them when the buffer is full.
    fn push(&self, lines: &[u8]) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if pending.len() + lines.len() > MAX_PENDING {
            drop(pending);
            metrics::counter!("duken_log_lines_dropped_total").increment(1);
            return;
        }
        pending.extend_from_slice(lines);
    }
}

/// The `MakeWriter` for `tracing_subscriber::fmt`.
#[derive(Clone)]
pub struct BatchWriter {
    shared: Arc<Shared>,
}

impl BatchWriter {
    /// Appends lines formatted elsewhere (the access log), each ending in a newline.
    pub fn push(&self, lines: &[u8]) {
        self.shared.push(lines);
    }
}

/// Owns the flushing thread; keep it alive until exit.
pub struct LogFlusher {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// A writer to `sink` and the guard of its flushing thread.
pub fn batch_writer(mut sink: impl Write + Send + 'static) -> (BatchWriter, LogFlusher) {
    let shared = Arc::new(Shared::default());
    let worker = shared.clone();
    let thread = std::thread::Builder::new()
        .name("duken-log".into())
        .spawn(move || {
            loop {
                let stopping = worker.stopping.load(Ordering::Acquire);
                let batch = worker.take();
                if !batch.is_empty() {
                    // Nowhere to report a failing stderr; the next batch tries again.
                    let _ = sink.write_all(&batch).and_then(|()| sink.flush());
                }
                if stopping {
                    break;
                }
                std::thread::park_timeout(FLUSH_EVERY);
            }
        })
        .ok();
    (BatchWriter { shared: shared.clone() }, LogFlusher { shared, thread })
}

impl Drop for LogFlusher {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

/// One log line being formatted; it joins the shared buffer whole when dropped, so lines
/// from different threads never interleave.
pub struct LineBuffer {
    shared: Arc<Shared>,
    line: Vec<u8>,
}

impl Write for LineBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.line.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for LineBuffer {
    fn drop(&mut self) {
        if !self.line.is_empty() {
            self.shared.push(&self.line);
        }
    }
}

impl<'a> MakeWriter<'a> for BatchWriter {
    type Writer = LineBuffer;

    fn make_writer(&'a self) -> Self::Writer {
        LineBuffer { shared: self.shared.clone(), line: Vec::with_capacity(256) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_arrive_whole_and_everything_is_flushed_at_the_end() {
        let sink = Sink::default();
        let (writer, flusher) = batch_writer(sink.clone());
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let writer = writer.clone();
                std::thread::spawn(move || {
                    for i in 0..500 {
                        let mut line = writer.make_writer();
                        write!(line, "thread {t} ").unwrap();
                        writeln!(line, "line {i}").unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        drop(flusher);
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2000);
        assert!(lines.iter().all(|l| l.starts_with("thread ") && l.contains(" line ")), "no interleaving");
    }

    #[test]
    fn lines_are_written_without_waiting_for_the_end() {
        let sink = Sink::default();
        let (writer, _flusher) = batch_writer(sink.clone());
        writeln!(writer.make_writer(), "hello").unwrap();
        std::thread::sleep(FLUSH_EVERY * 5);
        assert_eq!(&*sink.0.lock().unwrap(), b"hello\n");
    }
}
