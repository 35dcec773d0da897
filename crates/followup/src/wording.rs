//! The wording of the messages clients get: the aftercare plan and the check-in invitation
//! (a reminder repeats the invitation). The product's wording is the words `message_plan`
//! and `message_check_in` of each language (`knowledge/locales/`); a clinic may reword the
//! English ones. The variables `{first_name}`, `{clinic}` and `{link}` are filled in when a
//! message is sent, and `{link}` is required so that no message goes out without it.
/// The variables a message may use.
pub const VARIABLES: [&str; 3] = ["{first_name}", "{clinic}", "{link}"];
/// The longest message, in characters.
pub const MAX_CHARS: usize = 600;

/// Checks a clinic's wording: it must hold `{link}`, use only the known variables, and be
/// at most [`MAX_CHARS`] long.
pub fn check(text: &str) -> Result<(), String> {
    if text.chars().count() > MAX_CHARS {
        return Err(format!("A message may be at most {MAX_CHARS} characters."));
    }
    if !text.contains("{link}") {
        return Err("A message must contain {link}, or the client cannot reach the page.".to_owned());
    }
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map(|c| open + c + 1).unwrap_or(rest.len());
        let variable = &rest[open..close];
        if !VARIABLES.contains(&variable) {
            return Err(format!("`{variable}` is not a variable; use {}.", VARIABLES.join(", ")));
        }
        rest = &rest[close..];
    }
    Ok(())
}

/// Fills in a message's variables.
pub fn fill(text: &str, first_name: &str, clinic: &str, link: &str) -> String {
    text.replace("{first_name}", first_name).replace("{clinic}", clinic).replace("{link}", link)
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn the_default_wording_is_valid_in_every_language_and_fills_in() {
        let Ok(languages) = care::knowledge::locale::Languages::shipped() else { panic!("the shipped languages load") };
        for locale in languages.all() {
            for key in ["message_plan", "message_check_in"] {
                assert_eq!(check(locale.word(key)), Ok(()), "{} {key}", locale.code);
            }
        }
        assert_eq!(
            fill("Hi {first_name} from {clinic}: {link}", "Ada", "Calm", "https://x/c/1"),
            "Hi Ada from Calm: https://x/c/1"
        );
    }

    #[test]
    fn a_message_without_the_link_or_with_unknown_variables_is_refused() {
        assert!(check("Hello {first_name}").is_err_and(|e| e.contains("{link}")));
        assert!(check("Hello {name}: {link}").is_err_and(|e| e.contains("`{name}` is not a variable")));
        assert!(check("Hello {first_name: {link}").is_err());
        assert!(check(&format!("{} {{link}}", "a".repeat(600))).is_err());
    }
}
