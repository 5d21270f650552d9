//! Running property tests with what a maintainer needs when one fails.
//!
//! Every run uses one seed per test binary: `PROPTEST_RNG_SEED` when set,
//! otherwise a random one that the failure message prints, so that the same
//! command with `PROPTEST_RNG_SEED=<seed>` replays the run. Failing cases are
//! also saved under `tests/proptest-regressions/` and replayed first by later
//! runs. `PROPTEST_CASES` raises (or lowers) the number of cases.

use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::sync::OnceLock;

use proptest::strategy::Strategy;
use proptest::test_runner::{
    Config, FileFailurePersistence, RngSeed, TestCaseError, TestError, TestRunner,
};
use serde_json::Value;

/// Cases per property when `PROPTEST_CASES` is not set: enough to cover every
/// branch of the spec's schemas on each CI run, few enough to keep the suite
/// quick on two cores.
pub const DEFAULT_CASES: u32 = 64;

/// A JSON value that prints as pretty JSON in failure messages.
#[derive(Clone, PartialEq)]
pub struct Json(pub Value);

impl fmt::Debug for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string_pretty(&self.0).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

/// The seed of this test binary's runs.
pub fn seed() -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    *SEED.get_or_init(|| match std::env::var("PROPTEST_RNG_SEED") {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("PROPTEST_RNG_SEED={text} is not a u64")),
        Err(_) => RandomState::new().hash_one("didit-contract"),
    })
}

/// The proptest configuration of a run whose failures are saved in
/// `regressions` (relative to `tests/`; `None` saves nothing, for runs that
/// are meant to fail).
pub fn config(regressions: Option<&'static str>, default_cases: u32) -> Config {
    // `Config::default()` reads PROPTEST_CASES and friends.
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = default_cases;
    }
    config.rng_seed = RngSeed::Fixed(seed());
    config.failure_persistence = match regressions {
        Some(path) => Some(Box::new(FileFailurePersistence::Direct(path))),
        None => Some(Box::new(FileFailurePersistence::Off)),
    };
    config
}

/// Runs `test` on values of `strategy`; on failure, the message names the
/// property, the reason, the shrunk input and how to replay the run.
pub fn check<S>(
    property: &str,
    regressions: Option<&'static str>,
    default_cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), String>,
) -> Result<(), String>
where
    S: Strategy,
    S::Value: fmt::Debug,
{
    let config = config(regressions, default_cases);
    let cases = config.cases;
    let mut runner = TestRunner::new(config);
    match runner.run(&strategy, |value| test(value).map_err(TestCaseError::fail)) {
        Ok(()) => Ok(()),
        Err(TestError::Fail(reason, input)) => Err(format!(
            "{property}: {reason}\nminimal failing input: {input:#?}\n{}",
            replay(regressions, cases)
        )),
        Err(TestError::Abort(reason)) => Err(format!(
            "{property}: gave up: {reason}\n{}",
            replay(regressions, cases)
        )),
    }
}

fn replay(regressions: Option<&str>, cases: u32) -> String {
    let saved = match regressions {
        Some(path) => format!(" (the failing case is also saved in tests/{path})"),
        None => String::new(),
    };
    format!(
        "replay: PROPTEST_RNG_SEED={} PROPTEST_CASES={cases} cargo contract{saved}",
        seed()
    )
}
