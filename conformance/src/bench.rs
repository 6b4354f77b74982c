//! `atcert bench`: passthrough throughput on any DUT, as a table, a plot
//! and a JSON file, and the gate that compares a run with a baseline.
//!
//! On the simulator every figure is simulated time, the same on every
//! machine and run; on `atmodule` (its pty paced at the line rate) and on a
//! device on a serial line it is real time. Efficiency is payload bytes per
//! second divided by the line rate (baud / 10 for 8N1).

use std::fmt::Write;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::dut::{Dut, LabMap, SerialDut, SimDut, Target};
use crate::throughput::{self, Measure, Path, Way};

/// One measured point.
#[derive(Debug, Clone, Copy)]
pub struct Point {
    /// Which DUT of the run (the n-th `--dut`).
    pub dut: usize,
    /// Line rate.
    pub baud: u32,
    /// One-way network latency (the simulator's; a real lab's is what it
    /// is).
    pub latency: Option<Duration>,
    /// Which way.
    pub way: Way,
    /// TCP or UDP, loss, RTS/CTS.
    pub path: Path,
    /// What was measured.
    pub result: Measure,
}

/// What to measure.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The module: `None` for the simulator.
    pub target: Option<Target>,
    /// Where a real DUT's lab lives.
    pub lab: LabMap,
    /// Line rates (a serial device: its line's only).
    pub bauds: Vec<u32>,
    /// The simulator's one-way latencies.
    pub latencies: Vec<Duration>,
    /// Which ways.
    pub ways: Vec<Way>,
    /// RTS/CTS settings to measure with: the simulator's UART, a device's
    /// line (hardware flow control on the port; its wiring must carry it),
    /// atmodule's pty (`--flow-control`).
    pub rts_cts: Vec<bool>,
    /// Datagram loss percentages for UDP points, host → peer (the
    /// simulator); none: no UDP points.
    pub udp_loss: Vec<u8>,
    /// Seconds of line-rate payload per point.
    pub seconds: f64,
}

/// Measures every combination on a fresh DUT each.
///
/// # Errors
/// When a DUT cannot be set up or a transfer fails; says which point.
pub fn measure(plan: &Plan, mut progress: impl FnMut(&Point)) -> Result<Vec<Point>, String> {
    let bauds = match &plan.target {
        Some(Target::Serial { baud, .. }) => vec![*baud],
        _ => plan.bauds.clone(),
    };
    let latencies: Vec<Option<Duration>> = match plan.target {
        None => plan.latencies.iter().copied().map(Some).collect(),
        Some(_) => vec![None],
    };
    // A device's line and atmodule's pty can run with and without RTS/CTS
    // too (the line's own flow control; atmodule's --flow-control).
    let rts = plan.rts_cts.clone();
    let mut runs: Vec<(Way, Path)> = Vec::new();
    for &rts_cts in &rts {
        for &way in &plan.ways {
            runs.push((
                way,
                Path {
                    rts_cts,
                    ..Path::default()
                },
            ));
        }
    }
    if plan.target.is_none() {
        for &loss in &plan.udp_loss {
            let path = Path {
                udp: true,
                loss,
                rts_cts: false,
            };
            runs.push((Way::Up, path));
        }
    }
    let mut points = Vec::new();
    for &(way, path) in &runs {
        for &latency in &latencies {
            for &baud in &bauds {
                let mut dut: Box<dyn Dut> = match &plan.target {
                    None => Box::new(SimDut::from_world(
                        sim::World::builder()
                            .seed(1)
                            .latency(latency.unwrap_or_default())
                            .uart(sim::UartConfig {
                                baud,
                                ..sim::UartConfig::default()
                            })
                            .build(),
                    )),
                    Some(Target::Atmodule { exe, .. }) => Box::new(SerialDut::open(
                        Target::Atmodule {
                            exe: exe.clone(),
                            pace: Some(baud),
                            rts_cts: path.rts_cts,
                        },
                        plan.lab,
                        1,
                        &firmware_core::SEED,
                    )?),
                    Some(t) => Box::new(SerialDut::open(
                        t.clone(),
                        plan.lab,
                        1,
                        &firmware_core::SEED,
                    )?),
                };
                let result = throughput::measure(dut.as_mut(), way, baud, plan.seconds, path)
                    .map_err(|e| format!("{} {baud} baud: {e}", way.name()))?;
                let p = Point {
                    dut: 0,
                    baud,
                    latency,
                    way,
                    path,
                    result,
                };
                progress(&p);
                points.push(p);
            }
        }
    }
    Ok(points)
}

