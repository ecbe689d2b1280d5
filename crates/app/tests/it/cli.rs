//! The binary itself: help, settings, first administrator, migrate, backup.

use crate::support::TempDir;
use std::process::Command;

fn skillbridge(dir: &TempDir) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_skillbridge"));
    cmd.current_dir(&dir.0).env("SKILLBRIDGE_LOG", "warn");
    for (key, _) in
        std::env::vars().filter(|(k, _)| k.starts_with("SKILLBRIDGE_") && k != "SKILLBRIDGE_LOG")
    {
        cmd.env_remove(key);
    }
    cmd
}

fn run(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd.output().expect("the binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_lists_every_subcommand() {
    let dir = TempDir::new();
    let (ok, out, _) = run(skillbridge(&dir).arg("--help"));
    assert!(ok);
    for sub in [
        "serve", "demo", "migrate", "admin", "config", "backup", "schedule", "import", "export",
    ] {
        assert!(out.contains(sub), "--help lists {sub}:\n{out}");
    }
}

#[test]
fn config_show_redacts_and_names_sources() {
    let dir = TempDir::new();
    std::fs::write(
        dir.0.join("skillbridge.toml"),
        "listen = \"127.0.0.1:9191\"\n",
    )
    .unwrap();
    let (ok, out, err) = run(skillbridge(&dir)
        .env(
            "SKILLBRIDGE_DATABASE_URL",
            "postgres://app:topsecret@db.example/sb",
        )
        .args(["--data-dir", "/srv/sb", "config", "show"]));
    assert!(ok, "{err}");
    assert!(!out.contains("topsecret"), "{out}");
    assert!(out.contains("postgres://app:***@db.example/sb"));
    assert!(
        out.lines().any(|l| l.starts_with("listen")
            && l.contains("127.0.0.1:9191")
            && l.contains("file skillbridge.toml")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("data_dir") && l.contains("# flag")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("database_url") && l.contains("env SKILLBRIDGE_DATABASE_URL")),
        "{out}"
    );
    let (ok, _, err) = run(skillbridge(&dir)
        .env("SKILLBRIDGE_SESSION_HOURS", "lots")
        .args(["config", "show"]));
    assert!(!ok);
    assert!(
        err.contains("SKILLBRIDGE_SESSION_HOURS"),
        "the error names the variable: {err}"
    );
}

#[test]
fn first_admin_then_migrate_then_backup_on_the_default_sqlite() {
    let dir = TempDir::new();
    let short = dir.0.join("short.txt");
    std::fs::write(&short, "short\n").unwrap();
    let (ok, _, err) = run(skillbridge(&dir)
        .args([
            "admin",
            "create",
            "--username",
            "root-admin",
            "--password-file",
        ])
        .arg(&short));
    assert!(!ok, "a weak password is refused");
    assert!(err.contains("password"), "{err}");
    let pw = dir.0.join("pw.txt");
    std::fs::write(&pw, "a long and careful password\n").unwrap();
    let (ok, out, err) = run(skillbridge(&dir)
        .args([
            "admin",
            "create",
            "--username",
            "root-admin",
            "--password-file",
        ])
        .arg(&pw));
    assert!(ok, "{err}");
    assert!(out.contains("root-admin"));
    assert!(
        dir.0.join("data/skillbridge.db").exists(),
        "zero-configuration database in ./data"
    );
    let (ok, out, _) = run(skillbridge(&dir).arg("migrate"));
    assert!(ok && out.contains("up to date"));
    let (ok, token, err) =
        run(skillbridge(&dir).args(["admin", "token", "--username", "root-admin"]));
    assert!(ok, "{err}");
    assert!(token.trim().starts_with("sb_"));
    let (ok, _, err) = run(skillbridge(&dir)
        .args(["backup", "--out"])
        .arg(dir.0.join("copy.db")));
    assert!(ok, "{err}");
    assert!(std::fs::metadata(dir.0.join("copy.db")).unwrap().len() > 0);
    let (ok, _, err) = run(skillbridge(&dir)
        .args(["backup", "--out"])
        .arg(dir.0.join("copy.db")));
    assert!(!ok && err.contains("already exists"), "{err}");
}

#[test]
fn schedule_validate_and_solve_through_the_binary() {
    let dir = TempDir::new();
    let ctt = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/benchmarks/ctt"
    );
    let (ok, out, err) = run(skillbridge(&dir).args([
        "schedule",
        "validate",
        &format!("{ctt}/instances/extra/toy_itc2007_doc.ctt"),
        &format!("{ctt}/reference_solutions/toy_itc2007_doc.sol"),
    ]));
    assert!(ok, "{err}");
    assert!(
        out.contains("Violations of Conflicts (hard) : 3")
            && out.contains("Violations = 5, Total Cost = 30"),
        "{out}"
    );
    let solution = dir.0.join("comp01.sol");
    let (ok, out, err) = run(skillbridge(&dir)
        .args([
            "schedule",
            "ctt",
            &format!("{ctt}/instances/comp01.ctt"),
            "--time-limit",
            "1",
            "--seed",
            "7",
            "--out",
        ])
        .arg(&solution));
    assert!(ok, "{err}");
    assert!(
        out.contains("Total Cost") && !out.contains("Violations ="),
        "a feasible timetable: {out}"
    );
    let (ok, out, _) = run(skillbridge(&dir)
        .args([
            "schedule",
            "validate",
            &format!("{ctt}/instances/comp01.ctt"),
        ])
        .arg(&solution));
    assert!(
        ok && !out.contains("Violations ="),
        "the written solution validates: {out}"
    );
    let (ok, _, err) =
        run(skillbridge(&dir).args(["schedule", "ctt", "/nonexistent.ctt", "--out", "x.sol"]));
    assert!(!ok && err.contains("cannot read"), "{err}");
}
