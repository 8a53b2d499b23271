//! A small local Lambda Runtime API (the protocol a Lambda binary polls for its events), so
//! the built binaries can be run and measured on one machine exactly as Lambda runs them.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, mpsc, oneshot};

type Reply = oneshot::Sender<Result<serde_json::Value, String>>;

struct Shared {
    queue: Mutex<mpsc::Receiver<(String, Bytes)>>,
    waiting: Mutex<HashMap<String, Reply>>,
    init_error: Mutex<Option<String>>,
}

/// A running Runtime API on a loopback port.
pub struct LocalRuntime {
    addr: SocketAddr,
    send: mpsc::Sender<(String, Bytes)>,
    shared: Arc<Shared>,
    next_id: AtomicU64,
}

impl LocalRuntime {
    /// Starts the API on a free loopback port.
    pub async fn start() -> std::io::Result<LocalRuntime> {
        let (send, recv) = mpsc::channel(64);
        let shared = Arc::new(Shared {
            queue: Mutex::new(recv),
            waiting: Mutex::new(HashMap::new()),
            init_error: Mutex::new(None),
        });
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(response),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(LocalRuntime {
            addr,
            send,
            shared,
            next_id: AtomicU64::new(1),
        })
    }

    /// `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`.
    pub fn api(&self) -> String {
        self.addr.to_string()
    }

    /// The environment Lambda gives a function named `name`.
    pub fn lambda_env(&self, name: &str) -> Vec<(String, String)> {
        [
            ("AWS_LAMBDA_RUNTIME_API", self.api()),
            ("AWS_LAMBDA_FUNCTION_NAME", name.to_string()),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128".into()),
            ("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}")),
            ("AWS_LAMBDA_LOG_STREAM_NAME", "local".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// Sends `event` to the function and waits for its answer.
    pub async fn invoke(
        &self,
        event: &serde_json::Value,
        timeout: Duration,
    ) -> Result<serde_json::Value, String> {
        let id = format!("req-{}", self.next_id.fetch_add(1, Ordering::Relaxed));
        let (tx, rx) = oneshot::channel();
        self.shared.waiting.lock().await.insert(id.clone(), tx);
        let body = Bytes::from(serde_json::to_vec(event).map_err(|e| e.to_string())?);
        self.send
            .send((id, body))
            .await
            .map_err(|e| e.to_string())?;
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err("the runtime API stopped".into()),
            Err(_) => {
                let init = self.shared.init_error.lock().await.clone();
                Err(init.map_or_else(
                    || "the function did not answer in time".into(),
                    |e| format!("init error: {e}"),
                ))
            }
        }
    }
}

async fn next(State(shared): State<Arc<Shared>>) -> Response {
    let Some((id, body)) = shared.queue.lock().await.recv().await else {
        return StatusCode::GONE.into_response();
    };
    let deadline = chrono::Utc::now().timestamp_millis() + 30_000;
    let mut headers = HeaderMap::new();
    let mut set = |k: &'static str, v: String| {
        if let Ok(v) = HeaderValue::from_str(&v) {
            headers.insert(k, v);
        }
    };
    set("lambda-runtime-aws-request-id", id);
    set("lambda-runtime-deadline-ms", deadline.to_string());
    set(
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:eu-west-3:000000000000:function:local".into(),
    );
    set(
        "lambda-runtime-trace-id",
        "Root=1-00000000-000000000000000000000000;Sampled=0".into(),
    );
    (StatusCode::OK, headers, body).into_response()
}

async fn finish(
    shared: &Shared,
    id: &str,
    result: Result<serde_json::Value, String>,
) -> StatusCode {
    match shared.waiting.lock().await.remove(id) {
        Some(tx) => {
            let _ = tx.send(result);
            StatusCode::ACCEPTED
        }
        None => StatusCode::NOT_FOUND,
    }
}

async fn response(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> StatusCode {
    let value = serde_json::from_slice(&body).map_err(|e| format!("response is not JSON: {e}"));
    finish(&shared, &id, value).await
}

async fn error(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> StatusCode {
    finish(
        &shared,
        &id,
        Err(String::from_utf8_lossy(&body).to_string()),
    )
    .await
}

async fn init_error(State(shared): State<Arc<Shared>>, body: Bytes) -> StatusCode {
    *shared.init_error.lock().await = Some(String::from_utf8_lossy(&body).to_string());
    StatusCode::ACCEPTED
}
