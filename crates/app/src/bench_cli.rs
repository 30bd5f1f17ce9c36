//! The `kaigo-pki bench …` subcommands.

use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// A CRL of many entries signed by kaigo-pki and by `openssl ca -gencrl` from the same
    /// list: wall time and peak RSS of each.
    Crl {
        #[arg(long, default_value_t = 500_000)]
        entries: usize,
    },
    /// The OCSP responder over HTTP on loopback, cached and with nonces, against the raw
    /// signing rate of the responder key measured in the same run.
    Ocsp {
        /// Seconds of load per measurement.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Concurrent clients.
        #[arg(long, default_value_t = 16)]
        clients: usize,
    },
    /// The signing half of `bench crl`, run as a child process (not for direct use).
    #[command(hide = true)]
    CrlSign {
        #[arg(long)]
        ca_dir: std::path::PathBuf,
        #[arg(long)]
        entries: std::path::PathBuf,
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Issuance throughput: raw RSA key generation, PBKDF2, the pipeline and the HTTP flow.
    Issue {
        /// Certificates through the pipeline.
        #[arg(long, default_value_t = 60)]
        count: usize,
        /// Offices walking the whole HTTP flow.
        #[arg(long, default_value_t = 20)]
        http_count: usize,
        /// Rounds of limit and pipeline measurements (the median is reported).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// The issuance pipeline with the CA key in files and in the configured PKCS#11 token
    /// (KAIGO_PKI_HSM_*), alternately in the same run, and each key's raw signing rate.
    Hsm {
        /// Certificates through each pipeline per round.
        #[arg(long, default_value_t = 40)]
        count: usize,
        /// Rounds (the median is reported).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// CSV import throughput (validation, parallel hashing, one-transaction insert, letters).
    Import {
        /// Rows in the generated CSV.
        #[arg(long, default_value_t = 10_000)]
        rows: usize,
    },
    /// The claim period: logins, notice list, a notice, documents, applications; SQLite on
    /// one node, PostgreSQL on one and two nodes; nginx and Argon2id as baselines.
    Load {
        /// Seconds of browsing per setup (logins run a third of that before).
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// Concurrent users.
        #[arg(long, default_value_t = 200)]
        clients: usize,
        /// Offices registered.
        #[arg(long, default_value_t = 200)]
        offices: usize,
        /// PostgreSQL server to create the bench database in (trust or password in the URL);
        /// `none` for SQLite only.
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
        pg_url: String,
        /// Each user's pause after a page, ms: 0 saturates (throughput); e.g. 1000 measures
        /// the latency at that many reading users.
        #[arg(long, default_value_t = 0)]
        think_ms: u64,
    },
    /// `load`'s browsing on PostgreSQL before and after adding the national population;
    /// the latency ratio and the sequential scans counted meanwhile.
    Scale {
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 200)]
        clients: usize,
        /// Synthetic offices added.
        #[arg(long, default_value_t = 200_000)]
        offices: i64,
        /// Synthetic certificates added.
        #[arg(long, default_value_t = 1_000_000)]
        certificates: i64,
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
        pg_url: String,
    },
    /// The AIチャット over HTTP: every question of the question set asked by logged-in
    /// offices (POST /inquiry/chat and the page it leads to), against GET /healthz measured
    /// in the same run.
    Assist {
        /// Times each question is asked.
        #[arg(long, default_value_t = 5)]
        rounds: usize,
        /// Concurrent offices asking.
        #[arg(long, default_value_t = 1)]
        clients: usize,
    },
    /// Login throughput over HTTP and the latency of /healthz while logins run.
    Login {
        /// Seconds of load.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Concurrent clients, each logging in to its own office in a loop.
        #[arg(long, default_value_t = 16)]
        clients: usize,
    },
    /// Letters PDF rendering: time, pages, bytes and the process's peak memory.
    Letters {
        /// Letters to render.
        #[arg(long, default_value_t = 10_000)]
        count: usize,
        /// Letters per PDF, as the console prints a batch; 0: all in one PDF (the old way).
        #[arg(long, default_value_t = kaigo_core::deps::DEFAULT_LETTERS_PER_PDF)]
        per_pdf: usize,
        /// Then render all of them in one PDF too, for comparison in the same run.
        #[arg(long)]
        unpaged: bool,
        /// Keep typst's cache after each render (the old way) instead of evicting it.
        #[arg(long)]
        keep_cache: bool,
    },
}
