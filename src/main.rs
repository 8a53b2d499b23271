//! `musharaka`: the command-line tool of the Musharaka portal. Parses arguments and hands
//! over to the generator (`build`, `check`, `new`), the local server (`serve`) and the
//! stores (`publish`, `moderate`, `export`, `purge`, `disputes`, `invalidate`, `signatures`),
//! and the published site (`refresh`). Started by a Lambda runtime for a scheduled job, it runs
//! that job instead (`cmd::jobs`).

mod cmd;

/// A faster allocator for a build that allocates many small strings on every thread.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Petitions, legislative motions and public consultations: build and serve the portal.
#[derive(Parser)]
#[command(name = "musharaka", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into a folder (by default `public/`).
    Build {
        /// Folder holding `content/` and `site-theme/`.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder (relative paths are taken from the current folder).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Base URL to publish at, instead of the one in `content/site.toml`.
        #[arg(long)]
        base_url: Option<String>,
        /// Show the counts and approved comments of this store (`sqlite:PATH` or
        /// `dynamodb:TABLE`).
        #[arg(long)]
        store: Option<String>,
    },
    /// Validate the content and theme without writing anything.
    Check {
        /// Folder holding `content/` and `site-theme/`.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Build, serve on 127.0.0.1 and rebuild when content or theme change.
    Serve {
        /// Folder holding `content/` and `site-theme/`.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// Output folder.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Data folder: the embedded store and the local secrets (default `data/` in the root).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Submissions accepted per client address, as `max/seconds` (default 20/60).
        #[arg(long)]
        rate_limit: Option<String>,
    },
    /// Load `catalog.json` into a store, where the functions read it.
    Publish {
        /// `sqlite:PATH` or `dynamodb:TABLE`.
        #[arg(long)]
        store: String,
        /// The catalog written by `build`.
        #[arg(long, default_value = "public/catalog.json")]
        catalog: PathBuf,
        /// Create the DynamoDB table first, as the deployment template defines it (for a
        /// local DynamoDB-compatible server).
        #[arg(long)]
        create_table: bool,
        /// Data folder holding the local keys when they are not in the environment (to count
        /// the committees of accepted proposals as their first signatures).
        #[arg(long, default_value = "data")]
        data: PathBuf,
    },
    /// Review citizens' proposals of petitions and motions: list, show, accept, reject or send
    /// back for changes.
    Proposals {
        /// `sqlite:PATH` or `dynamodb:TABLE`.
        #[arg(long)]
        store: String,
        #[command(subcommand)]
        action: cmd::proposals::Action,
    },
    /// Export what the law requires for filing.
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Moderate comments: list the pending ones, show, approve or reject one.
    Moderate {
        /// `sqlite:PATH` or `dynamodb:TABLE`.
        #[arg(long)]
        store: String,
        #[command(subcommand)]
        action: cmd::moderate::Action,
    },
    /// Contested signatures: list, show, keep or strike them.
    Disputes {
        /// `sqlite:PATH` or `dynamodb:TABLE`.
        #[arg(long)]
        store: String,
        #[command(subcommand)]
        action: cmd::disputes::Action,
    },
    /// Strike fraudulent signatures of an initiative: they stop counting and leave exports.
    Invalidate {
        /// Initiative id.
        initiative: String,
        /// `sqlite:PATH` or `dynamodb:TABLE`.
        #[arg(long)]
        store: String,
        #[command(flatten)]
        filter: cmd::signatures::Filter,
        /// Why, logged with the action.
        #[arg(long)]
        reason: String,
        /// Your name, logged with the action.
        #[arg(long)]
        operator: String,
        /// Show how many signatures match, and strike nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Signatures of an initiative, without personal data.
    Signatures {
        #[command(subcommand)]
        what: SignaturesWhat,
    },
    /// Delete signers' personal data past the retention policy of `site.toml` (counts stay),
    /// and the signatures past their deadline, whatever their initiative.
    Purge {
        /// `sqlite:PATH` or `dynamodb:TABLE`.
        #[arg(long)]
        store: String,
        /// The catalog written by `build`, with the policy and each initiative's state.
        #[arg(long, default_value = "public/catalog.json")]
        catalog: PathBuf,
        /// Your name, logged with each deletion.
        #[arg(long)]
        operator: String,
        /// Show what would be deleted, and delete nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Render again the published pages whose counts, forms or days left changed, write them
    /// to the site's S3 bucket and invalidate them on its CloudFront distribution (what the
    /// scheduled `refresh` Lambda does).
    Refresh {
        /// Folder holding `content/` and `site-theme/` as published.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// `dynamodb:TABLE` (or `sqlite:PATH`).
        #[arg(long)]
        store: String,
        /// The bucket the site is published in.
        #[arg(long)]
        bucket: String,
        /// The CloudFront distribution in front of it.
        #[arg(long)]
        distribution: Option<String>,
    },
    /// Copy the embedded store into one file, while the portal keeps serving: a backup that
    /// opens alone (DynamoDB has its own: point-in-time recovery).
    Backup {
        /// `sqlite:PATH`.
        #[arg(long)]
        store: String,
        /// The new file (refused if it exists).
        out: PathBuf,
    },
    /// Create the three language files of a new page.
    New {
        /// page, section, guide, petition, motion or consultation.
        #[arg(value_parser = cmd::new::kinds())]
        kind: musharaka_generator::Kind,
        /// Path under `content/` without language or extension, such as `petitions/water-for-tahannaout`.
        name: String,
        /// Folder holding `content/`.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

/// Threads that render and write pages: a build spends much of its time in file system calls,
/// so a few threads per core keep the cores busy while others wait.
fn configure_threads() {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads((cores * 4).clamp(4, 32))
        .build_global();
}

#[derive(Subcommand)]
enum SignaturesWhat {
    /// What an operator needs to spot fraud: confirmations per hour, per client-address hash,
    /// per contact domain or calling code, per region, and requests never confirmed.
    Stats {
        /// Initiative id.
        initiative: String,
        /// `sqlite:PATH` or `dynamodb:TABLE`.
        #[arg(long)]
        store: String,
    },
}

#[derive(Subcommand)]
enum ExportWhat {
    /// The signers of a petition or motion, decrypted, as CSV and as a printable page.
    Signatures {
        /// Initiative id.
        initiative: String,
        /// `sqlite:PATH` or `dynamodb:TABLE`.
        #[arg(long)]
        store: String,
        /// Your name, logged with the export.
        #[arg(long)]
        exporter: String,
        /// Folder to write the files in.
        #[arg(long, default_value = "exports")]
        out: PathBuf,
        /// Data folder holding the local keys when they are not in the environment.
        #[arg(long, default_value = "data")]
        data: PathBuf,
    },
}

fn main() -> ExitCode {
    if let Some(job) = cmd::jobs::lambda_job() {
        return cmd::jobs::serve(&job).unwrap_or_else(|e| {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        });
    }
    let cli = Cli::parse();
    configure_threads();
    let result = match cli.command {
        Command::Build {
            root,
            out,
            base_url,
            store,
        } => cmd::build::run(&root, out, base_url.as_deref(), store.as_deref()),
        Command::Check { root } => cmd::check::run(&root),
        Command::Serve {
            root,
            port,
            out,
            data,
            rate_limit,
        } => cmd::serve::run(cmd::serve::ServeOptions {
            out: cmd::build::out_dir(&root, out),
            data: data.unwrap_or_else(|| root.join("data")),
            root,
            port,
            rate_limit,
        }),
        Command::New { kind, name, root } => cmd::new::run(&root, kind, &name),
        Command::Moderate { store, action } => cmd::moderate::run(&store, action),
        Command::Disputes { store, action } => cmd::disputes::run(&store, action),
        Command::Invalidate {
            initiative,
            store,
            filter,
            reason,
            operator,
            dry_run,
        } => cmd::signatures::invalidate(&store, &initiative, &filter, &reason, &operator, dry_run),
        Command::Signatures {
            what: SignaturesWhat::Stats { initiative, store },
        } => cmd::signatures::stats(&store, &initiative),
        Command::Export {
            what:
                ExportWhat::Signatures {
                    initiative,
                    store,
                    exporter,
                    out,
                    data,
                },
        } => cmd::export::run(&store, &initiative, &exporter, &out, &data),
        Command::Publish {
            store,
            catalog,
            create_table,
            data,
        } => cmd::publish::run(&store, &catalog, create_table, &data),
        Command::Proposals { store, action } => cmd::proposals::run(&store, action),
        Command::Backup { store, out } => cmd::backup::run(&store, &out),
        Command::Purge {
            store,
            catalog,
            operator,
            dry_run,
        } => cmd::purge::run(&store, &catalog, &operator, dry_run),
        Command::Refresh {
            root,
            store,
            bucket,
            distribution,
        } => cmd::refresh::run(&root, &store, &bucket, distribution.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            match e.downcast_ref::<musharaka_generator::SiteErrors>() {
                // Already one `error: file:line: message` per line.
                Some(errors) => eprintln!("{errors}"),
                None => eprintln!("error: {e:#}"),
            }
            ExitCode::FAILURE
        }
    }
}
