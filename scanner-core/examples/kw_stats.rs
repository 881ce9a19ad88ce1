//! Prints keyword length statistics of the built-in rules.
use scanner_core::RuleSet;
fn main() {
    let set = RuleSet::builtin().expect("rules");
    let kws = set.keywords();
    let mut by_len = std::collections::BTreeMap::new();
    for k in &kws {
        by_len
            .entry(k.len().min(8))
            .or_insert_with(Vec::new)
            .push(k.clone());
    }
    println!("{} keywords", kws.len());
    for (l, v) in &by_len {
        if *l < 5 {
            println!("{l}: {} {:?}", v.len(), v);
        } else {
            println!("{l}: {}", v.len());
        }
    }
    let nonascii = kws.iter().filter(|k| !k.is_ascii()).count();
    println!("non-ascii {nonascii}");
}
