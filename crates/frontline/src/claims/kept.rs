//! The boundaries a check measures within (Ukraine with its sea, its land,
//! the oblasts under either share convention), parsed and measured once
//! and kept in the store's `derived` table, keyed by the bytes of their
//! files: parsing, repairing and measuring the ADM1 outlines costs more
//! than checking most articles' claims, and the files seldom change.
//!
//! A kept entry is only a cache: it is used when the files' bytes are the
//! ones it was made from and [`KEPT_VERSION`] is current, and rebuilt from
//! the files otherwise (written back only when the store is writable).

use crate::error::{Error, Result};
use crate::places::stored::{decode, encode};
use crate::regions::{
    load_reference, load_region_set, Reference, Region, RegionChoice, RegionLevel, RegionSet, ShareConvention,
    Territory,
};
use crate::store::{decode_multipolygon, encode_multipolygon, Store};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Bumped when the loading of a reference or a region set changes (its
/// repair rules, its names or its denominators): kept copies of an older
/// version are rebuilt.
pub const KEPT_VERSION: u32 = 1;

/// One territory as kept: its geometry in the store's encoding.
#[derive(Serialize, Deserialize)]
struct KeptTerritory {
    name: String,
    iso: Option<String>,
    geometry: Vec<u8>,
    area_m2: f64,
    share_denominator_km2: f64,
}

#[derive(Serialize, Deserialize)]
struct KeptSet {
    outlines: String,
    territories: Vec<KeptTerritory>,
}

/// A digest of the files' bytes and the version.
fn inputs(paths: &[PathBuf]) -> Result<Vec<u8>> {
    let mut h = Sha256::new();
    h.update(KEPT_VERSION.to_le_bytes());
    for p in paths {
        let bytes = std::fs::read(p).map_err(|source| Error::Io { path: p.clone(), source })?;
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    Ok(h.finalize().to_vec())
}

fn kept(t: &Territory, iso: Option<String>, share_denominator_km2: f64) -> Option<KeptTerritory> {
    Some(KeptTerritory {
        name: t.name.clone(),
        iso,
        geometry: encode_multipolygon(&t.geometry)?,
        area_m2: t.area_m2,
        share_denominator_km2,
    })
}

/// A territory read back: with its ISO code and share denominator (km²).
type Loaded = (Territory, Option<String>, f64);

fn territory(k: KeptTerritory) -> Option<Loaded> {
    let geometry = decode_multipolygon(&k.geometry)?;
    Some((Territory::with_area(k.name, geometry, k.area_m2), k.iso, k.share_denominator_km2))
}

/// The kept set under `kind` made from `key`, decoded to the last
/// geometry, if there is one that reads whole and `fits`.
fn read_kept(store: &Store, kind: &str, key: &[u8], fits: impl Fn(&[Loaded]) -> bool) -> Option<(String, Vec<Loaded>)> {
    let bytes = store.derived(kind, "", key).ok().flatten()?;
    let set = decode::<KeptSet>(&bytes).ok()?;
    let territories = set.territories.into_iter().map(territory).collect::<Option<Vec<_>>>()?;
    fits(&territories).then_some((set.outlines, territories))
}

/// Reads a kept set under `kind`, else loads it with `load` and keeps it
/// when `writable`. A kept copy that cannot be read whole, or does not
/// `fit`, is loaded again and replaced: it is a cache, never an error.
fn kept_or_load(
    store: &Store,
    kind: &str,
    paths: &[PathBuf],
    writable: bool,
    fits: impl Fn(&[Loaded]) -> bool,
    load: impl FnOnce() -> Result<(String, Vec<Loaded>)>,
) -> Result<(String, Vec<Loaded>)> {
    let key = inputs(paths)?;
    if let Some(found) = read_kept(store, kind, &key, &fits) {
        return Ok(found);
    }
    let (outlines, loaded) = load()?;
    if writable {
        // Keeping it is an optimisation: a full disk, or a territory too
        // large for the store's encoding, must not fail a check.
        let territories = loaded.iter().map(|(t, iso, d)| kept(t, iso.clone(), *d)).collect::<Option<Vec<_>>>();
        if let Some(bytes) =
            territories.and_then(|territories| encode(&KeptSet { outlines: outlines.clone(), territories }).ok())
        {
            let _ = store.put_derived(kind, "", &key, &bytes);
        }
    }
    Ok((outlines, loaded))
}

/// [`load_reference`], kept in the store.
pub fn reference(store: &Store, which: &Reference, data_dir: &Path, writable: bool) -> Result<Territory> {
    let kind = format!("boundaries:{}", which.name());
    let load = || -> Result<(String, Vec<Loaded>)> {
        Ok((String::new(), vec![(load_reference(which, data_dir)?, None, 0.0)]))
    };
    let one = |all: &[Loaded]| all.len() == 1;
    let (_, mut all) = kept_or_load(store, &kind, &[which.path(data_dir)], writable, one, load)?;
    match all.pop() {
        Some((t, _, _)) => Ok(t),
        None => Err(Error::Internal(format!("the reference {} has no territory", which.name()))),
    }
}

/// The oblasts under a share convention ([`load_region_set`]), kept in the store.
pub fn oblasts(store: &Store, convention: ShareConvention, data_dir: &Path, writable: bool) -> Result<RegionSet> {
    let choice = RegionChoice::Level(RegionLevel::Oblast);
    let paths = match convention {
        ShareConvention::Official => vec![
            data_dir.join("boundaries/adm1_geoboundaries_with_sea.geojson.gz"),
            data_dir.join("boundaries/official_areas.csv"),
        ],
        ShareConvention::Outline => vec![choice.path(data_dir)],
    };
    let load = || -> Result<(String, Vec<Loaded>)> {
        let set = load_region_set(&choice, convention, data_dir)?;
        let regions = set.regions.into_iter().map(|r| (r.territory, r.iso, r.share_denominator_km2)).collect();
        Ok((set.outlines, regions))
    };
    let kind = format!("boundaries:oblasts:{}", convention.as_str());
    let (outlines, regions) = kept_or_load(store, &kind, &paths, writable, |all| !all.is_empty(), load)?;
    Ok(RegionSet {
        regions: regions
            .into_iter()
            .map(|(territory, iso, share_denominator_km2)| Region {
                name: territory.name.clone(),
                iso,
                territory,
                share_denominator_km2,
            })
            .collect(),
        convention,
        outlines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kept copy that decodes as a set but whose geometry does not (a
    /// store written by a broken build, a disk that lost a page) is loaded
    /// again from the file and replaced, not an internal error.
    #[test]
    fn a_kept_copy_whose_geometry_does_not_decode_is_rebuilt_and_replaced() {
        let dir = std::env::temp_dir().join(format!("frontline-kept-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("square.geojson");
        std::fs::write(
            &file,
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[30,48],[31,48],[31,49],[30,49],[30,48]]]}}]}"#,
        )
        .unwrap();
        let store = Store::open(&dir.join("store.db")).unwrap();
        let which = Reference::File(file.clone());
        let kind = format!("boundaries:{}", which.name());
        let key = inputs(std::slice::from_ref(&file)).unwrap();
        let broken = KeptSet {
            outlines: String::new(),
            territories: vec![KeptTerritory {
                name: "square".into(),
                iso: None,
                geometry: vec![1, 0, 0, 0, 7],
                area_m2: 1.0,
                share_denominator_km2: 0.0,
            }],
        };
        store.put_derived(&kind, "", &key, &encode(&broken).unwrap()).unwrap();
        assert!(read_kept(&store, &kind, &key, |_| true).is_none(), "the broken copy must not read");

        let t = reference(&store, &which, &dir, true).unwrap();
        // 1° × 1° at 48–49° N: GeographicLib's PolygonArea (Python) gives 8,217,589,924.77 m².
        assert!((t.area_m2 - 8_217_589_924.77).abs() < 1.0, "{}", t.area_m2);
        let (_, again) = read_kept(&store, &kind, &key, |all| all.len() == 1).expect("replaced by a readable copy");
        assert_eq!(again[0].0.area_m2.to_bits(), t.area_m2.to_bits());

        // A kept reference with two territories does not fit either.
        let two = KeptSet {
            outlines: String::new(),
            territories: vec![kept(&t, None, 0.0).unwrap(), kept(&t, None, 0.0).unwrap()],
        };
        store.put_derived(&kind, "", &key, &encode(&two).unwrap()).unwrap();
        assert_eq!(reference(&store, &which, &dir, false).unwrap().area_m2.to_bits(), t.area_m2.to_bits());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
