//! The `skillbridge` command line.

use crate::demo_data::{DemoOutcome, load_demo};
use crate::server::{open_store, service_settings, start, stop_on_signal, web_config};
use crate::settings::{FlagOverrides, LogFormat, Settings};
use crate::worker::Worker;
use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use domain::account::AccountRepository;
use domain::audit::Actor;
use std::path::PathBuf;

/// Skillbridge: business-driven training operations for large enterprises.
#[derive(Debug, Parser)]
#[command(name = "skillbridge", version, about, long_about = None)]
pub struct Cli {
    /// Settings file (default: ./skillbridge.toml when present; env SKILLBRIDGE_CONFIG).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Address to serve on (default 127.0.0.1:8080).
    #[arg(long, global = true)]
    pub listen: Option<String>,
    /// Data folder for the embedded database (default ./data).
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB (default: SQLite in the data folder).
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server and the background-job worker.
    Serve,
    /// Create (or reuse) a demo company in its own data folder and serve it.
    Demo(DemoArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage administrator accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Show configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Copy the running SQLite database to a file (consistent snapshot).
    Backup(BackupArgs),
    /// Compare HR-entered KPI figures with business-system figures for a month and queue the differences.
    Reconcile(ReconcileArgs),
    /// Import HR data from CSV (UTF-8 or GB18030) or XLSX files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export data to files.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Rebuild this node's library search index from the database (the server also
    /// rebuilds it at start; stop the server first, it holds the index open).
    Reindex,
    /// The effect of a program on a business KPI (matched difference-in-differences with
    /// a cluster-bootstrap 95% interval, placebo test, diagnostics) and its ROI.
    Evaluate(crate::evaluate_cmd::EvaluateArgs),
    /// Timetabling: solve and validate ITC-2007 curriculum-based instances; draft
    /// timetables of plans and programs.
    #[command(subcommand)]
    Schedule(crate::schedule_cmd::ScheduleCommand),
}

/// Options of `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seed of the generated company (same seed, same company).
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Number of employees.
    #[arg(long, default_value_t = 5000)]
    pub employees: usize,
    /// Generate and load the data, then exit without serving.
    #[arg(long)]
    pub no_serve: bool,
}

/// `admin` subcommands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a system administrator (password from a prompt, or a file; never a flag).
    Create(AdminCreateArgs),
    /// Issue a personal API token for an account and print it once (for scripts and integrations).
    Token(AdminTokenArgs),
    /// Force a password reset: the password stops working, sessions end, and a one-time
    /// link (printed once) sets a new one.
    ResetPassword(AdminResetPasswordArgs),
}

/// Options of `admin reset-password`.
#[derive(Debug, Args)]
pub struct AdminResetPasswordArgs {
    /// The account to reset.
    #[arg(long)]
    pub username: String,
}

/// Options of `admin token`.
#[derive(Debug, Args)]
pub struct AdminTokenArgs {
    /// The account that will own the token.
    #[arg(long)]
    pub username: String,
    /// A name to recognise the token by.
    #[arg(long, default_value = "cli")]
    pub name: String,
}

/// Options of `admin create`.
#[derive(Debug, Args)]
pub struct AdminCreateArgs {
    #[arg(long)]
    pub username: String,
    /// Display name (default: the username).
    #[arg(long)]
    pub display_name: Option<String>,
    /// Read the password from the first line of this file instead of prompting.
    #[arg(long)]
    pub password_file: Option<PathBuf>,
}

/// `config` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective settings, secrets redacted, with where each came from.
    Show,
}

