//! The loop shared by the long fuzz harnesses (this crate's `fuzz` example and
//! `bonifica-server`'s `fuzz_odk`): random and mutated inputs against a check, panics
//! caught with `catch_unwind`, crashing inputs saved to `fuzz-crashes/`. Stable Rust, no
//! dependencies: a splitmix64 generator and a handful of byte-level mutations.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A splitmix64 generator: the same inputs for the same seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Up to `max_len` random bytes, a fifth of the time printable ASCII only.
pub fn random_bytes(rng: &mut Rng, max_len: usize) -> Vec<u8> {
    let len = rng.below(max_len + 1);
    let printable = rng.below(5) == 0;
    (0..len)
        .map(|_| {
            let b = rng.next() as u8;
            if printable { b' ' + b % 95 } else { b }
        })
        .collect()
}

/// A seed with one to eight edits: flipped bits, random or dictionary bytes inserted,
/// ranges deleted, duplicated or spliced in from another seed, the tail cut off.
pub fn mutate(rng: &mut Rng, seeds: &[Vec<u8>], tokens: &[&str]) -> Vec<u8> {
    let mut bytes = seeds[rng.below(seeds.len())].clone();
    for _ in 0..1 + rng.below(8) {
        let len = bytes.len();
        let at = rng.below(len + 1);
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                bytes[i] ^= 1 << rng.below(8);
            }
            1 => {
                let new = random_bytes(rng, 8);
                bytes.splice(at..at, new);
            }
            2 => {
                let end = (at + 1 + rng.below(64)).min(len);
                bytes.drain(at..end);
            }
            3 => {
                let end = (at + 1 + rng.below(256)).min(len);
                let copy = bytes[at..end].to_vec();
                bytes.splice(end..end, copy);
            }
            4 | 5 => {
                let token = tokens[rng.below(tokens.len())];
                bytes.splice(at..at, token.bytes());
            }
            _ => {
                let other = &seeds[rng.below(seeds.len())];
                let start = rng.below(other.len() + 1);
                let end = (start + rng.below(128)).min(other.len());
                bytes.splice(at..at, other[start..end].iter().copied());
            }
        }
    }
    bytes
}

/// Runs `check` on random and mutated inputs for `seconds`, and returns the number of
/// crashes (panics, or a check returning an error). Prints progress every 30 s.
pub fn run(
    name: &str,
    seconds: u64,
    seeds: &[Vec<u8>],
    tokens: &[&str],
    check: impl Fn(&[u8]) -> Result<(), String>,
) -> usize {
    // Panics are caught and reported below; the default hook would print each one.
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng::new(0x5eed ^ seconds);
    let start = Instant::now();
    let budget = Duration::from_secs(seconds);
    let mut tried = 0u64;
    let mut crashes = 0usize;
    let mut last_report = Instant::now();
    while start.elapsed() < budget {
        let input = if rng.below(10) == 0 {
            random_bytes(&mut rng, 2048)
        } else {
            mutate(&mut rng, seeds, tokens)
        };
        tried += 1;
        let problem = match catch_unwind(AssertUnwindSafe(|| check(&input))) {
            Ok(Ok(())) => None,
            Ok(Err(problem)) => Some(problem),
            Err(payload) => Some(
                payload
                    .downcast_ref::<&str>()
                    .map(|s| format!("panic: {s}"))
                    .or_else(|| {
                        payload
                            .downcast_ref::<String>()
                            .map(|s| format!("panic: {s}"))
                    })
                    .unwrap_or_else(|| "panic".to_string()),
            ),
        };
        if let Some(problem) = problem {
            crashes += 1;
            let path = save(name, crashes, &input);
            println!(
                "crash {crashes}: {problem} (input saved to {})",
                path.display()
            );
        }
        if last_report.elapsed() > Duration::from_secs(30) {
            println!(
                "{name}: {tried} inputs, {crashes} crashes, {:.0} s",
                start.elapsed().as_secs_f64()
            );
            last_report = Instant::now();
        }
    }
    println!(
        "{name}: {tried} inputs tried in {:.0} s, {crashes} crashes",
        start.elapsed().as_secs_f64()
    );
    crashes
}

fn save(name: &str, n: usize, input: &[u8]) -> PathBuf {
    let dir = PathBuf::from("fuzz-crashes");
    let path = dir.join(format!("{name}-{n}.bin"));
    if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, input)) {
        println!("could not save {}: {e}", path.display());
    }
    path
}

/// `--seconds N` from the arguments after the first, 600 when absent.
pub fn seconds_from(args: &[String]) -> Result<u64, String> {
    match args.iter().position(|a| a == "--seconds") {
        None => Ok(600),
        Some(i) => args
            .get(i + 1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| "--seconds needs a whole number".to_string()),
    }
}
