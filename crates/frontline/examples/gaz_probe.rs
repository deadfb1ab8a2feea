use frontline::places::{gazetteer::footprint_centroid, Gazetteer, GazetteerSources};
use std::time::Instant;
fn main() {
    let data = std::path::PathBuf::from("/work/shared/data");
    let t = Instant::now();
    let (g, r) = Gazetteer::load(&GazetteerSources::shared(&data)).unwrap();
    println!("{} places in {:.2}s\n{:#?}", g.len(), t.elapsed().as_secs_f64(), r);
    for q in [
        "Vuhledar",
        "Ocheretyne",
        "Robotyne",
        "Mykolaivka@Donetsk",
        "Novohrodivka",
        "Bilozerske",
        "Chasiv Yar",
        "Kherson",
        "Zaporizhzhia",
        "Sloviansk",
        "Kramatorsk",
        "Druzhkivka",
        "Kostiantynivka",
        "Pokrovks",
        "Avdiivka",
        "Selydove",
        "Kupiansk",
        "Pokrovsk",
        "37.84,48.59",
        "Krasnoarmiisk",
        "Artemivsk",
        "Dymytrov",
    ] {
        let res = g.resolve(q);
        match &res {
            frontline::places::Resolution::Found { place, note } => {
                let p = g.place(place.place).unwrap();
                let c = footprint_centroid(&p.footprint).unwrap();
                println!(
                    "{q}: {} {} pop {} {:?} gn {:?} wd {:?} | {} | centroid off {:.0} m | {:?}",
                    p.name,
                    p.oblast,
                    p.population,
                    p.osm_id,
                    p.geonames_id,
                    p.wikidata,
                    p.footprint_words(),
                    frontline::geodesy::distance_m(c, p.point()),
                    note
                );
            }
            frontline::places::Resolution::Ambiguous(v) => println!(
                "{q}: AMBIGUOUS {:?}",
                v.iter().map(|m| (&m.name, &m.oblast, m.population)).collect::<Vec<_>>()
            ),
            frontline::places::Resolution::NotFound { suggestions } => println!(
                "{q}: NOT FOUND, suggest {:?}",
                suggestions.iter().map(|m| (&m.name, &m.oblast, m.population)).collect::<Vec<_>>()
            ),
        }
    }
}
