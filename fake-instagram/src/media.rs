//! IG Media objects as JSON: requested fields in order, inapplicable ones omitted (never `null`),
//! `children{…}` expanded as `{"data":[…]}`, `id` appended when not requested (API.md §2.3).

use crate::asset::Signer;
use crate::cdn_url::fnv1a;
use crate::fields::Field;
use crate::graph_error::GraphError;
use crate::json::{Json, Obj};
use crate::post::{FakeChild, FakeKind, FakePost};

/// Fields an IG Media node has; requesting anything else is a code-100 error.
const MEDIA_FIELDS: &[&str] = &[
    "id",
    "caption",
    "media_type",
    "media_product_type",
    "media_url",
    "permalink",
    "thumbnail_url",
    "timestamp",
    "username",
    "children",
    "shortcode",
    "like_count",
    "comments_count",
    "is_comment_enabled",
    "is_shared_to_feed",
    "owner",
    "alt_text",
];

/// The node type name Graph prints in "nonexisting field" errors.
const NODE: &str = "IGMedia";

/// Rejects any field (or `children{…}` sub-field) that IG Media does not have.
pub(crate) fn validate(fields: &[Field]) -> Result<(), GraphError> {
    for field in fields {
        if !MEDIA_FIELDS.contains(&field.name.as_str()) {
            return Err(GraphError::NonexistingField {
                field: field.name.clone(),
                node: NODE,
            });
        }
        if let Some(sub) = &field.sub {
            validate(sub)?;
        }
    }
    Ok(())
}

/// What rendering needs besides the post: the signer and the owner.
pub(crate) struct MediaContext<'a> {
    pub(crate) signer: Signer<'a>,
    pub(crate) username: &'a str,
    pub(crate) user_id: &'a str,
}

impl MediaContext<'_> {
    fn media_url(&self, kind: FakeKind, id: &str) -> String {
        match kind {
            FakeKind::Video => self.signer.video(id),
            _ => self.signer.image(id),
        }
    }

    /// Renders a top-level post with `fields` (`None`: only `id`).
    pub(crate) fn post(&self, post: &FakePost, fields: Option<&[Field]>) -> Obj {
        let mut obj = Obj::new();
        for field in fields.unwrap_or_default() {
            let name = field.name.as_str();
            let value: Option<Json> = match name {
                "id" => Some(post.id.clone().into()),
                "caption" => post.caption.clone().map(Json::from),
                "media_type" => Some(post.kind.as_str().into()),
                "media_product_type" => Some(
                    if post.kind == FakeKind::Video {
                        "REELS"
                    } else {
                        "FEED"
                    }
                    .into(),
                ),
                "media_url" => match post.kind {
                    FakeKind::Carousel => post
                        .children
                        .first()
                        .map(|c| self.media_url(c.kind, &c.id).into()),
                    FakeKind::Video if post.copyrighted_audio => None,
                    kind => Some(self.media_url(kind, &post.id).into()),
                },
                "permalink" => Some(post.permalink().into()),
                "thumbnail_url" => {
                    (post.kind == FakeKind::Video).then(|| self.signer.thumbnail(&post.id).into())
                }
                "timestamp" => Some(post.timestamp.clone().into()),
                "username" => Some(self.username.into()),
                "children" if post.kind == FakeKind::Carousel => {
                    let items = post
                        .children
                        .iter()
                        .map(|c| self.child(c, field.sub.as_deref()));
                    Some(
                        Obj::new()
                            .with("data", items.map(Json::from).collect::<Vec<_>>())
                            .into(),
                    )
                }
                "shortcode" => Some(post.shortcode().into()),
                "like_count" => Some(Json::from((fnv1a(1, post.id.as_bytes()) % 400 + 12) as i64)),
                "comments_count" => Some(Json::from((fnv1a(2, post.id.as_bytes()) % 40) as i64)),
                "is_comment_enabled" => Some(true.into()),
                "is_shared_to_feed" => (post.kind == FakeKind::Video).then(|| true.into()),
                "owner" => Some(Obj::new().with("id", self.user_id).into()),
                _ => None,
            };
            if let Some(value) = value
                && !obj.contains(name)
            {
                obj.push(name, value);
            }
        }
        if !obj.contains("id") {
            obj.push("id", post.id.clone());
        }
        obj
    }

    /// Renders a carousel child: no caption, permalink, timestamp or username (API.md §2.3).
    pub(crate) fn child(&self, child: &FakeChild, fields: Option<&[Field]>) -> Obj {
        let mut obj = Obj::new();
        for field in fields.unwrap_or_default() {
            let name = field.name.as_str();
            let value: Option<Json> = match name {
                "id" => Some(child.id.clone().into()),
                "media_type" => Some(child.kind.as_str().into()),
                "media_product_type" => Some("CAROUSEL_ITEM".into()),
                "media_url" => Some(self.media_url(child.kind, &child.id).into()),
                "thumbnail_url" => {
                    (child.kind == FakeKind::Video).then(|| self.signer.thumbnail(&child.id).into())
                }
                "owner" => Some(Obj::new().with("id", self.user_id).into()),
                _ => None,
            };
            if let Some(value) = value
                && !obj.contains(name)
            {
                obj.push(name, value);
            }
        }
        if !obj.contains("id") {
            obj.push("id", child.id.clone());
        }
        obj
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::parse_fields;
    use crate::sample::sample_posts;

    fn render(post: &FakePost, fields: &str) -> serde_json::Value {
        let ctx = MediaContext {
            signer: Signer {
                cdn_base: "http://cdn",
                now: 0,
            },
            username: "u",
            user_id: "1",
        };
        let fields = parse_fields(fields).unwrap();
        serde_json::from_str(&ctx.post(post, Some(&fields)).to_json_string()).unwrap()
    }

    #[test]
    fn inapplicable_fields_are_omitted_never_null() {
        let posts = sample_posts(6);
        let image = render(&posts[0], "caption,thumbnail_url");
        assert!(image.get("thumbnail_url").is_none());
        let silent = render(&posts[4], "media_url,thumbnail_url");
        assert!(silent.get("media_url").is_none());
        assert!(
            silent["thumbnail_url"]
                .as_str()
                .unwrap()
                .contains("_n.jpg?")
        );
        let no_caption = render(&posts[3], "caption");
        assert_eq!(no_caption, serde_json::json!({"id": posts[3].id}));
    }

    #[test]
    fn a_carousel_shows_its_first_childs_media_url() {
        let posts = sample_posts(6);
        let album = render(&posts[2], "media_url,children{media_url}");
        assert_eq!(
            album["media_url"],
            album["children"]["data"][0]["media_url"]
        );
        assert!(album["children"].get("paging").is_none());
        assert_eq!(
            album["children"]["data"][0]["id"],
            posts[2].children[0].id.as_str()
        );
    }

    #[test]
    fn unknown_fields_are_rejected_like_graph() {
        let fields = parse_fields("id,children{id,bogus}").unwrap();
        assert!(matches!(
            validate(&fields),
            Err(GraphError::NonexistingField { .. })
        ));
    }
}
