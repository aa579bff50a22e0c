//! The e-mail channel: a plain-text message over SMTP (`smtp://` or `smtps://`), retried with
//! exponential backoff like the webhook.

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::event::AlertEvent;
use super::retry::{AttemptError, retried};
use super::{Attempted, RetryPolicy};
use crate::clock;
use crate::instagram::secret::Secret;

/// The SMTP server (its URL may hold a password: never printed) and who gets the alerts.
#[derive(Debug, Clone)]
pub struct EmailChannel {
    url: Secret,
    to: Vec<Mailbox>,
    from: Mailbox,
}

impl EmailChannel {
    /// Checks the SMTP URL, the comma-separated recipients and the optional sender. The errors
    /// name the setting, never the URL.
    ///
    /// ```
    /// # use feedframe::alerts::EmailChannel;
    /// let mail = EmailChannel::new("smtps://me:pw@smtp.example.com", "a@example.com, b@example.com", None).unwrap();
    /// assert_eq!(mail.recipients(), ["a@example.com", "b@example.com"]);
    /// ```
    pub fn new(smtp_url: &str, to: &str, from: Option<&str>) -> Result<Self, String> {
        let url = reqwest::Url::parse(smtp_url.trim()).ok();
        let host = url
            .as_ref()
            .filter(|u| matches!(u.scheme(), "smtp" | "smtps"))
            .and_then(|u| u.host_str().map(str::to_owned))
            .filter(|h| !h.is_empty());
        let valid = host.is_some()
            && AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url.trim()).is_ok();
        let Some(host) = host.filter(|_| valid) else {
            return Err(
                "FEEDFRAME_SMTP_URL must look like smtp://user:password@host:port or smtps://…"
                    .into(),
            );
        };
        let to = to
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| {
                a.parse::<Mailbox>()
                    .map_err(|_| format!("FEEDFRAME_ALERT_EMAIL: '{a}' is not an e-mail address"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if to.is_empty() {
            return Err("FEEDFRAME_ALERT_EMAIL lists no recipient".into());
        }
        let from = match from.map(str::trim).filter(|f| !f.is_empty()) {
            Some(f) => f.parse::<Mailbox>().map_err(|_| {
                format!("FEEDFRAME_ALERT_EMAIL_FROM: '{f}' is not an e-mail address")
            })?,
            None => format!("FeedFrame <feedframe@{host}>")
                .parse::<Mailbox>()
                .map_err(|_| "set FEEDFRAME_ALERT_EMAIL_FROM: no sender address".to_string())?,
        };
        Ok(Self {
            url: Secret::new(smtp_url.trim()),
            to,
            from,
        })
    }

    /// The recipients' addresses.
    pub fn recipients(&self) -> Vec<String> {
        self.to.iter().map(|m| m.email.to_string()).collect()
    }
}

/// The message for `event`.
fn message(mail: &EmailChannel, event: &AlertEvent) -> Result<Message, String> {
    let mut builder = Message::builder()
        .from(mail.from.clone())
        .subject(event.subject());
    for to in &mail.to {
        builder = builder.to(to.clone());
    }
    let mut text = format!("{}\n", event.state);
    if !event.detail.is_empty() {
        text.push_str(&format!("\nReason: {}\n", event.detail));
    }
    text.push_str(&format!(
        "\nEvent: {}\nFeed: {}\nNoticed: {}\nAlert id: {}\n",
        event.kind.as_str(),
        if event.feed.is_empty() {
            "-"
        } else {
            &event.feed
        },
        clock::human(event.at),
        event.id
    ));
    builder
        .header(ContentType::TEXT_PLAIN)
        .body(text)
        .map_err(|_| "the e-mail could not be built".to_string())
}

/// Sends `event` to every recipient, retrying connection failures, timeouts and 4xx replies
/// (transient in SMTP) up to `policy.attempts` times in all.
pub(super) async fn deliver(
    mail: &EmailChannel,
    policy: &RetryPolicy,
    event: &AlertEvent,
) -> Attempted {
    let message = match message(mail, event) {
        Ok(m) => m,
        Err(e) => return Attempted::failed(0, e),
    };
    let transport = match AsyncSmtpTransport::<Tokio1Executor>::from_url(mail.url.expose()) {
        Ok(builder) => builder.timeout(Some(policy.attempt_timeout)).build(),
        Err(_) => return Attempted::failed(0, "the SMTP URL is invalid"),
    };
    let attempt = || async {
        let sent = tokio::time::timeout(policy.attempt_timeout, transport.send(message.clone()))
            .await
            .map_err(|_| AttemptError {
                status: "timed out".into(),
                retryable: true,
            })?;
        match sent {
            Ok(response) => Ok(format!("SMTP {}", response.code())),
            Err(e) => Err(AttemptError {
                status: match e.status() {
                    Some(code) => format!("SMTP {code}"),
                    None if e.is_timeout() => "timed out".into(),
                    None => "cannot talk to the SMTP server".into(),
                },
                retryable: !e.is_permanent(),
            }),
        }
    };
    retried(policy, attempt).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_settings_are_refused_without_quoting_the_smtp_url() {
        for url in [
            "smtp.example.com",
            "https://me:hunter2@smtp.example.com",
            "smtp://",
        ] {
            let err = EmailChannel::new(url, "a@example.com", None).unwrap_err();
            assert!(
                err.contains("FEEDFRAME_SMTP_URL") && !err.contains("hunter2"),
                "{err}"
            );
        }
        let url = "smtp://me:hunter2@smtp.example.com:2525";
        assert!(EmailChannel::new(url, " , ", None).is_err());
        assert!(EmailChannel::new(url, "not an address", None).is_err());
        assert!(EmailChannel::new(url, "a@example.com", Some("nobody")).is_err());
        let mail = EmailChannel::new(url, "a@example.com,b@example.com", None).unwrap();
        assert_eq!(mail.recipients(), ["a@example.com", "b@example.com"]);
        assert_eq!(mail.from.email.to_string(), "feedframe@smtp.example.com");
        assert!(!format!("{mail:?}").contains("hunter2"));
    }
}