/// `import` subcommands.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Employees: validate every row, then write all of them, or none (or only the valid
    /// ones with --valid-only); re-importing the same file changes nothing.
    Employees(ImportEmployeesArgs),
    /// KPI definitions (指标编码, 指标名称, 单位, 方向, 汇总, 来源系统), created or updated by code.
    Kpis(ImportKpisArgs),
    /// KPI values, long format (工号 or 部门编码, 指标编码, 期间, 数值, 来源) or wide format
    /// (工号 or 部门编码, 指标编码, then one column per month such as 2024-01).
    KpiValues(ImportKpiValuesArgs),
    /// Assessments (工号, 技能编码, 等级, 分数, 方式, 评估人, 评估日期, 证据): all rows or none;
    /// an assessment already stored for the same employee, skill, date and method is kept.
    Assessments(ImportCompetencyArgs),
    /// Competency models (岗位编码, 技能编码, 要求等级, 层级): for every position in the file,
    /// its directly set requirements become exactly the file's rows; all rows or none.
    CompetencyModels(ImportCompetencyArgs),
    /// Training history from an old system (项目编码, 项目名称, 工号, 开始日期, 完成日期, 状态,
    /// 学时, 成绩, 人均费用): new codes become historical programs, rows imported
    /// enrollments; all rows or none; re-importing the same file changes nothing.
    TrainingRecords(ImportCompetencyArgs),
    /// The department tree (部门编码, 部门名称, 上级部门编码, 负责人工号, optional 成本中心, 地点):
    /// created or updated and moved by code, parents possibly after their children; loops
    /// and unknown parents or heads refused with their row; all rows or none.
    Departments(ImportCompetencyArgs),
    /// Positions (编码, 名称, 序列, 职级, 小时成本): created or updated by code; all rows or none.
    Positions(ImportCompetencyArgs),
}

/// Options of `import assessments`, `import competency-models` and `import training-records`.
#[derive(Debug, Args)]
pub struct ImportCompetencyArgs {
    /// The CSV or XLSX file.
    pub file: PathBuf,
    /// Validate and report without writing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `export` subcommands.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Every competency model (position, skill, area, required level, tier, source) as XLSX.
    CompetencyModels(ExportArgs),
}

/// Options of `export` subcommands.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The XLSX file to write.
    #[arg(long)]
    pub out: PathBuf,
}

/// Options of `import kpis`.
#[derive(Debug, Args)]
pub struct ImportKpisArgs {
    /// The CSV or XLSX file.
    pub file: PathBuf,
    /// Validate and report without writing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Options of `import kpi-values`.
#[derive(Debug, Args)]
pub struct ImportKpiValuesArgs {
    /// The CSV or XLSX file.
    pub file: PathBuf,
    /// Import the valid rows even if some rows are bad.
    #[arg(long)]
    pub valid_only: bool,
    /// Validate and report without writing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Options of `import employees`.
#[derive(Debug, Args)]
pub struct ImportEmployeesArgs {
    /// The CSV or XLSX file.
    pub file: PathBuf,
    /// Start from a saved column mapping.
    #[arg(long)]
    pub mapping: Option<String>,
    /// Map a field to a header, e.g. --map employee_no=EmployeeNumber (repeatable).
    #[arg(long = "map", value_name = "FIELD=HEADER")]
    pub pairs: Vec<String>,
    /// Save the effective mapping under this name for later imports.
    #[arg(long)]
    pub save_mapping: Option<String>,
    /// Create departments and positions that do not exist yet.
    #[arg(long)]
    pub create_missing: bool,
    /// Import the valid rows even if some rows are bad.
    #[arg(long)]
    pub valid_only: bool,
    /// Validate and report without writing.
    #[arg(long)]
    pub dry_run: bool,
    /// The month that mapped KPI columns (--map kpi:CODE=Header) report on, e.g. 2025-12.
    #[arg(long)]
    pub period: Option<String>,
    /// The file is the whole company: people absent from it leave (logins disabled,
    /// open enrollments cancelled, their approvals handed on). With --dry-run: the diff only.
    #[arg(long)]
    pub full: bool,
    /// With --full: sync even when more than the allowed share of people would leave.
    #[arg(long, requires = "full")]
    pub force: bool,
}

/// Options of `reconcile`.
#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// The month, e.g. 2025-06.
    #[arg(long)]
    pub period: String,
}

/// Options of `backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The new file to write.
    #[arg(long)]
    pub out: PathBuf,
}

/// Parses the command line and runs it.
pub fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::Schedule(cmd) = &cli.command
        && !cmd.needs_database()
    {
        // Pure computation: no settings, database or async runtime needed.
        return crate::schedule_cmd::run(cmd);
    }
    let flags = FlagOverrides {
        listen: cli.listen.clone(),
        data_dir: cli.data_dir.clone(),
        database_url: cli.database_url.clone(),
    };
    let mut settings = Settings::load(cli.config.as_deref(), &flags)?;
    // The demo keeps its own data folder unless one was chosen explicitly.
    if matches!(cli.command, Command::Demo(_))
        && settings.source_of("data_dir") == crate::settings::Source::Default
    {
        settings.data_dir = PathBuf::from("./demo-data");
    }
    init_logging(&settings);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(cli.command, settings))
}