fn way_name(w: Way) -> &'static str {
    match w {
        Way::Up => "host → peer",
        Way::Down => "peer → host",
        Way::Both => "both at once",
    }
}

fn path_text(p: Path) -> String {
    match (p.udp, p.rts_cts) {
        (true, _) => format!(" UDP {} % loss", p.loss),
        (false, true) => " RTS/CTS".into(),
        (false, false) => String::new(),
    }
}

fn latency_text(l: Option<Duration>) -> String {
    l.map_or_else(|| "lab".into(), |l| format!("{} ms", l.as_millis()))
}

/// A Markdown table per DUT, side by side in one report.
pub fn table(duts: &[String], points: &[Point]) -> String {
    let mut s = String::new();
    for (d, name) in duts.iter().enumerate() {
        let _ = writeln!(s, "DUT {}: {name}\n", d + 1);
        s.push_str(&dut_table(points.iter().filter(|p| p.dut == d)));
        s.push('\n');
    }
    s.push_str(
        "efficiency: payload ÷ (first byte written → last byte delivered) ÷ line rate (each way, for both at once); \
         steady: the same between 10 % and 90 % of the payload delivered, without the fixed costs of one transfer.\n",
    );
    s
}

fn dut_table<'a>(points: impl Iterator<Item = &'a Point>) -> String {
    let mut s = String::from(
        "| direction | link | RTS/CTS | baud | latency | loss | payload bytes | seconds | efficiency | steady | lost |\n",
    );
    s.push_str("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for p in points {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} % | {} | {:.3} | {:.2} % | {:.2} % | {:.2} % |",
            way_name(p.way),
            if p.path.udp { "UDP" } else { "TCP" },
            if p.path.rts_cts { "on" } else { "off" },
            p.baud,
            latency_text(p.latency),
            p.path.loss,
            p.result.payload,
            p.result.elapsed.as_secs_f64(),
            p.result.efficiency * 100.0,
            p.result.steady * 100.0,
            p.result.lost * 100.0
        );
    }
    s
}

/// A point as the JSON file holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// `up`, `down` or `both`.
    pub way: String,
    /// Line rate.
    pub baud: u32,
    /// The simulator's one-way latency; `null` on a real lab.
    pub latency_ms: Option<u64>,
    /// Payload bytes each way.
    pub payload: usize,
    /// Seconds from the first byte to the last.
    pub seconds: f64,
    /// Payload ÷ seconds ÷ line rate.
    pub efficiency: f64,
    /// The same in steady state.
    pub steady: f64,
    /// `UDP` or `TCP` (missing in older files: TCP).
    #[serde(default)]
    pub link: String,
    /// RTS/CTS on.
    #[serde(default)]
    pub rts_cts: bool,
    /// Datagram loss, percent.
    #[serde(default)]
    pub loss_pct: u8,
    /// Share of the payload lost.
    #[serde(default)]
    pub lost: f64,
}

/// One DUT's points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// Which DUT.
    pub dut: String,
    /// Every point.
    pub points: Vec<Record>,
}

/// The JSON file: a run per DUT, in `--dut` order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Runs {
    /// Each DUT's run.
    pub runs: Vec<Run>,
}

