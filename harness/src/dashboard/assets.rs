//! The dashboard's stylesheet and script, embedded in the binary so the page works
//! offline and nothing is loaded from elsewhere.

/// The one stylesheet of the dashboard and of the HTML reports.
pub const CSS: &str = include_str!("assets/dashboard.css");

/// The dashboard's script (plain JavaScript, served from `/assets/dashboard.js` so the
/// Content-Security-Policy can forbid inline script).
pub const JS: &str = include_str!("assets/dashboard.js");
