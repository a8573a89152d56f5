//! The evaluation pass: every message, in time order, through the engine (and the
//! baseline engine with `--against`), aggregated into a [`Report`].
//!
//! Parallel on every core with scoped threads. Messages are sorted by (send time,
//! room, id) once, then cut into work units by the [`Schedule`]: contiguous time
//! chunks (stateless packs), or whole rooms (each room's messages in time order on one
//! thread: what rules with per-room state need; the in-memory store then lives in the
//! thread's unit). Every aggregate is order-independent (counts add, sets unite,
//! sample lists keep the earliest by time), so the report is the same for any number
//! of threads and either schedule.

use std::collections::BTreeMap;

use super::agreement::{Moderation, Seen};
use super::diff::{classify, responsible, Change};
use super::history::{History, Message, RoomArns};
use super::report::{hour_key, offer, Counts, Inputs, PackInfo, Report, RuleStats, Sample};
use crate::action::Verdict;
use crate::engine::{Engine, Evaluation};
use crate::ivs::ReviewRequest;
use crate::state::MemoryStore;

/// How messages are spread over threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Schedule {
    /// Contiguous chunks of the time-ordered messages, one per thread.
    #[default]
    Chunks,
    /// Whole rooms per thread, each room in time order (for per-room state).
    Rooms,
}

/// Backtest settings.
#[derive(Debug, Clone)]
pub struct Options {
    /// How room ids become room ARNs.
    pub arns: RoomArns,
    /// Keep the message text in samples.
    pub reveal: bool,
    /// Samples kept per list.
    pub max_samples: usize,
    /// Changes listed in the diff.
    pub max_changes: usize,
    /// Threads (0: one per core).
    pub threads: usize,
    /// Work units.
    pub schedule: Schedule,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            arns: RoomArns::default(),
            reveal: false,
            max_samples: super::report::DEFAULT_MAX_SAMPLES,
            max_changes: super::diff::DEFAULT_MAX_CHANGES,
            threads: 0,
            schedule: Schedule::Chunks,
        }
    }
}

/// A compiled pack and how the report names it.
#[derive(Debug, Clone, Copy)]
pub struct Pack<'a> {
    /// The engine.
    pub engine: &'a Engine,
    /// Its name in the report.
    pub info: &'a PackInfo,
}

/// Runs the backtest of `pack` (against `against`, the pack in production) over
/// `history`; `inputs` (what the reader read) is carried into the report.
pub fn backtest(
    history: &History,
    pack: Pack<'_>,
    against: Option<Pack<'_>>,
    inputs: Inputs,
    opts: &Options,
) -> Report {
    let mut order: Vec<&Message> = history.messages.iter().collect();
    order.sort_unstable_by(|a, b| {
        (a.send_time, &*a.room, a.id.as_str()).cmp(&(b.send_time, &*b.room, b.id.as_str()))
    });
    let moderation = Moderation::new(&history.events);
    let threads = match opts.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    // Stateful rules keep per-room memory: each room's messages in time order on one
    // thread, with that unit's own in-memory store.
    let stateful = pack.engine.is_stateful() || against.is_some_and(|a| a.engine.is_stateful());
    let schedule = if stateful {
        Schedule::Rooms
    } else {
        opts.schedule
    };
    let units = units(&order, threads, schedule);
    let ctx = Ctx {
        pack,
        against,
        opts,
        moderation: &moderation,
    };
    let mut parts: Vec<(Report, Seen<'_>)> = if units.len() <= 1 {
        units.iter().map(|u| ctx.unit(u)).collect()
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = units
                .iter()
                .map(|u| {
                    let ctx = &ctx;
                    s.spawn(move || ctx.unit(u))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        })
    };
    let (mut report, mut seen) = parts
        .pop()
        .unwrap_or_else(|| (ctx.empty(), Seen::default()));
    for (r, s) in parts {
        report.absorb_counts(r);
        seen.absorb(s);
    }
    seen.finish(&moderation, &mut report.agreement);
    report.inputs = inputs;
    report.compact();
    report
}

