//! Serving the apps over HTTP: accepting connections and handing each to hyper
//! (HTTP/1.1 and HTTP/2), as `poem::Server` does, with one difference that
//! matters for fairness: a connection that ends — its client went away —
//! is dropped at once, with the request it was serving. That drops the
//! request's handler, and with it its database transaction, whose running
//! statement PostgreSQL is then told to cancel (`portico_data`). `poem::Server`
//! (3.1) keeps polling a connection after it ended, which drives a request
//! whose client is gone to its end (measured: a statement waiting for a lock
//! ran on for as long as the lock was held).

use std::{convert::Infallible, future::Future, io, net::SocketAddr, sync::Arc, time::Duration};

use http_body_util::combinators::BoxBody;
use hyper::body::{Bytes, Incoming};
use hyper_util::{
    rt::{TokioExecutor, TokioIo},
    server::conn::auto,
};
use poem::{
    Addr, Endpoint, EndpointExt, IntoEndpoint, Response,
    endpoint::BoxEndpoint,
    http::uri::Scheme,
    web::{LocalAddr, RemoteAddr},
};
use tokio::{net::TcpListener, sync::watch, task::JoinSet};

/// The apps as one shareable endpoint.
type App = Arc<BoxEndpoint<'static, Response>>;

/// Serves `app` on `listener` until `shutdown` resolves; then stops accepting,
/// lets the requests in flight finish for up to `grace`, and ends the rest.
pub async fn serve<E>(
    listener: TcpListener,
    app: E,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) -> io::Result<()>
where
    E: IntoEndpoint,
    E::Endpoint: 'static,
{
    let app: App = Arc::new(app.into_endpoint().map_to_response().boxed());
    let local = listener.local_addr()?;
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((socket, remote)) => {
                    let _ = socket.set_nodelay(true);
                    connections.spawn(connection(socket, local, remote, Arc::clone(&app), stopping.clone()));
                }
                // Out of file descriptors, say: wait a little instead of spinning.
                Err(error) => {
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            // Forget the connections that ended.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    let _ = stop.send(true);
    let drained = tokio::time::timeout(grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open = connections.len(),
            "requests still running after the shutdown grace period are ended"
        );
    }
    connections.shutdown().await;
    Ok(())
}

/// Serves one connection until it ends or the server stops (then its
/// requests in flight may finish, and no new one is taken).
async fn connection(
    socket: tokio::net::TcpStream,
    local: SocketAddr,
    remote: SocketAddr,
    app: App,
    mut stopping: watch::Receiver<bool>,
) {
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let app = Arc::clone(&app);
        async move {
            let request: poem::Request = (
                request,
                LocalAddr(Addr::SocketAddr(local)),
                RemoteAddr(Addr::SocketAddr(remote)),
                Scheme::HTTP,
            )
                .into();
            let response: hyper::Response<BoxBody<Bytes, io::Error>> =
                app.get_response(request).await.into();
            Ok::<_, Infallible>(response)
        }
    });
    let builder = auto::Builder::new(TokioExecutor::new());
    let conn = builder.serve_connection_with_upgrades(TokioIo::new(socket), service);
    tokio::pin!(conn);
    tokio::select! {
        // Served, or the client is gone: the connection, and any request it
        // still holds, is dropped here.
        _ = conn.as_mut() => return,
        _ = stopping.wait_for(|stop| *stop) => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}
