fn main() -> anyhow::Result<()> {
    app::cli::main()
}
