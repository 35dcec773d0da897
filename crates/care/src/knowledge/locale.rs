//! The client's language: every client-facing text of the knowledge, and the words of the
//! client's pages and messages, in each language the product speaks.
//!
//! English is the source. A language is one file, `knowledge/locales/<code>.toml`:
//!
//! - `[words]`: the words of the pages, e-mails and text messages, by key. `en.toml` holds
//!   the English ones and so decides the keys; every other language gives each key.
//! - `[texts]`: each client-facing text of the knowledge, keyed by its English wording. A
//!   text whose English changes is missing again until it is translated again, so that a
//!   changed warning sign is never shown in its old words.
//! - `[note_phrases]`: words in the client's language that mention a warning sign in a
//!   free-text note, by symptom code. They are added to the English ones for every client:
//!   a note is matched in every language the product speaks.
//!
//! Codes, rules and thresholds are the knowledge's and never change with the language: a
//! translated knowledge base is the same one with its words replaced.

use super::{Knowledge, KnowledgeError, KnowledgeErrors};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

macro_rules! builtin_locale {
    ($name:literal) => {
        ($name, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../knowledge/locales/", $name)))
    };
}

/// The languages shipped with the product, embedded at build time. English comes first.
pub const BUILTIN_LOCALES: [(&str, &str); 2] = [builtin_locale!("en.toml"), builtin_locale!("es.toml")];

/// The source language.
pub const SOURCE: &str = "en";

/// One language file handed to the loader.
#[derive(Debug, Clone)]
pub struct LocaleFile {
    /// How to name the file in messages (its path).
    pub display: String,
    /// Its contents.
    pub text: String,
}

/// The built-in language files, as loader input.
pub fn builtin_locale_files() -> Vec<LocaleFile> {
    BUILTIN_LOCALES
        .iter()
        .map(|(name, text)| LocaleFile { display: format!("knowledge/locales/{name}"), text: (*text).to_owned() })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLocale {
    language: String,
    name: String,
    #[serde(default)]
    words: BTreeMap<String, String>,
    #[serde(default)]
    texts: BTreeMap<String, String>,
    #[serde(default)]
    note_phrases: BTreeMap<String, Vec<String>>,
}

/// One language: its words and the knowledge in it.
#[derive(Debug, Clone)]
pub struct Locale {
    /// The language code (`en`, `es`), as in an HTML `lang` attribute.
    pub code: String,
    /// The language's name in itself ("Español"), for the language switch.
    pub name: String,
    /// The words of the client's pages and messages, by key.
    pub words: BTreeMap<String, String>,
    /// The knowledge with its client-facing texts in this language.
    pub knowledge: Arc<Knowledge>,
    /// Every language the product speaks, this one included, as (code, name in itself):
    /// for a page's language switch.
    pub all: Vec<(String, String)>,
}

impl Locale {
    /// The words of `key`; the key itself if there are none, which loading rules out for
    /// every key `en.toml` has.
    pub fn word<'a>(&'a self, key: &'a str) -> &'a str {
        self.words.get(key).map_or(key, String::as_str)
    }

    /// A day written out in this language ("Monday 30 November", "lunes 30 de noviembre"):
    /// `weekday` from 1 (Monday) to 7, `month` from 1 to 12.
    pub fn long_date(&self, weekday: u8, day: u8, month: u8) -> String {
        let nth = |key: &str, n: u8| {
            self.word(key).split(',').nth(usize::from(n.saturating_sub(1))).unwrap_or("").trim().to_owned()
        };
        self.fill(
            "date_long",
            &[("weekday", &nth("weekdays", weekday)), ("day", &day.to_string()), ("month", &nth("months", month))],
        )
    }

    /// The words of `key` with each `{name}` replaced by its value.
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        let mut out = self.word(key).to_owned();
        for (name, value) in values {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }
}

/// Every language the product speaks, English first.
#[derive(Debug, Clone)]
pub struct Languages {
    locales: Vec<Arc<Locale>>,
}

impl Languages {
    /// The built-in knowledge in the built-in languages.
    ///
    /// # Errors
    /// Only if the embedded files are invalid, which the test suite rules out.
    pub fn shipped() -> Result<Languages, KnowledgeErrors> {
        Self::builtin(Knowledge::builtin()?)
    }

    /// The built-in languages over `knowledge`.
    ///
    /// # Errors
    /// As [`Languages::load`].
    pub fn builtin(knowledge: Knowledge) -> Result<Languages, KnowledgeErrors> {
        Self::load(knowledge, &builtin_locale_files(), &[])
    }

    /// The languages of `base` with a clinic's `overrides` layered on top (a file for a
    /// language already known adds to and replaces its entries; a new one adds a language),
    /// each checked against `knowledge`.
    ///
    /// # Errors
    /// Every problem: a file that does not parse, a language without a name, a word or a
    /// knowledge text with no translation, a translation whose `{placeholders}` differ from
    /// the English, a warning sign with no note phrases in the language.
    pub fn load(
        mut knowledge: Knowledge,
        base: &[LocaleFile],
        overrides: &[LocaleFile],
    ) -> Result<Languages, KnowledgeErrors> {
        let mut errors = Vec::new();
        let mut raws: Vec<(String, RawLocale)> = Vec::new();
        for file in base.iter().chain(overrides) {
            let raw: RawLocale = match toml::from_str(&file.text) {
                Ok(r) => r,
                Err(e) => {
                    let line = e.span().map(|s| super::line_of(&file.text, s.start));
                    errors.push(KnowledgeError {
                        file: file.display.clone(),
                        line,
                        problem: e.message().trim().to_owned(),
                    });
                    continue;
                }
            };
            if !is_language_code(&raw.language) {
                errors
                    .push(err(file, format!("`language = \"{}\"` is not a language code such as `es`", raw.language)));
                continue;
            }
            if raw.name.trim().is_empty() {
                errors.push(err(file, "`name` is empty: give the language's name in itself"));
            }
            match raws.iter_mut().find(|(_, r)| r.language == raw.language) {
                Some((display, r)) => {
                    *display = file.display.clone();
                    r.name = raw.name;
                    r.words.extend(raw.words);
                    r.texts.extend(raw.texts);
                    r.note_phrases.extend(raw.note_phrases);
                }
                None => raws.push((file.display.clone(), raw)),
            }
        }
        let Some(source_at) = raws.iter().position(|(_, r)| r.language == SOURCE) else {
            errors.push(KnowledgeError {
                file: "knowledge/locales/en.toml".to_owned(),
                line: None,
                problem: "is missing: it holds the English words".to_owned(),
            });
            return Err(KnowledgeErrors(errors));
        };
        let source = raws.remove(source_at);
        if !source.1.texts.is_empty() || !source.1.note_phrases.is_empty() {
            errors.push(KnowledgeError {
                file: source.0.clone(),
                line: None,
                problem: "English is the knowledge's own wording: en.toml has only [words]".to_owned(),
            });
        }
        // Note phrases of every language are matched for every client.
        for (display, raw) in &raws {
            check_note_phrases(&knowledge, display, raw, &mut errors);
        }
        for (_, raw) in &raws {
            for (code, phrases) in &raw.note_phrases {
                if let Some(i) = knowledge.vocabulary.symptoms.lookup(code) {
                    let symptom = &mut knowledge.vocabulary.symptoms.entries_mut()[i as usize];
                    for phrase in phrases.iter().map(|p| crate::note::fold(p)) {
                        if !symptom.note_phrases.contains(&phrase) {
                            symptom.note_phrases.push(phrase);
                        }
                    }
                }
            }
        }
        let english_texts = texts_of(&mut knowledge.clone());
        let mut locales = vec![Arc::new(Locale {
            code: SOURCE.to_owned(),
            name: source.1.name.clone(),
            words: source.1.words.clone(),
            knowledge: Arc::new(knowledge.clone()),
            all: Vec::new(),
        })];
        for (display, raw) in raws {
            let file = LocaleFile { display, text: String::new() };
            for (key, english) in &source.1.words {
                match raw.words.get(key) {
                    None => errors.push(err(&file, format!("[words] has no `{key}` (English: \"{english}\")"))),
                    Some(t) => same_placeholders(&file, &format!("[words] `{key}`"), english, t, &mut errors),
                }
            }
            for key in raw.words.keys().filter(|k| !source.1.words.contains_key(*k)) {
                errors.push(err(&file, format!("[words] `{key}` is not a key of en.toml")));
            }
            for (place, english) in &english_texts {
                match raw.texts.get(english) {
                    None => errors.push(err(&file, format!("no translation of {place}: \"{english}\""))),
                    Some(t) if t.trim().is_empty() => {
                        errors.push(err(&file, format!("the translation of {place} is empty")));
                    }
                    Some(t) => same_placeholders(&file, place, english, t, &mut errors),
                }
            }
            let mut translated = knowledge.clone();
            visit_texts(&mut translated, &mut |_, text| {
                if let Some(t) = raw.texts.get(text.as_str()) {
                    *text = t.clone();
                }
            });
            locales.push(Arc::new(Locale {
                code: raw.language,
                name: raw.name,
                words: raw.words,
                knowledge: Arc::new(translated),
                all: Vec::new(),
            }));
        }
        let all: Vec<(String, String)> = locales.iter().map(|l| (l.code.clone(), l.name.clone())).collect();
        for locale in &mut locales {
            if let Some(l) = Arc::get_mut(locale) {
                l.all = all.clone();
            }
        }
        for locale in &locales {
            for (key, count) in [("weekdays", 7), ("months", 12)] {
                let given = locale.words.get(key).map_or(0, |w| w.split(',').filter(|n| !n.trim().is_empty()).count());
                if given != count {
                    errors.push(KnowledgeError {
                        file: format!("locales/{}.toml", locale.code),
                        line: None,
                        problem: format!("[words] `{key}` must list {count} names, separated by commas"),
                    });
                }
            }
        }
        if errors.is_empty() { Ok(Languages { locales }) } else { Err(KnowledgeErrors(errors)) }
    }

    /// English, the source language.
    pub fn english(&self) -> &Arc<Locale> {
        &self.locales[0]
    }

    /// Every language, English first.
    pub fn all(&self) -> &[Arc<Locale>] {
        &self.locales
    }

    /// The language with `code` (any case), if the product speaks it.
    pub fn get(&self, code: &str) -> Option<&Arc<Locale>> {
        self.locales.iter().find(|l| l.code.eq_ignore_ascii_case(code))
    }

    /// The language with `code`, or English.
    pub fn or_english(&self, code: &str) -> &Arc<Locale> {
        self.get(code).unwrap_or_else(|| self.english())
    }

    /// The codes of every language, for messages that list them.
    pub fn codes(&self) -> Vec<&str> {
        self.locales.iter().map(|l| l.code.as_str()).collect()
    }

    /// The best language for an HTTP `Accept-Language` header, if it names one the product
    /// speaks (`es-MX` is Spanish); highest quality first, ties in the header's order.
    pub fn from_accept_language(&self, header: &str) -> Option<&Arc<Locale>> {
        let mut ranked: Vec<(f32, usize, &str)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim();
                let q = pieces
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                (q > 0.0 && !tag.is_empty()).then_some((q, i, tag))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.iter().find_map(|(_, _, tag)| self.get(tag.split('-').next().unwrap_or(tag)))
    }
}

/// Every client-facing text of `knowledge` with where it is, once each, in file order.
pub fn texts_of(knowledge: &mut Knowledge) -> Vec<(String, String)> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    visit_texts(knowledge, &mut |place, text| {
        if seen.insert(text.clone()) {
            out.push((place.to_owned(), text.clone()));
        }
    });
    out
}

/// Entries of a language's `[texts]` that are no text of `knowledge` (its English changed
/// or went): harmless, but a translator should look at them.
pub fn unused_texts(knowledge: &Knowledge, file: &LocaleFile) -> Vec<String> {
    let Ok(raw) = toml::from_str::<RawLocale>(&file.text) else { return Vec::new() };
    let english: BTreeSet<String> = texts_of(&mut knowledge.clone()).into_iter().map(|(_, t)| t).collect();
    raw.texts.into_keys().filter(|k| !english.contains(k)).collect()
}

/// What `language` has no translation for yet among `files`, as TOML to paste into its
/// file: each entry with an empty translation and a comment saying where it is shown.
pub fn missing_as_toml(knowledge: &mut Knowledge, files: &[LocaleFile], language: &str) -> String {
    let merged = |code: &str| {
        let mut out = RawLocale::default();
        for raw in files.iter().filter_map(|f| toml::from_str::<RawLocale>(&f.text).ok()) {
            if raw.language == code {
                out.words.extend(raw.words);
                out.texts.extend(raw.texts);
                out.note_phrases.extend(raw.note_phrases);
            }
        }
        out
    };
    let (source, have) = (merged(SOURCE), merged(language));
    let quote = |s: &str| {
        let mut q = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => q.push_str("\\\""),
                '\\' => q.push_str("\\\\"),
                '\n' => q.push_str("\\n"),
                c if c.is_control() => q.push_str(&format!("\\u{:04X}", c as u32)),
                c => q.push(c),
            }
        }
        q.push('"');
        q
    };
    let mut out = format!(
        "# What `{language}` has no translation for yet: fill in each \"\" and add it to locales/{language}.toml.\n"
    );
    out.push_str("\n[words]\n");
    for (key, english) in source.words.iter().filter(|(k, _)| !have.words.contains_key(*k)) {
        out.push_str(&format!("# {}\n{key} = \"\"\n", english.replace('\n', " ")));
    }
    out.push_str("\n[texts]\n");
    for (place, english) in texts_of(knowledge).into_iter().filter(|(_, e)| !have.texts.contains_key(e)) {
        out.push_str(&format!("# {place}\n{} = \"\"\n", quote(&english)));
    }
    out.push_str("\n[note_phrases]\n");
    for s in knowledge.vocabulary.symptoms.entries() {
        if !s.note_phrases.is_empty() && !have.note_phrases.contains_key(&s.code) {
            out.push_str(&format!("# {}: {}\n{} = []\n", s.label, s.note_phrases.join(", "), s.code));
        }
    }
    out
}

