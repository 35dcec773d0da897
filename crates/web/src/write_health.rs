//! Whether the database can save data now, and the check-ins it could not save.
//!
//! When the disk fills or the database fails, a check-in cannot be saved: the client is told
//! so at once (with the warning signs and the emergency number), never that it was saved.
//! The answer was already triaged, so it is kept here, in memory, and saved with its alert
//! as soon as the database can write again: the clinic then hears what the client said, at
//! the level it called for. An answer the client sent again meanwhile, and got saved, is not
//! saved twice. What is kept here is lost if the process stops, which is why the client is
//! told that nothing was saved.

use std::sync::Mutex;
use store::{ClinicId, NewAlert, NewCheckIn, NewFollowUp, Store, StoreError, Timestamp};

/// Each clinic's emergency number, as last read: a client page that cannot reach the
/// database still tells the client which number to call.
#[derive(Debug, Default)]
pub struct EmergencyNumbers {
    numbers: Mutex<std::collections::HashMap<ClinicId, String>>,
    /// The clinic of each client link used lately (by the link's hash).
    links: Mutex<std::collections::HashMap<Vec<u8>, ClinicId>>,
}

/// At most this many links are remembered; past it the memory starts again.
const MAX_LINKS: usize = 100_000;

impl EmergencyNumbers {
    /// Remembers `clinic`'s number.
    pub fn remember(&self, clinic_id: ClinicId, number: &str) {
        let mut numbers = self.numbers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if numbers.get(&clinic_id).is_none_or(|n| n != number) {
            numbers.insert(clinic_id, number.to_owned());
        }
    }

    /// The number last read for `clinic_id`.
    pub fn of(&self, clinic_id: ClinicId) -> Option<String> {
        self.numbers.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&clinic_id).cloned()
    }

    /// Remembers the clinic of a link (by its hash).
    pub fn remember_link(&self, link_hash: &[u8], clinic_id: ClinicId) {
        let mut links = self.links.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if links.len() >= MAX_LINKS {
            links.clear();
        }
        links.insert(link_hash.to_vec(), clinic_id);
    }

    /// The clinic a link (by its hash) was last seen to belong to.
    pub fn clinic_of_link(&self, link_hash: &[u8]) -> Option<ClinicId> {
        self.links.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(link_hash).copied()
    }
}

/// At most this many unsaved check-ins are kept; past it the oldest is dropped (and logged).
pub const MAX_UNSAVED: usize = 10_000;

/// A check-in the database refused, ready to be saved as it was triaged.
#[derive(Clone)]
struct Unsaved {
    clinic_id: ClinicId,
    check_in: NewCheckIn,
    alert: Option<NewAlert>,
    next: Option<NewFollowUp>,
}

#[derive(Default)]
struct State {
    /// When writing first failed, while it still does.
    failing_since: Option<Timestamp>,
    unsaved: std::collections::VecDeque<Unsaved>,
    /// Per clinic, the answers refused while writing fails, and those saved late.
    refused: std::collections::BTreeMap<ClinicId, usize>,
    saved_late: std::collections::BTreeMap<ClinicId, usize>,
    /// The last time writing failed, once it is over.
    last_outage: Option<Outage>,
}

/// A time when the database could not save, now over: what each clinic's staff are shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outage {
    /// When writing first failed.
    pub from: Timestamp,
    /// When it worked again.
    pub to: Timestamp,
    /// Per clinic, the check-in answers refused meanwhile.
    pub refused: std::collections::BTreeMap<ClinicId, usize>,
    /// Per clinic, those of them saved late, with their alerts.
    pub saved_late: std::collections::BTreeMap<ClinicId, usize>,
}

/// What the app knows of the database's ability to write.
#[derive(Default)]
pub struct WriteHealth {
    state: Mutex<State>,
    /// One probe at a time saves what waits, so that no answer is saved twice or skipped.
    saving: tokio::sync::Mutex<()>,
    /// Each clinic's emergency number, for pages the database cannot help with.
    pub numbers: EmergencyNumbers,
}

impl std::fmt::Debug for WriteHealth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (failing, unsaved) = self.status();
        f.debug_struct("WriteHealth").field("failing_since", &failing).field("unsaved", &unsaved).finish()
    }
}

/// What a write probe found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// The database saved a small write just now.
    pub writable: bool,
    /// Check-ins still waiting to be saved.
    pub unsaved: usize,
    /// Check-ins saved late by this probe.
    pub saved_now: usize,
}

