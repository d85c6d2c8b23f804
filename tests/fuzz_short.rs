//! A short run of the mutation fuzzer in examples/fuzz.rs (the long run,
//! ten million executions, is recorded in TESTING.md).

#[allow(dead_code)]
#[path = "../examples/fuzz.rs"]
mod fuzz;

#[test]
fn parsers_survive_mutated_input() {
    let (runs, panics) = fuzz::fuzz(100_000, 0x0dd_ba11);
    assert_eq!(runs, 100_000);
    assert_eq!(panics, 0);
}
