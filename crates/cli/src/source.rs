//! Reading what the engine is given: an input document from a file or standard input, and a
//! clinic's knowledge directory. This is the only place the command line touches files.

use crate::commands::Failure;
use care::knowledge::locale::LocaleFile;
use care::knowledge::{FILE_NAMES, KnowledgeFile};
use std::io::Read;
use std::path::Path;

/// The largest input document accepted.
const MAX_INPUT_BYTES: u64 = 1024 * 1024;

/// Reads the input document from `file`, or standard input when it is `None` or `-`.
pub fn read_input(file: Option<&Path>) -> Result<String, Failure> {
    let (name, reader): (String, Box<dyn Read>) = match file {
        None => ("standard input".to_owned(), Box::new(std::io::stdin())),
        Some(p) if p == Path::new("-") => ("standard input".to_owned(), Box::new(std::io::stdin())),
        Some(p) => {
            let f =
                std::fs::File::open(p).map_err(|e| Failure::input(format!("{}: cannot be read: {e}", p.display())))?;
            (p.display().to_string(), Box::new(f))
        }
    };
    let mut bytes = Vec::new();
    reader
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::input(format!("{name}: cannot be read: {e}")))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(Failure::input(format!("{name}: is larger than {MAX_INPUT_BYTES} bytes")));
    }
    String::from_utf8(bytes).map_err(|_| Failure::input(format!("{name}: is not UTF-8 text")))
}

/// Reads the knowledge files of a directory. Files not ending in `.toml` are ignored; a
/// `.toml` file that is not a knowledge file is reported by the loader.
pub fn read_knowledge_dir(dir: &Path) -> Result<Vec<KnowledgeFile>, Failure> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| Failure::input(format!("{}: cannot be read: {e}", dir.display())))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Failure::input(format!("{}: cannot be read: {e}", dir.display())))?;
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Failure::input(format!("{}: cannot be read: {e}", path.display())))?;
        files.push(KnowledgeFile { name, display: path.display().to_string(), text });
    }
    files.sort_by_key(|f| FILE_NAMES.iter().position(|n| *n == f.name).unwrap_or(usize::MAX));
    Ok(files)
}

/// Reads the language files of a knowledge directory's `locales/` folder, if it has one.
pub fn read_locale_dir(dir: &Path) -> Result<Vec<LocaleFile>, Failure> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let entries =
        std::fs::read_dir(dir).map_err(|e| Failure::input(format!("{}: cannot be read: {e}", dir.display())))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Failure::input(format!("{}: cannot be read: {e}", dir.display())))?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Failure::input(format!("{}: cannot be read: {e}", path.display())))?;
        files.push(LocaleFile { display: path.display().to_string(), text });
    }
    files.sort_by(|a, b| a.display.cmp(&b.display));
    Ok(files)
}
