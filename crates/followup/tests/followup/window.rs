//! Sending at a sensible local time (care policy section 6), across the spring and autumn
//! clock changes in three time zones. Each expected instant is written in UTC, worked out by
//! hand from the zone's offsets on that date, not by the code under test.

use crate::common::{at, kb, link};
use followup::outbox;
use followup::window::{next_window_start, sending_time, time_zone};
use store::{MessageKind, Timestamp};

/// When the invitation of a check-in `hours` after a session that ended at `ended` (and
/// was recorded then) in `tz` is first sent.
fn invitation(tz: &str, ended: &str, hours: i64) -> Timestamp {
    let ended = at(ended);
    let f =
        outbox::check_in(&kb(), hours, ended, ended, (&time_zone(Some(tz), "UTC"), &jiff::tz::TimeZone::UTC), &link(1));
    assert_eq!(f.due_at, ended.plus_hours(hours), "due exactly {hours} h after the session");
    let invite = f.messages.iter().find(|m| m.kind == MessageKind::CheckIn).unwrap();
    assert_eq!(invite.due_at, f.due_at);
    invite.send_at
}

#[test]
fn a_session_at_21_30_gets_its_24_h_invitation_at_08_00_the_day_after_next() {
    // London in winter is UTC+0: 21:30 + 24 h is 21:30 the next day, after 20:00.
    assert_eq!(invitation("Europe/London", "2026-11-27T21:30:00Z", 24), at("2026-11-29T08:00:00Z"));
    assert_eq!(invitation("Europe/London", "2026-11-27T21:30:00Z", 48), at("2026-11-30T08:00:00Z"));
}

#[test]
fn inside_the_window_an_invitation_goes_exactly_on_time() {
    assert_eq!(invitation("Europe/London", "2026-11-27T10:15:00Z", 24), at("2026-11-28T10:15:00Z"));
    assert_eq!(invitation("Europe/London", "2026-11-27T19:59:00Z", 48), at("2026-11-29T19:59:00Z"));
}

#[test]
fn the_window_is_08_00_to_20_00_inclusive() {
    let s = &kb().triage.schedule;
    let london = time_zone(Some("Europe/London"), "UTC");
    assert_eq!(sending_time(at("2026-11-28T07:59:59Z"), &london, s), at("2026-11-28T08:00:00Z"));
    assert_eq!(sending_time(at("2026-11-28T08:00:00Z"), &london, s), at("2026-11-28T08:00:00Z"));
    assert_eq!(sending_time(at("2026-11-28T20:00:00Z"), &london, s), at("2026-11-28T20:00:00Z"));
    assert_eq!(sending_time(at("2026-11-28T20:00:01Z"), &london, s), at("2026-11-29T08:00:00Z"));
    assert_eq!(sending_time(at("2026-11-28T00:00:00Z"), &london, s), at("2026-11-28T08:00:00Z"));
}

#[test]
fn london_spring_forward() {
    // 28 March 19:30 GMT; 24 h later the clocks have gone forward: 20:30 BST, outside.
    // The next 08:00 BST (UTC+1) is 07:00 UTC on 30 March.
    assert_eq!(invitation("Europe/London", "2026-03-28T19:30:00Z", 24), at("2026-03-30T07:00:00Z"));
    // 12:00 GMT + 24 h is 13:00 BST: inside, on time.
    assert_eq!(invitation("Europe/London", "2026-03-28T12:00:00Z", 24), at("2026-03-29T12:00:00Z"));
    // Due at 06:30 UTC on the change day, which is 07:30 BST: wait for 08:00 BST.
    assert_eq!(invitation("Europe/London", "2026-03-28T06:30:00Z", 24), at("2026-03-29T07:00:00Z"));
}

#[test]
fn london_fall_back() {
    // 24 October 07:30 BST (06:30 UTC); 24 h later it is 06:30 GMT: wait for 08:00 GMT.
    assert_eq!(invitation("Europe/London", "2026-10-24T06:30:00Z", 24), at("2026-10-25T08:00:00Z"));
    // 19:30 BST (18:30 UTC) + 24 h is 18:30 GMT: inside.
    assert_eq!(invitation("Europe/London", "2026-10-24T18:30:00Z", 24), at("2026-10-25T18:30:00Z"));
    // 19:30 GMT after the change + 48 h: still inside.
    assert_eq!(invitation("Europe/London", "2026-10-23T18:45:00Z", 48), at("2026-10-25T18:45:00Z"));
}