/// The work units: each a list of messages evaluated in order on one thread.
fn units<'m>(order: &[&'m Message], threads: usize, schedule: Schedule) -> Vec<Vec<&'m Message>> {
    let threads = threads.max(1);
    match schedule {
        Schedule::Chunks => {
            let size = order.len().div_ceil(threads).max(1);
            order.chunks(size).map(<[&Message]>::to_vec).collect()
        }
        Schedule::Rooms => {
            let mut rooms: BTreeMap<&str, Vec<&Message>> = BTreeMap::new();
            for m in order {
                rooms.entry(&m.room).or_default().push(m);
            }
            // Largest rooms first, each to the least loaded thread.
            let mut rooms: Vec<Vec<&Message>> = rooms.into_values().collect();
            rooms.sort_by_key(|r| std::cmp::Reverse(r.len()));
            let mut units: Vec<Vec<&Message>> = vec![Vec::new(); threads.min(rooms.len())];
            for room in rooms {
                if let Some(u) = units.iter_mut().min_by_key(|u| u.len()) {
                    u.extend(room);
                }
            }
            units
        }
    }
}

struct Ctx<'a> {
    pack: Pack<'a>,
    against: Option<Pack<'a>>,
    opts: &'a Options,
    moderation: &'a Moderation<'a>,
}

/// The hour key of the last message seen, so consecutive messages of one hour format
/// it once.
#[derive(Default)]
struct HourCache {
    start: i64,
    end: i64,
    key: String,
}

const NANOS_PER_HOUR: i64 = 3_600_000_000_000;

impl HourCache {
    fn key(&mut self, t: i64) -> &str {
        if self.key.is_empty() || t < self.start || t >= self.end {
            self.start = t - t.rem_euclid(NANOS_PER_HOUR);
            self.end = self.start.saturating_add(NANOS_PER_HOUR);
            self.key = hour_key(t);
        }
        &self.key
    }
}

fn count_in(map: &mut BTreeMap<String, Counts>, key: &str, v: Verdict) {
    match map.get_mut(key) {
        Some(c) => c.add(v),
        None => map.entry(key.to_string()).or_default().add(v),
    }
}

/// The in-memory stores of one work unit: the pack's and the baseline's (separate, since
/// each pack's decisions change what it remembers).
#[derive(Default)]
struct Stores {
    pack: MemoryStore,
    against: MemoryStore,
}

const NANOS_PER_MILLI: i64 = 1_000_000;

/// `engine`'s evaluation of `req` as of `m`'s send time: with the unit's store when
/// the engine has stateful rules.
fn evaluate(
    engine: &Engine,
    req: &ReviewRequest,
    m: &Message,
    store: &mut MemoryStore,
) -> Evaluation {
    if engine.is_stateful() {
        engine.evaluate_with(req, m.send_time.div_euclid(NANOS_PER_MILLI), store)
    } else {
        engine.evaluate(req)
    }
}

/// True when `m` sorts before a sample or change at (time, room, id).
fn before(m: &Message, t: i64, room: &str, id: &str) -> bool {
    (m.send_time, &*m.room, m.id.as_str()) < (t, room, id)
}

impl<'a> Ctx<'a> {
    fn empty(&self) -> Report {
        let mut r = Report::new(
            self.pack.info.clone(),
            self.against.map(|p| p.info.clone()),
            self.opts.reveal,
            self.opts.max_samples,
        );
        if let Some(d) = &mut r.diff {
            d.max_changes = self.opts.max_changes;
        }
        r
    }

