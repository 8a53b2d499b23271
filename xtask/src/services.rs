//! Test services installed and started by the tooling: a Python venv under `target/venv` with
//! moto (a local DynamoDB-, SES- and SNS-compatible server) and aiosmtpd (an SMTP server writing
//! to a Maildir), each started on a free loopback port; Debian's Chromium and a Java runtime, and
//! the npm packages of the browser suite.

use crate::{root, run_with};
use anyhow::{Context, Result, bail};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Python packages of the venv, pinned to a major version: the local AWS server (DynamoDB,
/// SES, SNS), the local SMTP server, the CloudFormation linter, and cargo-lambda with zig for the
/// arm64 Lambda builds.
const PYTHON_PACKAGES: &[&str] = &[
    "moto[server]>=5,<6",
    "aiosmtpd>=1.4,<2",
    "cfn-lint>=1,<2",
    "cargo-lambda>=1,<2",
    "ziglang>=0.13,<0.15",
];

/// A program of the venv.
pub(crate) fn venv_bin(name: &str) -> PathBuf {
    venv().join("bin").join(name)
}

/// The venv folder.
pub(crate) fn venv() -> PathBuf {
    root().join("target/venv")
}

/// Creates the venv and installs the packages when missing.
pub(crate) fn ensure_venv() -> Result<PathBuf> {
    let venv = venv();
    let python = venv.join("bin/python");
    if !python.exists() {
        run_with("python3", &["-m", "venv", &venv.to_string_lossy()], &[])
            .context("cannot create the Python venv (is python3 with venv installed?)")?;
    }
    if ["moto_server", "aiosmtpd", "cfn-lint", "cargo-lambda"]
        .iter()
        .any(|b| !venv.join("bin").join(b).exists())
    {
        let mut args = vec![
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ];
        args.extend_from_slice(PYTHON_PACKAGES);
        run_with(&python.to_string_lossy(), &args, &[])?;
    }
    Ok(venv)
}

/// A free loopback port.
pub(crate) fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// moto's server, answering one request at a time: the stock `moto_server` handles requests
/// in parallel threads without locking its tables, so two concurrent conditional writes can
/// both pass their condition, which DynamoDB never allows. Serialized, moto keeps DynamoDB's
/// guarantee that a conditional write or a transaction is atomic.
const MOTO_SERIAL: &str = r#"
import os, sys
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
os.environ.setdefault("MOTO_PORT", sys.argv[1])
run_simple("127.0.0.1", int(sys.argv[1]), DomainDispatcherApplication(create_backend_app),
           threaded=False, request_handler=MotoRequestHandler)
"#;

/// A running moto server, stopped when dropped.
pub(crate) struct Moto {
    child: Child,
    port: u16,
}

impl Moto {
    /// Installs (if needed) and starts moto, waiting until it accepts connections.
    pub(crate) fn start() -> Result<Moto> {
        let venv = ensure_venv()?;
        let port = free_port()?;
        eprintln!("\n==> moto_server on 127.0.0.1:{port}");
        let child = Command::new(venv.join("bin/python"))
            .args(["-c", MOTO_SERIAL, &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start moto_server")?;
        let moto = Moto { child, port };
        wait_for("moto_server", port)?;
        Ok(moto)
    }

    /// The endpoint URL for the AWS SDK.
    pub(crate) fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Waits until `port` on the loopback accepts connections.
fn wait_for(name: &str, port: u16) -> Result<()> {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if start.elapsed() > Duration::from_secs(30) {
            bail!("{name} did not start listening on port {port} within 30 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// A running SMTP server (aiosmtpd) that writes every message it accepts into a Maildir,
/// stopped (and its Maildir deleted) when dropped.
pub(crate) struct SmtpSink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    /// Installs (if needed) and starts aiosmtpd, waiting until it accepts connections.
    pub(crate) fn start() -> Result<SmtpSink> {
        let venv = ensure_venv()?;
        let port = free_port()?;
        let dir = tempfile::Builder::new()
            .prefix("smtp-")
            .tempdir_in(root().join("target"))?;
        // Python's Maildir makes its `new`, `cur` and `tmp` folders only when it creates the
        // Maildir itself.
        let maildir = dir.path().join("Maildir");
        eprintln!("\n==> aiosmtpd on 127.0.0.1:{port}");
        let child = Command::new(venv.join("bin/python"))
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start aiosmtpd")?;
        let sink = SmtpSink { child, port, dir };
        wait_for("aiosmtpd", port)?;
        Ok(sink)
    }

    /// `host:port` of the server.
    pub(crate) fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The Maildir it writes to.
    pub(crate) fn maildir(&self) -> String {
        self.dir
            .path()
            .join("Maildir")
            .to_string_lossy()
            .into_owned()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Installs Debian packages with apt-get (as root, as on the project's machines).
fn apt_install(packages: &[&str]) -> Result<()> {
    run_with("apt-get", &["update", "-qq"], &[])?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend_from_slice(packages);
    run_with("apt-get", &args, &[("DEBIAN_FRONTEND", "noninteractive")])
}

fn has(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `chattr` (e2fsprogs), with which a test makes the store's file immutable for a while.
pub(crate) fn ensure_chattr() -> Result<()> {
    if !std::path::Path::new("/usr/bin/chattr").exists() {
        apt_install(&["e2fsprogs"]).context("cannot install e2fsprogs (chattr)")?;
    }
    Ok(())
}

/// Chromium (Debian's, never a downloaded browser), Java for the HTML checker, the npm
/// packages; then the browser suite with node's test runner.
pub(crate) fn browser_suite() -> Result<()> {
    let mut missing = Vec::new();
    if !std::path::Path::new("/usr/bin/chromium").exists() {
        missing.push("chromium");
    }
    if !has("java", "-version") {
        missing.push("default-jre-headless");
    }
    if !missing.is_empty() {
        apt_install(&missing).context("cannot install the browser suite's Debian packages")?;
    }
    let dir = root().join("tests/browser");
    let dir_str = dir.to_string_lossy().to_string();
    run_with(
        "npm",
        &[
            "install",
            "--prefix",
            &dir_str,
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
        ],
        &[],
    )?;
    let bin = root().join("target/debug/musharaka");
    let root_dir = root();
    eprintln!("\n==> node --test (browser suite)");
    let status = Command::new("node")
        .args(["--test", "--test-concurrency=1"])
        .current_dir(&dir)
        .env("MUSHARAKA_BIN", &bin)
        .env("MUSHARAKA_ROOT", &root_dir)
        .status()
        .context("cannot start node")?;
    if !status.success() {
        bail!("the browser suite failed ({status}); screenshots are in target/browser-artifacts");
    }
    Ok(())
}