fn err(file: &LocaleFile, problem: impl Into<String>) -> KnowledgeError {
    KnowledgeError { file: file.display.clone(), line: None, problem: problem.into() }
}

fn is_language_code(code: &str) -> bool {
    (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase())
}

/// The `{name}` placeholders of a text, which a translation must keep.
fn placeholders(text: &str) -> BTreeSet<&str> {
    text.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name)).collect()
}

fn same_placeholders(
    file: &LocaleFile,
    place: &str,
    english: &str,
    translated: &str,
    errors: &mut Vec<KnowledgeError>,
) {
    let (want, got) = (placeholders(english), placeholders(translated));
    if want != got {
        let list = |s: &BTreeSet<&str>| s.iter().map(|p| format!("{{{p}}}")).collect::<Vec<_>>().join(" ");
        errors.push(err(
            file,
            format!("{place}: the translation has {} where the English has {}", list(&got), list(&want)),
        ));
    }
}

fn check_note_phrases(knowledge: &Knowledge, display: &str, raw: &RawLocale, errors: &mut Vec<KnowledgeError>) {
    let file = LocaleFile { display: display.to_owned(), text: String::new() };
    for s in knowledge.vocabulary.symptoms.entries() {
        let given = raw.note_phrases.get(&s.code);
        if !s.note_phrases.is_empty() && given.is_none_or(|p| p.iter().all(|p| p.trim().is_empty())) {
            errors.push(err(
                &file,
                format!("[note_phrases] has no `{}`: a note in this language would not be flagged", s.code),
            ));
        }
    }
    for code in raw.note_phrases.keys() {
        match knowledge.vocabulary.symptoms.by_code(code) {
            None => errors.push(err(&file, format!("[note_phrases] `{code}` is not a symptom code"))),
            Some(s) if s.note_phrases.is_empty() => errors.push(err(
                &file,
                format!("[note_phrases] `{code}`: only symptoms with English note phrases have them"),
            )),
            Some(_) => {}
        }
    }
}

