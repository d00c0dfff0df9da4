//! Where the tables go: printed, copied under .bench/results, and written into
//! BENCHMARKS.md (or `--write FILE`) unless the run is partial.

use std::path::{Path, PathBuf};

use crate::cli::Options;
use crate::{report, setup};

/// Whether this main run measures only part of the main section, or a short version of it.
pub fn partial(options: &Options) -> bool {
    options.selects_part_of_main_run() || options.quick
}

/// Where a section goes: `--write`, else BENCHMARKS.md unless the run is `partial` (its
/// tables would replace those of a full run).
pub fn output_file(options: &Options, partial: bool) -> Option<PathBuf> {
    if options.no_write {
        return None;
    }
    if let Some(file) = &options.write {
        return Some(file.clone());
    }
    if partial {
        eprintln!(
            "kmock-bench: a partial run (--only, --cells, --conns, --quick): its tables are printed, not written into BENCHMARKS.md (--write FILE writes them)"
        );
        return None;
    }
    Some(setup::repo_root().join("BENCHMARKS.md"))
}

/// Exits before measuring when the tables could not be written at the end.
pub fn check_writable(file: Option<&Path>) {
    let Some(file) = file else { return };
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        eprintln!(
            "kmock-bench: cannot write {}: {} is not a directory",
            file.display(),
            dir.display()
        );
        std::process::exit(2);
    }
}

/// Prints the section, keeps a copy under .bench/results (or `KMOCK_BENCH_RESULTS`), and
/// writes it into `output`.
pub fn publish(output: Option<&Path>, name: &str, title: &str, body: &str) {
    println!("{body}");
    let results = std::env::var_os("KMOCK_BENCH_RESULTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| setup::repo_root().join(".bench/results"));
    if std::fs::create_dir_all(&results).is_ok() {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let _ = std::fs::write(results.join(format!("{stamp}-{name}.md")), body);
    }
    if let Some(file) = output {
        match report::write_section(file, name, title, body) {
            Ok(()) => eprintln!(
                "kmock-bench: wrote the {name} tables into {}",
                file.display()
            ),
            Err(e) => {
                // The tables were printed above; the run still fails, so `make bench`
                // does not look as if it had written them.
                eprintln!("kmock-bench: cannot write {}: {e}", file.display());
                std::process::exit(1);
            }
        }
    }
}
