//! Compression of every response: brotli when the client accepts it, else
//! gzip, else none (`Accept-Encoding`, with `q=0` honoured).
//!
//! Bodies are whole in memory (the API builds them as text), so each is
//! compressed whole. A body the server keeps ([`Encoded`]: the area
//! series, snapshot drawings) keeps its compressed copies too, made once on
//! first demand: re-compressing a 255 KB series on every request was most
//! of what a request cost.

use crate::error::ApiError;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::io::Write;
use std::sync::{Arc, OnceLock};

/// Brotli's quality for bodies made per request (0-11): 5 packs JSON
/// tighter than gzip's level 6 at about its speed; the top levels cost
/// 10-100× more time for a few per cent.
pub const BROTLI_QUALITY: u32 = 5;

/// Brotli's window, log2 bytes (22: 4 MiB, the format's usual default).
const BROTLI_WINDOW_LOG2: u32 = 22;

/// Responses smaller than this are sent as they are (the encodings'
/// headers cost more than they save).
pub const MIN_COMPRESSED_BYTES: usize = 512;

/// A content coding the server can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// As it is.
    Identity,
    /// gzip (RFC 1952).
    Gzip,
    /// Brotli (RFC 7932).
    Brotli,
}

impl Coding {
    /// The best coding `Accept-Encoding` allows: brotli, then gzip, then
    /// none. A coding listed with `q=0` is refused; `*` stands for any
    /// coding not listed.
    pub fn negotiate(headers: &HeaderMap) -> Coding {
        let mut br = None;
        let mut gzip = None;
        let mut any = None;
        for value in headers.get_all(header::ACCEPT_ENCODING) {
            let Ok(text) = value.to_str() else { continue };
            for item in text.split(',') {
                let mut parts = item.split(';');
                let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
                let accepted = parts
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .next_back()
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_none_or(|q| q > 0.0);
                match name.as_str() {
                    "br" => br = Some(accepted),
                    "gzip" | "x-gzip" => gzip = Some(accepted),
                    "*" => any = Some(accepted),
                    _ => {}
                }
            }
        }
        if br.or(any) == Some(true) {
            Coding::Brotli
        } else if gzip.or(any) == Some(true) {
            Coding::Gzip
        } else {
            Coding::Identity
        }
    }

    /// The `Content-Encoding` value.
    pub fn header(self) -> Option<HeaderValue> {
        match self {
            Coding::Identity => None,
            Coding::Gzip => Some(HeaderValue::from_static("gzip")),
            Coding::Brotli => Some(HeaderValue::from_static("br")),
        }
    }

    /// `bytes` in this coding.
    pub fn encode(self, bytes: &[u8]) -> Bytes {
        match self {
            Coding::Identity => Bytes::copy_from_slice(bytes),
            Coding::Gzip => Bytes::from(gzip_bytes(bytes)),
            Coding::Brotli => Bytes::from(brotli_bytes(bytes, BROTLI_QUALITY)),
        }
    }
}

/// `bytes` gzipped (level 6, the usual balance of size and speed).
pub fn gzip_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 4), flate2::Compression::new(6));
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

/// `bytes` compressed with brotli at `quality` (0-11).
pub fn brotli_bytes(bytes: &[u8], quality: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() / 5);
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, quality, BROTLI_WINDOW_LOG2);
        // Writing into a Vec cannot fail; dropping the writer ends the stream.
        let _ = w.write_all(bytes);
    }
    out
}

/// A body the server keeps, with its compressed copies made once each, on
/// first demand.
#[derive(Debug)]
pub struct Encoded {
    /// The body as it is.
    pub identity: Bytes,
    gzip: OnceLock<Bytes>,
    brotli: OnceLock<Bytes>,
}

impl Encoded {
    /// Keeps `identity`; nothing is compressed yet.
    pub fn new(identity: Bytes) -> Arc<Encoded> {
        Arc::new(Encoded { identity, gzip: OnceLock::new(), brotli: OnceLock::new() })
    }

