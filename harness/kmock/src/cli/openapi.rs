//! `kmock openapi`: the OpenAPI document of `/v1`, the same one the server serves at
//! `GET /__admin/openapi.json`.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
pub struct OpenapiArgs {
    /// Write the document to this file (atomically) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

pub fn run(args: OpenapiArgs) -> anyhow::Result<()> {
    let text = kustomer_harness::openapi::rendered();
    match args.output {
        None => {
            print!("{text}");
            Ok(())
        }
        Some(path) => {
            let temp = path.with_extension("json.tmp");
            std::fs::write(&temp, &text)
                .and_then(|()| std::fs::rename(&temp, &path))
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
        }
    }
}
