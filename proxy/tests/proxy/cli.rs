//! The `feedframe` binary as an owner uses it.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use fake_instagram::FakeInstagram;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStderr, ChildStdout, Command};

use crate::helpers::DAY;

pub fn feedframe(data_dir: &Path, fake: &FakeInstagram) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_feedframe"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("FEEDFRAME_DATA_DIR", data_dir)
        .env("FEEDFRAME_GRAPH_BASE", fake.graph_base())
        .env("FEEDFRAME_MEDIA_HOSTS", "localhost")
        .env("FEEDFRAME_MEDIA_ALLOW_PRIVATE", "1")
        .env("FEEDFRAME_UPSTREAM_TIMEOUT", "2")
        .kill_on_drop(true);
    cmd
}

pub async fn run(cmd: &mut tokio::process::Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().await.unwrap();
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// `feedframe admin set-password`, with `input` typed on its standard input.
pub async fn admin_set_password(
    dir: &Path,
    fake: &FakeInstagram,
    input: &str,
) -> (i32, String, String) {
    let mut child = feedframe(dir, fake)
        .args(["admin", "set-password"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).await.unwrap();
    drop(stdin);
    let out = child.wait_with_output().await.unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A `feedframe serve` whose whole output the test reads when it stops.
pub struct Logged {
    child: Child,
    pub url: String,
    banner: String,
    stdout: BufReader<ChildStdout>,
    stderr: ChildStderr,
}

/// `feedframe serve` on a free port, with the environment the caller gave `cmd`, its output kept.
pub async fn serve_logged(mut cmd: Command) -> Logged {
    let mut child = cmd
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let stderr = child.stderr.take().unwrap();
    let mut banner = String::new();
    tokio::time::timeout(Duration::from_secs(20), stdout.read_line(&mut banner))
        .await
        .expect("the server starts")
        .unwrap();
    let url = banner
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("the banner names the URL")
        .to_string();
    Logged {
        child,
        url,
        banner,
        stdout,
        stderr,
    }
}

impl Logged {
    /// Stops the server; everything it wrote on stdout and stderr.
    pub async fn stop(mut self) -> String {
        self.child.start_kill().unwrap();
        self.child.wait().await.unwrap();
        let mut all = self.banner;
        self.stdout.read_to_string(&mut all).await.unwrap();
        self.stderr.read_to_string(&mut all).await.unwrap();
        all
    }
}

/// `feedframe serve` on a free port, and its URL.
pub async fn serve(
    dir: &std::path::Path,
    fake: &FakeInstagram,
    extra: &[&str],
) -> (tokio::process::Child, String) {
    serve_with(feedframe(dir, fake), extra).await
}

/// `cmd serve` on a free port (with the environment the caller gave `cmd`), and its URL.
pub async fn serve_with(mut cmd: Command, extra: &[&str]) -> (tokio::process::Child, String) {
    let mut child = cmd
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let url = serving_url(&mut child).await;
    (child, url)
}

/// Reads `FeedFrame is serving on http://…` from the child's stdout.
pub async fn serving_url(child: &mut tokio::process::Child) -> String {
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .expect("the server starts")
        .unwrap()
        .expect("a line");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    line.rsplit(' ').next().unwrap().to_string()
}

#[tokio::test]
async fn token_add_checks_the_token_and_status_reports_it() {
    let fake = FakeInstagram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let token = fake.issue_token(60 * DAY);
    let (code, out, err) =
        run(feedframe(dir.path(), &fake).args(["token", "add", "main", "--token", &token])).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("@harborline.ceramics"), "{out}");
    assert!(
        !out.contains(&token) && !err.contains(&token),
        "the token is never printed"
    );

    let (code, out, _) = run(feedframe(dir.path(), &fake).args(["token", "status", "main"])).await;
    assert_eq!(code, 0);
    for field in [
        "state:         active",
        "expires:",
        "age:",
        "last refresh:  never",
        "last error:    none",
    ] {
        assert!(out.contains(field), "{field:?} missing in:\n{out}");
    }
    assert!(!out.contains(&token));

    let (code, out, err) =
        run(feedframe(dir.path(), &fake).args(["token", "refresh", "main"])).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Refreshed"), "{out}");
    let (_, out, _) = run(feedframe(dir.path(), &fake).args(["token", "status"])).await;
    assert!(
        out.contains("expires:       20"),
        "the expiry is known after a refresh:\n{out}"
    );
    assert!(!out.contains("last refresh:  never"), "{out}");

    let (code, out, _) = run(feedframe(dir.path(), &fake).args(["token", "remove", "main"])).await;
    assert_eq!(code, 0);
    assert!(out.contains("Removed"));
    let (code, _, err) = run(feedframe(dir.path(), &fake).args(["token", "status", "main"])).await;
    assert_eq!(code, 2);
    assert!(err.contains("does not exist"), "{err}");
}

#[tokio::test]
async fn an_invalid_token_is_refused_in_plain_words_and_nothing_is_stored() {
    let fake = FakeInstagram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let expired = fake.issue_token_aged(61 * DAY, 60 * DAY);
    let cases = [
        ("IGAAnot-a-real-token", "does not accept the access token"),
        (expired.as_str(), "expired"),
    ];
    for (token, words) in cases {
        let (code, out, err) =
            run(feedframe(dir.path(), &fake).args(["token", "add", "main", "--token", token]))
                .await;
        assert_eq!(code, 1, "{out}{err}");
        assert!(
            err.contains("Instagram refused the token, nothing was stored"),
            "{err}"
        );
        assert!(err.contains(words), "{err}");
        assert!(!err.contains(token), "the token is never printed: {err}");
    }
    let (_, out, _) = run(feedframe(dir.path(), &fake).args(["token", "status"])).await;
    assert!(out.contains("No feeds yet"), "{out}");
}

#[tokio::test]
async fn a_token_can_come_from_standard_input() {
    use tokio::io::AsyncWriteExt;
    let fake = FakeInstagram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let token = fake.issue_token(60 * DAY);
    let mut child = feedframe(dir.path(), &fake)
        .args(["token", "add", "main"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{token}\n").as_bytes())
        .await
        .unwrap();
    assert!(child.wait().await.unwrap().success());
}

#[tokio::test]
async fn bad_flags_and_values_exit_with_code_2_and_say_why() {
    let fake = FakeInstagram::start().await;
    let dir = tempfile::tempdir().unwrap();
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 7] = [
        (&["serve", "--bogus"], &[], "--bogus"),
        (
            &["serve"],
            &[("FEEDFRAME_FEED_TTL", "ten")],
            "'ten' is not a positive number of seconds",
        ),
        (&["serve"], &[("FEEDFRAME_LISTEN", "nowhere")], "nowhere"),
        (
            &["serve"],
            &[("FEEDFRAME_GRAPH_BASE", "graph.instagram.com")],
            "not an http(s) URL",
        ),
        (
            &["serve"],
            &[("FEEDFRAME_GRAPH_VERSION", "25")],
            "not a Graph API version",
        ),
        (
            &["serve"],
            &[("FEEDFRAME_MEDIA_HOSTS", "a b")],
            "not a host name",
        ),
        (
            &["token", "add", "Main Feed", "--token", "x"],
            &[],
            "not a feed name",
        ),
    ];
    for (args, envs, words) in cases {
        let mut cmd = feedframe(dir.path(), &fake);
        cmd.args(args).envs(envs.iter().copied());
        let (code, out, err) = run(&mut cmd).await;
        assert_eq!(code, 2, "{args:?} {envs:?}: {out}{err}");
        assert!(err.contains(words), "{args:?} {envs:?}: {err}");
    }
}

#[cfg(unix)]
#[tokio::test]
async fn serve_refuses_a_database_every_user_can_read() {
    use std::os::unix::fs::PermissionsExt;
    let fake = FakeInstagram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let token = fake.issue_token(60 * DAY);
    let (code, ..) =
        run(feedframe(dir.path(), &fake).args(["token", "add", "main", "--token", &token])).await;
    assert_eq!(code, 0);
    let db = dir.path().join("feedframe.db");
    let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the database holding the token is private");

    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, out, err) =
        run(feedframe(dir.path(), &fake).args(["serve", "--listen", "127.0.0.1:0"])).await;
    assert_ne!(code, 0, "{out}{err}");
    assert!(
        err.contains("every user of this machine can read it") && err.contains("chmod 600"),
        "{err}"
    );
}
