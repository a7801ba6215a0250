//! Regressions found by the fuzzer (examples/fuzz.rs): each input must give a
//! clear message and exit status 1, quickly, without a crash or a hang.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

mod support;

use std::time::{Duration, Instant};

#[test]
fn fuzz_regressions_are_reported_not_crashed() {
    let dir = support::root().join("tests/fuzz_regressions");
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let start = Instant::now();
        let mut child = support::bin()
            .arg("check")
            .arg(&p)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // A hang is a failure: give it a generous bound, then kill it.
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if start.elapsed() > Duration::from_secs(60) {
                let _ = child.kill();
                panic!("{} hangs", p.display());
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(status.code(), Some(1), "{}", p.display());
    }
}
