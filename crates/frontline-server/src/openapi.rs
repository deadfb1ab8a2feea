//! The OpenAPI 3.1 document served at `/api/openapi.json`. Written by hand
//! next to the routes; the integration tests call every path it lists and
//! check that each one exists, so the two cannot drift apart unseen.

use serde_json::{json, Value};

fn param(name: &str, location: &str, description: &str, example: &str, required: bool) -> Value {
    json!({
        "name": name, "in": location, "required": required, "description": description,
        "schema": {"type": "string"}, "example": example,
    })
}

fn source() -> Value {
    param("source", "query", "Source name (default: the only one, or deepstate-daily).", "deepstate-daily", false)
}

fn get(summary: &str, params: Vec<Value>, content: &str) -> Value {
    json!({"get": {
        "summary": summary,
        "parameters": params,
        "responses": {
            "200": {"description": "OK", "content": {content: {}}},
            "400": {"description": "Malformed request", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            "404": {"description": "Nothing there", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            "503": {
                "description": "Busy, still computing, or no answer within the request time limit (the computation goes on and its result is kept: retry after Retry-After seconds)",
                "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        }
    }})
}

/// The document. `places` says whether the place routes are compiled in.
pub fn document(extra_paths: Vec<(&'static str, Value)>) -> Value {
    let date = |what: &str| param("date", "path", what, "2026-01-01", true);
    let from = param("from", "query", "First date (YYYY-MM-DD), inclusive.", "2025-01-01", false);
    let to = param("to", "query", "Last date (YYYY-MM-DD), inclusive.", "2025-03-01", false);
    let reference = param("reference", "query", "Reference territory: sea (default) or land.", "sea", false);
    let mut paths = serde_json::Map::new();
    let mut add = |p: &str, v: Value| {
        paths.insert(p.to_string(), v);
    };
    add("/api/openapi.json", get("This document.", vec![], "application/json"));
    add("/api/status", get("What the server loaded, and warnings.", vec![], "application/json"));
    add(
        "/api/sources",
        get("Every source: snapshot count, first and last instant, classes.", vec![], "application/json"),
    );
    add("/api/dates", get("A source's distinct snapshot dates, oldest first.", vec![source()], "application/json"));
    add(
        "/api/snapshot/{date}",
        get(
            "A snapshot's class layers as a GeoJSON FeatureCollection, one feature per class, simplified to half a pixel at `zoom` (0-22; 13 and above are not simplified). The date must be one of /api/dates.",
            vec![
                date("Snapshot date (YYYY-MM-DD)."),
                source(),
                param("zoom", "query", "Map zoom the geometry is drawn at (default 6).", "6", false),
                param("class", "query", "occupied, gray, liberated, a comma list, or all (default).", "occupied", false),
            ],
            "application/geo+json",
        ),
    );
    add(
        "/api/area",
        get(
            "Area held on every snapshot in from..to within the reference territory: km², sq mi, share of Ukraine's 603,550 km², gray zone and the occupied-or-gray bound.",
            vec![source(), reference.clone(), from.clone(), to.clone()],
            "application/json",
        ),
    );
    add(
        "/api/change",
        get(
            "Area gained, lost and net per period, between the last snapshots at or before each boundary (at most 1000 periods per request).",
            vec![
                source(),
                param("every", "query", "snapshot, day, week, month (default) or year.", "month", false),
                from,
                to,
                param("class", "query", "occupied (default), gray, liberated or all.", "occupied", false),
                reference,
            ],
            "application/json",
        ),
    );
    add(
        "/api/basemap/{layer}",
        get(
            "A base-map layer, simplified: countries, land, oblasts or rivers.",
            vec![param("layer", "path", "countries, land, oblasts or rivers.", "oblasts", true)],
            "application/geo+json",
        ),
    );
    add(
        "/api/places",
        get(
            "The place a query resolves to (`resolved`: its id, or null with a note listing the way to pick one, or suggestions for a misspelling), and the places it may mean (exact, transliteration, then prefix), biggest first. The CLI's `place` resolves the same way.",
            vec![
                param(
                    "q",
                    "query",
                    "A settlement name in any common spelling, NAME@OBLAST (Mykolaivka@Donetsk) for one of several, or LON,LAT.",
                    "Pokrovsk",
                    true,
                ),
                param("limit", "query", "At most this many matches (1-50, default 10).", "10", false),
            ],
            "application/json",
        ),
    );
    add(
        "/api/places/{id}/timeline",
        get(
            "A place's occupied and gray fraction, distance to occupied territory and status at every snapshot; its status changes; capture and retake dates at 50 % and 95 %.",
            vec![param("id", "path", "A place id from /api/places.", "0", true), source()],
            "application/json",
        ),
    );
    add(
        "/api/places/{id}/corridor",
        get(
            "The way out of a place to the rear at every snapshot in from..to, from the edge of its footprint (250 m cells, 60 km window, 25 km rear clearance): state, narrowest width, pincer gap (shortest line between hostile ground on either side) and length; with_gray=true adds the same with the gray zone counted hostile. The last date in full (neck, pincer points, gap line, widest path).",
            vec![
                param("id", "path", "A place id from /api/places.", "0", true),
                source(),
                param("from", "query", "First date (YYYY-MM-DD), inclusive.", "2025-06-01", false),
                param("to", "query", "Last date (YYYY-MM-DD), inclusive.", "2026-01-31", false),
                param("with_gray", "query", "true: also count the gray zone as hostile, beside the occupied-only figures.", "true", false),
            ],
            "application/json",
        ),
    );
    add(
        "/api/front/{date}",
        get(
            "The frontline of a snapshot (border within 500 m and coast within 3 km removed) as a GeoJSON MultiLineString, with its geodesic length and length per sector.",
            vec![
                date("Snapshot date (YYYY-MM-DD)."),
                source(),
                param("zoom", "query", "Map zoom the line is drawn at (default 6).", "6", false),
            ],
            "application/geo+json",
        ),
    );
    for (p, v) in extra_paths {
        add(p, v);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "frontline",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Read-only views of a frontline snapshot store: territorial control maps and the measures of shared/docs/measures.md. Errors are JSON {error, status}.",
        },
        "paths": paths,
        "components": {"schemas": {"Error": {
            "type": "object",
            "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
            "required": ["error", "status"],
        }}},
    })
}

/// Helpers for modules that add routes.
pub fn get_op(summary: &str, params: Vec<Value>, content: &str) -> Value {
    get(summary, params, content)
}

/// A parameter description.
pub fn parameter(name: &str, location: &str, description: &str, example: &str, required: bool) -> Value {
    param(name, location, description, example, required)
}
