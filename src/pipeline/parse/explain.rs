//! Errors that say where: the path of the field that has the wrong shape
//! (`detail.userIdentity.type`). Paths are tracked only once the plain parse has failed, so valid
//! input pays nothing for them.

use serde::de::DeserializeOwned;

pub(super) enum PathError {
    Syntax(String),
    Data(String),
}

impl PathError {
    pub(super) fn into_message(self) -> String {
        match self {
            PathError::Syntax(m) | PathError::Data(m) => m,
        }
    }
}

/// Deserializes `input`, or explains why it cannot be.
pub(super) fn deserialize_at_path<T: DeserializeOwned>(input: &[u8]) -> Result<T, PathError> {
    serde_json::from_slice(input).map_err(|_| explain::<T>(input))
}

/// Why `input` does not deserialize as `T`, with the path of the bad field.
pub(super) fn explain<T: DeserializeOwned>(input: &[u8]) -> PathError {
    let mut deserializer = serde_json::Deserializer::from_slice(input);
    let error = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Ok(_) => match deserializer.end() {
            Ok(()) => return PathError::Data("the event cannot be read".into()),
            Err(e) => return PathError::Syntax(e.to_string()),
        },
        Err(e) => e,
    };
    let path = error.path().to_string();
    let inner = error.into_inner();
    if inner.is_syntax() || inner.is_eof() {
        PathError::Syntax(inner.to_string())
    } else if path == "." || path.is_empty() {
        PathError::Data(inner.to_string())
    } else {
        PathError::Data(format!("`{path}`: {inner}"))
    }
}
