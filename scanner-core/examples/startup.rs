//! Times the phases of start-up: load built-in rules, compile the matcher, build the
//! keyword automaton. `cargo run --release -p scanner-core --example startup`
use scanner_core::matcher::Matcher;
use scanner_core::RuleSet;
use std::time::Instant;

fn main() {
    let t = Instant::now();
    let set = RuleSet::builtin().expect("rules");
    let load = t.elapsed();
    let t = Instant::now();
    let m = Matcher::new(&set).expect("compile");
    let compile = t.elapsed();
    let t = Instant::now();
    m.keyword_hit_count(b"x");
    let gate = t.elapsed();
    println!(
        "{} rules: load {:?}, matcher {:?}, keyword search (first use) {:?}",
        m.rules().len(),
        load,
        compile,
        gate
    );
    let kws = set.keywords();
    for kind in [
        None,
        Some(aho_corasick::AhoCorasickKind::ContiguousNFA),
        Some(aho_corasick::AhoCorasickKind::DFA),
    ] {
        let t = Instant::now();
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(kind)
            .build(&kws)
            .unwrap();
        println!("ac {:?} ({:?}): {:?}", kind, ac.kind(), t.elapsed());
    }
    let t = Instant::now();
    let c: Vec<_> = set
        .rules()
        .iter()
        .map(|r| scanner_core::matcher::CompiledRule::compile_trusted(&r.spec, &r.file).unwrap())
        .collect();
    println!("rules prepare: {:?} ({})", t.elapsed(), c.len());
}
