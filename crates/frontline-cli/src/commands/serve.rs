//! `frontline serve`: the HTTP API and the web map, read-only.

use crate::context::Context;
use anyhow::{Context as _, Result};
use frontline_server::{AppState, ServerConfig};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on (loopback by default; the server has no authentication).
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode> {
    let data_dir = match ctx.data_dir() {
        Ok(d) => Some(d),
        Err(e) => {
            eprintln!("warning: {e}; serving without base map or areas");
            None
        }
    };
    let started = std::time::Instant::now();
    let state = AppState::load(&ServerConfig { db: ctx.db.clone(), data_dir })?;
    for w in &state.warnings {
        eprintln!("warning: {w}");
    }
    let snapshots: usize = state.sources.iter().map(|s| s.snapshots.len()).sum();
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.bind)
            .await
            .with_context(|| format!("cannot listen on {}: is another server using it? pass --bind", args.bind))?;
        let addr = listener.local_addr()?;
        eprintln!(
            "frontline: {} sources, {snapshots} snapshots loaded from {} in {:.1} s (read-only)",
            state.sources.len(),
            ctx.db.display(),
            started.elapsed().as_secs_f64()
        );
        if !frontline_server::assets::built() {
            eprintln!("warning: web assets not built: run npm ci && npm run build in web/, then rebuild");
        }
        // The line scripts wait for: print it last, after the socket is open.
        println!("listening on http://{addr}/");
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        frontline_server::serve(listener, Arc::new(state), shutdown).await.context("serving")?;
        Ok(ExitCode::SUCCESS)
    })
}
