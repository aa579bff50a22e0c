//! An owner's browser, as far as the console's tests need one: a cookie, no redirects followed,
//! and the CSRF token read from the pages' forms.

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;

/// Sets the console password the way `feedframe admin set-password` stores it.
pub fn set_password(store: &feedframe::store::Store, password: &str) {
    let hash = feedframe::console::password::hash(password).unwrap();
    store
        .set_admin_password(&hash, crate::helpers::now())
        .unwrap();
}

/// A console session (or none yet).
pub struct Console {
    pub base: String,
    pub http: reqwest::Client,
    pub cookie: Option<String>,
}

/// A response read whole.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookie: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    /// The CSRF token in the page's forms.
    pub fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .unwrap_or_else(|| panic!("no CSRF field on the page: {}", self.body));
        let rest = &self.body[at + "name=\"csrf\" value=\"".len()..];
        rest[..rest.find('"').unwrap()].to_string()
    }
}

impl Console {
    pub fn at(base: &str) -> Self {
        Self {
            base: base.to_string(),
            http: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .unwrap(),
            cookie: None,
        }
    }

    async fn read(response: reqwest::Response) -> Page {
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let (location, set_cookie) = (header(LOCATION), header(SET_COOKIE));
        Page {
            status: response.status().as_u16(),
            location,
            set_cookie,
            headers: response.headers().clone(),
            body: response.text().await.unwrap(),
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            request = request.header(COOKIE, c);
        }
        Self::read(request.send().await.unwrap()).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let mut request = self.http.post(format!("{}{path}", self.base)).form(form);
        if let Some(c) = &self.cookie {
            request = request.header(COOKIE, c);
        }
        Self::read(request.send().await.unwrap()).await
    }

    /// Signs in; panics unless the console accepts the password.
    pub async fn sign_in(&mut self, password: &str) -> Page {
        let page = self.post("/admin/login", &[("password", password)]).await;
        assert_eq!(page.status, 303, "sign-in refused: {}", page.body);
        let set = page.set_cookie.clone().expect("a session cookie");
        self.cookie = Some(set.split(';').next().unwrap().to_string());
        page
    }

    /// Signs in as a new owner with `password` already set.
    pub async fn signed_in(base: &str, password: &str) -> Self {
        let mut console = Self::at(base);
        console.sign_in(password).await;
        console
    }

    /// A form post from the feeds page, with the session's CSRF token; returns the page after.
    pub async fn act(&self, path: &str, extra: &[(&str, &str)]) -> Page {
        let csrf = self.get("/admin").await.csrf();
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(extra);
        let done = self.post(path, &form).await;
        assert_eq!(done.status, 303, "{path}: {}", done.body);
        assert_eq!(done.location.as_deref(), Some("/admin"));
        self.get("/admin").await
    }
}
