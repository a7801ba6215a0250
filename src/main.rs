//! The `juesuan` binary: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

/// mimalloc instead of the system allocator: reading and auditing a workbook
/// makes many small, short-lived allocations on several threads (malloc/free
/// were the leaf of a fifth of all profile samples, issue 16).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    juesuan::cli::main()
}
