//! An office that follows the setup manual over HTTP, exactly as a browser would: it reads
//! each page, takes the CSRF token from the form, posts the form, keeps cookies and follows
//! redirects. The end-to-end tests assert on the pages it returns; the benchmark times it.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use scraper::{Html, Selector};

/// A fetched page.
#[derive(Debug, Clone)]
pub struct Page {
    pub status: u16,
    /// Path of the final URL after redirects.
    pub path: String,
    pub html: String,
}

impl Page {
    pub fn contains(&self, needle: &str) -> bool {
        self.html.contains(needle)
    }

    /// The value of the hidden CSRF field of the page's forms.
    pub fn csrf(&self) -> Option<String> {
        let doc = Html::parse_document(&self.html);
        let sel = Selector::parse("input[name=csrf]").ok()?;
        doc.select(&sel)
            .next()
            .and_then(|e| e.value().attr("value"))
            .map(str::to_owned)
    }

    /// The value of a named input of the page.
    pub fn input_value(&self, name: &str) -> Option<String> {
        let doc = Html::parse_document(&self.html);
        let sel = Selector::parse(&format!("input[name={name}]")).ok()?;
        doc.select(&sel)
            .next()
            .and_then(|e| e.value().attr("value"))
            .map(str::to_owned)
    }

    /// The text of every element matching a CSS selector.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let doc = Html::parse_document(&self.html);
        let Ok(sel) = Selector::parse(selector) else {
            return vec![];
        };
        doc.select(&sel)
            .map(|e| {
                e.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    /// The label text bound to an input id by `<label for>`.
    pub fn label_for(&self, id: &str) -> Option<String> {
        self.texts(&format!("label[for={id}]")).into_iter().next()
    }
}

/// A downloaded file.
pub struct Download {
    pub status: u16,
    pub content_type: String,
    pub disposition: String,
    pub bytes: Vec<u8>,
}

pub struct Walker {
    pub base: String,
    client: reqwest::Client,
}

impl Walker {
    pub fn new(base: &str) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .timeout(Duration::from_secs(60))
            .build()?;
        Ok(Self {
            base: base.trim_end_matches('/').to_owned(),
            client,
        })
    }

    /// The same browser (its cookies) on another node of the service, as when the load
    /// balancer sends the next request elsewhere.
    pub fn at(&self, base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            client: self.client.clone(),
        }
    }

