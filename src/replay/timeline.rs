//! The `--timeline` chart: per queue region, when each copy task waited (`.`) and ran (`#`).

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::{DateTime, Utc};

use crate::copy::{CopyTask, QueueScope};
use crate::engine::State;

const WIDTH: i64 = 60;

/// Renders the chart; empty tasks give a one-line note.
pub(crate) fn chart(state: &State, scope: QueueScope) -> String {
    let tasks: Vec<&CopyTask> = state.tasks().collect();
    let Some(start) = tasks.iter().map(|t| t.queued_at()).min() else {
        return "no copy tasks\n".to_owned();
    };
    let end = tasks
        .iter()
        .flat_map(|t| [Some(t.queued_at()), t.started_at(), t.ended_at()])
        .flatten()
        .max()
        .unwrap_or(start)
        .max(state.now().unwrap_or(start));
    let span = (end - start).num_seconds().max(1);
    let column = |t: DateTime<Utc>| ((t - start).num_seconds() * WIDTH / span).clamp(0, WIDTH);
    let mut lanes: BTreeMap<&str, Vec<&CopyTask>> = BTreeMap::new();
    for t in &tasks {
        lanes
            .entry(t.queue_region(scope).as_str())
            .or_default()
            .push(t);
    }
    let mut out = format!("copy timeline {start} .. {end} ('.' waiting, '#' running)\n");
    for (region, lane) in lanes {
        let _ = writeln!(out, "{region}:");
        for t in lane {
            let queued = column(t.queued_at());
            let started = t.started_at().map(column);
            let ended = t.ended_at().map(column).unwrap_or(WIDTH);
            let mut bar = String::with_capacity(WIDTH as usize + 1);
            for c in 0..=WIDTH {
                bar.push(match started {
                    _ if c < queued || c > ended => ' ',
                    Some(s) if c >= s => '#',
                    _ => '.',
                });
            }
            let _ = writeln!(
                out,
                "  {:<8} {:<26} |{}| {:?}",
                t.id.to_string(),
                t.destination_image.as_str(),
                bar.trim_end(),
                t.state()
            );
        }
    }
    out
}
