//! How the verifier reaches OCSP responders and CRLs.

use std::time::Duration;

use async_trait::async_trait;

/// Fetches revocation information. Errors are short English sentences for logs.
#[async_trait]
pub trait Fetch: Send + Sync {
    /// POSTs a DER OCSP request to `url`; the DER response.
    async fn ocsp(&self, url: &str, request: Vec<u8>) -> Result<Vec<u8>, String>;
    /// GETs a CRL (DER).
    async fn crl(&self, url: &str) -> Result<Vec<u8>, String>;
}

/// Over HTTP, with a short timeout: a relying party must decide quickly.
#[derive(Clone)]
pub struct HttpFetch {
    client: reqwest::Client,
}

impl HttpFetch {
    pub fn new() -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        Self { client }
    }
}

impl Default for HttpFetch {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Fetch for HttpFetch {
    async fn ocsp(&self, url: &str, request: Vec<u8>) -> Result<Vec<u8>, String> {
        let resp = self
            .client
            .post(url)
            .header("content-type", "application/ocsp-request")
            .body(request)
            .send()
            .await
            .map_err(|e| format!("OCSP {url}: {e}"))?;
        if !resp.status().is_success() {
            return Err(format!("OCSP {url}: HTTP {}", resp.status()));
        }
        resp.bytes()
            .await
            .map(|b| b.to_vec())
            .map_err(|e| format!("OCSP {url}: {e}"))
    }

    async fn crl(&self, url: &str) -> Result<Vec<u8>, String> {
        let resp = self
            .client
            .get(url)
            .send()
            .await
            .map_err(|e| format!("CRL {url}: {e}"))?;
        if !resp.status().is_success() {
            return Err(format!("CRL {url}: HTTP {}", resp.status()));
        }
        resp.bytes()
            .await
            .map(|b| b.to_vec())
            .map_err(|e| format!("CRL {url}: {e}"))
    }
}
