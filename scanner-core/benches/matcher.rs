//! Criterion benchmarks of the matcher on realistic inputs, and of rule compilation.
//! Run: `cargo bench -p scanner-core --bench matcher`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use scanner_core::matcher::{Matcher, RawMatch, Scratch};
use scanner_core::{Input, RuleSet, ScannerBuilder};
use std::hint::black_box;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

/// Source-like text: identifiers, config keys, URLs, the words secret scanners trip on.
fn source_tree(n: usize) -> Vec<u8> {
    let lines = [
        "    let token = request.headers().get(\"authorization\").unwrap_or_default();\n",
        "export async function fetchUser(id: string): Promise<User> { return api.get(`/users/${id}`); }\n",
        "  password: process.env.DB_PASSWORD,\n",
        "const apiKey = config.get('apiKey');\n",
        "def handler(event, context):\n",
        "        if secret is None: raise ValueError(\"missing secret\")\n",
        "# See https://docs.example.com/auth for the key format\n",
        "import { useState, useEffect } from 'react';\n",
        "SELECT id, name, created_at FROM accounts WHERE owner = $1;\n",
        "    fn parse_key(&self, key: &str) -> Result<Key, Error> {\n",
    ];
    let mut r = Rng(7);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        out.extend_from_slice(r.pick(&lines).as_bytes());
    }
    out
}

/// One long minified line with many keyword hits.
fn minified(n: usize) -> Vec<u8> {
    let parts = [
        "var a=function(t){return t.token||t.key},",
        "n.apiKey=e.secret;",
        "o.headers={Authorization:\"Bearer \"+i.accessToken};",
        "function r(e){for(var t=0;t<e.length;t++)s[e[t]]=!0}",
        "u.password=void 0,",
        "c=\"sk-\"+l,",
    ];
    let mut r = Rng(11);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        out.extend_from_slice(r.pick(&parts).as_bytes());
    }
    out
}

fn binary(n: usize) -> Vec<u8> {
    let mut r = Rng(13);
    (0..n).map(|_| r.next() as u8).collect()
}

fn no_keywords(n: usize) -> Vec<u8> {
    let words = [
        "lorem ",
        "ipsum ",
        "dolor ",
        "sit ",
        "amet ",
        "consectetur ",
        "adipiscing ",
        "elit\n",
    ];
    let mut r = Rng(17);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        out.extend_from_slice(r.pick(&words).as_bytes());
    }
    out
}

fn bench_matcher(c: &mut Criterion) {
    let set = RuleSet::builtin().expect("rules");
    let matcher = Matcher::new(&set).expect("compile");
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("source", source_tree(4 << 20)),
        ("minified", minified(4 << 20)),
        ("binary", binary(4 << 20)),
        ("no-keywords", no_keywords(4 << 20)),
    ];
    let mut g = c.benchmark_group("matcher");
    for (name, data) in &inputs {
        g.throughput(Throughput::Bytes(data.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(name), data, |b, data| {
            let mut scratch = Scratch::default();
            let mut out: Vec<RawMatch> = Vec::new();
            b.iter(|| {
                out.clear();
                matcher.scan(Some("src/app.js"), black_box(data), &mut scratch, &mut out);
                black_box(out.len())
            })
        });
    }
    g.finish();
}

fn bench_compile(c: &mut Criterion) {
    let mut g = c.benchmark_group("startup");
    g.bench_function("load+compile builtin rules", |b| {
        b.iter(|| {
            let set = RuleSet::builtin().expect("rules");
            black_box(Matcher::new(&set).expect("compile"))
        })
    });
    g.bench_function("scanner build + scan 1 small file", |b| {
        b.iter(|| {
            let s = ScannerBuilder::new().build().expect("build");
            black_box(s.scan(&[Input::Bytes {
                name: "a.js".into(),
                data: b"const a = 1;\n".to_vec(),
            }]))
        })
    });
    g.finish();
}

criterion_group!(benches, bench_matcher, bench_compile);
criterion_main!(benches);
