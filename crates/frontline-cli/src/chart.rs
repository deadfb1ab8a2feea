//! Line charts of a series over time, as PNG or SVG, drawn with a font
//! shipped in the binary (DejaVu Sans, assets/DejaVuSans-LICENSE.txt): no
//! system font is needed.

use anyhow::{anyhow, bail, Context as _, Result};
use chrono::NaiveDate;
use plotters::prelude::*;
use std::path::Path;
use std::sync::Once;

static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The only failure is a corrupt font, which the chart test would catch.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// A titled line chart of (date, value) points; gaps (None) break the line.
// No command draws a single line today (corridor draws several), but the
// one-series form stays for the commands that chart one figure.
#[allow(dead_code)]
pub struct LineChart<'a> {
    pub title: &'a str,
    pub y_label: &'a str,
    pub points: &'a [(NaiveDate, Option<f64>)],
}

#[allow(dead_code)]
impl LineChart<'_> {
    /// Writes the chart; the format follows the extension (.png or .svg).
    pub fn write(&self, path: &Path) -> Result<()> {
        LinesChart { title: self.title, y_label: self.y_label, lines: &[("", self.points)] }.write(path)
    }
}

/// A named line of a [`LinesChart`]: its legend label and its points.
pub type NamedLine<'a> = (&'a str, &'a [(NaiveDate, Option<f64>)]);

/// Several named lines over the same dates, with a legend (names left
/// empty draw no legend).
pub struct LinesChart<'a> {
    pub title: &'a str,
    pub y_label: &'a str,
    pub lines: &'a [NamedLine<'a>],
}

/// Line colours, in order: firebrick, steel blue, dark green, dark orange.
const COLOURS: [RGBColor; 4] =
    [RGBColor(178, 34, 34), RGBColor(70, 130, 180), RGBColor(0, 100, 0), RGBColor(255, 140, 0)];

impl LinesChart<'_> {
    /// Writes the chart; the format follows the extension (.png or .svg).
    pub fn write(&self, path: &Path) -> Result<()> {
        register_font();
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("png") => {
                let root = BitMapBackend::new(path, (1200, 600)).into_drawing_area();
                self.draw(root)?;
            }
            Some("svg") => {
                let root = SVGBackend::new(path, (1200, 600)).into_drawing_area();
                self.draw(root)?;
            }
            _ => bail!("{}: the chart's file name must end in .png or .svg", path.display()),
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, plotters::coord::Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("drawing the chart: {e:?}");
        let known: Vec<(NaiveDate, f64)> =
            self.lines.iter().flat_map(|l| l.1.iter().filter_map(|(d, v)| v.map(|v| (*d, v)))).collect();
        let first = self.lines.iter().filter_map(|l| l.1.first()).min_by_key(|p| p.0);
        let last = self.lines.iter().filter_map(|l| l.1.last()).max_by_key(|p| p.0);
        let (Some(first), Some(last)) = (first, last) else {
            bail!("nothing to chart: the series is empty");
        };
        let y_max = known.iter().map(|p| p.1).fold(0.0_f64, f64::max).max(1.0) * 1.1;
        root.fill(&WHITE).map_err(err)?;
        let x_end = if last.0 > first.0 { last.0 } else { first.0 + chrono::Duration::days(1) };
        let mut chart = ChartBuilder::on(&root)
            .caption(self.title, ("sans-serif", 26))
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(first.0..x_end, 0.0..y_max)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("date")
            .y_desc(self.y_label)
            .x_labels(10)
            .y_labels(10)
            .x_label_formatter(&|d| d.format("%Y-%m-%d").to_string())
            .label_style(("sans-serif", 16))
            .axis_desc_style(("sans-serif", 18))
            .draw()
            .map_err(err)?;
        for (i, (name, points)) in self.lines.iter().enumerate() {
            let colour = COLOURS[i % COLOURS.len()];
            let style = ShapeStyle::from(&colour).stroke_width(3);
            // One line per run of known values; the legend entry on the first.
            let mut run: Vec<(NaiveDate, f64)> = vec![];
            let mut labelled = false;
            let runs = points.iter().map(|p| p.1.map(|v| (p.0, v))).chain(std::iter::once(None));
            for p in runs {
                match p {
                    Some(p) => run.push(p),
                    None if !run.is_empty() => {
                        let drawn = chart.draw_series(LineSeries::new(std::mem::take(&mut run), style)).map_err(err)?;
                        if !labelled && !name.is_empty() {
                            drawn.label(*name).legend(move |(x, y)| {
                                PathElement::new(vec![(x, y), (x + 24, y)], ShapeStyle::from(&colour).stroke_width(3))
                            });
                            labelled = true;
                        }
                    }
                    None => {}
                }
            }
        }
        if self.lines.iter().any(|l| !l.0.is_empty()) {
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .label_font(("sans-serif", 18))
                .draw()
                .map_err(err)?;
        }
        root.present().map_err(err).context("writing the chart file")?;
        Ok(())
    }
}
