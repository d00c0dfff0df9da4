//! The OpenAPI document describes what the server really does: every operation is called
//! and its answer validated against the schema the document gives for that status, errors
//! included; the committed `docs/openapi.json` is the generated one, and a harness server
//! serves and answers the workflows API's operations as that document describes them.

mod conformance;
mod document;
mod errors;
mod klasses;
mod merges;
mod operations;
mod records;
mod settings;
mod workflows;
