import ArgumentParser

// Stub: replaced by its owner.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jobs")
    func run() async throws { throw ValidationError("not implemented yet") }
}