#[test]
fn new_york_spring_forward_and_fall_back() {
    // 7 March 19:30 EST (00:30 UTC on the 8th); 24 h later it is 20:30 EDT, outside; the next
    // 08:00 EDT (UTC-4) is 12:00 UTC on 9 March.
    assert_eq!(invitation("America/New_York", "2026-03-08T00:30:00Z", 24), at("2026-03-09T12:00:00Z"));
    // 31 October 07:30 EDT (11:30 UTC); 24 h later it is 06:30 EST: the next 08:00 EST is
    // 13:00 UTC.
    assert_eq!(invitation("America/New_York", "2026-10-31T11:30:00Z", 24), at("2026-11-01T13:00:00Z"));
}

#[test]
fn sydney_autumn_and_spring() {
    // 4 April 07:30 AEDT (UTC+11) is 20:30 UTC on the 3rd; 24 h later it is 06:30 AEST
    // (UTC+10): the next 08:00 AEST is 22:00 UTC on 4 April.
    assert_eq!(invitation("Australia/Sydney", "2026-04-03T20:30:00Z", 24), at("2026-04-04T22:00:00Z"));
    // 3 October 19:30 AEST (09:30 UTC); 24 h later it is 20:30 AEDT, outside: the next 08:00
    // AEDT is 21:00 UTC on 4 October.
    assert_eq!(invitation("Australia/Sydney", "2026-10-03T09:30:00Z", 24), at("2026-10-04T21:00:00Z"));
}

#[test]
fn the_client_time_zone_comes_before_the_clinic_one() {
    // 23:00 UTC is inside the window in New York (18:00) and outside it in London.
    let s = &kb().triage.schedule;
    let t = at("2026-11-28T23:00:00Z");
    assert_eq!(sending_time(t, &time_zone(Some("America/New_York"), "Europe/London"), s), t);
    assert_eq!(sending_time(t, &time_zone(None, "Europe/London"), s), at("2026-11-29T08:00:00Z"));
    // An unknown client zone falls back to the clinic's.
    assert_eq!(sending_time(t, &time_zone(Some("Mars/Olympus"), "Europe/London"), s), at("2026-11-29T08:00:00Z"));
}

#[test]
fn the_plan_goes_right_away_and_the_reminder_eight_hours_after_the_invitation() {
    let london = time_zone(Some("Europe/London"), "UTC");
    let ended = at("2026-11-27T17:00:00Z");
    let now = at("2026-11-27T17:05:00Z");
    let f = outbox::session(&kb(), &[24, 48], ended, now, (&london, &london), &[link(1), link(2)]);
    assert_eq!(f.len(), 2);
    let kinds: Vec<MessageKind> = f[0].messages.iter().map(|m| m.kind).collect();
    assert_eq!(kinds, vec![MessageKind::Plan, MessageKind::CheckIn, MessageKind::Reminder]);
    assert_eq!(f[0].messages[0].send_at, now, "the plan goes at once inside the window");
    // The invitation at 17:00 the next day; its reminder 8 h later is 01:00, so 08:00.
    assert_eq!(f[0].messages[1].send_at, at("2026-11-28T17:00:00Z"));
    assert_eq!(f[0].messages[2].send_at, at("2026-11-29T08:00:00Z"));
    assert_eq!(f[1].messages.len(), 2, "the plan goes once");
    // Every message carries its follow-up's link, and a key of its own.
    assert!(
        f[0].messages
            .iter()
            .all(|m| m.link_token.as_ref().map(|t| t.expose().as_str()) == Some(link(1).token.as_str()))
    );
    let mut keys: Vec<&str> = f.iter().flat_map(|x| &x.messages).map(|m| m.idempotency_key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), 5);
    // A session recorded at 22:00 sends its plan at the next 08:00.
    let late = outbox::session(&kb(), &[24], ended, at("2026-11-27T22:00:00Z"), (&london, &london), &[link(1)]);
    assert_eq!(late[0].messages[0].send_at, at("2026-11-28T08:00:00Z"));
}

#[test]
fn a_digest_goes_at_the_next_window_start() {
    let s = &kb().triage.schedule;
    let london = time_zone(Some("Europe/London"), "UTC");
    assert_eq!(next_window_start(at("2026-11-27T10:00:00Z"), &london, s), at("2026-11-28T08:00:00Z"));
    assert_eq!(next_window_start(at("2026-11-27T07:00:00Z"), &london, s), at("2026-11-27T08:00:00Z"));
    assert_eq!(next_window_start(at("2026-11-27T08:00:00Z"), &london, s), at("2026-11-28T08:00:00Z"));
}
