//! src/embedded.rs embeds whole fixture directories: a file added to or removed from one
//! must rebuild the crate, which a change of a file's contents alone would not tell.

fn main() {
    println!("cargo:rerun-if-changed=../fixtures/acme.json");
    println!("cargo:rerun-if-changed=../fixtures/workflows");
    println!("cargo:rerun-if-changed=../fixtures/apps");
}
