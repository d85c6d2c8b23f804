//! A short run of the fuzzer in examples/fuzz.rs: mutated bytes through the
//! parsers, and hostile /proc trees through every command's work (the long
//! run is recorded in TESTING.md).

#[allow(dead_code)]
#[path = "../examples/fuzz.rs"]
mod fuzz;

// One test: the fuzzer replaces the panic hook while it runs.
#[test]
fn parsers_and_whole_trees_survive_hostile_input() {
    let (runs, panics) = fuzz::fuzz(100_000, 0x0dd_ba11);
    assert_eq!(runs, 100_000);
    assert_eq!(panics, 0);
    // A debug build: arithmetic overflow on a raw value would panic here.
    let (trees, panics) = fuzz::fuzz_trees(300, 0x0dd_ba11);
    assert_eq!(trees, 300);
    assert_eq!(panics, 0, "see the trees kept above");
}