    /// Evaluates one unit in order, with one in-memory store per pack for the unit
    /// (a unit holds whole rooms when a pack is stateful).
    fn unit(&self, unit: &[&'a Message]) -> (Report, Seen<'a>) {
        let mut report = self.empty();
        let mut seen = Seen::default();
        let mut hours = HourCache::default();
        let mut stores = Stores::default();
        for m in unit {
            self.message(m, &mut report, &mut seen, &mut hours, &mut stores);
        }
        (report, seen)
    }

    fn sample(&self, m: &Message, rules: Vec<String>, ev: &Evaluation) -> Sample {
        let reveal = self.opts.reveal;
        Sample {
            send_time_ns: m.send_time,
            room: m.room.to_string(),
            message_id: m.id.clone(),
            rules,
            verdict: ev.action,
            content: reveal.then(|| m.content.clone()),
            delivered: (reveal && ev.response.content != m.content)
                .then(|| ev.response.content.clone()),
        }
    }

    fn message(
        &self,
        m: &'a Message,
        r: &mut Report,
        seen: &mut Seen<'a>,
        hours: &mut HourCache,
        stores: &mut Stores,
    ) {
        let req = m.request(&self.opts.arns);
        let ev = evaluate(self.pack.engine, &req, m, &mut stores.pack);
        let v = ev.action;
        let cap = self.opts.max_samples;
        r.totals.add(v);
        r.first_ns = Some(r.first_ns.map_or(m.send_time, |f| f.min(m.send_time)));
        r.last_ns = Some(r.last_ns.map_or(m.send_time, |l| l.max(m.send_time)));
        count_in(&mut r.rooms, &m.room, v);
        count_in(&mut r.hours, hours.key(m.send_time), v);
        let mut categories: Vec<&str> = Vec::new();
        for f in &ev.fired {
            let stats = match r.rules.get_mut(&f.id) {
                Some(s) => s,
                None => r.rules.entry(f.id.clone()).or_insert_with(|| RuleStats {
                    action: f.action,
                    category: f.category.clone(),
                    shadow: f.shadow,
                    fired: Counts::default(),
                    samples: Vec::new(),
                }),
            };
            stats.fired.add(v);
            offer(
                &mut stats.samples,
                cap,
                |s| before(m, s.send_time_ns, &s.room, &s.message_id),
                || self.sample(m, vec![f.id.clone()], &ev),
            );
            if let (false, Some(c)) = (f.shadow, f.category.as_deref()) {
                if !categories.contains(&c) {
                    categories.push(c);
                }
            }
        }
        for c in categories {
            count_in(&mut r.categories, c, v);
        }
        if let (Some(base), Some(diff)) = (self.against, r.diff.as_mut()) {
            let old = evaluate(base.engine, &req, m, &mut stores.against);
            if let Some(kind) = classify(&old, &ev) {
                let rules = responsible(kind, &old, &ev);
                diff.count(kind, &rules);
                let reveal = self.opts.reveal;
                let max = diff.max_changes;
                offer(
                    &mut diff.changes,
                    max,
                    |c| before(m, c.send_time_ns, &c.room, &c.message_id),
                    || Change {
                        send_time_ns: m.send_time,
                        room: m.room.to_string(),
                        message_id: m.id.clone(),
                        kind,
                        before: old.action,
                        after: v,
                        rules,
                        content: reveal.then(|| m.content.clone()),
                        before_content: reveal.then(|| old.response.content.clone()),
                        after_content: reveal.then(|| ev.response.content.clone()),
                    },
                );
            }
        }
        self.agreement(m, &ev, r, seen);
    }

    fn agreement(&self, m: &'a Message, ev: &Evaluation, r: &mut Report, seen: &mut Seen<'a>) {
        let v = ev.action;
        let cap = self.opts.max_samples;
        let a = &mut r.agreement;
        let decided = || {
            ev.fired
                .iter()
                .filter(|f| !f.shadow)
                .map(|f| f.id.clone())
                .collect()
        };
        if self.moderation.deleted.contains(m.id.as_str()) {
            seen.found.insert(&m.id);
            a.deleted += 1;
            match v {
                Verdict::Deny => a.deleted_denied += 1,
                Verdict::Rewrite => a.deleted_rewritten += 1,
                Verdict::Tag | Verdict::Allow => offer(
                    &mut a.missed,
                    cap,
                    |s| before(m, s.send_time_ns, &s.room, &s.message_id),
                    || self.sample(m, decided(), ev),
                ),
            }
        } else {
            a.stayed += 1;
            match v {
                Verdict::Deny => {
                    a.stayed_denied += 1;
                    offer(
                        &mut a.stayed_blocked,
                        cap,
                        |s| before(m, s.send_time_ns, &s.room, &s.message_id),
                        || self.sample(m, decided(), ev),
                    );
                }
                Verdict::Rewrite => a.stayed_rewritten += 1,
                Verdict::Tag | Verdict::Allow => {}
            }
        }
        if self.moderation.is_disconnected(&m.room, &m.user) {
            let key = (&*m.room, m.user.as_str());
            seen.users.insert(key);
            if v == Verdict::Deny {
                seen.caught.insert(key);
            }
        }
    }
}
