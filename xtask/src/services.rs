//! Test services installed and started by the tooling: a Python venv under `target/venv` with
//! moto (a local DynamoDB-compatible server), started on a free loopback port.

use crate::{root, run_with};
use anyhow::{Context, Result, bail};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Python packages of the venv, pinned to a major version.
const PYTHON_PACKAGES: &[&str] = &["moto[server]>=5,<6"];

/// The venv folder.
pub fn venv() -> PathBuf {
    root().join("target/venv")
}

/// Creates the venv and installs the packages when missing.
pub fn ensure_venv() -> Result<PathBuf> {
    let venv = venv();
    let python = venv.join("bin/python");
    if !python.exists() {
        run_with("python3", &["-m", "venv", &venv.to_string_lossy()], &[])
            .context("cannot create the Python venv (is python3 with venv installed?)")?;
    }
    if !venv.join("bin/moto_server").exists() {
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
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A running moto server, stopped when dropped.
pub struct Moto {
    child: Child,
    port: u16,
}

impl Moto {
    /// Installs (if needed) and starts moto, waiting until it accepts connections.
    pub fn start() -> Result<Moto> {
        let venv = ensure_venv()?;
        let port = free_port()?;
        eprintln!("\n==> moto_server on 127.0.0.1:{port}");
        let child = Command::new(venv.join("bin/moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start moto_server")?;
        let moto = Moto { child, port };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if start.elapsed() > Duration::from_secs(30) {
                bail!("moto_server did not start listening on port {port} within 30 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(moto)
    }

    /// The endpoint URL for the AWS SDK.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}
