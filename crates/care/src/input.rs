//! Reading the engine's inputs: a clear [`InputError`] naming the field and the problem,
//! JSON parsing that reports the path of a bad field, and range checks on numbers.

use serde::de::DeserializeOwned;
use std::fmt;

/// One problem with an input: the field (a path such as `report.symptoms[2]`) and what is
/// wrong with it, in words that say what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InputError {
    /// Where the problem is, as a path into the input (`report.soreness`); empty for the
    /// whole document.
    pub field: String,
    /// What is wrong and what is allowed.
    pub problem: String,
}

impl InputError {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> InputError {
        InputError { field: field.into(), problem: problem.into() }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() { f.write_str(&self.problem) } else { write!(f, "{}: {}", self.field, self.problem) }
    }
}

impl std::error::Error for InputError {}

/// Every problem found in one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputErrors(pub Vec<InputError>);

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_lines(f, &self.0)
    }
}

/// Writes one item a line.
pub(crate) fn write_lines<T: fmt::Display>(f: &mut fmt::Formatter<'_>, items: &[T]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            writeln!(f)?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

impl std::error::Error for InputErrors {}

impl From<InputError> for InputErrors {
    fn from(e: InputError) -> Self {
        InputErrors(vec![e])
    }
}

/// Parses a JSON document into `T`, naming the path of the field that failed.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, InputError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        json_error(&path, &inner)
    })?;
    de.end().map_err(|e| json_error("", &e))?;
    Ok(value)
}

fn json_error(path: &str, e: &serde_json::Error) -> InputError {
    let path = if path == "." { "" } else { path };
    let message = e.to_string();
    // serde names a missing or unknown field inside its message; move it into the path.
    let named = ["missing field `", "unknown field `"].iter().find_map(|prefix| {
        let rest = message.strip_prefix(prefix)?;
        let name = &rest[..rest.find('`')?];
        Some(name.to_owned())
    });
    let field = match named {
        Some(name) if message.starts_with("unknown") && path.ends_with(&name) => path.to_owned(),
        Some(name) if path.is_empty() => name,
        Some(name) if !path.ends_with(&name) => format!("{path}.{name}"),
        _ => path.to_owned(),
    };
    let problem = match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            format!("not valid JSON: {message}")
        }
        serde_json::error::Category::Io => format!("could not be read: {message}"),
        serde_json::error::Category::Data => {
            let message = strip_position(&message);
            if message.starts_with("missing field") {
                "is required".to_owned()
            } else if message.starts_with("unknown field") {
                format!("is not a known field ({message})")
            } else {
                message.to_owned()
            }
        }
    };
    InputError::new(field, problem)
}

fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    }
}

/// A whole number within `min..=max`, from a JSON number.
pub fn whole_number(field: &str, value: &serde_json::Number, min: i64, max: i64) -> Result<i64, InputError> {
    let n = value.as_i64().or_else(|| value.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 1e15).map(|f| f as i64));
    match n {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        Some(n) => {
            Err(InputError::new(field, format!("{n} is out of range; allowed: a whole number from {min} to {max}")))
        }
        None => {
            Err(InputError::new(field, format!("{value} is not allowed; allowed: a whole number from {min} to {max}")))
        }
    }
}

/// A finite number within `min..=max`, from a JSON number.
pub fn number_in(field: &str, value: &serde_json::Number, min: f64, max: f64) -> Result<f64, InputError> {
    match value.as_f64() {
        Some(n) if n.is_finite() && (min..=max).contains(&n) => Ok(n),
        _ => Err(InputError::new(field, format!("{value} is out of range; allowed: a number from {min} to {max}"))),
    }
}
