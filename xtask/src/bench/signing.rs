//! The signing surge on `serve` and its SQLite store, in two steps as signers go: wrk sends
//! signing requests (distinct signers, each with its own email address), the local sender
//! writes each code into the outbox folder, then wrk confirms every request with the code read
//! from its message. Both steps are measured; the count must equal the signatures stored.

use super::measure::{get, serve};
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// One step of the surge, as wrk measured it.
pub(super) struct Step {
    /// Seconds of load.
    pub seconds: u64,
    /// Requests per second (all answers).
    pub requests_per_sec: f64,
    /// Median latency as wrk prints it.
    pub p50: String,
    /// 99th percentile.
    pub p99: String,
    /// Answers with the step's success code.
    pub done: u64,
}

/// What the surge measured.
pub(super) struct Signing {
    /// Signing requests.
    pub request: Step,
    /// Confirmations.
    pub confirm: Step,
    /// Codes delivered to the outbox folder.
    pub delivered: usize,
    /// How long the sender took to deliver them after the requests stopped.
    pub drain: Duration,
    /// The count the store gives afterwards.
    pub final_count: u64,
    /// Signature rows stored, read from the SQLite file.
    pub rows: u64,
}

const COMMON_LUA: &str = r#"
succeeded = 0
local threads = {}
local thread_id = 0
function setup(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
  table.insert(threads, thread)
end
function response(status, headers, body)
  if string.find(body, SUCCESS, 1, true) then succeeded = succeeded + 1 end
end
function done_total()
  local n = 0
  for _, thread in ipairs(threads) do n = n + thread:get("succeeded") end
  return n
end
function done(summary, latency, requests)
  io.write(string.format("DONE %d\n", done_total()))
end
"#;

const REQUEST_LUA: &str = r#"
SUCCESS = '"code":"code-sent"'
counter = 0
function request()
  counter = counter + 1
  local letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
  local t = tid % 23 + 1
  local h = math.floor(counter / 1000000) % 23 + 1
  local cin = string.sub(letters, t, t) .. string.sub(letters, h, h) .. string.format("%06d", counter % 1000000)
  local body = "initiative=" .. INITIATIVE .. "&lang=fr&first_name=Amina&family_name=Alaoui&cin=" .. cin ..
    "&address=Rabat&region=MA-04&contact=s" .. tid .. "-" .. counter .. "%40bench.example&attest_electoral=on&consent=on"
  return wrk.format("POST", "/api/sign", {["Content-Type"] = "application/x-www-form-urlencoded", ["Accept"] = "application/json", ["Origin"] = ORIGIN}, body)
end
"#;

const CONFIRM_LUA: &str = r#"
SUCCESS = '"code":"signed"'
codes = {}
for line in io.lines(PAIRS) do table.insert(codes, line) end
counter = 0
function request()
  -- Thread t takes the pairs t, t + THREADS, t + 2 THREADS...
  local i = (counter * THREADS + tid) % #codes + 1
  counter = counter + 1
  local reference, code = string.match(codes[i], "(%S+) (%S+)")
  local body = "lang=fr&reference=" .. reference .. "&code=" .. code
  return wrk.format("POST", "/api/confirm", {["Content-Type"] = "application/x-www-form-urlencoded", ["Accept"] = "application/json", ["Origin"] = ORIGIN}, body)
end
"#;

/// wrk threads and connections.
const THREADS: usize = 2;
const CONNECTIONS: usize = 64;

fn wrk(addr: &str, script: &Path, seconds: u64) -> Result<Step> {
    let out = Command::new("wrk")
        .args([
            &format!("-t{THREADS}"),
            &format!("-c{CONNECTIONS}"),
            &format!("-d{seconds}s"),
            "--latency",
            "-s",
            &script.to_string_lossy(),
            &format!("http://{addr}"),
        ])
        .output()
        .context("cannot run wrk")?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let find = |prefix: &str| -> String {
        text.lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .map(|l| l.split_whitespace().last().unwrap_or("").to_string())
            .unwrap_or_default()
    };
    let done = text
        .lines()
        .find_map(|l| l.strip_prefix("DONE "))
        .and_then(|n| n.trim().parse().ok())
        .with_context(|| format!("wrk printed no totals:\n{text}"))?;
    Ok(Step {
        seconds,
        requests_per_sec: find("Requests/sec:").parse().unwrap_or(0.0),
        p50: find("50%"),
        p99: find("99%"),
        done,
    })
}

/// The (reference, code) of every code message in the outbox folder.
fn codes(outbox: &Path) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(outbox)? {
        let text = std::fs::read_to_string(entry?.path())?;
        // The email's link: `…/confirm/#r=<reference>&c=<code>`.
        if let Some(rest) = text.split("#r=").nth(1)
            && let Some((reference, tail)) = rest.split_once("&c=")
        {
            out.push((reference.to_string(), tail.chars().take(6).collect()));
        }
    }
    Ok(out)
}

