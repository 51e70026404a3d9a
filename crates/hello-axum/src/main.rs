//! The yardstick for `benches/http.sh`: the least an axum server on this machine can do.
//! It answers `GET /` with a short text and `GET /json` with a small JSON document, so the
//! benchmark compares duken's real endpoints against the same runtime, HTTP stack and
//! compiler settings doing no work of its own.

use axum::{Json, Router, routing::get};
use serde::Serialize;

#[derive(Serialize)]
struct Hello {
    message: &'static str,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listen = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8090".to_owned());
    let app = Router::new()
        .route("/", get(|| async { "Hello, world!" }))
        .route("/json", get(|| async { Json(Hello { message: "Hello, world!" }) }));
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    eprintln!("hello-axum listening on http://{listen}");
    axum::serve(listener, app).await
}
