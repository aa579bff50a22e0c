//! A minimal WebDriver client: one chromedriver process and one Chromium session per [`Browser`].

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};

/// The flags this machine needs for headless Chromium (see the project brief).
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1200,900",
];

/// How to start the browser.
#[derive(Debug, Clone)]
pub struct BrowserOptions {
    pub width: u32,
    pub height: u32,
    /// A touch screen (no hover, a coarse pointer) instead of a mouse. Headless Chromium has no
    /// pointing device of its own and would match `(hover: none)` either way.
    pub touch_screen: bool,
    /// Record the network's responses (their statuses), read with [`Browser::responses`].
    pub network_log: bool,
}

impl Default for BrowserOptions {
    fn default() -> Self {
        Self {
            width: 1200,
            height: 900,
            touch_screen: false,
            network_log: false,
        }
    }
}

/// A headless Chromium session. Dropping it ends the session and kills chromedriver.
pub struct Browser {
    http: reqwest::Client,
    base: String,
    session: String,
    driver: tokio::process::Child,
    _profile: TempDir,
}

/// A fresh user-data-dir. On drop (also when a test panics) the Chromium using it is killed,
/// since killing chromedriver leaves its browser running, and the directory is deleted.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::process::Command::new("pkill")
            .arg("-f")
            .arg(format!("user-data-dir={}", self.0.display()))
            .status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Browser {
    /// Starts chromedriver and a headless Chromium. Fails loudly if either is missing: the test
    /// command installs them.
    pub async fn start(options: BrowserOptions) -> Browser {
        let driver_path =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let port = free_port();
        let driver = tokio::process::Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {driver_path} ({e}); run ./x setup"));
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if http.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile =
            std::env::temp_dir().join(format!("feedframe-chromium-{port}-{}", std::process::id()));
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
        args.retain(|a| !a.starts_with("--window-size"));
        // Blink's hover types are bit sets (1 none, 2 hover), pointer types too (2 coarse, 4 fine).
        args.push(if options.touch_screen {
            "--blink-settings=primaryHoverType=1,availableHoverTypes=1,primaryPointerType=2,availablePointerTypes=2".into()
        } else {
            "--blink-settings=primaryHoverType=2,availableHoverTypes=2,primaryPointerType=4,availablePointerTypes=4".into()
        });
        args.push(format!(
            "--window-size={},{}",
            options.width, options.height
        ));
        args.push(format!("--user-data-dir={}", profile.display()));
        let caps = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": { "binary": chromium, "args": args },
                "goog:loggingPrefs": if options.network_log {
                    json!({ "browser": "ALL", "performance": "ALL" })
                } else {
                    json!({ "browser": "ALL" })
                },
                "pageLoadStrategy": "normal"
            }}
        });
        let response: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .expect("chromedriver answers")
            .json()
            .await
            .expect("json");
        let session = response["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {response}"))
            .to_string();
        Browser {
            http,
            base,
            session,
            driver,
            _profile: TempDir(profile),
        }
    }

    async fn command(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut request = self.http.request(method.clone(), &url);
        if method != reqwest::Method::GET {
            request = request.json(&body);
        }
        let response: Value = request
            .send()
            .await
            .expect("chromedriver answers")
            .json()
            .await
            .expect("json");
        if let Some(error) = response["value"].get("error") {
            panic!(
                "WebDriver {path} failed: {error}: {}",
                response["value"]["message"]
            );
        }
        response["value"].clone()
    }

    /// Navigates and waits for the load event.
    pub async fn goto(&self, url: &str) {
        self.command(reqwest::Method::POST, "/url", json!({ "url": url }))
            .await;
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns its result.
    pub async fn eval(&self, script: &str, args: Value) -> Value {
        self.command(
            reqwest::Method::POST,
            "/execute/sync",
            json!({ "script": script, "args": args }),
        )
        .await
    }

    /// Runs an async script: the function body gets a callback as its last argument.
    pub async fn eval_async(&self, script: &str, args: Value) -> Value {
        self.command(
            reqwest::Method::POST,
            "/execute/async",
            json!({ "script": script, "args": args }),
        )
        .await
    }

    /// Polls `expression` (a JS expression) every 50 ms until it is truthy; panics after `secs`.
    pub async fn wait_for(&self, expression: &str, secs: u64) -> Value {
        let script = format!("return ({expression});");
        for _ in 0..secs * 20 {
            let v = self.eval(&script, json!([])).await;
            if !(v.is_null() || v == json!(false) || v == json!(0) || v == json!("")) {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("timed out after {secs} s waiting for: {expression}");
    }

    /// Sends a Chrome DevTools Protocol command (network throttling, CPU slowdown, …).
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.command(
            reqwest::Method::POST,
            "/goog/cdp/execute",
            json!({ "cmd": cmd, "params": params }),
        )
        .await
    }

    /// Runs the next commands in the page's `index`-th frame (an `<iframe>`).
    pub async fn enter_frame(&self, index: u32) {
        self.command(reqwest::Method::POST, "/frame", json!({ "id": index }))
            .await;
    }

    /// Runs the next commands in the top-level page again.
    pub async fn leave_frame(&self) {
        self.command(reqwest::Method::POST, "/frame", json!({ "id": null }))
            .await;
    }

    /// The element matching `css` (WebDriver's element id); panics if there is none.
    async fn element(&self, css: &str) -> String {
        let found = self
            .command(
                reqwest::Method::POST,
                "/element",
                json!({ "using": "css selector", "value": css }),
            )
            .await;
        found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}: {found}"))
            .to_string()
    }

    /// Clicks the element matching `css` as a person would (a trusted click with user activation).
    pub async fn click(&self, css: &str) {
        let id = self.element(css).await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            json!({}),
        )
        .await;
    }

    /// Types `text` into the element matching `css`, key by key.
    pub async fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css).await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            json!({ "text": text }),
        )
        .await;
    }

    /// A PNG of the viewport.
    pub async fn screenshot(&self) -> Vec<u8> {
        use base64::Engine as _;
        let encoded = self
            .command(reqwest::Method::GET, "/screenshot", json!({}))
            .await;
        base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().expect("base64 text"))
            .expect("a base64 PNG")
    }

    /// Presses keys on the focused element.
    pub async fn press(&self, key: &str) {
        let actions = json!({ "actions": [{ "type": "key", "id": "kbd", "actions": [
            { "type": "keyDown", "value": key }, { "type": "keyUp", "value": key }
        ]}]});
        self.command(reqwest::Method::POST, "/actions", actions)
            .await;
    }

    /// Presses `key` with Shift held (Shift+Tab).
    pub async fn press_shifted(&self, key: &str) {
        let shift = "\u{E008}";
        let actions = json!({ "actions": [{ "type": "key", "id": "kbd", "actions": [
            { "type": "keyDown", "value": shift }, { "type": "keyDown", "value": key },
            { "type": "keyUp", "value": key }, { "type": "keyUp", "value": shift }
        ]}]});
        self.command(reqwest::Method::POST, "/actions", actions)
            .await;
    }

    /// The HTTP responses received since the last call, as `(URL, status)` (needs
    /// [`BrowserOptions::network_log`]).
    pub async fn responses(&self) -> Vec<(String, u64)> {
        let entries = self
            .command(
                reqwest::Method::POST,
                "/se/log",
                json!({ "type": "performance" }),
            )
            .await;
        entries
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| serde_json::from_str::<Value>(e["message"].as_str()?).ok())
            .filter(|m| m["message"]["method"] == "Network.responseReceived")
            .filter_map(|m| {
                let response = &m["message"]["params"]["response"];
                Some((
                    response["url"].as_str()?.to_string(),
                    response["status"].as_u64()?,
                ))
            })
            .collect()
    }

    /// The browser console since the last call (level and message).
    pub async fn console(&self) -> Vec<(String, String)> {
        let v = self
            .command(
                reqwest::Method::POST,
                "/se/log",
                json!({ "type": "browser" }),
            )
            .await;
        v.as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| {
                        (
                            e["level"].as_str().unwrap_or("").to_string(),
                            e["message"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Ends the session and stops chromedriver.
    pub async fn quit(mut self) {
        let url = format!("{}/session/{}", self.base, self.session);
        let _ = self.http.delete(url).send().await;
        let _ = self.driver.kill().await;
    }
}

/// WebDriver's key code for a named key.
pub fn key(name: &str) -> &'static str {
    match name {
        "ArrowRight" => "\u{E014}",
        "ArrowLeft" => "\u{E012}",
        "Tab" => "\u{E004}",
        "Enter" => "\u{E007}",
        "Escape" => "\u{E00C}",
        _ => panic!("unknown key {name}"),
    }
}
