//! Lists that grow come a page at a time: `?limit=N` (default 50, at most 200) and
//! `?cursor=` from the previous page's `next_cursor`. Cursors are keysets (where the last
//! page ended), not offsets, so a page costs the same however long the list is, and a row
//! added meanwhile never makes one repeat or go missing. A cursor carries no clinic: it is
//! always read inside the caller's own clinic.

use crate::error::Error;
use store::{AlertId, AlertPosition, ClientId, ClientPosition, SessionId, SessionPosition, Timestamp};

/// A page's size when none is asked for.
pub const DEFAULT_LIMIT: u32 = 50;
/// The largest page.
pub const MAX_LIMIT: u32 = 200;

/// `limit` from a query string: 1 to [`MAX_LIMIT`], else 422 naming `limit`.
pub fn limit(raw: Option<&str>) -> Result<u32, Error> {
    match raw {
        None => Ok(DEFAULT_LIMIT),
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| Error::invalid("limit", format!("must be a whole number from 1 to {MAX_LIMIT}"))),
    }
}

/// The cursor of an alert page: `level.created_at.id`.
pub fn alert_cursor(p: &AlertPosition) -> String {
    format!("{}.{}.{}", p.level, p.created_at.0, p.id)
}

/// Reads an alert cursor, else 422 naming `cursor`.
pub fn parse_alert_cursor(raw: &str) -> Result<AlertPosition, Error> {
    let bad = || Error::invalid("cursor", "is not a cursor this list gave; start again without it");
    let mut parts = raw.split('.');
    let (Some(level), Some(at), Some(id), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let level = AlertPosition::LEVELS.into_iter().find(|l| l.code() == level).ok_or_else(bad)?;
    let created_at = at.parse::<i64>().map_err(|_| bad())?;
    let id = id.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(bad)?;
    Ok(AlertPosition { level, created_at: Timestamp(created_at), id: AlertId(id) })
}

/// Splits `rows` (fetched as `limit + 1`) into the page and whether more follow.
pub fn split<T>(mut rows: Vec<T>, limit: u32) -> (Vec<T>, bool) {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    (rows, more)
}

/// The cursor of a page of clients: the last name in hex, a dot, the last id.
pub fn client_cursor(p: &ClientPosition) -> String {
    let hex: String = p.name.bytes().map(|b| format!("{b:02x}")).collect();
    format!("{hex}.{}", p.id)
}

/// Reads a client cursor, else 422 naming `cursor`.
pub fn parse_client_cursor(raw: &str) -> Result<ClientPosition, Error> {
    let bad = || Error::invalid("cursor", "is not a cursor this list gave; start again without it");
    let (hex, id) = raw.split_once('.').ok_or_else(bad)?;
    if hex.len() % 2 != 0 || hex.len() > 1600 {
        return Err(bad());
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| hex.get(i..i + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok()))
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(bad)?;
    let name = String::from_utf8(bytes).map_err(|_| bad())?;
    let id = id.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(bad)?;
    Ok(ClientPosition { name, id: ClientId(id) })
}

/// The cursor of a page of a client's sessions: `ended_at.id`.
pub fn session_cursor(p: &SessionPosition) -> String {
    format!("{}.{}", p.ended_at.0, p.id)
}

/// Reads a session cursor, else 422 naming `cursor`.
pub fn parse_session_cursor(raw: &str) -> Result<SessionPosition, Error> {
    let bad = || Error::invalid("cursor", "is not a cursor this list gave; start again without it");
    let (at, id) = raw.split_once('.').ok_or_else(bad)?;
    let ended_at = at.parse::<i64>().map_err(|_| bad())?;
    let id = id.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(bad)?;
    Ok(SessionPosition { ended_at: Timestamp(ended_at), id: SessionId(id) })
}
