//! Moderation: which of a feed's posts visitors may see. The owner hides single posts, hides
//! posts whose caption mentions a word or hashtag, shows only posts with one hashtag, and may make
//! new posts wait for approval. Posts held back this way never reach the feed JSON, its first
//! views or the widget: the feed cache applies [`Moderation::apply`] where it makes the body it
//! serves (`feeds::cache`). The state is stored per feed (`store::moderation`).

pub mod terms;

use std::collections::{HashMap, HashSet};

use feedframe_feed::{Feed, Post};

/// A feed's moderation as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Moderation {
    /// Grows with every change: an instance holding an older version reads it again.
    pub version: i64,
    /// Posts the owner hid, with when (Unix time).
    pub hidden: HashMap<String, i64>,
    /// Words and `#hashtags` whose posts are hidden, as [`terms::term`] returns them.
    pub hide_terms: Vec<String>,
    /// The `#hashtag` a post must carry to be shown, if any.
    pub show_only: Option<String>,
    /// Whether new posts wait for approval, and which may be shown meanwhile.
    pub approval: Option<Approval>,
}

/// "New posts need approval" is on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Approval {
    /// When it was turned on (Unix time).
    pub since: i64,
    /// The posts stored when it was turned on, and those approved since. Any other post was
    /// first seen after it was turned on, and waits.
    pub approved: HashSet<String>,
}

/// What moderation makes of one post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict<'a> {
    Shown,
    /// The owner hid it.
    Hidden,
    /// New since approval was turned on, and not approved yet.
    AwaitingApproval,
    /// Its caption mentions a word or hashtag the owner hides.
    Mentions(&'a str),
    /// Its caption lacks the hashtag every shown post must carry.
    Lacks(&'a str),
}

impl Verdict<'_> {
    /// For `data-state` attributes and CSS classes: `shown`, `hidden`, `pending` or `rule`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Shown => "shown",
            Self::Hidden => "hidden",
            Self::AwaitingApproval => "pending",
            Self::Mentions(_) | Self::Lacks(_) => "rule",
        }
    }

    /// The verdict in words, for the owner.
    pub fn words(self) -> String {
        match self {
            Self::Shown => "shown".into(),
            Self::Hidden => "hidden".into(),
            Self::AwaitingApproval => "awaiting approval".into(),
            Self::Mentions(term) => format!("hidden by rule: mentions \u{201c}{term}\u{201d}"),
            Self::Lacks(tag) => format!("hidden by rule: no {tag}"),
        }
    }
}

impl Moderation {
    /// What becomes of `post`. The owner's own choice for the post comes first, then approval,
    /// then the rules.
    pub fn verdict(&self, post: &Post) -> Verdict<'_> {
        if self.hidden.contains_key(&post.id) {
            return Verdict::Hidden;
        }
        if self
            .approval
            .as_ref()
            .is_some_and(|a| !a.approved.contains(&post.id))
        {
            return Verdict::AwaitingApproval;
        }
        if self.hide_terms.is_empty() && self.show_only.is_none() {
            return Verdict::Shown;
        }
        let caption = post.caption.as_deref().unwrap_or("").to_lowercase();
        if let Some(term) = self
            .hide_terms
            .iter()
            .find(|t| terms::mentions(&caption, t))
        {
            return Verdict::Mentions(term);
        }
        match &self.show_only {
            Some(tag) if !terms::mentions(&caption, tag) => Verdict::Lacks(tag),
            _ => Verdict::Shown,
        }
    }

    /// Leaves out of `feed` every post visitors may not see.
    pub fn apply(&self, feed: &mut Feed) {
        feed.posts.retain(|p| self.verdict(p) == Verdict::Shown);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use feedframe_feed::PostKind;

    fn post(id: &str, caption: Option<&str>) -> Post {
        Post {
            id: id.into(),
            kind: PostKind::Image,
            permalink: "https://www.instagram.com/p/x/".into(),
            caption: caption.map(Into::into),
            timestamp: "2026-09-14T17:22:08Z".into(),
            media: Vec::new(),
        }
    }

    #[test]
    fn the_owners_hide_comes_before_approval_and_approval_before_the_rules() {
        let mut m = Moderation {
            hide_terms: vec!["#sale".into()],
            ..Moderation::default()
        };
        let p = post("1", Some("#SALE now"));
        assert_eq!(m.verdict(&p), Verdict::Mentions("#sale"));
        m.approval = Some(Approval::default());
        assert_eq!(m.verdict(&p), Verdict::AwaitingApproval);
        m.hidden.insert("1".into(), 5);
        assert_eq!(m.verdict(&p), Verdict::Hidden);
    }

    #[test]
    fn show_only_hides_posts_without_the_tag_or_without_a_caption() {
        let m = Moderation {
            show_only: Some("#pottery".into()),
            ..Moderation::default()
        };
        assert_eq!(m.verdict(&post("1", Some("New #Pottery"))), Verdict::Shown);
        assert_eq!(
            m.verdict(&post("2", Some("#potterylife"))),
            Verdict::Lacks("#pottery")
        );
        assert_eq!(m.verdict(&post("3", None)), Verdict::Lacks("#pottery"));
    }

    #[test]
    fn approved_posts_are_shown_and_others_wait() {
        let m = Moderation {
            approval: Some(Approval {
                since: 1,
                approved: ["old".to_string()].into(),
            }),
            ..Moderation::default()
        };
        assert_eq!(m.verdict(&post("old", None)), Verdict::Shown);
        assert_eq!(m.verdict(&post("new", None)), Verdict::AwaitingApproval);
    }
}