impl WriteHealth {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind: keep using it.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// When writing started failing (if it still is), and how many check-ins wait.
    pub fn status(&self) -> (Option<Timestamp>, usize) {
        let s = self.lock();
        (s.failing_since, s.unsaved.len())
    }

    /// Notes that a write failed because the database is unavailable.
    pub fn failed(&self, now: Timestamp) {
        let mut s = self.lock();
        if s.failing_since.is_none() {
            tracing::error!("the database cannot save data: answers are refused until it can");
            s.failing_since = Some(now);
            // Failing again within ten minutes of the last time is the same outage for staff.
            if let Some(last) = s.last_outage.take_if(|o| now.0 - o.to.0 < 10 * 60_000) {
                s.failing_since = Some(last.from);
                s.refused = last.refused;
                s.saved_late = last.saved_late;
            }
        }
    }

    /// Keeps a check-in the database refused, to save it when writing works again.
    pub fn keep_check_in(
        &self,
        clinic_id: ClinicId,
        check_in: NewCheckIn,
        alert: Option<NewAlert>,
        next: Option<NewFollowUp>,
    ) {
        let now = check_in.now;
        self.failed(now);
        let mut s = self.lock();
        if s.unsaved.len() >= MAX_UNSAVED {
            s.unsaved.pop_front();
            tracing::error!(kept = MAX_UNSAVED, "too many unsaved check-ins: the oldest is dropped");
        }
        s.unsaved.push_back(Unsaved { clinic_id, check_in, alert, next });
        *s.refused.entry(clinic_id).or_default() += 1;
    }

    /// The last time writing failed, once it is over.
    pub fn last_outage(&self) -> Option<Outage> {
        self.lock().last_outage.clone()
    }

    /// Tries a small write; when it works, saves the check-ins that wait, oldest first, and
    /// clears the failing state once none is left.
    pub async fn probe<S: Store>(&self, store: &S, now: Timestamp) -> Probe {
        let _one_at_a_time = self.saving.lock().await;
        if store.write_probe(now).await.is_err() {
            self.failed(now);
            return Probe { writable: false, unsaved: self.status().1, saved_now: 0 };
        }
        let mut saved_now = 0;
        loop {
            let Some(next) = self.lock().unsaved.front().cloned() else { break };
            match save(store, &next).await {
                Ok(()) => {
                    saved_now += 1;
                    let mut s = self.lock();
                    s.unsaved.pop_front();
                    *s.saved_late.entry(next.clinic_id).or_default() += 1;
                }
                Err(StoreError::Unavailable(e)) => {
                    tracing::warn!(cause = %e, "an unsaved check-in still cannot be saved");
                    return Probe { writable: false, unsaved: self.status().1, saved_now };
                }
                Err(e) => {
                    // Not a passing failure (the follow-up is gone, a corrupt row): it never will be.
                    tracing::error!(clinic = next.clinic_id.get(), cause = %e, "an unsaved check-in can never be saved");
                    self.lock().unsaved.pop_front();
                }
            }
        }
        let mut s = self.lock();
        if s.unsaved.is_empty()
            && let Some(since) = s.failing_since.take()
        {
            let (refused, saved_late) = (std::mem::take(&mut s.refused), std::mem::take(&mut s.saved_late));
            s.last_outage = Some(Outage { from: since, to: now, refused, saved_late });
            tracing::info!(failing_since = since.0, saved_late = saved_now, "the database can save data again");
        }
        Probe { writable: true, unsaved: s.unsaved.len(), saved_now }
    }
}

/// Saves a kept check-in, unless the client got the same answer saved meanwhile.
async fn save<S: Store>(store: &S, u: &Unsaved) -> Result<(), StoreError> {
    let saved_since = store
        .check_ins_of_session(u.clinic_id, u.check_in.session_id)
        .await?
        .iter()
        .any(|c| c.follow_up_id == u.check_in.follow_up_id && c.submitted_at >= u.check_in.now);
    if saved_since {
        return Ok(());
    }
    store.record_check_in(u.clinic_id, u.check_in.clone(), u.alert.clone(), u.next.clone()).await.map(|_| ())
}

/// Probes every `every` until `stop` completes, saving what waits as soon as it can: the
/// server notices by itself that writing fails or works again (with no request and no
/// restart), and `/readyz` answers from what it found.
pub async fn watch<S: Store>(
    health: std::sync::Arc<WriteHealth>,
    store: S,
    clock: std::sync::Arc<dyn store::Clock>,
    every: std::time::Duration,
    stop: impl std::future::Future<Output = ()>,
) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return,
            _ = ticks.tick() => {
                health.probe(&store, clock.now()).await;
            }
        }
    }
}