fn init_logging(settings: &Settings) {
    // The index library reports every commit at info; keep it to warnings unless asked.
    let directives = if settings.log.contains("tantivy") {
        settings.log.clone()
    } else {
        format!("{},tantivy=warn", settings.log)
    };
    let filter = tracing_subscriber::EnvFilter::try_new(&directives)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tantivy=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match settings.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Compact => builder.compact().try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve(&settings).await,
        Command::Demo(args) => demo(&settings, args).await,
        Command::Migrate => {
            let store = open_store(&settings).await?;
            println!(
                "database is up to date ({})",
                crate::settings::redact_url(&settings.effective_database_url())
            );
            store.close().await;
            Ok(())
        }
        Command::Admin(AdminCommand::Create(args)) => admin_create(&settings, args).await,
        Command::Admin(AdminCommand::Token(args)) => {
            let store = open_store(&settings).await?;
            let user = store
                .find_credentials(&args.username)
                .await?
                .with_context(|| format!("no account is called '{}'", args.username))?;
            let ctx = service::Context::new(store.clone(), service_settings(&settings));
            let (token, _) =
                service::accounts::issue_token(&ctx, user.user_id, &args.name, &Actor::cli())
                    .await?;
            println!("{token}");
            store.close().await;
            Ok(())
        }
        Command::Admin(AdminCommand::ResetPassword(args)) => {
            let store = open_store(&settings).await?;
            let ctx = service::Context::new(store.clone(), service_settings(&settings));
            let reset = service::accounts::force_password_reset_by_username(
                &ctx,
                None,
                &args.username,
                &Actor::cli(),
            )
            .await;
            store.close().await;
            let reset = reset?;
            let base = settings
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{}", settings.listen));
            println!(
                "Password of '{}' reset: it no longer works and its sessions have ended.",
                reset.username
            );
            println!(
                "One-time link (shown only now, valid {} hours):\n{}{}",
                service::accounts::PASSWORD_RESET_HOURS,
                base.trim_end_matches('/'),
                reset.path()
            );
            Ok(())
        }
        Command::Config(ConfigCommand::Show) => {
            print!("{}", settings.describe());
            Ok(())
        }
        Command::Reindex => {
            let store = open_store(&settings).await?;
            let index = crate::server::open_index(&settings)?;
            let started = std::time::Instant::now();
            let count = service::library::rebuild_index(&store, index).await?;
            println!(
                "Indexed {count} resources in {:.1} s.",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Backup(args) => {
            let url = settings.effective_database_url();
            store::backup_sqlite(&url, &args.out)
                .await
                .map_err(anyhow::Error::msg)?;
            println!("backup written to {}", args.out.display());
            Ok(())
        }
        Command::Import(command) => import(&settings, command).await,
        Command::Export(ExportCommand::CompetencyModels(args)) => {
            export_competency_models(&settings, args).await
        }
        Command::Reconcile(args) => {
            // A bad month is refused before the database is opened.
            domain::performance::Period::parse(&args.period)?;
            let store = open_store(&settings).await?;
            let ctx = service::Context::new(store.clone(), service_settings(&settings));
            let (period, run) =
                service::performance::reconcile(&ctx, None, &args.period, &Actor::cli()).await?;
            store.close().await;
            println!(
                "{period}: {} differences queued; {} open in the reconciliation queue",
                run.queued, run.open
            );
            Ok(())
        }
        Command::Evaluate(args) => {
            let store = open_store(&settings).await?;
            let outcome = crate::evaluate_cmd::run(&store, &args).await;
            store.close().await;
            outcome
        }
        Command::Schedule(crate::schedule_cmd::ScheduleCommand::Plan(args)) => {
            let store = open_store(&settings).await?;
            let ctx = service::Context::new(store.clone(), service_settings(&settings));
            let outcome = crate::schedule_cmd::plan(&ctx, &args).await;
            store.close().await;
            outcome
        }
        Command::Schedule(_) => unreachable!("handled before the runtime starts"),
    }
}

/// The use cases' context for serving: the store, the configured file store and this
/// node's on-disk search index.
fn open_context(settings: &Settings, store: store::Store) -> anyhow::Result<service::Context> {
    let files = crate::server::open_files(settings)?;
    let index = crate::server::open_index(settings)?;
    Ok(service::Context::with_files(store, service_settings(settings), files).with_search(index))
}

async fn serve(settings: &Settings) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let config = web_config(settings);
    let notify = settings.notify_config()?;
    // A node without the worker still queues e-mail for the nodes that run it.
    store.set_email_notifications(notify.smtp.is_some());
    let context = open_context(settings, store)?;
    // The worker runs the use cases over the server's context.
    let worker = settings
        .worker
        .then(|| Worker::new(context.clone()).with_notifications(notify));
    let server = start(context, config, listener, worker).await?;
    println!("Skillbridge is serving on http://{}", server.addr);
    stop_on_signal(server).await;
    Ok(())
}

