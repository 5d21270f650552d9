//! The exit statuses the help texts state, against what the commands
//! return: every command whose `--help` has an "Exit status" section is run
//! in the situation each stated status names, against the fake server on
//! 127.0.0.1, and must end with that status.

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::process::{Child, Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

use didit::SessionStatus;
use didit::webhook::Signer;
use didit_mock::DiditMock;
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{KEY, Scratch, checked, didit, refusing_base_url, run, stderr, stdout};

const WORKFLOW: &str = "11111111-2222-3333-4444-555555555555";

/// The environment variable the webhook secret is put in.
const SECRET_ENV: &str = "DIDIT_TEST_EXIT_STATUS_SECRET";

/// A command line: the words after `didit` that name the command.
type CommandName = Vec<String>;

/// The commands under `command`, as its help lists them, and `command`.
fn commands_from(command: CommandName) -> Vec<CommandName> {
    let mut words: Vec<&str> = command.iter().map(String::as_str).collect();
    words.push("--help");
    let help = stdout(&run(&mut didit(), &words));
    let listed: Vec<String> = help
        .lines()
        .skip_while(|line| *line != "Commands:")
        .skip(1)
        .take_while(|line| !line.trim().is_empty())
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect();
    let mut commands = vec![command.clone()];
    for name in listed {
        let mut below = command.clone();
        below.push(name);
        commands.extend(commands_from(below));
    }
    commands
}

/// The statuses the "Exit status" section of `help` states, in its order.
fn stated_statuses(help: &str) -> Vec<i32> {
    help.lines()
        .skip_while(|line| *line != "Exit status:")
        .skip(1)
        .take_while(|line| !line.trim().is_empty())
        .map(|line| {
            let code = line.split_whitespace().next().unwrap_or_default();
            code.parse()
                .unwrap_or_else(|_| panic!("not a status line of an Exit status section: {line:?}"))
        })
        .collect()
}

fn help_of(command: &CommandName) -> String {
    let mut words: Vec<&str> = command.iter().map(String::as_str).collect();
    words.push("--help");
    let output = run(&mut didit(), &words);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    stdout(&output)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_exit_status_a_help_states_is_what_its_command_returns_then() {
    let scratch = Arc::new(Scratch::new("exit-status"));
    let mut top_level = Vec::new();
    let mut checked_statuses = BTreeSet::new();
    for command in commands_from(Vec::new()) {
        let statuses = stated_statuses(&help_of(&command));
        if command.is_empty() {
            top_level = statuses;
            continue;
        }
        let name = command.join(" ");
        for status in statuses {
            // A task of its own for each: wiremock's servers block on a tokio
            // lock when dropped, which spins once a task has spent its budget.
            let situation = tokio::spawn(run_where_it_exits_with(
                command.clone(),
                status,
                Arc::clone(&scratch),
            ));
            let Some(output) = situation.await.unwrap() else {
                panic!(
                    "`didit {name} --help` states exit status {status}: \
                     this test needs a situation in which `didit {name}` returns it"
                );
            };
            assert_eq!(
                output.status.code(),
                Some(status),
                "`didit {name}` where its help says it exits with {status}\nstderr: {}",
                stderr(&output)
            );
            checked_statuses.insert(status);
        }
    }
    assert!(
        top_level.contains(&0),
        "`didit --help` states no exit status"
    );
    for status in top_level {
        assert!(
            checked_statuses.contains(&status),
            "`didit --help` states exit status {status}, which no command's help states"
        );
    }
}

#[test]
fn the_readme_lists_the_exit_statuses_the_help_states() {
    let readme = include_str!("../../README.md");
    let listed: Vec<i32> = readme
        .lines()
        .skip_while(|line| !line.starts_with("| code | meaning |"))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .map(|line| line.split('|').nth(1).unwrap().trim().parse().unwrap())
        .collect();
    assert_eq!(listed, stated_statuses(&help_of(&Vec::new())));
}

/// Runs `command` in the situation the help names for exit status
/// `status`, and returns how it ended; `None` when there is no such
/// situation here.
async fn run_where_it_exits_with(
    command: CommandName,
    status: i32,
    scratch: Arc<Scratch>,
) -> Option<Output> {
    let words: Vec<&str> = command.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["sessions", _] => Some(run_session_command(&command, status, &scratch).await),
        ["webhooks", "verify"] => run_verify(status, &scratch),
        ["webhooks", "listen"] => run_listen(status),
        _ => None,
    }
}

/// The words of `command` (`sessions <name>`) about session `id`, with
/// what each needs to run unattended; in the situation of `status`.
fn session_words(command: &CommandName, id: &str, scratch: &Scratch, status: i32) -> Vec<String> {
    let report = scratch.path(&format!("report-{status}.pdf"));
    let rest: Vec<&str> = match command[1].as_str() {
        "list" => vec![],
        "create" => vec!["--workflow-id", WORKFLOW],
        "update-status" => vec![id, "--status", "Declined"],
        "delete" => vec![id, "--yes"],
        "pdf" => vec![id, "-o", &report],
        // Waiting for an unfinished session stops at --timeout.
        "wait" if status == 9 => vec![id, "--timeout", "2"],
        _ => vec![id],
    };
    let mut words = command.clone();
    words.extend(rest.into_iter().map(str::to_owned));
    words
}

/// The fake with a few sessions, one of them moved to `status`, and that
/// one's id.
async fn fake_with_a_session(status: SessionStatus) -> (DiditMock, String) {
    let mock = DiditMock::builder()
        .api_key(KEY)
        .synthetic(3, 11)
        .rate_limit(0)
        .start()
        .await;
    let id = mock.store().kyc()[0].row.session_id.expect("an id");
    mock.finish_session(id, status)
        .expect("the session is there");
    (mock, id.to_string())
}

async fn run_session_command(command: &CommandName, status: i32, scratch: &Scratch) -> Output {
    let (mock, id) = fake_with_a_session(if status == 9 {
        SessionStatus::InProgress
    } else {
        SessionStatus::Approved
    })
    .await;
    let words = session_words(command, &id, scratch, status);
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let at = |base_url: &str, key: &str| {
        let mut command = didit();
        command.args(["--base-url", base_url, "--api-key", key]);
        command.write_stdin("");
        command
    };
    match status {
        1 => {
            let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin!("didit"));
            command.args(["--base-url", &mock.uri(), "--api-key", KEY]);
            with_unwritable_stdout(command, &words)
        }
        2 => {
            let mut words = words;
            words.extend(["--concurrency", "0"]);
            run(&mut at(&mock.uri(), KEY), &words)
        }
        3 => run(&mut at(&mock.uri(), "sk_test_not_the_key"), &words),
        4 => {
            mock.fail_next(1, 409);
            run(&mut at(&mock.uri(), KEY), &words)
        }
        5 => {
            let (base_url, _refusing) = refusing_base_url();
            run(&mut at(&base_url, KEY), &words)
        }
        6 => {
            // A redirect off the API's origin, which is never followed.
            let server = MockServer::start().await;
            Mock::given(wiremock::matchers::any())
                .respond_with(
                    ResponseTemplate::new(302).insert_header("location", "http://elsewhere.test/"),
                )
                .mount(&server)
                .await;
            run(&mut at(&server.uri(), KEY), &words)
        }
        7 => {
            mock.fail_next(1, 404);
            run(&mut at(&mock.uri(), KEY), &words)
        }
        130 => {
            // A server that takes connections and never answers: the
            // command is still waiting when the signal comes.
            let silent = TcpListener::bind("127.0.0.1:0").unwrap();
            let base_url = format!("http://{}", silent.local_addr().unwrap());
            let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin!("didit"));
            command.args(["--base-url", &base_url, "--api-key", KEY]);
            interrupted(command.args(&words))
        }
        // 0, and 9 with the session unfinished.
        _ => run(&mut at(&mock.uri(), KEY), &words),
    }
}

