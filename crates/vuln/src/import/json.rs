//! A cursor over a parsed JSON document that remembers where it is, so a missing or mistyped field
//! becomes an [`ImportError::Field`] naming the format and the exact path (`Results[0].PkgName`).
//!
//! The three formats are read through this rather than typed `serde` structs because a typed
//! deserialisation stops at the first surprise with a message about Rust types; users need to
//! know which field of *their scanner's* file was not what we expected.

use serde_json::Value;

use super::{Format, ImportError};

/// A JSON value and its path from the document root.
#[derive(Clone)]
pub(crate) struct Node<'a> {
    pub(crate) value: &'a Value,
    pub(crate) path: String,
    pub(crate) format: Format,
}

impl<'a> Node<'a> {
    /// The document root.
    pub(crate) fn root(value: &'a Value, format: Format) -> Self {
        Node { value, path: String::new(), format }
    }

    fn child_path(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_owned() } else { format!("{}.{key}", self.path) }
    }

    /// An error about the field `key` of this node (or about this node when `key` is empty).
    pub(crate) fn error(&self, key: &str, problem: impl Into<String>) -> ImportError {
        let path = if key.is_empty() { self.path.clone() } else { self.child_path(key) };
        ImportError::Field { format: self.format, path, problem: problem.into() }
    }

    /// The member `key`, when this node is an object holding it with a non-null value.
    pub(crate) fn get(&self, key: &str) -> Option<Node<'a>> {
        match self.value.get(key) {
            None | Some(Value::Null) => None,
            Some(value) => Some(Node { value, path: self.child_path(key), format: self.format }),
        }
    }

    /// The member `key`, which must be present and an object.
    pub(crate) fn object(&self, key: &str) -> Result<Node<'a>, ImportError> {
        match self.get(key) {
            Some(node) if node.value.is_object() => Ok(node),
            Some(node) => Err(node.error("", format!("is {}, expected an object", kind(node.value)))),
            None => Err(self.error(key, "is missing (expected an object)")),
        }
    }

    /// The member `key` as a string; absent or null is `None`, any other type is an error.
    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<&'a str>, ImportError> {
        match self.get(key) {
            None => Ok(None),
            Some(Node { value: Value::String(s), .. }) => Ok(Some(s.as_str())),
            Some(node) => Err(node.error("", format!("is {}, expected a string", kind(node.value)))),
        }
    }

    /// The member `key` as a non-empty string; absent, null or empty is an error.
    pub(crate) fn req_str(&self, key: &str) -> Result<&'a str, ImportError> {
        match self.opt_str(key)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            Some(_) => Err(self.error(key, "is empty (expected a non-empty string)")),
            None => Err(self.error(key, "is missing (expected a string)")),
        }
    }

    /// The member `key` as an array's elements; absent or null is empty, any other type an error.
    pub(crate) fn array(&self, key: &str) -> Result<Vec<Node<'a>>, ImportError> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Node { value: Value::Array(items), path, format }) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, value)| Node { value, path: format!("{path}[{i}]"), format })
                .collect()),
            Some(node) => Err(node.error("", format!("is {}, expected an array", kind(node.value)))),
        }
    }

    /// The member `key` as an array of strings (absent or null is empty).
    pub(crate) fn str_array(&self, key: &str) -> Result<Vec<&'a str>, ImportError> {
        self.array(key)?
            .into_iter()
            .map(|node| match node.value {
                Value::String(s) => Ok(s.as_str()),
                other => Err(node.error("", format!("is {}, expected a string", kind(other)))),
            })
            .collect()
    }

    /// This node's string value, if it is a string.
    pub(crate) fn as_str(&self) -> Option<&'a str> {
        self.value.as_str()
    }
}

/// What a JSON value is, for error messages.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
