use std::process::ExitCode;

/// mimalloc instead of the C library's allocator: glibc keeps what a large render freed (the
/// process stays at its peak after a letters PDF), mimalloc hands freed pages back to the
/// system shortly after, so a node's memory returns once a render ends (issue 8 §4).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use kaigo_pki::bench_cli::BenchCommand;
use kaigo_pki::cli::{
    AdminCommand, AuditCommand, CertCommand, Cli, Command, FeeCommand, NoticeCommand, OfficeCommand,
};
use kaigo_pki::datadir::DataDir;
use kaigo_pki::{admin, bench, cert, demo, fee, init, notice, office, serve, wiring};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            // One line: clap's reason without the usage block.
            let text = e.render().to_string();
            let reason = text.lines().next().unwrap_or("invalid arguments");
            eprintln!("{reason} (see kaigo-pki --help)");
            return ExitCode::from(2);
        }
    };
    kaigo_pki::logging::init(&cli.data_dir);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: the reason and its causes.
            let chain: Vec<String> = e.chain().map(ToString::to_string).collect();
            eprintln!("error: {}", chain.join(": "));
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let dir = DataDir::new(cli.data_dir);
    match cli.command {
        Command::Init {
            root_cert,
            root_crl,
        } => {
            let root = match (root_cert, root_crl) {
                (Some(cert), Some(crl)) => Some(init::OfflineRoot::read(&cert, &crl)?),
                _ => None,
            };
            let config = kaigo_pki::config::AppConfig::load(&dir)?;
            let report = init::init_with_root(&dir, &config, root.as_ref()).await?;
            print!("{}", kaigo_pki::print_init(&dir, &report));
        }
        Command::Office {
            command:
                OfficeCommand::Add {
                    number,
                    name,
                    kind,
                    email,
                    prefecture,
                    postal_code,
                    address,
                    json,
                },
        } => {
            let r = office::add(
                &dir,
                office::AddArgs {
                    number,
                    name,
                    kind,
                    email,
                    prefecture,
                    postal_code,
                    address,
                },
            )
            .await?;
            if json {
                println!("{}", office::to_json(&r));
            } else {
                print!("{}", office::to_text(&r));
            }
        }
        Command::Office {
            command:
                OfficeCommand::Import {
                    file,
                    valid_only,
                    letters,
                    json,
                },
        } => {
            let args = kaigo_pki::office_import::ImportArgs {
                file,
                valid_only,
                letters,
                json,
            };
            let (outcome, paths) = kaigo_pki::office_import::import(&dir, &args).await?;
            let (out, err) = kaigo_pki::office_import::report_text(&outcome, &paths);
            if args.json {
                println!(
                    "{}",
                    kaigo_pki::office_import::report_json(&outcome, &paths)
                );
            } else {
                print!("{out}");
            }
            eprint!("{err}");
            if outcome.registered.is_none() {
                std::process::exit(1);
            }
        }
        Command::Verify {
            file,
            password,
            url,
            root,
            json,
        } => {
            kaigo_pki::verify::run(
                &dir,
                &kaigo_pki::verify::VerifyArgs {
                    file: &file,
                    password: password.as_deref(),
                    json,
                    url: url.as_deref(),
                    root: root.as_deref(),
                },
            )
            .await?;
        }
        Command::Audit { command } => {
            dir.require_initialised()?;
            let text = match command {
                AuditCommand::Checkpoint => kaigo_pki::audit::checkpoint(&dir).await?,
                AuditCommand::Verify => kaigo_pki::audit::verify(&dir).await?,
                AuditCommand::Export { out } => kaigo_pki::audit::export(&dir, &out).await?,
            };
            print!("{text}");
        }
        Command::Assist { command } => {
            let (text, met) = kaigo_pki::assist_eval::run(command);
            print!("{text}");
            if !met {
                std::process::exit(1);
            }
        }
        Command::Ca { command } => {
            print!("{}", kaigo_pki::ceremony::run(&dir, command).await?);
        }
        Command::Relying {
            service,
            listen,
            ca_url,
            root,
        } => {
            kaigo_pki::relying_example::run(&service, listen, &ca_url, root.as_deref()).await?;
        }
        Command::Serve {
            listen,
            tls_listen,
            metrics_listen,
        } => {
            dir.require_initialised()?;
            let mut config = kaigo_pki::config::AppConfig::load(&dir)?;
            if let Some(at) = metrics_listen {
                config.server.metrics_listen = at.to_string();
            }
            kaigo_pki::public_url::resolve(&mut config, listen)?;
            let app = wiring::open_with(&dir, true, config).await?;
            print!("{}", serve::published_urls(&app));
            let running = serve::start_with(app, listen, tls_listen).await?;
            serve::stop_on_signals(running.stopper());
            if let Some(tls) = running.tls_addr {
                println!("証明書の確認 (HTTPS, client certificate): https://{tls}/check");
            }
            if let Some(m) = running.metrics_addr {
                println!("metrics (Prometheus): http://{m}/metrics");
            }
            println!("kaigo-pki portal: http://{}/login", running.addr);
            running.wait().await?;
        }
        Command::Demo { listen, tls_listen } => {
            let (app, text) = demo::prepare(&dir, listen).await?;
            print!("{text}");
            print!("{}", serve::published_urls(&app));
            let running = serve::start_with(app, listen, tls_listen).await?;
            serve::stop_on_signals(running.stopper());
            if let Some(tls) = running.tls_addr {
                println!("証明書の確認 (HTTPS, client certificate): https://{tls}/check");
            }
            println!(
                "kaigo-pki portal: http://{}/login  (Ctrl-C to stop)",
                running.addr
            );
            running.wait().await?;
        }
        Command::Notice {
            command:
                NoticeCommand::Add {
                    title,
                    category,
                    body,
                    office,
                    prefecture,
                    attach,
                    days,
                    json,
                },
        } => {
            let posted = notice::add(
                &dir,
                notice::AddArgs {
                    title,
                    category,
                    body,
                    office,
                    prefecture,
                    attach,
                    days,
                },
            )
            .await?;
            if json {
                println!("{}", notice::to_json(&posted));
            } else {
                println!("{}", notice::to_text(&posted));
            }
        }
        Command::Fee {
            command:
                FeeCommand::Pay {
                    office,
                    amount,
                    method,
                },
        } => {
            let balance = fee::pay(&dir, &office, amount, method).await?;
            println!(
                "recorded a payment of {amount} yen for office {office}; balance now {balance} yen"
            );
        }
        Command::Cert {
            command: CertCommand::List { office, json },
        } => {
            let rows = cert::list(&dir, office.as_deref()).await?;
            if json {
                println!("{rows}");
            } else {
                for c in rows.as_array().into_iter().flatten() {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        c["serial"].as_str().unwrap_or(""),
                        c["office"].as_str().unwrap_or(""),
                        c["kind"].as_str().unwrap_or(""),
                        c["status"].as_str().unwrap_or(""),
                        c["not_after"].as_str().unwrap_or(""),
                        c["reason"].as_str().unwrap_or("")
                    );
                }
            }
        }
        Command::Cert {
            command:
                CertCommand::Revoke {
                    serial,
                    reason,
                    invalidity_date,
                },
        } => {
            let revoked = cert::revoke(&dir, &serial, &reason, &invalidity_date).await?;
            println!(
                "revoked certificate {} ({})",
                revoked["serial"].as_str().unwrap_or(&serial),
                revoked["reason"].as_str().unwrap_or(&reason)
            );
        }
        Command::Admin {
            command:
                AdminCommand::Add {
                    login,
                    role,
                    prefecture,
                    json,
                },
        } => {
            let created = admin::add(&dir, &login, &role, prefecture.as_deref()).await?;
            if json {
                println!("{}", admin::to_json(&created));
            } else {
                print!("{}", admin::to_text(&created));
            }
        }
        Command::Bench {
            command:
                BenchCommand::Issue {
                    count,
                    http_count,
                    rounds,
                },
        } => {
            let report = bench::run(count, http_count, rounds).await?;
            print!("{report}");
        }
        Command::Bench {
            command: BenchCommand::Hsm { count, rounds },
        } => {
            print!("{}", kaigo_pki::bench_hsm::run(count, rounds).await?);
        }
        Command::Bench {
            command: BenchCommand::Import { rows },
        } => {
            print!("{}", kaigo_pki::bench_import::run(rows).await?);
        }
        Command::Bench {
            command: BenchCommand::Crl { entries },
        } => {
            print!("{}", kaigo_pki::bench_crl::run(entries)?);
        }
        Command::Bench {
            command:
                BenchCommand::CrlSign {
                    ca_dir,
                    entries,
                    out,
                },
        } => {
            kaigo_pki::bench_crl::sign_child(&ca_dir, &entries, &out)?;
        }
        Command::Bench {
            command: BenchCommand::Ocsp { seconds, clients },
        } => {
            print!("{}", kaigo_pki::bench_ocsp::run(seconds, clients).await?);
        }
        Command::Bench {
            command:
                BenchCommand::Load {
                    seconds,
                    clients,
                    offices,
                    pg_url,
                    think_ms,
                },
        } => {
            let args = kaigo_pki::bench_load::LoadArgs {
                seconds,
                clients,
                offices,
                pg_url: (pg_url != "none").then_some(pg_url),
                think_ms,
            };
            print!("{}", kaigo_pki::bench_load::run(args).await?);
        }
        Command::Bench {
            command:
                BenchCommand::Scale {
                    seconds,
                    clients,
                    offices,
                    certificates,
                    pg_url,
                },
        } => {
            let args = kaigo_pki::bench_scale::ScaleArgs {
                load: kaigo_pki::bench_load::LoadArgs {
                    seconds,
                    clients,
                    offices: clients,
                    pg_url: Some(pg_url),
                    think_ms: 0,
                },
                offices,
                certificates,
            };
            print!("{}", kaigo_pki::bench_scale::run(args).await?);
        }
        Command::Bench {
            command: BenchCommand::Assist { rounds, clients },
        } => {
            print!("{}", kaigo_pki::bench_assist::run(rounds, clients).await?);
        }
        Command::Bench {
            command: BenchCommand::Login { seconds, clients },
        } => {
            print!("{}", kaigo_pki::bench_login::run(seconds, clients).await?);
        }
        Command::Bench {
            command:
                BenchCommand::Letters {
                    count,
                    per_pdf,
                    unpaged,
                    keep_cache,
                },
        } => {
            print!(
                "{}",
                kaigo_pki::bench_letters::run(count, per_pdf, unpaged, keep_cache).await?
            );
        }
    }
    Ok(())
}
