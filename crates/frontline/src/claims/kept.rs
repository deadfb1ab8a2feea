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

/// Reads a kept set under `kind`, else loads it with `load` and keeps it
/// when `writable`.
fn kept_or_load(
    store: &Store,
    kind: &str,
    paths: &[PathBuf],
    writable: bool,
    load: impl FnOnce() -> Result<KeptSet>,
) -> Result<(String, Vec<Loaded>)> {
    let key = inputs(paths)?;
    // A kept copy that cannot be read is rebuilt, not an error.
    let stored = store.derived(kind, "", &key).ok().flatten().and_then(|b| decode::<KeptSet>(&b).ok());
    let set = match stored {
        Some(set) => set,
        None => {
            let set = load()?;
            if writable {
                // Keeping it is an optimisation: a full disk must not fail a check.
                if let Ok(bytes) = encode(&set) {
                    let _ = store.put_derived(kind, "", &key, &bytes);
                }
            }
            set
        }
    };
    let territories = set.territories.into_iter().map(territory).collect::<Option<Vec<_>>>().ok_or_else(|| {
        Error::Internal(format!("a kept {kind} does not decode; delete it from the store's derived table"))
    })?;
    Ok((set.outlines, territories))
}

/// [`load_reference`], kept in the store.
pub fn reference(store: &Store, which: &Reference, data_dir: &Path, writable: bool) -> Result<Territory> {
    let kind = format!("boundaries:{}", which.name());
    let load = || -> Result<KeptSet> {
        let t = load_reference(which, data_dir)?;
        let k = kept(&t, None, 0.0).ok_or_else(|| Error::Internal("a reference too large to keep".into()))?;
        Ok(KeptSet { outlines: String::new(), territories: vec![k] })
    };
    let (_, mut all) = kept_or_load(store, &kind, &[which.path(data_dir)], writable, load)?;
    match all.pop() {
        Some((t, _, _)) if all.is_empty() => Ok(t),
        _ => Err(Error::Internal(format!("a kept {kind} holds no single territory"))),
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
    let load = || -> Result<KeptSet> {
        let set = load_region_set(&choice, convention, data_dir)?;
        let territories = set
            .regions
            .iter()
            .map(|r| kept(&r.territory, r.iso.clone(), r.share_denominator_km2))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| Error::Internal("an oblast too large to keep".into()))?;
        Ok(KeptSet { outlines: set.outlines, territories })
    };
    let kind = format!("boundaries:oblasts:{}", convention.as_str());
    let (outlines, regions) = kept_or_load(store, &kind, &paths, writable, load)?;
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
