//! Emitting, as methods of the Writer: placing items on lanes and writing the JSON of each.

use std::io::{self, Write};

use super::json::{Args, Out, PID, meta};
use super::lane::{Group, Lane, worker_lane};
use super::writer::{Body, Item, Writer};
use super::{Lanes, Slices};
use crate::trace::TraceEvent;

impl<W: Write> Writer<'_, W> {
    pub(super) fn raw(&mut self, bytes: &[u8]) {
        if self.error.is_none()
            && let Err(e) = self.out.write_all(bytes)
        {
            self.error = Some(e);
        }
    }

    pub(super) fn emit(&mut self, ev: &Out<'_>) {
        if self.error.is_some() {
            return;
        }
        if !std::mem::take(&mut self.first) {
            self.raw(b",");
        }
        if let Err(e) = serde_json::to_writer(&mut *self.out, ev) {
            self.error = Some(e.into());
        }
    }

    pub(super) fn lane(&mut self, group: Group, name: &str, ts: f64) -> usize {
        let fixed = match group {
            Group::Execution => self.exec_lane,
            Group::Steps => self.steps_lane,
            Group::Work => self.work.get(name).copied(),
        };
        if let Some(i) = fixed {
            return i;
        }
        let i = self.lanes.len();
        self.lanes.push(Lane {
            name: name.to_owned(),
            group,
            first_ts: ts,
            last_end: None,
        });
        match group {
            Group::Execution => self.exec_lane = Some(i),
            Group::Steps => self.steps_lane = Some(i),
            Group::Work => {
                self.work.insert(name.to_owned(), i);
            }
        }
        i
    }

    /// The first lane of the chain `base`, `base (overflow)`, `base (overflow 2)`, ...
    /// whose last slice ends at or before `start`.
    pub(super) fn free_lane(&mut self, base: &str, start: f64) -> usize {
        let mut k = 0;
        loop {
            let i = match k {
                0 => self.lane(Group::Work, base, start),
                1 => self.lane(Group::Work, &format!("{base} (overflow)"), start),
                _ => self.lane(Group::Work, &format!("{base} (overflow {k})"), start),
            };
            if self.lanes[i].last_end.is_none_or(|end| end <= start) {
                return i;
            }
            k += 1;
        }
    }

    pub(super) fn write_item(&mut self, item: Item) {
        let ph_slice = match self.options.slices {
            Slices::Complete => "X",
            Slices::BeginEnd => "B",
        };
        let dur = (ph_slice == "X").then_some(item.dur);
        let mut out = Out {
            name: "",
            cat: None,
            ph: ph_slice,
            s: None,
            id: None,
            pid: PID,
            tid: 0,
            ts: item.ts,
            dur,
            args: Args::default(),
        };
        match &item.body {
            Body::Exec => {
                let lane = self.lane(Group::Execution, "execution", item.ts);
                self.lanes[lane].last_end = Some(item.ts + item.dur);
                self.begin_lanes.insert(item.seq, lane);
                out.tid = lane + 1;
                out.name = self.dag_name;
                out.cat = Some("execution");
                out.args.dag = Some(self.dag_name);
                self.emit(&out);
            }
            Body::Run(run) => {
                let base = match self.options.lanes {
                    Lanes::Node => run.node.clone(),
                    Lanes::Worker => {
                        if !self.node_worker.contains_key(&run.node) {
                            self.node_worker.insert(run.node.clone(), run.worker);
                        }
                        worker_lane(run.worker)
                    }
                };
                let lane = self.free_lane(&base, item.ts);
                self.lanes[lane].last_end = Some(item.ts + item.dur);
                if ph_slice == "B" {
                    self.begin_lanes.insert(item.seq, lane);
                }
                out.tid = lane + 1;
                out.name = &run.node;
                out.cat = Some("node");
                out.args = Args {
                    status: Some(run.status.as_str()),
                    step: run.step,
                    worker: run.worker,
                    attempt: run.attempt,
                    error: run.error.as_deref().filter(|_| !run.status.completed()),
                    ..Args::default()
                };
                self.emit(&out);
            }
            Body::End { name, cat, begin } => {
                let lane = self.begin_lanes.remove(begin).unwrap_or(0);
                out.tid = lane + 1;
                out.ph = "E";
                out.dur = None;
                out.name = name;
                out.cat = Some(cat);
                self.emit(&out);
            }
            Body::StepBegin(i) | Body::StepEnd(i) => {
                let lane = self.lane(Group::Steps, "steps", item.ts);
                let name = format!("step {i}");
                out.tid = lane + 1;
                out.name = &name;
                out.cat = Some("step");
                out.id = Some(*i);
                out.dur = None;
                if matches!(item.body, Body::StepBegin(_)) {
                    out.ph = "b";
                    out.args.step = Some(*i);
                } else {
                    out.ph = "e";
                }
                self.emit(&out);
            }
            Body::Instant(ev) => {
                let lane = self.instant_lane(ev, item.ts);
                let name = match &ev.node_name {
                    Some(node) => format!("{node} ({})", ev.event_type),
                    None => ev.event_type.to_string(),
                };
                out.tid = lane + 1;
                out.name = &name;
                out.cat = Some("node");
                // "I" (Chromium's own instant phase) rather than the newer alias "i":
                // Perfetto and chrome://tracing read both, the DevTools engine only "I".
                out.ph = "I";
                out.s = Some("t");
                out.dur = None;
                out.args = Args {
                    event: Some(ev.event_type.as_str()),
                    node: ev.node_name.as_deref(),
                    error: ev.error.as_deref(),
                    step: ev.step_index,
                    worker: ev.worker,
                    duration_s: ev.duration.filter(|d| d.is_finite()),
                    metadata: ev.metadata.as_ref(),
                    ..Args::default()
                };
                self.emit(&out);
            }
        }
    }

    pub(super) fn instant_lane(&mut self, ev: &TraceEvent, ts: f64) -> usize {
        match (&ev.node_name, self.options.lanes) {
            (Some(node), Lanes::Node) => self.lane(Group::Work, node, ts),
            (Some(node), Lanes::Worker) => {
                match ev.worker.or(self.node_worker.get(node).copied().flatten()) {
                    Some(w) => self.lane(Group::Work, &worker_lane(Some(w)), ts),
                    None => self.lane(Group::Execution, "execution", ts),
                }
            }
            (None, _) => self.lane(Group::Execution, "execution", ts),
        }
    }

    /// Names and orders the lanes, closes the document.
    pub(super) fn finish(mut self) -> io::Result<()> {
        let mut order: Vec<usize> = (0..self.lanes.len()).collect();
        order.sort_by(|&x, &y| {
            let (lx, ly) = (&self.lanes[x], &self.lanes[y]);
            lx.group
                .cmp(&ly.group)
                .then(lx.first_ts.total_cmp(&ly.first_ts))
                .then(x.cmp(&y))
        });
        let lanes = std::mem::take(&mut self.lanes);
        for (pos, &lane) in order.iter().enumerate() {
            let name = lanes[lane].name.as_str();
            self.emit(&meta(
                "thread_name",
                lane + 1,
                Args {
                    name: Some(name),
                    ..Args::default()
                },
            ));
            self.emit(&meta(
                "thread_sort_index",
                lane + 1,
                Args {
                    sort_index: Some(pos),
                    ..Args::default()
                },
            ));
        }
        let tail = serde_json::json!({"dag": self.dag_name});
        self.raw(b"],\"displayTimeUnit\":\"ms\",\"otherData\":");
        if self.error.is_none()
            && let Err(e) = serde_json::to_writer(&mut *self.out, &tail)
        {
            self.error = Some(e.into());
        }
        self.raw(b"}");
        match self.error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}