async fn demo(settings: &Settings, args: DemoArgs) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    let (outcome, company) = load_demo(&store, args.seed, args.employees).await?;
    match outcome {
        DemoOutcome::Created { employees } => {
            println!(
                "Demo company {} created with {employees} employees.",
                company.name
            );
            println!("{}", crate::demo_sync::apply_demo_hr_changes(&store).await?);
        }
        DemoOutcome::Reused => println!(
            "Reusing the demo database in {} (delete that folder to generate a new one).",
            settings.data_dir.display()
        ),
    }
    if args.no_serve {
        return Ok(());
    }
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let config = web_config(settings);
    let context = open_context(settings, store)?;
    let worker = Worker::new(context.clone()).with_notifications(settings.notify_config()?);
    let server = start(context, config, listener, Some(worker)).await?;
    println!(
        "\nOpen http://{}/  (password of every demo login: {})\n",
        server.addr,
        demo::DEMO_PASSWORD
    );
    println!("{:<12} {:<10} roles", "login", "name");
    for account in &company.accounts {
        let roles: Vec<String> = account
            .grants
            .iter()
            .map(|(role, scope)| match scope {
                demo::DemoScope::SelfOnly => format!("{role}(self)"),
                demo::DemoScope::Company => format!("{role}(company)"),
                demo::DemoScope::Department(code) => format!("{role}({code})"),
            })
            .collect();
        println!(
            "{:<12} {:<10} {}",
            account.username,
            account.display_name,
            roles.join(", ")
        );
    }
    stop_on_signal(server).await;
    Ok(())
}

async fn admin_create(settings: &Settings, args: AdminCreateArgs) -> anyhow::Result<()> {
    let password = match &args.password_file {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .lines()
            .next()
            .unwrap_or("")
            .to_string(),
        None => {
            let first = rpassword::prompt_password("New password: ")?;
            let second = rpassword::prompt_password("Repeat password: ")?;
            anyhow::ensure!(first == second, "the passwords do not match");
            first
        }
    };
    let store = open_store(settings).await?;
    let ctx = service::Context::new(store.clone(), service_settings(settings));
    let input = service::accounts::AccountInput {
        display_name: args.display_name.unwrap_or_else(|| args.username.clone()),
        username: args.username,
        password,
        employee_no: None,
        grants: vec![service::accounts::GrantCodes::new(
            "system_admin",
            "company",
            None,
        )],
    };
    let created = service::accounts::create_account(&ctx, None, input, &Actor::cli()).await?;
    println!(
        "administrator '{}' created (id {})",
        created.username, created.id
    );
    store.close().await;
    Ok(())
}

