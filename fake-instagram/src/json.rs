//! JSON objects that keep their key order, so responses list fields in the order they were requested
//! (as Graph does) without turning on serde_json's workspace-wide `preserve_order` feature.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

/// A JSON value whose objects keep insertion order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Json {
    /// Any scalar (string, number, bool).
    Scalar(Value),
    /// An object, keys in insertion order.
    Object(Obj),
    /// An array.
    Array(Vec<Json>),
}

/// An ordered JSON object.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Obj(Vec<(String, Json)>);

impl Obj {
    /// An empty object.
    pub(crate) fn new() -> Self {
        Obj::default()
    }

    /// Appends a key (builder style).
    pub(crate) fn with(mut self, key: &str, value: impl Into<Json>) -> Self {
        self.push(key, value);
        self
    }

    /// Appends a key.
    pub(crate) fn push(&mut self, key: &str, value: impl Into<Json>) {
        self.0.push((key.to_string(), value.into()));
    }

    /// Whether `key` is present.
    pub(crate) fn contains(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }

    /// Serializes to a JSON string.
    pub(crate) fn to_json_string(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_string())
    }
}

impl From<Obj> for Json {
    fn from(obj: Obj) -> Self {
        Json::Object(obj)
    }
}

impl From<Vec<Json>> for Json {
    fn from(items: Vec<Json>) -> Self {
        Json::Array(items)
    }
}

impl From<&str> for Json {
    fn from(s: &str) -> Self {
        Json::Scalar(Value::from(s))
    }
}

impl From<String> for Json {
    fn from(s: String) -> Self {
        Json::Scalar(Value::from(s))
    }
}

impl From<i64> for Json {
    fn from(n: i64) -> Self {
        Json::Scalar(Value::from(n))
    }
}

impl From<i32> for Json {
    fn from(n: i32) -> Self {
        Json::Scalar(Value::from(n))
    }
}

impl From<bool> for Json {
    fn from(b: bool) -> Self {
        Json::Scalar(Value::from(b))
    }
}

impl Serialize for Obj {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Scalar(value) => value.serialize(serializer),
            Json::Object(obj) => obj.serialize(serializer),
            Json::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_serialize_in_insertion_order() {
        let obj = Obj::new()
            .with("z", 1)
            .with("a", "x")
            .with("m", Obj::new().with("b", true));
        assert_eq!(obj.to_json_string(), r#"{"z":1,"a":"x","m":{"b":true}}"#);
    }
}
