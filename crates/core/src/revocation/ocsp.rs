//! The OCSP responder (RFC 6960) as a use case: decode, look up, answer from the cache or sign.
//!
//! Answers to requests without a nonce are cached per request (the CertIDs asked about) and
//! reused until they are an `ocsp_refresh` old or a revocation happens ([`StatusMarker`]'s
//! revoked count moves), so a busy responder signs only on misses. An answer is kept only if
//! no revocation was noted between its database read and its signature, so a revocation
//! racing a miss cannot leave a stale "good" behind. Answers that say `unknown` are not
//! cached (a flood of never-issued serials cannot push real answers out), and a full cache
//! drops only its expired answers.
//!
//! Everything after the cache — the database reads and the signature — runs inside one of a
//! few slots; a request that waits for one longer than `SIGN_WAIT` gets `tryLater`. So a flood
//! of nonces or of unknown serials costs at most that many database reads and signatures at a
//! time, and cached answers are never behind it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::deps::Deps;
use crate::error::CoreResult;
use crate::ids::CaGeneration;
use crate::revocation::pki::{OcspAnswer, OcspFailure, OcspQuery, SingleAnswer};
use crate::revocation::responder::ResponderKeys;
use crate::revocation::{CertStatus, StatusMarker};

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
    /// Revoked certificates as last noted; a change drops every answer.
    revoked: i64,
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

    /// Tells the responder the current counts; a new revocation drops every cached answer.
    /// (New certificates change nothing cached: `unknown` answers are never cached.)
    pub fn note_marker(&self, marker: StatusMarker) {
        if let Ok(mut c) = self.cache.lock()
            && c.revoked != marker.revoked
        {
            c.revoked = marker.revoked;
            c.answers.clear();
        }
    }

    fn revoked_noted(&self) -> i64 {
        self.cache.lock().map(|c| c.revoked).unwrap_or(-1)
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
        // One delegated responder signs the whole response, and it speaks for one issuing
        // CA: every CertID must name the same generation of ours.
        let Some(generation) = query.items[0].issuer else {
            return self.failure(OcspFailure::Unauthorized);
        };
        if query.items.iter().any(|i| i.issuer != Some(generation)) {
            return self.failure(OcspFailure::Unauthorized);
        }
        let now = self.deps.clock.unix();
        let key = cache_key(&query);
        if query.nonce.is_none()
            && let Some(hit) = self.lookup(&key, now)
        {
            return hit;
        }
        match self.answer(generation, &query, now).await {
            Ok(Some((reply, cache_as_of))) => {
                if let Some(revoked) = cache_as_of {
                    self.remember(key, &reply, now, revoked);
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

    /// Keeps `reply`, made from a database read while `revoked` was the noted count, unless a
    /// revocation has been noted since (checked under the same lock as the insert).
    fn remember(&self, key: Vec<u8>, reply: &OcspReply, now: i64, revoked: i64) {
        let refresh = self.deps.settings.revocation.ocsp_refresh_seconds;
        if let Ok(mut c) = self.cache.lock() {
            if c.revoked != revoked {
                return;
            }
            if c.answers.len() >= CACHE_CAP {
                c.answers.retain(|_, a| now < a.this_update + refresh);
                if c.answers.len() >= CACHE_CAP {
                    return;
                }
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

    /// Within a slot, looks up every certificate and signs; `None` when no slot freed up in
    /// time. With the reply, the revocation count it was read under if it may be cached.
    async fn answer(
        &self,
        generation: CaGeneration,
        query: &OcspQuery,
        now: i64,
    ) -> CoreResult<Option<(OcspReply, Option<i64>)>> {
        let rules = &self.deps.settings.revocation;
        let Ok(Ok(_slot)) = tokio::time::timeout(SIGN_WAIT, self.signing.acquire()).await else {
            return Ok(None);
        };
        // Noted before the reads: a revocation after this keeps the answer out of the cache.
        let revoked_before = self.revoked_noted();
        let mut answers = Vec::with_capacity(query.items.len());
        for item in &query.items {
            let status = self
                .deps
                .store
                .certificate_status(generation, &item.serial)
                .await?;
            answers.push(SingleAnswer {
                cert_id_der: item.cert_id_der.clone(),
                status,
                this_update: now,
                next_update: now + rules.ocsp_validity_seconds,
            });
        }
        let knows_all = answers.iter().all(|a| a.status != CertStatus::Unknown);
        let answer = OcspAnswer {
            produced_at: now,
            answers,
            nonce: query.nonce.clone(),
        };
        let signer = self.responders.current(generation).await?;
        let der = tokio::task::spawn_blocking(move || signer.sign(&answer))
            .await
            .map_err(|e| crate::error::PkiError::Key(format!("OCSP signing task: {e}")))??;
        let cacheable = query.nonce.is_none() && knows_all;
        let reply = OcspReply {
            der: Arc::new(der),
            max_age: if cacheable {
                rules.ocsp_refresh_seconds
            } else {
                0
            },
            this_update: now,
            next_update: now + rules.ocsp_validity_seconds,
        };
        Ok(Some((reply, cacheable.then_some(revoked_before))))
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
