use frontline::geodesy::GeodesicAreaM2;
use frontline::ingest::*;
use frontline::regions::*;
use geo::BooleanOps;
use rayon::prelude::*;
use std::path::Path;
use std::time::Instant;
fn main() {
    let data = Path::new("/work/shared/data");
    let t = Instant::now();
    let r = load_reference(&Reference::WithSea, data).unwrap();
    println!("ref load {:?} area {} verts {}", t.elapsed(), r.area_km2(), geo::CoordsIter::coords_count(&r.geometry));
    let files = expand_path(&data.join("deepstate/daily")).unwrap();
    let ctx = IngestContext::default();
    let t = Instant::now();
    let bytes: Vec<_> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    println!("read {:?}", t.elapsed());
    let t = Instant::now();
    let parsed: Vec<_> = files.par_iter().zip(&bytes).map(|(f, b)| reader::parse_features(f, b).unwrap()).collect();
    println!("parse only {:?} {}", t.elapsed(), parsed.len());
    let t = Instant::now();
    let snaps: Vec<_> =
        files.par_iter().zip(&bytes).map(|(f, b)| ingest_bytes(f, b, &Format::DeepStateDaily, &ctx).unwrap()).collect();
    println!("ingest {:?}", t.elapsed());
    let t = Instant::now();
    let areas: Vec<f64> = snaps.par_iter().map(|s| s.snapshot.layers[0].geometry.geodesic_area_km2()).collect();
    println!("area {:?} {}", t.elapsed(), areas[0]);
    let t = Instant::now();
    let diffs: Vec<(f64, f64)> = snaps
        .par_windows(2)
        .map(|w| {
            let a = &w[0].snapshot.layers[0].geometry;
            let b = &w[1].snapshot.layers[0].geometry;
            (b.difference(a).geodesic_area_km2(), a.difference(b).geodesic_area_km2())
        })
        .collect();
    println!("diffs {:?} {:?}", t.elapsed(), diffs[0]);
    let t = Instant::now();
    let clipped: Vec<f64> =
        snaps[..20].iter().map(|s| r.clip(&s.snapshot.layers[0].geometry).geodesic_area_km2()).collect();
    println!("clip 20 {:?} {:?}", t.elapsed(), &clipped[..2]);
}