    /// The body in `coding`, compressed now if it is the first time.
    pub fn get(&self, coding: Coding) -> Bytes {
        match coding {
            Coding::Identity => self.identity.clone(),
            Coding::Gzip => self.gzip.get_or_init(|| Coding::Gzip.encode(&self.identity)).clone(),
            Coding::Brotli => self.brotli.get_or_init(|| Coding::Brotli.encode(&self.identity)).clone(),
        }
    }

    /// Bytes held, all copies together (for cache budgets).
    pub fn len(&self) -> usize {
        self.identity.len() + self.gzip.get().map_or(0, Bytes::len) + self.brotli.get().map_or(0, Bytes::len)
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.identity.is_empty()
    }

    /// A response with this body and `content_type`; the compression layer
    /// ([`compress`]) swaps in the copy the client accepts.
    pub fn response(self: &Arc<Self>, content_type: &'static str) -> Response {
        let mut r = self.identity.clone().into_response();
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        r.extensions_mut().insert(self.clone());
        r
    }
}

/// Content types worth compressing (text; images and archives are not).
fn compressible(content_type: Option<&HeaderValue>) -> bool {
    content_type.and_then(|v| v.to_str().ok()).is_some_and(|t| {
        t.starts_with("text/")
            || t.starts_with("application/json")
            || t.starts_with("application/geo+json")
            || t.starts_with("application/javascript")
            || t.starts_with("image/svg")
    })
}

/// The compression layer: every response of a compressible type in the
/// best coding the client accepts. A kept body ([`Encoded`]) is sent from
/// its kept copies; anything else is compressed here.
pub async fn compress(req: Request, next: Next) -> Response {
    let coding = Coding::negotiate(req.headers());
    let r = next.run(req).await;
    if r.headers().contains_key(header::CONTENT_ENCODING) || !compressible(r.headers().get(header::CONTENT_TYPE)) {
        return r;
    }
    let (mut parts, body) = r.into_parts();
    parts.headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    let kept = parts.extensions.remove::<Arc<Encoded>>();
    let bytes = match kept {
        Some(ref e) => e.identity.clone(),
        None => match axum::body::to_bytes(body, usize::MAX).await {
            Ok(b) => b,
            Err(_) => return ApiError::internal("the response could not be read for compression").into_response(),
        },
    };
    if coding == Coding::Identity || bytes.len() < MIN_COMPRESSED_BYTES {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let packed = match kept {
        Some(e) => e.get(coding),
        None => coding.encode(&bytes),
    };
    if let Some(v) = coding.header() {
        parts.headers.insert(header::CONTENT_ENCODING, v);
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(packed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn accepting(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn brotli_is_preferred_unless_refused() {
        assert_eq!(Coding::negotiate(&accepting("gzip, deflate, br, zstd")), Coding::Brotli);
        assert_eq!(Coding::negotiate(&accepting("gzip, br;q=0")), Coding::Gzip);
        assert_eq!(Coding::negotiate(&accepting("gzip;q=0, br;q=0")), Coding::Identity);
        assert_eq!(Coding::negotiate(&accepting("deflate")), Coding::Identity);
        assert_eq!(Coding::negotiate(&accepting("*")), Coding::Brotli);
        assert_eq!(Coding::negotiate(&accepting("br;q=0, *")), Coding::Gzip);
        assert_eq!(Coding::negotiate(&HeaderMap::new()), Coding::Identity);
    }

    #[test]
    fn both_codings_give_back_the_body() {
        let body: Vec<u8> = (0..20_000).flat_map(|i: u32| format!("{{\"km2\":{i}.5}},").into_bytes()).collect();
        let e = Encoded::new(Bytes::from(body.clone()));
        let mut gz = vec![];
        flate2::read::GzDecoder::new(&e.get(Coding::Gzip)[..]).read_to_end(&mut gz).unwrap();
        assert_eq!(gz, body);
        let mut br = vec![];
        brotli::Decompressor::new(&e.get(Coding::Brotli)[..], 4096).read_to_end(&mut br).unwrap();
        assert_eq!(br, body);
        assert!(e.get(Coding::Brotli).len() < e.get(Coding::Gzip).len());
    }
}