async fn import(settings: &Settings, command: ImportCommand) -> anyhow::Result<()> {
    use service::imports::{
        Assessments, CompetencyModels, Employees, KpiDefinitions, KpiValues, TrainingRecords,
    };
    // The competency and history imports fail on a file with any problem, even on a dry
    // run; the people and KPI imports fail only when a file with problems is not a dry run.
    const STRICT: bool = true;
    const LENIENT: bool = false;
    match command {
        ImportCommand::Employees(args) => {
            let kind = Employees {
                mapping_name: args.mapping,
                pairs: args.pairs,
                save_mapping_as: args.save_mapping,
                options: import::employees::Options {
                    create_missing: args.create_missing,
                    valid_only: args.valid_only,
                    period: args
                        .period
                        .as_deref()
                        .map(domain::performance::Period::parse)
                        .transpose()?,
                },
                full: args.full,
                force: args.force,
            };
            import_file(settings, &args.file, args.dry_run, kind, LENIENT).await
        }
        ImportCommand::Kpis(args) => {
            import_file(settings, &args.file, args.dry_run, KpiDefinitions, LENIENT).await
        }
        ImportCommand::KpiValues(args) => {
            let kind = KpiValues {
                valid_only: args.valid_only,
            };
            import_file(settings, &args.file, args.dry_run, kind, LENIENT).await
        }
        ImportCommand::Assessments(args) => {
            import_file(settings, &args.file, args.dry_run, Assessments, STRICT).await
        }
        ImportCommand::CompetencyModels(args) => {
            import_file(settings, &args.file, args.dry_run, CompetencyModels, STRICT).await
        }
        ImportCommand::TrainingRecords(args) => {
            import_file(settings, &args.file, args.dry_run, TrainingRecords, STRICT).await
        }
        ImportCommand::Departments(args) => {
            let kind = service::org_tree::Departments;
            import_file(settings, &args.file, args.dry_run, kind, STRICT).await
        }
        ImportCommand::Positions(args) => {
            let kind = service::org_tree::Positions;
            import_file(settings, &args.file, args.dry_run, kind, STRICT).await
        }
    }
}

/// Runs one file through an import's workflow and prints its report.
async fn import_file<K: service::imports::Import>(
    settings: &Settings,
    file: &std::path::Path,
    dry_run: bool,
    kind: K,
    strict: bool,
) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let store = open_store(settings).await?;
    let ctx = service::Context::new(store.clone(), service_settings(settings));
    let started = std::time::Instant::now();
    let request =
        service::imports::ImportRequest::new(bytes, file.display().to_string(), dry_run, kind);
    let report = service::imports::run(&ctx, None, request, &Actor::cli()).await;
    store.close().await;
    print_report(&report?, started.elapsed(), strict)
}

/// Prints any import's report: remarks, counts, problems and what was written; fails
/// when nothing was written because of the problems (`strict`: a dry run of a file with
/// problems fails too).
fn print_report<K: service::imports::Import>(
    report: &service::imports::ImportReport<K>,
    elapsed: std::time::Duration,
    strict: bool,
) -> anyhow::Result<()> {
    for note in &report.notes {
        println!("note: {note}");
    }
    println!(
        "rows: {}   valid: {}   problems: {}   ({:.1} s)",
        report.rows,
        report.valid,
        report.error_count,
        elapsed.as_secs_f64()
    );
    for e in &report.errors {
        println!("  {e}");
    }
    if report.error_count > report.errors.len() {
        println!(
            "  ... and {} more",
            report.error_count - report.errors.len()
        );
    }
    let rejected = !report.written && (!report.dry_run || strict && report.error_count > 0);
    if rejected {
        if K::OFFERS_VALID_ONLY {
            anyhow::bail!(
                "nothing was imported: fix the rows above, or use --valid-only to import the valid rows"
            );
        }
        anyhow::bail!("nothing was imported: fix the rows above");
    }
    match report.describe() {
        Some(outcome) if report.written => println!("written: {outcome}"),
        Some(outcome) => {
            println!("dry run, nothing was written; the import would give: {outcome}")
        }
        None => println!("dry run: nothing was written"),
    }
    Ok(())
}

async fn export_competency_models(settings: &Settings, args: ExportArgs) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    let ctx = service::Context::new(store.clone(), service_settings(settings));
    // The command line speaks the product's default language (Chinese headers).
    let exported = service::imports::export_competency_models(
        &ctx,
        None,
        i18n::Locale::default(),
        &Actor::cli(),
    )
    .await;
    store.close().await;
    let (bytes, rows) = exported?;
    std::fs::write(&args.out, bytes)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    println!("{rows} requirements written to {}", args.out.display());
    Ok(())
}