/// The runs as JSON.
pub fn json(duts: &[String], points: &[Point]) -> String {
    let runs = duts
        .iter()
        .enumerate()
        .map(|(d, name)| Run {
            dut: name.clone(),
            points: points
                .iter()
                .filter(|p| p.dut == d)
                .map(|p| Record {
                    way: p.way.name().into(),
                    baud: p.baud,
                    latency_ms: p.latency.map(|l| l.as_millis() as u64),
                    payload: p.result.payload,
                    seconds: p.result.elapsed.as_secs_f64(),
                    efficiency: p.result.efficiency,
                    steady: p.result.steady,
                    link: if p.path.udp { "UDP" } else { "TCP" }.into(),
                    rts_cts: p.path.rts_cts,
                    loss_pct: p.path.loss,
                    lost: p.result.lost,
                })
                .collect(),
        })
        .collect();
    serde_json::to_string_pretty(&Runs { runs }).unwrap_or_default() + "\n"
}

/// The throughput gate: every point of `now` that the baseline also has
/// (same way, rate and latency) whose efficiency fell more than
/// `tolerance` percent below the baseline's, described; and baseline
/// points `now` does not have.
///
/// # Errors
/// When the baseline is not a bench JSON file.
pub fn regressions(baseline: &str, now: &str, tolerance: f64) -> Result<Vec<String>, String> {
    let parse = |text: &str, what: &str| -> Result<Runs, String> {
        serde_json::from_str(text).map_err(|e| format!("{what}: {e}"))
    };
    let (base, now) = (parse(baseline, "the baseline")?, parse(now, "this run")?);
    let key = |r: &Record| {
        let link = if r.link == "UDP" { "UDP" } else { "TCP" };
        (
            r.way.clone(),
            link,
            r.rts_cts,
            r.loss_pct,
            r.baud,
            r.latency_ms,
        )
    };
    let mut out = Vec::new();
    // The n-th DUT against the baseline's n-th.
    for (d, base) in base.runs.iter().enumerate() {
        let now = now.runs.get(d).map_or(&[][..], |r| &r.points[..]);
        for b in &base.points {
            let (way, link, rts, loss, baud, latency) = key(b);
            let latency = latency.map_or_else(|| "lab".into(), |ms| format!("{ms} ms"));
            let rts = if rts { ", RTS/CTS" } else { "" };
            let at = format!(
                "DUT {} {way} {link}{rts} {baud} baud {latency} {loss} % loss",
                d + 1
            );
            let Some(n) = now.iter().find(|n| key(n) == key(b)) else {
                out.push(format!("{at}: not measured in this run"));
                continue;
            };
            let floor = b.efficiency * (1.0 - tolerance / 100.0);
            if n.efficiency < floor {
                out.push(format!(
                    "{at}: {:.2} % < {:.2} % (baseline {:.2} % − {tolerance} %)",
                    n.efficiency * 100.0,
                    floor * 100.0,
                    b.efficiency * 100.0
                ));
            }
        }
    }
    Ok(out)
}

