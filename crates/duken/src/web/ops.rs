//! Operations endpoints: liveness, readiness, metrics.

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`, `ready` or `unavailable`.
    pub status: &'static str,
    /// `sqlite` or `postgres` (readiness only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'static str>,
}

/// The process is up and serving.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Alive", body = Health)))]
pub async fn healthz() -> axum::Json<Health> {
    axum::Json(Health { status: "ok", database: None })
}

/// The process can serve requests: its database answers.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "Ready", body = Health),
              (status = 503, description = "The database does not answer", body = Health)))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let database = Some(state.store.backend().name());
    match tokio::time::timeout(std::time::Duration::from_secs(2), state.store.ping()).await {
        Ok(Ok(())) => axum::Json(Health { status: "ready", database }).into_response(),
        outcome => {
            tracing::warn!(?outcome, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, axum::Json(Health { status: "unavailable", database })).into_response()
        }
    }
}

/// Prometheus text exposition: requests by route and status, latency histogram, pool use.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let pool = state.store.pool_stats();
    metrics::gauge!("duken_db_pool_connections", "state" => "open").set(f64::from(pool.open));
    metrics::gauge!("duken_db_pool_connections", "state" => "idle").set(f64::from(pool.idle));
    metrics::gauge!("duken_db_pool_connections", "state" => "in_use")
        .set(f64::from(pool.open.saturating_sub(pool.idle)));
    metrics::gauge!("duken_db_pool_max_connections").set(f64::from(pool.max));
    ([(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.render()).into_response()
}