/// Calls `f` on every client-facing text of the knowledge, with a name for where it is.
/// Staff-facing texts (clinical reasons, screening notes, recommendation reasons) and
/// proper names (countries, advice lines, sources) stay as written.
pub fn visit_texts(kb: &mut Knowledge, f: &mut dyn FnMut(&str, &mut String)) {
    fn opt(f: &mut dyn FnMut(&str, &mut String), place: &str, text: &mut Option<String>) {
        if let Some(t) = text {
            f(place, t);
        }
    }
    fn all(f: &mut dyn FnMut(&str, &mut String), place: &str, texts: &mut [String]) {
        for t in texts {
            f(place, t);
        }
    }
    let v = &mut kb.vocabulary;
    macro_rules! labelled {
        ($table:expr, $kind:literal) => {
            for e in $table.entries_mut() {
                let place = format!("{} `{}`", $kind, e.code);
                f(&place, &mut e.label);
                opt(f, &format!("{place} hint"), &mut e.hint);
            }
        };
    }
    labelled!(v.areas, "area");
    labelled!(v.massage_types, "massage type");
    labelled!(v.pressures, "pressure");
    labelled!(v.goals, "goal");
    labelled!(v.conditions, "condition");
    labelled!(v.symptoms, "symptom");
    for s in v.symptoms.entries_mut() {
        opt(f, &format!("symptom `{}` baby_label", s.code), &mut s.baby_label);
        opt(f, &format!("symptom `{}` baby_hint", s.code), &mut s.baby_hint);
        if let Some(q) = &mut s.follow_up {
            f(&format!("symptom `{}` follow-up question", s.code), &mut q.question);
        }
    }
    let t = &mut kb.triage;
    f("the disclaimer", &mut t.disclaimer);
    f("note_flag", &mut t.note_flag);
    f("no_emergency_number", &mut t.no_number.0);
    f("no_urgent_advice_line", &mut t.no_number.1);
    for l in &mut t.levels {
        f(&format!("level `{}` label", l.level), &mut l.label);
        f(&format!("level `{}` instruction", l.level), &mut l.instruction);
    }
    for r in &mut t.rules {
        f(&format!("rule {} client_reason", r.id), &mut r.client_reason);
        f(&format!("rule {} advice", r.id), &mut r.advice);
        opt(f, &format!("rule {} first_instruction", r.id), &mut r.first_instruction);
        opt(f, &format!("rule {} headline", r.id), &mut r.headline);
    }
    for (i, w) in t.warning_signs.iter_mut().enumerate() {
        f(&format!("warning sign {} ({})", i + 1, w.rules.join(", ")), &mut w.text);
    }
    f("[usual_pain] label", &mut t.usual_pain.0);
    f("[usual_pain] instruction", &mut t.usual_pain.1);
    f("[postpone] see_doctor", &mut kb.screening.postpone.see_doctor);
    f("[postpone] rebook", &mut kb.screening.postpone.rebook);
    let p = &mut kb.plan;
    for g in &mut p.grades {
        f(&format!("grade `{}` label", g.code.code()), &mut g.label);
        f(&format!("grade `{}` meaning", g.code.code()), &mut g.meaning);
    }
    let e = &mut p.expect;
    f("[expect] title", &mut e.title);
    f("[expect] usual", &mut e.usual);
    f("[expect] raised", &mut e.raised);
    all(f, "[expect] course", &mut e.course);
    all(f, "[expect] factor", &mut e.factors);
    f("[expect] general_raised", &mut e.general_raised);
    all(f, "[expect] general factor", &mut e.general_factors);
    for item in &mut p.items {
        let place = format!("plan item `{}`", item.id);
        f(&format!("{place} title"), &mut item.title);
        all(f, &format!("{place} text"), &mut item.text);
        opt(f, &format!("{place} grade_note"), &mut item.grade_note);
        for c in &mut item.cautions {
            f(&format!("{place} caution"), &mut c.text);
        }
    }
    f("[baby] summary", &mut p.baby_summary);
    all(f, "[baby] course", &mut p.baby_course);
    all(f, "[baby] warning sign", &mut p.baby_warning_signs);
    f("[after_birth] warning", &mut p.after_birth_warning);
    for s in &mut kb.stretches {
        let place = format!("stretch `{}`", s.id);
        f(&format!("{place} name"), &mut s.name);
        all(f, &format!("{place} step"), &mut s.steps);
        f(&format!("{place} how_often"), &mut s.how_often);
        opt(f, &format!("{place} caution"), &mut s.caution);
    }
}

