//! `atcert bench`: simulated passthrough efficiency, as a table and a plot.
//!
//! Every figure is simulated time, so it is the same on every machine and
//! every run: payload bytes per simulated second divided by the UART line
//! rate (baud / 10 for 8N1).

use std::fmt::Write;
use std::time::Duration;

use sim::bench::{Direction, Throughput, passthrough};

/// One measured point.
#[derive(Debug, Clone, Copy)]
pub struct Point {
    /// Line rate.
    pub baud: u32,
    /// One-way network latency.
    pub latency: Duration,
    /// Which way.
    pub dir: Direction,
    /// What was measured.
    pub result: Throughput,
}

/// Measures every combination, `seconds` of line-rate payload each.
pub fn measure(
    bauds: &[u32],
    latencies: &[Duration],
    seconds: f64,
    mut progress: impl FnMut(&Point),
) -> Vec<Point> {
    let mut points = Vec::new();
    for &dir in &[Direction::Up, Direction::Down] {
        for &latency in latencies {
            for &baud in bauds {
                let result = passthrough(dir, baud, latency, Duration::from_secs_f64(seconds), 1);
                let p = Point {
                    baud,
                    latency,
                    dir,
                    result,
                };
                progress(&p);
                points.push(p);
            }
        }
    }
    points
}

fn dir_name(d: Direction) -> &'static str {
    match d {
        Direction::Up => "host → peer",
        Direction::Down => "peer → host",
    }
}

/// A Markdown table of the points.
pub fn table(points: &[Point]) -> String {
    let mut s = String::from(
        "| direction | baud | latency | payload bytes | simulated s | efficiency | steady |\n",
    );
    s.push_str("|---|---:|---:|---:|---:|---:|---:|\n");
    for p in points {
        let _ = writeln!(
            s,
            "| {} | {} | {} ms | {} | {:.3} | {:.2} % | {:.2} % |",
            dir_name(p.dir),
            p.baud,
            p.latency.as_millis(),
            p.result.payload,
            p.result.simulated.as_secs_f64(),
            p.result.efficiency * 100.0,
            p.result.steady * 100.0
        );
    }
    s.push_str(
        "\nefficiency: payload ÷ (first byte written → last byte delivered) ÷ line rate; \
         steady: the same between 10 % and 90 % of the payload delivered, without the fixed costs of one transfer.\n",
    );
    s
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
         <text x=\"{left}\" y=\"18\">Passthrough efficiency (payload / line rate), simulated</text>\n"
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
    let mut series: Vec<(Direction, Duration)> =
        points.iter().map(|p| (p.dir, p.latency)).collect();
    series.dedup();
    for (i, (dir, lat)) in series.iter().enumerate() {
        let c = colours[i % colours.len()];
        let pts: Vec<String> = points
            .iter()
            .filter(|p| p.dir == *dir && p.latency == *lat)
            .map(|p| format!("{:.1},{:.1}", x(f64::from(p.baud)), y(p.result.efficiency)))
            .collect();
        let dash = if *dir == Direction::Down {
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
            "<text x=\"{}\" y=\"{}\">{}, {} ms</text>",
            w - right + 40.0,
            ly + 4.0,
            dir_name(*dir),
            lat.as_millis()
        );
    }
    s.push_str("</svg>\n");
    s
}
