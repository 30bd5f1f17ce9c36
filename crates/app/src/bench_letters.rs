//! `kaigo-pki bench letters --count N`: renders N registration letters as the console prints
//! them (parts of `--per-pdf`, through the node's render queue) and reports time, pages, bytes
//! and the process's peak and remaining memory (`/proc/self/status`; "after" is read 5 s after
//! the stage, once the allocator has returned what it will). With `--unpaged` it
//! then renders all N in one document, as before the letters were printed in parts.

use std::fmt::Write as _;
use std::time::Instant;

use kaigo_core::office::letters::letter_parts;
use kaigo_docs::{OfficeLetter, OfficeLetterKind};

/// Memory of this process in KiB: (resident now, peak resident since the last reset).
pub fn rss_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Resets the peak (VmHWM) to the current resident size (Linux: `clear_refs` value 5).
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Synthetic letters, shaped like real ones (long addresses, Japanese names).
pub fn sample_letters(count: usize) -> Vec<OfficeLetter> {
    (0..count)
        .map(|i| OfficeLetter {
            postal_code: format!("100-{:04}", i % 10_000),
            address: format!(
                "東京都千代田区千代田{}丁目{}番{}号 ベンチビル{}階",
                i % 9 + 1,
                i % 30 + 1,
                i % 20 + 1,
                i % 12 + 1
            ),
            name: format!("ベンチ介護サービス事業所{i}"),
            number: format!("13{i:08}"),
            issuer: "東京都国民健康保険団体連合会".into(),
            user_id: format!("KJ{i:013}"),
            login_password: format!("Tmp{i:08}Pw"),
            issuance_password: format!("Iss{i:08}Pw"),
        })
        .collect()
}

struct Stage {
    pdfs: usize,
    pages: usize,
    bytes: usize,
    seconds: f64,
    rss_before: u64,
    peak: u64,
    rss_after: u64,
}

fn line(out: &mut String, name: &str, s: &Stage) -> std::fmt::Result {
    writeln!(
        out,
        "{name:<28} {:>4} PDF {:>6} pages {:>8.1} MB {:>7.2} s {:>7.0} letters/s | RSS before {:>7.1} MiB, peak {:>7.1} MiB, after {:>7.1} MiB",
        s.pdfs,
        s.pages,
        s.bytes as f64 / 1e6,
        s.seconds,
        s.pages as f64 / s.seconds.max(1e-9),
        mib(s.rss_before),
        mib(s.peak),
        mib(s.rss_after),
    )
}

const DATE: &str = "2026年11月24日";
const HELPDESK: &str = "電子請求受付システム ヘルプデスク（受付時間 平日 9:00〜17:00）";

async fn render_one(letters: Vec<OfficeLetter>) -> anyhow::Result<usize> {
    let pdf = kaigo_docs::renders()
        .run(move || {
            kaigo_docs::office_letters_pdf_unbounded(
                OfficeLetterKind::Registration,
                DATE,
                HELPDESK,
                &letters,
            )
        })
        .await?;
    Ok(pdf.len())
}

/// Renders `count` letters in parts of `per_pdf` (0: all in one PDF) and measures it.
async fn stage(count: usize, per_pdf: usize) -> anyhow::Result<Stage> {
    let mut letters = sample_letters(count);
    reset_peak();
    let rss_before = rss_kib().0;
    let start = Instant::now();
    let mut bytes = 0;
    let mut pdfs = 0;
    if per_pdf == 0 {
        bytes = render_one(letters).await?;
        pdfs = 1;
    } else {
        for part in letter_parts(count, per_pdf).iter().rev() {
            let chunk = letters.split_off(part.first - 1);
            let pdf = kaigo_docs::renders()
                .run(move || {
                    kaigo_docs::office_letters_pdf(
                        OfficeLetterKind::Registration,
                        DATE,
                        HELPDESK,
                        &chunk,
                    )
                })
                .await?;
            bytes += pdf.len();
            pdfs += 1;
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let peak = rss_kib().1;
    // What is still resident once the allocator has had a moment to hand freed pages back.
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    let rss_after = rss_kib().0;
    Ok(Stage {
        pdfs,
        pages: count,
        bytes,
        seconds,
        rss_before,
        peak,
        rss_after,
    })
}

/// `per_pdf` 0 renders all letters in one PDF; `unpaged` renders them in one PDF too after
/// the parts, for comparison in the same run; `keep_cache` skips the eviction of typst's cache
/// after each render (the behaviour before it was added).
pub async fn run(
    count: usize,
    per_pdf: usize,
    unpaged: bool,
    keep_cache: bool,
) -> anyhow::Result<String> {
    let count = count.max(1);
    let per_pdf = per_pdf.min(kaigo_docs::MAX_LETTERS_PER_PDF);
    kaigo_docs::keep_cache_after_renders(keep_cache);
    let mut out = String::new();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    writeln!(
        out,
        "kaigo-pki bench letters — {count} letters, {} per PDF, {cores} cores, typst cache {}",
        if per_pdf == 0 {
            "all".to_owned()
        } else {
            per_pdf.to_string()
        },
        if keep_cache {
            "kept"
        } else {
            "evicted after each render"
        }
    )?;
    if !reset_peak() {
        writeln!(
            out,
            "(cannot reset the peak through /proc/self/clear_refs: peaks are since start)"
        )?;
    }
    // Fonts are loaded once per process: load them before measuring.
    render_one(sample_letters(1)).await?;
    writeln!(
        out,
        "RSS at start (fonts loaded): {:.1} MiB",
        mib(rss_kib().0)
    )?;

    let first = stage(count, per_pdf).await?;
    let name = if per_pdf == 0 {
        "one PDF".to_owned()
    } else {
        format!("parts of {per_pdf}")
    };
    line(&mut out, &name, &first)?;
    if unpaged && per_pdf != 0 {
        let one = stage(count, 0).await?;
        line(&mut out, "one PDF", &one)?;
        writeln!(
            out,
            "parts/one PDF: time {:.2}, peak growth {:.3}",
            first.seconds / one.seconds.max(1e-9),
            first.peak.saturating_sub(first.rss_before) as f64
                / one.peak.saturating_sub(one.rss_before).max(1) as f64
        )?;
    }
    Ok(out)
}
