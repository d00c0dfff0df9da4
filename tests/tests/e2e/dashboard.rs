//! The dashboard in a real browser: headless Chromium driven over WebDriver (chromedriver
//! on loopback). Skipped, with one line saying so, where Chromium or chromedriver is not
//! installed (`.ci/run` installs them, so CI always runs these). Without a browser: the
//! page's headers and the JSON twins it reads.

mod browser;
mod in_browser;
mod without_browser;
