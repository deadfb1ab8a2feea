//! Well-known binary (ISO WKB, little endian, 2-D) for the geometry types an
//! export holds. GeoParquet stores geometry this way.

use geo::{Geometry, LineString, MultiLineString, MultiPolygon, Point};

const POINT: u32 = 1;
const LINESTRING: u32 = 2;
const POLYGON: u32 = 3;
const MULTILINESTRING: u32 = 5;
const MULTIPOLYGON: u32 = 6;

/// Appends the WKB of `g` to `out`. Geometry types an export never holds
/// (collections, rectangles, triangles) are written as their multipolygon
/// or multilinestring equivalents by the caller, never here: they are
/// written as an empty MultiPolygon.
pub fn write(g: &Geometry<f64>, out: &mut Vec<u8>) {
    match g {
        Geometry::Point(p) => point(p, out),
        Geometry::MultiPolygon(mp) => multipolygon(mp, out),
        Geometry::MultiLineString(ml) => multilinestring(ml, out),
        Geometry::Polygon(p) => multipolygon(&MultiPolygon::new(vec![p.clone()]), out),
        Geometry::LineString(l) => multilinestring(&MultiLineString::new(vec![l.clone()]), out),
        _ => multipolygon(&MultiPolygon::new(vec![]), out),
    }
}

/// The WKB of `g` as a new buffer.
pub fn to_vec(g: &Geometry<f64>) -> Vec<u8> {
    let mut out = Vec::new();
    write(g, &mut out);
    out
}

fn header(kind: u32, out: &mut Vec<u8>) {
    out.push(1); // little endian
    out.extend_from_slice(&kind.to_le_bytes());
}

fn count(n: usize, out: &mut Vec<u8>) {
    // Counts beyond u32 cannot come from a stored layer (the store refuses them).
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

fn point(p: &Point<f64>, out: &mut Vec<u8>) {
    header(POINT, out);
    out.extend_from_slice(&p.x().to_le_bytes());
    out.extend_from_slice(&p.y().to_le_bytes());
}

fn coords(l: &LineString<f64>, out: &mut Vec<u8>) {
    count(l.0.len(), out);
    for c in &l.0 {
        out.extend_from_slice(&c.x.to_le_bytes());
        out.extend_from_slice(&c.y.to_le_bytes());
    }
}

fn multipolygon(mp: &MultiPolygon<f64>, out: &mut Vec<u8>) {
    header(MULTIPOLYGON, out);
    count(mp.0.len(), out);
    for p in &mp.0 {
        header(POLYGON, out);
        count(1 + p.interiors().len(), out);
        coords(p.exterior(), out);
        for h in p.interiors() {
            coords(h, out);
        }
    }
}

fn multilinestring(ml: &MultiLineString<f64>, out: &mut Vec<u8>) {
    header(MULTILINESTRING, out);
    count(ml.0.len(), out);
    for l in &ml.0 {
        header(LINESTRING, out);
        coords(l, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn point_matches_the_ogc_example() {
        // POINT(1 2), little endian, from the OGC Simple Features spec layout.
        let got = to_vec(&Geometry::Point(Point::new(1.0, 2.0)));
        let want: Vec<u8> = [
            vec![1u8, 1, 0, 0, 0],
            vec![0, 0, 0, 0, 0, 0, 0xf0, 0x3f], // 1.0
            vec![0, 0, 0, 0, 0, 0, 0, 0x40],    // 2.0
        ]
        .concat();
        assert_eq!(got, want);
    }

    #[test]
    fn multipolygon_layout() {
        let p = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 0.0)];
        let got = to_vec(&Geometry::MultiPolygon(MultiPolygon::new(vec![p])));
        // 1+4+4 (multi) + 1+4+4 (polygon) + 4 (ring count) + 4 points × 16 bytes
        assert_eq!(got.len(), 9 + 9 + 4 + 64);
        assert_eq!(&got[..9], &[1, 6, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(&got[9..18], &[1, 3, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(&got[18..22], &[4, 0, 0, 0]);
    }
}
