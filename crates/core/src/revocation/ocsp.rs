//! The OCSP responder (RFC 6960) as a use case: decode, look up, answer from the cache or sign.
//!
//! Answers to requests without a nonce are cached per request (the CertIDs asked about) and
//! reused until they are an `ocsp_refresh` old or the certificates change ([`StatusMarker`]
//! moves: a revocation, or a new certificate that was "unknown"), so a busy responder signs
//! only on misses. A request with a nonce needs its own signature; signatures wait for one
//! of a few signing slots and get `tryLater` when none frees up in time, so a flood of
//! nonces or of never-issued serials cannot starve the cached answers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::deps::Deps;
use crate::error::CoreResult;
use crate::revocation::StatusMarker;
use crate::revocation::pki::{OcspAnswer, OcspFailure, OcspQuery, SingleAnswer};
use crate::revocation::responder::ResponderKeys;

/// Largest request accepted (a request for one certificate is about 80 bytes; signed
/// requests with a certificate chain stay under 8 KiB).
pub const MAX_REQUEST_BYTES: usize = 8 * 1024;
/// Most certificates asked about in one request.
pub const MAX_ITEMS: usize = 16;
/// Cached answers kept before the cache is emptied and refilled.
const CACHE_CAP: usize = 50_000;
/// How long a request may wait for a signing slot before `tryLater`.
const SIGN_WAIT: Duration = Duration::from_secs(3);

/// The bytes to send back, with how long HTTP caches may keep them.
#[derive(Clone, Debug)]
pub struct OcspReply {
    pub der: Arc<Vec<u8>>,
    /// Seconds for `Cache-Control: max-age`; 0 means not cacheable (a nonce, a failure).
    pub max_age: i64,
    /// Unix seconds for `Expires`/`Last-Modified` when cacheable.
    pub this_update: i64,
    pub next_update: i64,
}

#[derive(Clone)]
struct Cached {
    der: Arc<Vec<u8>>,
    this_update: i64,
    next_update: i64,
}

#[derive(Default)]
struct Cache {
    marker: StatusMarker,
    answers: HashMap<Vec<u8>, Cached>,
}

#[derive(Clone)]
pub struct OcspService {
    deps: Arc<Deps>,
    responders: ResponderKeys,
    cache: Arc<Mutex<Cache>>,
    signing: Arc<Semaphore>,
}

impl OcspService {
    pub fn new(deps: Arc<Deps>, responders: ResponderKeys) -> Self {
        let slots = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        Self {
            deps,
            responders,
            cache: Arc::new(Mutex::new(Cache::default())),
            signing: Arc::new(Semaphore::new(slots)),
        }
    }

    /// Tells the responder the current counts; a change drops every cached answer.
    pub fn note_marker(&self, marker: StatusMarker) {
        if let Ok(mut c) = self.cache.lock()
            && c.marker != marker
        {
            c.marker = marker;
            c.answers.clear();
        }
    }

    /// Cached answers held now (for the benchmark and tests).
    pub fn cached_answers(&self) -> usize {
        self.cache.lock().map(|c| c.answers.len()).unwrap_or(0)
    }

    fn failure(&self, failure: OcspFailure) -> OcspReply {
        OcspReply {
            der: Arc::new(self.deps.status.failure(failure)),
            max_age: 0,
            this_update: 0,
            next_update: 0,
        }
    }

    /// Answers one DER request. Never fails: every problem is an OCSP failure status.
    pub async fn respond(&self, request: &[u8]) -> OcspReply {
        if request.is_empty() || request.len() > MAX_REQUEST_BYTES {
            return self.failure(OcspFailure::MalformedRequest);
        }
        let query = match self.deps.status.decode_request(request) {
            Ok(q) if !q.items.is_empty() && q.items.len() <= MAX_ITEMS => q,
            Ok(_) => return self.failure(OcspFailure::MalformedRequest),
            Err(f) => return self.failure(f),
        };
        if query.items.iter().any(|i| !i.ours) {
            return self.failure(OcspFailure::Unauthorized);
        }
        let now = self.deps.clock.unix();
        let key = cache_key(&query);
        if query.nonce.is_none()
            && let Some(hit) = self.lookup(&key, now)
        {
            return hit;
        }
        match self.answer(&query, now).await {
            Ok(Some(reply)) => {
                if query.nonce.is_none() {
                    self.remember(key, &reply);
                }
                reply
            }
            Ok(None) => self.failure(OcspFailure::TryLater),
            Err(e) => {
                tracing::error!(error = %e, "OCSP answer failed");
                self.failure(OcspFailure::InternalError)
            }
        }
    }

    fn lookup(&self, key: &[u8], now: i64) -> Option<OcspReply> {
        let refresh = self.deps.settings.revocation.ocsp_refresh_seconds;
        let c = self.cache.lock().ok()?;
        let hit = c.answers.get(key)?;
        (now < hit.this_update + refresh).then(|| OcspReply {
            der: hit.der.clone(),
            max_age: (hit.this_update + refresh - now).max(0),
            this_update: hit.this_update,
            next_update: hit.next_update,
        })
    }

    fn remember(&self, key: Vec<u8>, reply: &OcspReply) {
        if let Ok(mut c) = self.cache.lock() {
            if c.answers.len() >= CACHE_CAP {
                c.answers.clear();
            }
            c.answers.insert(
                key,
                Cached {
                    der: reply.der.clone(),
                    this_update: reply.this_update,
                    next_update: reply.next_update,
                },
            );
        }
    }

    /// Looks up every certificate and signs; `None` when no signing slot freed up in time.
    async fn answer(&self, query: &OcspQuery, now: i64) -> CoreResult<Option<OcspReply>> {
        let rules = &self.deps.settings.revocation;
        let mut answers = Vec::with_capacity(query.items.len());
        for item in &query.items {
            let status = self.deps.store.certificate_status(&item.serial).await?;
            answers.push(SingleAnswer {
                cert_id_der: item.cert_id_der.clone(),
                status,
                this_update: now,
                next_update: now + rules.ocsp_validity_seconds,
            });
        }
        let answer = OcspAnswer {
            produced_at: now,
            answers,
            nonce: query.nonce.clone(),
        };
        let Ok(Ok(_slot)) = tokio::time::timeout(SIGN_WAIT, self.signing.acquire()).await else {
            return Ok(None);
        };
        let signer = self.responders.current().await?;
        let der = tokio::task::spawn_blocking(move || signer.sign(&answer))
            .await
            .map_err(|e| crate::error::PkiError::Key(format!("OCSP signing task: {e}")))??;
        let cacheable = query.nonce.is_none();
        Ok(Some(OcspReply {
            der: Arc::new(der),
            max_age: if cacheable {
                rules.ocsp_refresh_seconds
            } else {
                0
            },
            this_update: now,
            next_update: now + rules.ocsp_validity_seconds,
        }))
    }
}

/// The CertIDs asked about, length-prefixed, as the cache key.
fn cache_key(query: &OcspQuery) -> Vec<u8> {
    let mut key = Vec::new();
    for item in &query.items {
        key.extend_from_slice(&(item.cert_id_der.len() as u32).to_be_bytes());
        key.extend_from_slice(&item.cert_id_der);
    }
    key
}
