//! `kmock-bench`'s arguments: bad ones are a one-line error, and a partial run never
//! overwrites the tables of a full one. (What it measures is never asserted here.)

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// For runs that fail before measuring: nothing is kept, and the directory is not made.
fn bench(args: &[&str]) -> Output {
    let scratch = scratch("unused");
    bench_keeping_copies_in(&scratch.path().join("unused"), args)
}

/// Runs kmock-bench with its copies of each section kept in `results`, not in the
/// repository's .bench/results.
fn bench_keeping_copies_in(results: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kmock-bench"))
        .env("KMOCK_BENCH_RESULTS", results)
        .args(args)
        .current_dir(repo())
        .output()
        .expect("kmock-bench runs")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A directory of this test's own under the system's temp dir, removed when dropped.
fn scratch(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("kmock-bench-cli-{name}-"))
        .tempdir()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn unknown_phases_and_counts_out_of_range_are_refused_by_name() {
    for (args, named) in [
        (&["--only", "api,bogus"][..], "bogus"),
        (&["--rounds", "0"][..], "--rounds"),
        (&["--burst", "0"][..], "--burst"),
        (&["--burst", "18446744073709551615"][..], "--burst"),
        (&["--conns", "0"][..], "--conns"),
        (&["--seconds", "0.01"][..], "--seconds"),
        (&["--seconds", "1e20"][..], "--seconds"),
        (&["--seconds", "NaN"][..], "--seconds"),
        (&["--only", "api", "peers", "--list", "x"][..], "--only"),
        (
            &["--write", "/no/such/dir/x.md", "--only", "loop"][..],
            "/no/such/dir",
        ),
        (
            &["load", "http://127.0.0.1:9/", "--connections", "0"][..],
            "--connections",
        ),
    ] {
        let output = bench(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let message = stderr(&output);
        assert!(message.contains(named), "{args:?}: {message}");
        assert!(!message.contains("panicked"), "{args:?}: {message}");
    }
}

#[test]
fn load_reports_bad_arguments_and_an_unreachable_server_in_one_line() {
    // Port 0 is never listened on: a connection to it is refused.
    let url = "http://127.0.0.1:0/v1/conversations";
    for (args, expected) in [
        (vec!["load", url, "--count", "1"], "Connection refused"),
        (
            vec!["load", url, "-H", "no colon", "--count", "1"],
            "--header \"no colon\": expected `name: value`",
        ),
        (
            vec!["load", url, "-X", "NOT A METHOD", "--count", "1"],
            "not an HTTP method",
        ),
        (
            vec!["load", "ftp://example.test/", "--count", "1"],
            "only http://",
        ),
    ] {
        let output = bench(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let message = stderr(&output);
        assert_eq!(message.lines().count(), 1, "{args:?}: {message}");
        assert!(message.starts_with("kmock-bench load: "), "{message}");
        assert!(message.contains(expected), "{args:?}: {message}");
    }
}

/// The shortest partial run: the loop phase, quick, written to `file` if given, its
/// copies kept in `results`.
fn quick_loop_run(results: &Path, file: Option<&Path>) -> Output {
    let mut args = vec!["--only", "loop", "--quick"];
    if let Some(file) = file {
        args.extend(["--write", file.to_str().expect("a UTF-8 temp path")]);
    }
    bench_keeping_copies_in(results, &args)
}

/// Puts a file's bytes back when dropped, so a failing test leaves the file as it was.
struct Restore {
    path: PathBuf,
    bytes: Vec<u8>,
}

impl Drop for Restore {
    fn drop(&mut self) {
        if std::fs::read(&self.path).ok().as_deref() != Some(&self.bytes[..]) {
            let _ = std::fs::write(&self.path, &self.bytes);
        }
    }
}

#[test]
fn a_partial_run_writes_only_where_it_is_told() {
    let benchmarks = repo().join("BENCHMARKS.md");
    let before = std::fs::read(&benchmarks).expect("BENCHMARKS.md is in the repository");
    let _restore = Restore {
        path: benchmarks.clone(),
        bytes: before.clone(),
    };
    let results_dir = scratch("partial-results");
    let results = results_dir.path();
    let output = quick_loop_run(results, None);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("not written into BENCHMARKS.md"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read(&benchmarks).unwrap(),
        before,
        "a partial run left BENCHMARKS.md alone"
    );
    let copies = std::fs::read_dir(results).unwrap().count();
    assert_eq!(copies, 1, "the run kept its copy in KMOCK_BENCH_RESULTS");

    let dir_owner = scratch("partial");
    let dir = dir_owner.path();
    let file = dir.join("partial.md");
    std::fs::write(&file, "# Mine\n").unwrap();
    let output = quick_loop_run(results, Some(&file));
    assert!(output.status.success(), "{}", stderr(&output));
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.starts_with("# Mine\n"), "{written}");
    assert!(
        written.contains("Trigger → loop guard halts the naive workflow"),
        "{written}"
    );

    // A directory passes the check made before measuring but cannot be read or written
    // as the file: the run measures, then fails, and the directory is left as it was.
    let output = quick_loop_run(results, Some(dir));
    assert_eq!(
        output.status.code(),
        Some(1),
        "a run that cannot write fails"
    );
    assert!(file.is_file(), "the directory's contents are untouched");
    assert!(
        stderr(&output).contains("cannot write"),
        "{}",
        stderr(&output)
    );
}
