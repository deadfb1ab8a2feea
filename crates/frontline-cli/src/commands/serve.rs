//! `frontline serve`: the HTTP API and the web map, read-only.

use crate::context::Context;
use anyhow::{Context as _, Result};
use frontline_server::{AppState, Live, ServerConfig};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on (loopback by default; the server has no authentication).
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// How often to look whether the store changed (an ingest or a sync
    /// wrote new snapshots) and, if so, serve them without a restart; 0 never looks.
    #[arg(long, default_value = "10s", value_parser = crate::context::parse_duration)]
    check_store_every: std::time::Duration,
    /// Run `frontline sync deepstate` at start and then at this interval
    /// (e.g. 6h), in the background; off unless given. The new snapshots are
    /// served as soon as the sync has stored them.
    #[arg(long, value_parser = crate::context::parse_duration)]
    sync_every: Option<std::time::Duration>,
    #[command(flatten)]
    sync: crate::commands::sync::SyncOptions,
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode> {
    let data_dir = match ctx.data_dir() {
        Ok(d) => Some(d),
        Err(e) => {
            eprintln!("warning: {e}; serving without base map or areas");
            None
        }
    };
    if args.sync_every.is_some_and(|d| d.is_zero()) {
        anyhow::bail!("--sync-every must be longer than 0 s (e.g. 6h)");
    }
    let started = std::time::Instant::now();
    let config = ServerConfig { db: ctx.db.clone(), data_dir: data_dir.clone() };
    // Fail before listening on a store that cannot be opened at all.
    frontline::store::Store::open_read_only(&ctx.db)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.bind)
            .await
            .with_context(|| format!("cannot listen on {}: is another server using it? pass --bind", args.bind))?;
        let addr = listener.local_addr()?;
        // Listen at once: the area series the store keeps are served while
        // the snapshots load; every other request waits for them.
        let live = Live::booting(frontline_server::boot::Boot::read(&config));
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        let serving = tokio::spawn(frontline_server::serve_live(listener, live.clone(), shutdown));
        if !frontline_server::assets::built() {
            eprintln!("warning: web assets not built: run npm ci && npm run build in web/, then rebuild");
        }
        // The line scripts wait for: print it last, after the socket is open.
        println!("listening on http://{addr}/");
        let cfg = config.clone();
        let (marker, state) = tokio::task::spawn_blocking(move || {
            // Read before loading: a write while the state loads is then seen as a change.
            let marker = frontline::store::Store::open_read_only(&cfg.db).and_then(|s| s.change_marker()).ok();
            AppState::load(&cfg).map(|s| (marker, s))
        })
        .await
        .context("loading the store")??;
        for w in &state.warnings {
            eprintln!("warning: {w}");
        }
        let snapshots: usize = state.sources.iter().map(|s| s.snapshots.len()).sum();
        eprintln!(
            "frontline: {} sources, {snapshots} snapshots loaded from {} in {:.1} s (read-only)",
            state.sources.len(),
            ctx.db.display(),
            started.elapsed().as_secs_f64()
        );
        live.start(Arc::new(state));
        let watching = !args.check_store_every.is_zero() || args.sync_every.is_some();
        if watching {
            // A sync wakes the watcher at once; without --check-store-every it looks only then.
            let every = if args.check_store_every.is_zero() {
                std::time::Duration::from_secs(365 * 86_400)
            } else {
                args.check_store_every
            };
            frontline_server::watch_store(live.clone(), config, every, marker, |line| eprintln!("frontline: {line}"));
        }
        if let Some(every) = args.sync_every {
            let Some(data) = data_dir else {
                anyhow::bail!("--sync-every needs the shared data folder (pass --data DIR)");
            };
            let (db, options, live) = (ctx.db.clone(), args.sync.clone(), live.clone());
            let handle = tokio::runtime::Handle::current();
            std::thread::spawn(move || loop {
                match crate::commands::sync::sync(
                    &db,
                    &data,
                    &options,
                    crate::commands::sync::Progress::Lines("frontline: sync: "),
                ) {
                    Ok(r) => {
                        eprintln!(
                            "frontline: sync: {} map(s) stored, {} failed; next in {}",
                            r.stored.len(),
                            r.failures.len(),
                            humane(every)
                        );
                        for f in &r.failures {
                            eprintln!("frontline: sync: error: {f}");
                        }
                        if !r.stored.is_empty() {
                            let live = live.clone();
                            handle.spawn(async move { live.check_now() });
                        }
                    }
                    Err(e) => eprintln!("frontline: sync: error: {e:#}"),
                }
                std::thread::sleep(every);
            });
        }
        serving.await.context("serving")?.context("serving")?;
        Ok(ExitCode::SUCCESS)
    })
}

/// A duration in words for the log ("6 h", "90 s").
fn humane(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 && s % 3600 == 0 {
        format!("{} h", s / 3600)
    } else if s >= 60 && s % 60 == 0 {
        format!("{} min", s / 60)
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}
