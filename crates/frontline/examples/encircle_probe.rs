use frontline::encircle::*;
use frontline::ingest::*;
use frontline::regions::*;
use geo::coord;
use std::path::Path;
use std::time::Instant;
fn main() {
    let data = Path::new("/work/shared/data");
    let r = load_reference(&Reference::WithSea, data).unwrap();
    let files = expand_path(&data.join("deepstate/daily")).unwrap();
    let ctx = IngestContext::default();
    let snaps: Vec<_> = files[..]
        .iter()
        .map(|f| {
            ingest_file(f, &Format::DeepStateDaily, &ctx)
                .unwrap()
                .snapshot
        })
        .collect();
    let frame =
        CorridorFrame::new(&r, coord! {x: 37.18, y: 48.283}, CorridorParams::default()).unwrap();
    let t = Instant::now();
    for s in &snaps {
        let _ = pockets(&r, &hostile_layers(s, false));
    }
    println!("pockets {:?}/snap", t.elapsed() / snaps.len() as u32);
    let t = Instant::now();
    for s in &snaps {
        let _ = frame.corridor(&hostile_layers(s, false));
    }
    println!("corridor {:?}/snap", t.elapsed() / snaps.len() as u32);
}
