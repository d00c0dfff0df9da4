//! The dashboard page at `/` and its assets. The page is a server-rendered shell (maud):
//! it holds no data, so it needs no guard; everything it shows comes from the admin API
//! (behind the admin guard) through the script. The Content-Security-Policy allows
//! script from this server only, never inline, so a record's text can never run.

use axum::Router;
use axum::extract::OriginalUri;
use axum::http::Method;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderName};
use axum::response::IntoResponse;
use axum::routing::get;
use kustomer_mock::{ApiError, AppState};
use maud::{DOCTYPE, Markup, html};

use super::assets::{CSS, JS};

/// What the page may load: its own script, style and fetches; nothing inline, no
/// frames, no plugins, no form posts elsewhere.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// `/`, `/assets/dashboard.js`, `/assets/dashboard.css`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(page))
        .route("/assets/dashboard.js", get(script))
        .route("/assets/dashboard.css", get(stylesheet))
        .method_not_allowed_fallback(wrong_method)
}

/// `POST /` and the like: a Kustomer-shaped 405, as everywhere else.
async fn wrong_method(method: Method, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::method_not_allowed(method.as_str(), uri.path())
}

/// Headers every dashboard answer carries.
fn headers(content_type: &'static str) -> [(HeaderName, &'static str); 5] {
    [
        (CONTENT_TYPE, content_type),
        (
            HeaderName::from_static("content-security-policy"),
            CONTENT_SECURITY_POLICY,
        ),
        (HeaderName::from_static("x-content-type-options"), "nosniff"),
        // `/?token=` must not travel on in a Referer.
        (HeaderName::from_static("referrer-policy"), "no-referrer"),
        (CACHE_CONTROL, "no-store"),
    ]
}

async fn page() -> impl IntoResponse {
    (headers("text/html; charset=utf-8"), shell().into_string())
}

async fn script() -> impl IntoResponse {
    (headers("text/javascript; charset=utf-8"), JS)
}

async fn stylesheet() -> impl IntoResponse {
    (headers("text/css; charset=utf-8"), CSS)
}

fn tab(id: &str, label: &str, selected: bool) -> Markup {
    html! {
        button type="button" role="tab" data-tab=(id) aria-selected=(if selected { "true" } else { "false" }) { (label) }
    }
}

/// One control: a form the script sends to the admin (or `/v1`) API.
fn control(id: &str, title: &str, fields: Markup, submit: &str) -> Markup {
    html! {
        form id=(id) {
            strong { (title) }
            (fields)
            button type="submit" { (submit) }
            div.result data-result="" {}
        }
    }
}

/// The page: login, tabs (timeline, records, workflows, controls); filled in by the script.
pub fn shell() -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "kustomer-mock dashboard" }
                link rel="stylesheet" href="/assets/dashboard.css";
                script src="/assets/dashboard.js" defer {}
            }
            body {
                header.top {
                    h1 { "kustomer-mock" }
                    span.muted { "requests → events → runs → steps → requests" }
                    span #live .status { "connecting…" }
                }
                section #login .login .panel hidden {
                    h2 { "Admin token" }
                    p { "This server guards its admin API with a token (" code { "--admin-token" } "). Enter it, or open " code { "/?token=<admin token>" } "." }
                    form #login-form {
                        input #login-token type="password" autocomplete="off" placeholder="admin token" required;
                        " " button type="submit" { "Log in" }
                    }
                    p #login-error .result .error {}
                }
                div #app hidden {
                    nav.tabs role="tablist" {
                        (tab("timeline", "Timeline", true))
                        (tab("records", "Records", false))
                        (tab("workflows", "Workflows", false))
                        (tab("controls", "Controls", false))
                    }
                    main {
                        section #tab-timeline {
                            div.filters {
                                label { "workflow " input #f-workflow type="search" placeholder="name"; }
                                label { "record " input #f-record type="search" placeholder="id"; }
                                label { "status "
                                    select #f-status {
                                        option value="" { "any" }
                                        option value="401" { "401" }
                                        option value="403" { "403" }
                                        option value="429" { "429" }
                                        option value="400" { "400" }
                                        option value="404" { "404" }
                                        option value="500" { "500" }
                                    }
                                }
                                label { input #f-problems type="checkbox"; " only problems" }
                                span #timeline-meta .muted {}
                            }
                            div #loops {}
                            div #run-detail .panel hidden {}
                            div #timeline {}
                        }
                        section #tab-records hidden {
                            div.records {
                                div {
                                    select #record-kind {
                                        @for kind in ["conversations", "customers", "messages", "notes", "tags", "users", "teams", "shortcuts"] {
                                            option value=(kind) { (kind) }
                                        }
                                    }
                                    ul #record-list {}
                                }
                                div #record-detail { p.muted { "Pick a record: its event history (changes before → after) and the runs it caused." } }
                            }
                        }
                        section #tab-workflows hidden {
                            table #workflow-table {}
                            (control("install-form", "Install a workflow (Kustomer's workflow JSON)", html! {
                                textarea #install-json name="definition" placeholder="{\"name\": …, \"trigger\": …, \"steps\": …}" {}
                                input #install-file type="file" accept=".json,application/json";
                            }, "Install"))
                        }
                        section #tab-controls hidden {
                            div.controls {
                                (control("key-form", "/v1 key used by the controls below", html! {
                                    input #v1-token name="token" type="password" autocomplete="off" placeholder="API key token (kmk_…)";
                                }, "Use this key"))
                                (control("create-key-form", "Create an API key", html! {
                                    input name="name" placeholder="name" required;
                                    input name="roles" placeholder="roles, comma-separated (e.g. org.admin)";
                                }, "Create"))
                                (control("tag-form", "Add tags to a conversation", html! {
                                    input name="conversation" placeholder="conversation id" required;
                                    input name="tags" placeholder="tags, comma-separated" required;
                                }, "Add tags"))
                                (control("message-form", "Post a message to a conversation", html! {
                                    input name="conversation" placeholder="conversation id" required;
                                    textarea name="body" placeholder="{\"channel\": \"email\", \"direction\": \"in\", \"preview\": \"…\"}" {}
                                }, "Post"))
                                (control("event-form", "Publish an event (POST /__admin/events)", html! {
                                    input name="name" placeholder="kustomer.app.<app>.<event>" required;
                                    textarea name="data" placeholder="{\"id\": \"…\"} (the run's steps.1)" {}
                                }, "Publish"))
                                (control("request-form", "Send a /v1 request", html! {
                                    input name="method" value="PUT" required;
                                    input name="path" placeholder="/v1/conversations/<id>" required;
                                    textarea name="body" placeholder="JSON body" {}
                                }, "Send"))
                                (control("clock-form", "Advance the clock", html! {
                                    input name="advance" placeholder="e.g. 60s, 8d" required;
                                }, "Advance"))
                                (control("limits-form", "Set limits (PUT /__admin/limits)", html! {
                                    textarea name="body" placeholder="{\"requestsPerMinute\": 60}" {}
                                }, "Set"))
                                (control("fault-form", "Add a fault", html! {
                                    textarea name="body" placeholder="{\"path\": \"/v1/**\", \"action\": {\"kind\": \"status\", \"status\": 503}}" {}
                                }, "Add"))
                                (control("clear-faults-form", "Clear every fault", html! {}, "Clear faults"))
                                (control("reset-form", "Reset to the start-up fixtures", html! {}, "Reset"))
                            }
                        }
                    }
                }
            }
        }
    }
}
