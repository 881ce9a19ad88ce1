//! Throughput of the keyword search alone over a file, built-in rules.
//! `cargo run --release -p scanner-core --example gate_speed -- FILE`
use scanner_core::matcher::Matcher;
use scanner_core::RuleSet;
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("FILE");
    let data = std::fs::read(path).expect("read");
    let m = Matcher::new(&RuleSet::builtin().expect("rules")).expect("matcher");
    let mut n = m.keyword_hit_count(&data);
    let t = Instant::now();
    for _ in 0..30 {
        n = m.keyword_hit_count(&data);
    }
    let dt = t.elapsed().as_secs_f64() / 30.0;
    println!("{n} hits, {:.0} MB/s", data.len() as f64 / dt / 1e6);
}
