use frontline::front::*;
use frontline::ingest::*;
use frontline::regions::*;
use std::path::Path;
use std::time::Instant;
fn main() {
    let data = Path::new("/work/shared/data");
    let reference = load_reference(&Reference::WithSea, data).unwrap();
    let land = load_reference(&Reference::Land, data).unwrap();
    let files = expand_path(&data.join("deepstate/daily")).unwrap();
    let snaps: Vec<_> = files[400..500]
        .iter()
        .map(|f| {
            ingest_file(f, &Format::DeepStateDaily, &IngestContext::default())
                .unwrap()
                .snapshot
        })
        .collect();
    let ex = FrontExtractor::new(&reference, Some(&land), FrontOptions::default()).unwrap();
    let s = Sectors::default_towns();
    let t = Instant::now();
    let fronts: Vec<_> = snaps.iter().map(|x| ex.frontline(x)).collect();
    println!("fronts {:?}", t.elapsed() / 100);
    let t = Instant::now();
    for i in 1..snaps.len() {
        std::hint::black_box(
            front_change_with(
                &ex,
                &s,
                &snaps[i - 1],
                &fronts[i - 1],
                &snaps[i],
                &fronts[i],
            )
            .unwrap(),
        );
    }
    println!("change {:?}", t.elapsed() / 99);
}
