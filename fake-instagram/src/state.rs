//! Everything both listeners share: the account, posts, tokens, faults, counters and the clock.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, OnceLock};

use crate::clock::Clock;
use crate::fault::{FaultBook, Route};
use crate::login::LoginBook;
use crate::post::FakePost;
use crate::token::TokenStore;

/// The fictional account of `shared/instagram/fixtures/README.md`.
#[derive(Clone, Debug)]
pub(crate) struct Account {
    /// `username`
    pub(crate) username: String,
    /// IG professional account id (`user_id`, the id in `paging.next`).
    pub(crate) user_id: String,
    /// App-scoped id (`id` on `/me`).
    pub(crate) app_scoped_id: String,
    /// `name`
    pub(crate) name: String,
    /// `followers_count`
    pub(crate) followers: i64,
    /// `follows_count`
    pub(crate) follows: i64,
}

impl Default for Account {
    fn default() -> Self {
        Account {
            username: "harborline.ceramics".into(),
            user_id: "17841463372910248".into(),
            app_scoped_id: "26814470153920377".into(),
            name: "Harborline Ceramics".into(),
            followers: 4817,
            follows: 312,
        }
    }
}

/// The mutable part, behind one lock (never held across `.await`).
#[derive(Debug, Default)]
pub(crate) struct Book {
    pub(crate) posts: Vec<FakePost>,
    pub(crate) tokens: TokenStore,
    pub(crate) faults: FaultBook,
    pub(crate) calls: HashMap<Route, usize>,
    pub(crate) graph_calls: usize,
    pub(crate) seen_tokens: Vec<String>,
    /// Successful graph responses so far; picks which usage headers to send.
    pub(crate) answered: u64,
    /// Instagram Login: the app, consent, authorization codes.
    pub(crate) login: LoginBook,
}

/// Shared state of one fake.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) account: Account,
    pub(crate) graph_base: String,
    pub(crate) cdn_base: String,
    /// The login listener (consent page and code exchange).
    pub(crate) login_base: String,
    /// Where media URLs point instead of `cdn_base`, when a test says so.
    pub(crate) advertised_cdn_base: OnceLock<String>,
    pub(crate) clock: Clock,
    book: Mutex<Book>,
    /// Encoded JPEGs by `(path, width, height)`, generated on first request.
    pub(crate) jpegs: Mutex<HashMap<(String, u32, u32), axum::body::Bytes>>,
}

impl Shared {
    /// New state with `posts` and no tokens.
    pub(crate) fn new(
        graph_base: String,
        cdn_base: String,
        login_base: String,
        posts: Vec<FakePost>,
    ) -> Self {
        Shared {
            account: Account::default(),
            graph_base,
            cdn_base,
            login_base,
            advertised_cdn_base: OnceLock::new(),
            clock: Clock::default(),
            book: Mutex::new(Book {
                posts,
                ..Book::default()
            }),
            jpegs: Mutex::default(),
        }
    }

    /// The base of the media URLs in API answers.
    pub(crate) fn media_base(&self) -> &str {
        self.advertised_cdn_base.get().unwrap_or(&self.cdn_base)
    }

    /// Locks the mutable part (a panicking test thread does not poison the fake for others).
    pub(crate) fn book(&self) -> MutexGuard<'_, Book> {
        self.book
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Counts a request on `route` (`None`: a graph path that matches no route); only graph
    /// requests count towards `Route::Any`.
    pub(crate) fn count(&self, route: Option<Route>) {
        let mut book = self.book();
        if let Some(route) = route {
            *book.calls.entry(route).or_default() += 1;
        }
        if route.is_none_or(Route::is_graph) {
            book.graph_calls += 1;
        }
    }
}