    async fn page(resp: reqwest::Response) -> anyhow::Result<Page> {
        let status = resp.status().as_u16();
        let path = resp.url().path().to_owned();
        let html = resp.text().await?;
        Ok(Page { status, path, html })
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<Page> {
        let resp = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .with_context(|| format!("GET {path}"))?;
        Self::page(resp).await
    }

    /// Posts a form found on `from`, with its CSRF token and the given fields.
    pub async fn post(
        &self,
        from: &Page,
        action: &str,
        fields: &[(&str, &str)],
    ) -> anyhow::Result<Page> {
        let csrf = from
            .csrf()
            .with_context(|| format!("no CSRF token on {}", from.path))?;
        self.post_with_token(action, &csrf, fields).await
    }

    pub async fn post_with_token(
        &self,
        action: &str,
        csrf: &str,
        fields: &[(&str, &str)],
    ) -> anyhow::Result<Page> {
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf)];
        form.extend_from_slice(fields);
        let resp = self
            .client
            .post(format!("{}{action}", self.base))
            .form(&form)
            .send()
            .await
            .with_context(|| format!("POST {action}"))?;
        Self::page(resp).await
    }

    /// Posts a multipart form found on `from` (CSRF token as a text part, then `fields`, then
    /// `files` as (field name, file name, content type, bytes)).
    pub async fn post_multipart(
        &self,
        from: &Page,
        action: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &str, Vec<u8>)],
    ) -> anyhow::Result<Page> {
        let csrf = from
            .csrf()
            .with_context(|| format!("no CSRF token on {}", from.path))?;
        let mut form = reqwest::multipart::Form::new().text("csrf", csrf);
        for (k, v) in fields {
            form = form.text((*k).to_owned(), (*v).to_owned());
        }
        for (name, filename, content_type, bytes) in files {
            let part = reqwest::multipart::Part::bytes(bytes.clone())
                .file_name((*filename).to_owned())
                .mime_str(content_type)?;
            form = form.part((*name).to_owned(), part);
        }
        let resp = self
            .client
            .post(format!("{}{action}", self.base))
            .multipart(form)
            .send()
            .await
            .with_context(|| format!("POST {action}"))?;
        Self::page(resp).await
    }

    /// Logs in to the admin console: password, then the current TOTP code of the base32
    /// secret (as `kaigo-pki admin add --json` printed it). Returns the console page.
    pub async fn admin_login(
        &self,
        login: &str,
        password: &str,
        totp_secret_b32: &str,
    ) -> anyhow::Result<Page> {
        let form = self.get("/admin/login").await?;
        let step = self
            .post(
                &form,
                "/admin/login",
                &[("login", login), ("password", password)],
            )
            .await?;
        if step.path != "/admin/login/code" {
            bail!("admin password step for {login} led to {}", step.path);
        }
        let secret = kaigo_core::admin::totp::base32_decode(totp_secret_b32)
            .context("TOTP secret is not base32")?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs() as i64;
        let code = kaigo_core::admin::totp::code_at(&secret, now);
        let console = self
            .post(&step, "/admin/login/code", &[("code", &code)])
            .await?;
        if console.path != "/admin" {
            bail!("admin code step for {login} led to {}", console.path);
        }
        Ok(console)
    }

    /// Posts a form whose answer is a file (e.g. 「Mac・古いWindows用のファイル」).
    pub async fn post_download(
        &self,
        action: &str,
        csrf: &str,
        fields: &[(&str, &str)],
    ) -> anyhow::Result<Download> {
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf)];
        form.extend_from_slice(fields);
        let resp = self
            .client
            .post(format!("{}{action}", self.base))
            .form(&form)
            .send()
            .await?;
        Self::to_download(resp).await
    }

    async fn to_download(resp: reqwest::Response) -> anyhow::Result<Download> {
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        let content_type = header("content-type");
        let disposition = header("content-disposition");
        let bytes = resp.bytes().await?.to_vec();
        Ok(Download {
            status,
            content_type,
            disposition,
            bytes,
        })
    }

    pub async fn download(&self, path: &str) -> anyhow::Result<Download> {
        let resp = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await?;
        Self::to_download(resp).await
    }

    /// Manual 2, step 1.
    pub async fn login(&self, user_id: &str, password: &str) -> anyhow::Result<Page> {
        let form = self.get("/login").await?;
        self.post(
            &form,
            "/login",
            &[("user_id", user_id), ("password", password)],
        )
        .await
    }

    /// The first-login password change.
    pub async fn change_password(&self, current: &str, new: &str) -> anyhow::Result<Page> {
        let form = self.get("/password/change").await?;
        self.post(
            &form,
            "/password/change",
            &[("current", current), ("new", new), ("confirm", new)],
        )
        .await
    }

    /// Manual 3-1, steps 1–5: tab, notes, choice, issuance password, terms, submit.
    pub async fn apply_dx(&self, issuance_password: &str) -> anyhow::Result<Page> {
        let tab = self.get("/dx").await?;
        self.get("/dx/notes").await?;
        let pw_page = self.post(&tab, "/dx", &[("choice", "apply")]).await?;
        if pw_page.path != "/dx/apply/password" {
            bail!(
                "choosing to apply led to {} instead of the password step",
                pw_page.path
            );
        }
        let terms = self
            .post(
                &pw_page,
                "/dx/apply/password",
                &[("issuance_password", issuance_password)],
            )
            .await?;
        if terms.path != "/dx/apply/terms" {
            bail!(
                "the issuance password was not accepted (page {})",
                terms.path
            );
        }
        let token = terms
            .input_value("token")
            .context("no application token on the terms page")?;
        self.post(&terms, "/dx/apply/submit", &[("token", &token)])
            .await
    }

    /// Polls the notices until 「証明書発行完了通知」 appears.
    pub async fn wait_for_issued(&self, timeout: Duration) -> anyhow::Result<Page> {
        let start = Instant::now();
        loop {
            let page = self.get("/notices").await?;
            if page.contains("証明書発行完了通知") {
                return Ok(page);
            }
            if start.elapsed() > timeout {
                bail!("no 証明書発行完了通知 within {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Manual 3-1, steps 6–7: choose download, 【次へ】, 【ダウンロード】.
    pub async fn download_dx(&self) -> anyhow::Result<Download> {
        let tab = self.get("/dx").await?;
        let page = self.post(&tab, "/dx", &[("choice", "download")]).await?;
        if page.path != "/dx/download" {
            bail!("choosing to download led to {}", page.path);
        }
        self.download("/dx/download/file").await
    }

    /// Manual 3-2: the 証明書 tab's application — notes, choice, issuance password, validity
    /// start (`now` or `renewal`), terms, submit. Returns the completion page.
    pub async fn apply_hoken(&self, issuance_password: &str, start: &str) -> anyhow::Result<Page> {
        let tab = self.get("/certificate").await?;
        self.get("/certificate/notes").await?;
        let pw_page = self
            .post(&tab, "/certificate", &[("choice", "apply")])
            .await?;
        if pw_page.path != "/certificate/apply/password" {
            bail!(
                "choosing to apply led to {} instead of the password step",
                pw_page.path
            );
        }
        let start_page = self
            .post(
                &pw_page,
                "/certificate/apply/password",
                &[("issuance_password", issuance_password)],
            )
            .await?;
        if start_page.path != "/certificate/apply/start" {
            bail!(
                "the issuance password was not accepted (page {})",
                start_page.path
            );
        }
        let terms = self
            .post(&start_page, "/certificate/apply/start", &[("start", start)])
            .await?;
        if terms.path != "/certificate/apply/terms" {
            bail!("the validity start was not accepted (page {})", terms.path);
        }
        let token = terms
            .input_value("token")
            .context("no application token on the terms page")?;
        self.post(&terms, "/certificate/apply/submit", &[("token", &token)])
            .await
    }

    /// Manual 3-2: 「見積書を作成する（必要な場合のみ）」, 【次へ】 → the page that confirms the
    /// estimate was made.
    pub async fn make_estimate(&self) -> anyhow::Result<Page> {
        let tab = self.get("/certificate").await?;
        let done = self
            .post(&tab, "/certificate", &[("choice", "estimate")])
            .await?;
        if !done.path.starts_with("/certificate/estimate/") {
            bail!("choosing the estimate led to {}", done.path);
        }
        Ok(done)
    }

    /// [`Self::make_estimate`], then its 【見積書をダウンロード】 button.
    pub async fn estimate_pdf(&self) -> anyhow::Result<Download> {
        let done = self.make_estimate().await?;
        let href = Html::parse_document(&done.html)
            .select(&Selector::parse("a#estimate-download").expect("selector"))
            .next()
            .and_then(|a| a.value().attr("href"))
            .map(str::to_owned)
            .context("no 見積書をダウンロード button on the confirmation")?;
        self.download(&href).await
    }
}
