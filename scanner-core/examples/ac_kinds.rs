//! Compares Aho-Corasick automaton kinds on the built-in keywords over a file.
//! `cargo run --release -p scanner-core --example ac_kinds -- FILE`
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use scanner_core::RuleSet;
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("FILE");
    let data = std::fs::read(path).expect("read");
    let set = RuleSet::builtin().expect("rules");
    let kws = set.keywords();
    for kind in [AhoCorasickKind::ContiguousNFA, AhoCorasickKind::DFA] {
        let t = Instant::now();
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(kind))
            .build(&kws)
            .expect("ac");
        let build = t.elapsed();
        let t = Instant::now();
        let n = ac.find_overlapping_iter(&data).count();
        let dt = t.elapsed();
        println!(
            "{kind:?}: build {build:?}, {n} hits, {:.0} MB/s, mem {} KB",
            data.len() as f64 / dt.as_secs_f64() / 1e6,
            ac.memory_usage() / 1024
        );
    }
    let t = Instant::now();
    let ac = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .build(&kws)
        .expect("ac");
    let n = ac.find_iter(&data).count();
    println!(
        "leftmost non-overlapping (default kind {:?}): {n} hits, {:.0} MB/s",
        ac.kind(),
        data.len() as f64 / t.elapsed().as_secs_f64() / 1e6
    );
    let mut counts: std::collections::HashMap<usize, usize> = Default::default();
    for m in ac.find_iter(&data) {
        *counts.entry(m.pattern().as_usize()).or_default() += 1;
    }
    let mut v: Vec<_> = counts.into_iter().collect();
    v.sort_by_key(|b| std::cmp::Reverse(b.1));
    for (p, c) in v.iter().take(25) {
        print!("{}:{} ", kws[*p], c);
    }
    println!();
}
