import ArgumentParser

/// `banquet`: the daemon, the migration runner and the operator's CLI in one binary.
@main
struct Banquet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "banquet",
        abstract: "Banquet: database-centric backend for hospitality sales and guest messaging.",
        subcommands: [MigrateCommand.self, ServeCommand.self, JobsCommand.self, TokenCommand.self, KeysCommand.self, DoctorCommand.self, ExtractMenuCommand.self]
    )
}