/// Efficiency against baud rate (log scale), one line per direction and
/// latency. Written by hand: a plotting crate would bring a font stack for
/// a chart of a dozen points.
pub fn svg(points: &[Point]) -> String {
    let (w, h, left, right, top, bottom) = (720.0, 420.0, 70.0, 200.0, 30.0, 50.0);
    let bauds: Vec<f64> = points.iter().map(|p| f64::from(p.baud)).collect();
    let (lo, hi) = bauds
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
    let effs: Vec<f64> = points.iter().map(|p| p.result.efficiency).collect();
    let ymin = (effs.iter().copied().fold(1.0, f64::min) * 100.0 - 1.0)
        .floor()
        .min(95.0)
        / 100.0;
    let x = |b: f64| left + (b.ln() - lo.ln()) / (hi.ln() - lo.ln()).max(1e-9) * (w - left - right);
    let y = |e: f64| top + (1.0 - (e - ymin) / (1.0 - ymin)) * (h - top - bottom);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{left}\" y=\"18\">Passthrough efficiency (payload / line rate)</text>\n"
    );
    let _ = writeln!(
        s,
        "<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"black\"/>",
        h - bottom,
        w - right,
        h - bottom
    );
    let _ = writeln!(
        s,
        "<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{}\" stroke=\"black\"/>",
        h - bottom
    );
    let mut ticks: Vec<u32> = points.iter().map(|p| p.baud).collect();
    ticks.sort_unstable();
    ticks.dedup();
    for b in ticks {
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{b}</text>",
            x(f64::from(b)),
            h - bottom + 18.0
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">baud (log)</text>",
        (left + w - right) / 2.0,
        h - 8.0
    );
    let steps = ((1.0 - ymin) * 100.0).round() as i32;
    for k in 0..=steps {
        let e = ymin + f64::from(k) / 100.0;
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{:.0} %</text>",
            left - 6.0,
            y(e) + 4.0,
            e * 100.0
        );
        let _ = writeln!(
            s,
            "<line x1=\"{left}\" y1=\"{0:.1}\" x2=\"{1}\" y2=\"{0:.1}\" stroke=\"#ddd\"/>",
            y(e),
            w - right
        );
    }
    let colours = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    ];
    let mut series: Vec<(usize, Way, Path, Option<Duration>)> = points
        .iter()
        .map(|p| (p.dut, p.way, p.path, p.latency))
        .collect();
    series.dedup();
    for (i, (dut, dir, path, lat)) in series.iter().enumerate() {
        let c = colours[i % colours.len()];
        let pts: Vec<String> = points
            .iter()
            .filter(|p| p.dut == *dut && p.way == *dir && p.path == *path && p.latency == *lat)
            .map(|p| format!("{:.1},{:.1}", x(f64::from(p.baud)), y(p.result.efficiency)))
            .collect();
        let dash = if *dir != Way::Up {
            " stroke-dasharray=\"5,3\""
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "<polyline fill=\"none\" stroke=\"{c}\" stroke-width=\"2\"{dash} points=\"{}\"/>",
            pts.join(" ")
        );
        let ly = top + 20.0 * i as f64;
        let _ = writeln!(
            s,
            "<line x1=\"{0}\" y1=\"{ly}\" x2=\"{1}\" y2=\"{ly}\" stroke=\"{c}\" stroke-width=\"2\"{dash}/>",
            w - right + 10.0,
            w - right + 34.0
        );
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\">DUT {}: {}{}, {}</text>",
            w - right + 40.0,
            ly + 4.0,
            dut + 1,
            way_name(*dir),
            path_text(*path),
            latency_text(*lat)
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(effs: &[(&str, f64)]) -> String {
        let points = effs
            .iter()
            .map(|(way, e)| Record {
                way: (*way).into(),
                baud: 115_200,
                latency_ms: Some(5),
                payload: 1000,
                seconds: 1.0,
                efficiency: *e,
                steady: *e,
                link: "TCP".into(),
                rts_cts: false,
                loss_pct: 0,
                lost: 0.0,
            })
            .collect();
        serde_json::to_string(&Runs {
            runs: vec![Run {
                dut: "x".into(),
                points,
            }],
        })
        .unwrap()
    }

    #[test]
    fn the_gate_holds_each_point_to_its_baseline() {
        let base = run(&[("up", 0.90), ("down", 0.80)]);
        assert!(regressions(&base, &base, 0.0).unwrap().is_empty());
        // 2 % below is within 3 %; 4 % below is not.
        let now = run(&[("up", 0.90 * 0.98), ("down", 0.80 * 0.96)]);
        let r = regressions(&base, &now, 3.0).unwrap();
        assert_eq!(r.len(), 1, "{r:?}");
        assert!(r[0].starts_with("DUT 1 down TCP 115200"), "{r:?}");
        // A point the run left out is a finding too; junk is an error.
        assert_eq!(
            regressions(&base, &run(&[("up", 1.0)]), 3.0).unwrap().len(),
            1
        );
        assert!(regressions("{", &base, 3.0).is_err());
    }
}