#[cfg(test)]
#[allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    fn languages() -> Languages {
        Languages::builtin(Knowledge::builtin().unwrap()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn accept_language_picks_the_best_language_spoken() {
        let l = languages();
        assert_eq!(l.from_accept_language("es-MX,es;q=0.9,en;q=0.8").map(|l| l.code.as_str()), Some("es"));
        assert_eq!(l.from_accept_language("fr-FR, en;q=0.5, es;q=0.7").map(|l| l.code.as_str()), Some("es"));
        assert_eq!(l.from_accept_language("fr, de").map(|l| l.code.as_str()), None);
        assert_eq!(l.from_accept_language("es;q=0, en").map(|l| l.code.as_str()), Some("en"));
        assert_eq!(l.from_accept_language("").map(|l| l.code.as_str()), None);
    }

    /// The Spanish file with the entry of `english` taken out of [texts].
    fn spanish_without(english: &str) -> Vec<LocaleFile> {
        let mut files = builtin_locale_files();
        let key = format!("\"{}\" = ", english.replace('"', "\\\""));
        let before = files[1].text.lines().count();
        files[1].text = files[1].text.lines().filter(|l| !l.starts_with(&key)).collect::<Vec<_>>().join("\n");
        assert_eq!(files[1].text.lines().count(), before - 1, "one entry taken out: {key}");
        files
    }

    fn problems(files: &[LocaleFile]) -> String {
        match Languages::load(Knowledge::builtin().unwrap(), files, &[]) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn every_shipped_language_is_complete_and_has_no_stale_entries() {
        let kb = Knowledge::builtin().unwrap();
        let l = languages();
        assert_eq!(l.codes(), ["en", "es"]);
        for file in builtin_locale_files() {
            assert_eq!(unused_texts(&kb, &file), Vec::<String>::new(), "{}", file.display);
        }
    }

    #[test]
    fn a_language_without_a_warning_sign_fails_to_load() {
        let kb = Knowledge::builtin().unwrap();
        let sign = &kb.triage.warning_signs[0].text;
        let found = problems(&spanish_without(sign));
        assert!(found.contains("no translation of warning sign 1"), "{found}");
    }

    #[test]
    fn a_language_without_an_emergency_instruction_or_a_rule_advice_fails_to_load() {
        let kb = Knowledge::builtin().unwrap();
        let instruction = &kb.triage.level(crate::Level::Emergency).instruction;
        let found = problems(&spanish_without(instruction));
        assert!(found.contains("no translation of level `emergency` instruction"), "{found}");
        let rule = kb.triage.rules.iter().find(|r| r.level == crate::Level::Emergency).unwrap();
        let found = problems(&spanish_without(&rule.advice));
        assert!(found.contains(&format!("rule {} advice", rule.id)), "{found}");
    }

    #[test]
    fn a_translation_that_drops_a_placeholder_or_a_word_fails_to_load() {
        let kb = Knowledge::builtin().unwrap();
        let instruction = kb.triage.level(crate::Level::Emergency).instruction.clone();
        let mut files = spanish_without(&instruction);
        files[1].text =
            files[1].text.replacen("\n[texts]\n", &format!("\n[texts]\n\"{instruction}\" = \"Llame ahora\"\n"), 1);
        let found = problems(&files);
        assert!(found.contains("the translation has  where the English has {emergency}"), "{found}");
        let mut files = builtin_locale_files();
        files[1].text =
            files[1].text.lines().filter(|l| !l.starts_with("strip_do_not_wait =")).collect::<Vec<_>>().join("\n");
        assert!(problems(&files).contains("[words] has no `strip_do_not_wait`"));
    }

    #[test]
    fn a_language_without_note_phrases_for_a_warning_sign_fails_to_load() {
        let mut files = builtin_locale_files();
        files[1].text = files[1].text.lines().filter(|l| !l.starts_with("chest_pain =")).collect::<Vec<_>>().join("\n");
        let found = problems(&files);
        assert!(found.contains("[note_phrases] has no `chest_pain`"), "{found}");
    }

    #[test]
    fn a_note_in_spanish_is_flagged_in_every_language() {
        for locale in languages().all() {
            let flags = crate::note::note_flags(&locale.knowledge, "Desde ayer tengo dolor en el pecho");
            assert_eq!(flags.first().map(|f| f.code.as_str()), Some("chest_pain"), "{}", locale.code);
        }
    }

    /// Only words change with the language: the same answers reach the same level through
    /// the same rules, whatever the language of the knowledge.
    #[test]
    fn the_clinical_meaning_is_the_same_in_every_language() {
        let l = languages();
        let (en, es) = (&l.english().knowledge, &l.get("es").unwrap().knowledge);
        assert_eq!(en.triage.rules.len(), es.triage.rules.len());
        for (a, b) in en.triage.rules.iter().zip(&es.triage.rules) {
            assert_eq!((&a.id, a.level, &a.sources), (&b.id, b.level, &b.sources));
        }
        let codes: Vec<String> = en.vocabulary.symptoms.codes().map(str::to_owned).collect();
        for (i, code) in codes.iter().enumerate() {
            for soreness in [2, 9] {
                let doc = serde_json::json!({
                    "session": {"massage_type": "deep_tissue", "pressure": "firm", "areas": ["neck", "calves"]},
                    "client": {"conditions": ["pregnant"], "age_months": 400},
                    "report": {"soreness": soreness, "hours_since": 30, "symptoms": [code, &codes[(i + 7) % codes.len()]]}
                });
                let run = |kb: &Knowledge| {
                    let c = crate::parse_check_in(kb, &doc.to_string()).unwrap_or_else(|e| panic!("{e}"));
                    let t = crate::triage(kb, &c);
                    (t.level, t.fired)
                };
                assert_eq!(run(en), run(es), "{doc}");
            }
        }
        let (en_words, es_words) = (&l.english().words, &l.get("es").unwrap().words);
        assert_eq!(en_words.keys().collect::<Vec<_>>(), es_words.keys().collect::<Vec<_>>());
    }

    #[test]
    fn days_are_written_in_the_language() {
        let l = languages();
        assert_eq!(l.english().long_date(1, 30, 11), "Monday 30 November");
        assert_eq!(l.get("es").unwrap().long_date(1, 30, 11), "lunes 30 de noviembre");
    }

    #[test]
    fn placeholders_are_found() {
        assert_eq!(
            placeholders("Call {emergency} or {urgent_advice}").into_iter().collect::<Vec<_>>(),
            ["emergency", "urgent_advice"]
        );
        assert!(placeholders("no braces").is_empty());
    }
}