/// Waits until the outbox folder holds `expected` messages and stops growing.
fn drained(outbox: &Path, expected: u64) -> Result<(usize, Duration)> {
    let start = Instant::now();
    let mut last = (0, Instant::now());
    loop {
        let n = std::fs::read_dir(outbox).map(|d| d.count()).unwrap_or(0);
        if n != last.0 {
            last = (n, Instant::now());
        }
        let settled = last.1.elapsed() > Duration::from_millis(500);
        if (n as u64 >= expected && settled) || last.1.elapsed() > Duration::from_secs(30) {
            return Ok((n, start.elapsed() - last.1.elapsed().min(start.elapsed())));
        }
        if start.elapsed() > Duration::from_secs(300) {
            bail!("the outbox holds {n} of {expected} messages after 300 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The surge on `serve` with the repository's content.
pub(super) fn signing(root: &Path, work: &Path) -> Result<Signing> {
    let dir = work.join("signing");
    std::fs::create_dir_all(&dir)?;
    let server = serve(root, &dir, &["--rate-limit", "1000000000/60"])?;
    let catalog: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        dir.join("serve-public/catalog.json"),
    )?)?;
    let id = catalog["entries"]
        .as_array()
        .and_then(|e| {
            e.iter().find(|e| {
                e["kind"] == "petition"
                    && e["state"] == "collecting"
                    && e["target"]["authority"] == "head-of-government"
            })
        })
        .and_then(|e| e["id"].as_str())
        .context("no collecting petition to the Head of Government in the content")?
        .to_string();
    let header = format!(
        "INITIATIVE = \"{id}\"\nORIGIN = \"http://{}\"\nTHREADS = {THREADS}\n",
        server.addr
    );
    let script = dir.join("request.lua");
    std::fs::write(&script, format!("{header}{COMMON_LUA}{REQUEST_LUA}"))?;
    let request = wrk(&server.addr, &script, 10)?;

    let outbox = dir.join("serve-data/outbox");
    let (delivered, drain) = drained(&outbox, request.done)?;
    let pairs = codes(&outbox)?;
    let list = dir.join("pairs.txt");
    let lines: String = pairs.iter().map(|(r, c)| format!("{r} {c}\n")).collect();
    std::fs::write(&list, lines)?;
    let script = dir.join("confirm.lua");
    std::fs::write(
        &script,
        format!(
            "{header}PAIRS = \"{}\"\n{COMMON_LUA}{CONFIRM_LUA}",
            list.display()
        ),
    )?;
    // Shorter than the requests, so that every confirmation is a first one.
    let confirm = wrk(&server.addr, &script, 5)?;

    let body = get(&server.addr, &format!("/api/counts?ids={id}"))?;
    let json = body.split("\r\n\r\n").nth(1).unwrap_or("{}");
    let counts: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    let final_count = counts["counts"][&id]["total"].as_u64().unwrap_or(0);
    let db = dir.join("serve-data/musharaka.sqlite3");
    let rows = Command::new("python3")
        .args(["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM signatures WHERE initiative = ?', (sys.argv[2],)).fetchone()[0])"])
        .arg(&db)
        .arg(&id)
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(0);
    Ok(Signing {
        request,
        confirm,
        delivered,
        drain,
        final_count,
        rows,
    })
}
