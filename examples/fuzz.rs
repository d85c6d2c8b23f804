//! A mutation fuzzer for everything that parses untrusted bytes: the stat,
//! status and cmdline parsers, ps and pstree escaping, and the STAT decoder.
//! Inputs are mutated seeds and random bytes; any panic is a failure.
//!
//!   cargo run --release --example fuzz -- 10000000 [SEED]

use std::panic;

use pscope::analysis::{psfmt, state};
use pscope::model::cmdline_args;
use pscope::render::tree::{escape, pstree_args};
use pscope::source::parse::{parse_stat, parse_status};

const SEEDS: &[&[u8]] = &[
    b"812 (bash) Ss 800 812 812 34816 2001 4194560 100 0 0 0 5 3 0 0 20 0 1 0 4242 9000000 1200 18446744073709551615 1 1 0 0 0 0 65536 3670020 1266777851 1 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
    b"7 (a) (b\nc:\xff d) Z 1 1 1 0 -1 4 0 0 0 0 0 0 0 0 20 0 1 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0\n",
    b"Name:\tfoo: bar\nState:\tS (sleeping)\nUid:\t1000\t1001\t1001\t1001\nGid:\t100\t101\t101\t101\nVmSize:\t  9000 kB\nVmLck:\t 4 kB\nVmRSS:\t 1200 kB\n",
    b"bash\0-c\0sleep 100; :\0a\0b c\0\0d\0",
    b"Ssl+",
    b"R<Lsl+",
    "é\u{9b}\x1b[31m".as_bytes(),
];

const SPECIAL: &[u8] = b"() :\n\t\0\xff\xc2\x9b\x1b\\-0123456789+<NLslZSR%";

/// xorshift64*: small, fast, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, input: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(input.len() + 1);
        match rng.below(7) {
            0 if !input.is_empty() => {
                let i = rng.below(input.len());
                input[i] = rng.next() as u8;
            }
            1 => input.insert(at, SPECIAL[rng.below(SPECIAL.len())]),
            2 if at < input.len() => {
                input.remove(at);
            }
            3 => input.truncate(at),
            4 => {
                let seed = SEEDS[rng.below(SEEDS.len())];
                let from = rng.below(seed.len());
                let to = from + rng.below(seed.len() - from + 1);
                input.splice(at..at, seed[from..to].iter().copied());
            }
            5 => {
                let len = rng.below(64);
                *input = (0..len).map(|_| rng.next() as u8).collect();
            }
            _ => {
                if let Some(i) = input.iter().position(|&b| b == b' ') {
                    input[i] = SPECIAL[rng.below(SPECIAL.len())];
                }
            }
        }
    }
}

/// Feeds one input to every parser.
fn exercise(input: &[u8]) {
    let _ = parse_stat(input);
    let _ = parse_status(input);
    let _ = cmdline_args(input);
    let _ = psfmt::escape(input, true);
    let _ = psfmt::escape(input, false);
    let _ = psfmt::args(Some(input), input, true, true);
    let _ = escape(input);
    let _ = pstree_args(input, Some(80));
    let _ = pstree_args(input, None);
    let _ = state::decode(&String::from_utf8_lossy(input));
}

pub fn fuzz(iterations: u64, seed: u64) -> (u64, u64) {
    panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(seed | 1);
    let mut panics = 0;
    let mut input = Vec::new();
    for i in 0..iterations {
        if i % 64 == 0 {
            input = SEEDS[rng.below(SEEDS.len())].to_vec();
        }
        mutate(&mut rng, &mut input);
        if panic::catch_unwind(|| exercise(&input)).is_err() {
            panics += 1;
            if panics <= 5 {
                eprintln!("panic on input {:?}", String::from_utf8_lossy(&input));
            }
        }
    }
    let _ = panic::take_hook();
    (iterations, panics)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let iterations: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(0x5eed);
    let start = std::time::Instant::now();
    let (runs, panics) = fuzz(iterations, seed);
    println!(
        "fuzz: {runs} executions, {panics} panics, {:.1} s (seed {seed})",
        start.elapsed().as_secs_f64()
    );
    if panics > 0 {
        std::process::exit(1);
    }
}
