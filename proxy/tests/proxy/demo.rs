//! `feedframe demo`, the README's first command, shows the console: it prints a password that
//! signs in, the expired feed comes first, and "Connect with Instagram" through the built-in fake
//! brings it back to life.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::console_client::Console;

#[tokio::test]
async fn the_demo_prints_a_console_password_and_its_expired_feed_can_be_reconnected() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_feedframe"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args(["demo", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut password = None;
    while password.is_none() {
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the demo prints its console")
            .unwrap()
            .expect("a line");
        password = line
            .split_once("(password: ")
            .map(|(_, p)| p.trim_end_matches(')').to_string());
    }
    // The demo's alert receiver prints what it gets: the expired feed's alert comes first.
    let (tx, mut printed) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            let _ = tx.send(line);
        }
    });
    let alert = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = printed.recv().await {
            if line.contains("alert received:") {
                return line;
            }
        }
        panic!("the demo's output ended");
    })
    .await
    .expect("an alert printed within 30 s");
    assert!(alert.contains("feed.token_dead expired"), "{alert}");
    let base = format!("http://127.0.0.1:{port}");
    let owner = Console::signed_in(&base, &password.unwrap()).await;
    let page = owner.get("/admin").await;
    let first = page.body.find("data-feed=\"").expect("a feed card");
    assert!(
        page.body[first..].starts_with("data-feed=\"expired\""),
        "the expired feed comes first: {}",
        page.body
    );
    assert!(page.body.contains("expired: reconnect"));
    // Reconnect it through the fake's consent page, as the owner's browser would.
    let started = owner.get("/admin/connect?feed=expired").await;
    assert_eq!(started.status, 303, "{}", started.body);
    let login = started.set_cookie.unwrap();
    let back = owner
        .http
        .get(started.location.unwrap())
        .send()
        .await
        .unwrap();
    let callback = back.headers()["location"].to_str().unwrap().to_string();
    let callback = callback
        .strip_prefix(&base)
        .expect("back to the demo")
        .split('#')
        .next()
        .unwrap()
        .to_string();
    let mut browser = Console::at(&base);
    browser.cookie = Some(format!(
        "{}; {}",
        owner.cookie.clone().unwrap(),
        login.split(';').next().unwrap()
    ));
    let done = browser.get(&callback).await;
    assert_eq!(done.status, 200, "{}", done.body);
    let feed: serde_json::Value = reqwest::get(format!("{base}/v1/feeds/expired"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(feed["status"], "live", "{feed}");

    // The moderated feed: the same account, without the post hidden by hand nor the #glazefail one.
    let captions = |feed: &str| {
        let url = format!("{base}/v1/feeds/{feed}");
        async move {
            let feed: feedframe_feed::Feed = reqwest::get(url).await.unwrap().json().await.unwrap();
            feed.posts
                .into_iter()
                .map(|p| (p.id, p.caption.unwrap_or_default()))
                .collect::<Vec<_>>()
        }
    };
    let (all, moderated) = (captions("demo").await, captions("moderated").await);
    let shown: Vec<&(String, String)> = all
        .iter()
        .enumerate()
        .filter(|(i, (_, caption))| *i != 1 && !caption.contains("#glazefail"))
        .map(|(_, post)| post)
        .collect();
    assert!(shown.len() < all.len() - 1, "a rule hides some posts");
    assert_eq!(moderated.iter().collect::<Vec<_>>(), shown);
    assert!(
        owner
            .get("/admin/feeds/moderated/posts")
            .await
            .body
            .contains("data-term=\"#glazefail\"")
    );
    child.kill().await.unwrap();
}
