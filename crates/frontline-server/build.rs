//! The web map's built assets (`web/dist`) are embedded in the binary. A
//! fresh clone has not run `npm run build`: create the folder empty so the
//! crate still builds, and the server answers with how to build them.
fn main() {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/dist");
    if !dist.is_dir() {
        if let Err(e) = std::fs::create_dir_all(&dist) {
            println!("cargo:warning=cannot create {}: {e}", dist.display());
        }
    }
    // A rebuild of the assets must re-embed them.
    println!("cargo:rerun-if-changed={}", dist.display());
    println!("cargo:rerun-if-changed=build.rs");
}
