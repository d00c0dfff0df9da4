//! A WebDriver session on headless Chromium, and the waits and clicks the browser tests use.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// How long any one condition may take to appear in the page.
pub const DEADLINE: Duration = Duration::from_secs(15);

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// The chromium binary itself (Debian's /usr/bin/chromium is a wrapper script).
fn chromium() -> Option<PathBuf> {
    let real = Path::new("/usr/lib/chromium/chromium");
    if real.is_file() {
        return Some(real.to_path_buf());
    }
    which("chromium").or_else(|| which("chromium-browser"))
}

/// chromedriver on a free loopback port; killed when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    fn start(binary: &Path) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free loopback port");
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        Driver { child, port }
    }

    /// A headless session, once chromedriver answers (bounded by the deadline).
    async fn session(&self, chromium: &Path) -> Client {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,900", "--no-first-run", "--no-default-browser-check"],
            }),
        );
        let started = Instant::now();
        loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{}", self.port))
                .await
            {
                Ok(client) => return client,
                Err(error) if started.elapsed() < DEADLINE => {
                    let _ = error;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(error) => panic!("no WebDriver session within {DEADLINE:?}: {error}"),
            }
        }
    }
}

/// Evaluates `script` (a JavaScript expression) until it is truthy; fails with `what`
/// and the page's text after the deadline.
pub async fn wait_until(client: &Client, script: &str, what: &str) -> Value {
    let started = Instant::now();
    loop {
        let value = client
            .execute(&format!("return ({script});"), vec![])
            .await
            .expect("the script runs");
        let truthy = match &value {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::String(s) => !s.is_empty(),
            Value::Number(n) => n.as_f64() != Some(0.0),
            _ => true,
        };
        if truthy {
            return value;
        }
        if started.elapsed() > DEADLINE {
            let text = client
                .execute("return document.body.innerText;", vec![])
                .await
                .unwrap_or_default();
            panic!("{what}: not seen within {DEADLINE:?}; the page shows:\n{text}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Whether an element holding exactly this text exists.
pub fn has_node(class: &str, text: &str) -> String {
    format!(
        "Array.from(document.querySelectorAll({class:?})).some(n => n.textContent.includes({text:?}))"
    )
}

/// Clicks the first element matching `css`, again if the live view replaced it between
/// finding and clicking (bounded by the deadline).
pub async fn click(client: &Client, css: &str) {
    let started = Instant::now();
    loop {
        let clicked = match client.find(Locator::Css(css)).await {
            Ok(element) => element.click().await.map(|_| ()),
            Err(e) => Err(e),
        };
        match clicked {
            Ok(()) => return,
            Err(e) if started.elapsed() < DEADLINE => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("click {css}: {e}"),
        }
    }
}

/// Fills the form with id `form` (each field found by a CSS selector inside it and given
/// its value as a property, as typing would leave it) and clicks its submit button.
pub async fn fill_and_submit(client: &Client, form: &str, fields: &[(&str, &str)]) {
    client
        .execute(
            "const form = document.getElementById(arguments[0]); \
             for (const [selector, value] of arguments[1]) { \
                 form.querySelector(selector).value = value; \
             }",
            vec![json!(form), json!(fields)],
        )
        .await
        .unwrap_or_else(|e| panic!("filling #{form}: {e}"));
    click(client, &format!("#{form} button[type=submit]")).await;
}

/// Runs `body` with a browser session, and ends the session (so Chromium exits) even
/// when the body fails; then fails as the body did.
pub async fn with_browser<F, Fut>(body: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let Some((driver_binary, chromium)) = tools() else {
        println!("dashboard browser tests skipped: chromium or chromedriver is not installed");
        return;
    };
    let driver = Driver::start(&driver_binary);
    let client = driver.session(&chromium).await;
    let outcome = tokio::spawn(body(client.clone())).await;
    let _ = client.close().await;
    drop(driver);
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

fn tools() -> Option<(PathBuf, PathBuf)> {
    let driver = which("chromedriver").or_else(|| {
        let debian = Path::new("/usr/lib/chromium/chromedriver");
        debian.is_file().then(|| debian.to_path_buf())
    })?;
    Some((driver, chromium()?))
}
