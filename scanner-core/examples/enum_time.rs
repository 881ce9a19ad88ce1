//! Times history enumeration alone (commit walk + tree traversal + pack-order sort).
//! `cargo run --release -p scanner-core --example enum_time -- REPO`
use scanner_core::inputs::git;
use std::time::Instant;

fn main() {
    let repo = std::env::args().nth(1).expect("REPO");
    let t = Instant::now();
    let blobs = git::history(&git::HistoryOptions::new(repo)).expect("history");
    println!(
        "{} blobs, {} commits in {:?}",
        blobs.items().len(),
        blobs.commits_walked(),
        t.elapsed()
    );
}