/// Runs `didit` with standard output on a full device, so that writing
/// the result fails.
fn with_unwritable_stdout(mut command: std::process::Command, words: &[&str]) -> Output {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = command
        .args(words)
        .env_remove("DIDIT_API_KEY")
        .env_remove("DIDIT_BASE_URL")
        .stdin(Stdio::null())
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    checked(output)
}

/// Starts `command`, interrupts it with SIGINT once it can handle the
/// signal, and returns how it ended.
fn interrupted(command: &mut std::process::Command) -> Output {
    let mut child = command
        .env_remove("DIDIT_API_KEY")
        .env_remove("DIDIT_BASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_sigint_handler(&child);
    // Open until the command has ended: one waiting for its input must
    // still be waiting when the signal comes.
    let _stdin = child.stdin.take();
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    checked(child.wait_with_output().unwrap())
}

/// Waits until `child` handles SIGINT: sent any earlier, the signal would
/// end the process before the command could say it was interrupted.
fn wait_for_sigint_handler(child: &Child) {
    let path = format!("/proc/{}/status", child.id());
    loop {
        let status = std::fs::read_to_string(&path).expect("the command is running");
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .map(str::trim)
                .unwrap_or_else(|| panic!("no {name} in {path}"))
                .to_owned()
        };
        assert!(
            !field("State:").starts_with('Z'),
            "the command ended before it could be interrupted"
        );
        let caught = u64::from_str_radix(&field("SigCgt:"), 16).expect("a signal mask");
        // Bit n - 1 stands for signal n; SIGINT is 2.
        if caught & (1 << 1) != 0 {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The vectors' timestamp, and the time the deliveries are checked at.
const SENT_AT: i64 = 1_764_590_000;

/// `webhooks verify` words for a delivery signed with `signed_with`, its
/// body, and the secret the command is given.
fn signed_delivery(signed_with: &str) -> (Vec<String>, Vec<u8>) {
    let signed = Signer::new(signed_with)
        .sign(&serde_json::json!({
            "webhook_type": "status.updated",
            "timestamp": SENT_AT,
            "session_id": "5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f",
            "status": "Approved",
        }))
        .unwrap();
    let mut words: Vec<String> = [
        "webhooks",
        "verify",
        "--secret-env",
        SECRET_ENV,
        "--now",
        &SENT_AT.to_string(),
    ]
    .map(str::to_owned)
    .to_vec();
    for (name, value) in &signed.headers {
        words.push("--header".to_owned());
        words.push(format!("{name}: {}", value.to_str().unwrap()));
    }
    (words, signed.body)
}

fn run_verify(status: i32, scratch: &Scratch) -> Option<Output> {
    let secret = "whsec_exit_status";
    let (words, body) = signed_delivery(if status == 8 { "another" } else { secret });
    let mut words: Vec<&str> = words.iter().map(String::as_str).collect();
    let mut command = didit();
    command.env(SECRET_ENV, secret);
    Some(match status {
        0 | 8 => run(command.write_stdin(body), &words),
        1 => {
            let body_file = scratch.path("body.json");
            std::fs::write(&body_file, body).unwrap();
            words.extend(["--body-file", &body_file]);
            let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin!("didit"));
            command.env(SECRET_ENV, secret);
            with_unwritable_stdout(command, &words)
        }
        2 => run(command.write_stdin(body), &words[..2]),
        // Waiting for the body on standard input, which stays open.
        130 => interrupted(
            std::process::Command::new(assert_cmd::cargo::cargo_bin!("didit"))
                .env(SECRET_ENV, secret)
                .args(&words),
        ),
        _ => return None,
    })
}

fn run_listen(status: i32) -> Option<Output> {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin!("didit"));
    command
        .env("DIDIT_TEST_LISTEN_SECRET", "whsec_listen")
        .args(["webhooks", "listen", "--secret-env"]);
    Some(match status {
        1 => {
            // The port is taken.
            let taken = TcpListener::bind("127.0.0.1:0").unwrap();
            let port = taken.local_addr().unwrap().port().to_string();
            checked(
                command
                    .args(["DIDIT_TEST_LISTEN_SECRET", "--port", &port])
                    .output()
                    .unwrap(),
            )
        }
        2 => checked(
            command
                .args(["DIDIT_TEST_UNSET_SECRET", "--port", "0"])
                .output()
                .unwrap(),
        ),
        130 => interrupted(command.args(["DIDIT_TEST_LISTEN_SECRET", "--port", "0"])),
        _ => return None,
    })
}
