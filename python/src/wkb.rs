//! Well-known binary (ISO/OGC WKB, little-endian, 2-D) for the geometry
//! this package hands to geopandas: `GeoSeries.from_wkb` decodes a whole
//! column in one vectorised call. Rings are written as stored (exteriors
//! counter-clockwise, holes clockwise, closed).

use geo::{LineString, MultiLineString, MultiPolygon};

const MULTILINESTRING: u32 = 5;
const MULTIPOLYGON: u32 = 6;
const LINESTRING: u32 = 2;
const POLYGON: u32 = 3;

fn header(out: &mut Vec<u8>, kind: u32) {
    out.push(1); // little-endian
    out.extend_from_slice(&kind.to_le_bytes());
}

/// A count as WKB's u32; geometry this large is refused at ingest
/// (the store's own counts are u32), so saturating never happens in practice.
fn count(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

fn points(out: &mut Vec<u8>, ls: &LineString<f64>) {
    count(out, ls.0.len());
    for c in &ls.0 {
        out.extend_from_slice(&c.x.to_le_bytes());
        out.extend_from_slice(&c.y.to_le_bytes());
    }
}

/// A MultiPolygon (empty when it has no polygon).
pub fn multipolygon(mp: &MultiPolygon<f64>) -> Vec<u8> {
    let mut out = Vec::with_capacity(9 + mp.0.iter().map(|p| 9 + 16 * p.exterior().0.len()).sum::<usize>());
    header(&mut out, MULTIPOLYGON);
    count(&mut out, mp.0.len());
    for p in &mp.0 {
        header(&mut out, POLYGON);
        count(&mut out, 1 + p.interiors().len());
        points(&mut out, p.exterior());
        for hole in p.interiors() {
            points(&mut out, hole);
        }
    }
    out
}

/// A MultiLineString.
pub fn multilinestring(ml: &MultiLineString<f64>) -> Vec<u8> {
    let mut out = vec![];
    header(&mut out, MULTILINESTRING);
    count(&mut out, ml.0.len());
    for l in &ml.0 {
        header(&mut out, LINESTRING);
        points(&mut out, l);
    }
    out
}
