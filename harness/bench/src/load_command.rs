//! `kmock-bench load URL`: the load generator against any server.

use crate::{Settings, load, stats};

/// `kmock-bench load`: the load generator against any URL. Bad arguments and an
/// unreachable server are a one-line error, not a panic.
pub async fn load_url(
    settings: &Settings,
    url: &str,
    connections: &[usize],
    headers: &[String],
    method: &str,
    bodies: &[String],
    count: Option<usize>,
) -> anyhow::Result<()> {
    let uri: hyper::Uri = url
        .parse()
        .map_err(|e| anyhow::anyhow!("URL {url:?}: {e}"))?;
    if uri.scheme_str().is_some_and(|scheme| scheme != "http") {
        anyhow::bail!("URL {url:?}: only http:// is supported");
    }
    let host = uri.host().unwrap_or("127.0.0.1");
    let port = uri.port_u16().unwrap_or(80);
    let addr = tokio::net::lookup_host((host, port))
        .await
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| anyhow::anyhow!("URL {url:?}: the host {host:?} does not resolve"))?;
    let path = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let mut workload = load::Workload::get(addr, vec![path]);
    workload.method = method
        .to_ascii_uppercase()
        .parse()
        .map_err(|_| anyhow::anyhow!("--method {method:?}: not an HTTP method"))?;
    if !bodies.is_empty() {
        workload.bodies = Some(std::sync::Arc::new(
            bodies
                .iter()
                .map(|b| bytes::Bytes::from(b.clone()))
                .collect(),
        ));
    }
    for header in headers {
        let invalid = || anyhow::anyhow!("--header {header:?}: expected `name: value`");
        let (name, value) = header.split_once(':').ok_or_else(invalid)?;
        workload = workload
            .try_header(name.trim(), value.trim())
            .map_err(|_| invalid())?;
    }
    let unreachable = |e: anyhow::Error| anyhow::anyhow!("{url}: {e}");
    if let Some(count) = count {
        let mut sender = load::connect(addr)
            .await
            .map_err(|e| unreachable(e.into()))?;
        let mut failed = 0;
        for i in 0..count {
            match load::send(&mut sender, workload.request(i)).await {
                Ok((status, _)) if (200..300).contains(&status) => {}
                _ => failed += 1,
            }
        }
        println!("{count} requests, {failed} not 2xx");
        return Ok(());
    }
    println!(
        "| Conns | req/s | p50 | p99 | CPU/req (this process) | errors |\n|--:|--:|--:|--:|--:|--:|"
    );
    for &c in connections {
        let mut rounds = stats::Rounds::default();
        for _ in 0..settings.rounds {
            rounds.0.push(
                load::run(&workload, c, settings.warmup, settings.duration)
                    .await
                    .map_err(unreachable)?,
            );
        }
        let merged = rounds.merged();
        println!(
            "| {c} | {:.0} | {:.0} µs | {:.0} µs | {:.1} µs | {} |",
            rounds.rate(),
            merged.quantile_us(0.5),
            merged.quantile_us(0.99),
            rounds.cpu_per_request_us(),
            rounds.errors()
        );
    }
    Ok(())
}
