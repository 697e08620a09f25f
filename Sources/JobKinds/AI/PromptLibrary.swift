import BanquetCore
import Foundation

/// One versioned prompt file, `prompts/<name>.v<N>.md`: a `# System` part and a `# User` part
/// with `{{placeholders}}`. The version (`proposal_draft.v1`) goes into every `ai_runs` row it
/// produced, so a change in answers can be traced to a change in wording.
public struct Prompt: Sendable {
    public var name: String
    public var version: String
    public var system: String
    public var user: String

    /// Fills the placeholders. Values are inserted as given, except that angle brackets are
    /// escaped: untrusted text (a guest's message, a brochure) sits between `<guest_message>`-style
    /// tags, and must not be able to close them and speak outside.
    public func render(_ values: [String: String]) -> (system: String, user: String) {
        var user = self.user
        for (key, value) in values {
            let safe = value.replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            user = user.replacingOccurrences(of: "{{\(key)}}", with: safe)
        }
        return (system, user)
    }
}

public struct PromptError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// The prompts in the repository's `prompts/` directory, read once at start; the highest version of
/// each name is the one used.
public struct PromptLibrary: Sendable {
    public private(set) var prompts: [String: Prompt]
    public let directory: String

    public func prompt(_ name: String) throws -> Prompt {
        guard let prompt = prompts[name] else {
            throw PromptError(description: "no prompt named \(name) in \(directory) (expected \(name).v1.md)")
        }
        return prompt
    }

    /// `BANQUET_PROMPTS_DIR`, else `./prompts`, else a `prompts/` beside or above the executable
    /// (so the binary under `.build/debug/` finds the checkout's prompts from any directory).
    public static func locate(_ environment: BanquetCore.Environment) -> String? {
        if let configured = environment.optionalString("BANQUET_PROMPTS_DIR") { return configured }
        var candidates = [FileManager.default.currentDirectoryPath + "/prompts"]
        var directory = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent("prompts").path)
            directory.deleteLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/proposal_draft.v1.md") }
    }

    public static func load(directory: String) throws -> PromptLibrary {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw PromptError(description: "cannot read the prompts directory \(directory): \(error)")
        }
        var prompts: [String: (Int, Prompt)] = [:]
        for file in files.sorted() where file.hasSuffix(".md") {
            let stem = String(file.dropLast(3))
            guard let dot = stem.range(of: ".v", options: .backwards), let number = Int(stem[dot.upperBound...]) else { continue }
            let name = String(stem[..<dot.lowerBound])
            let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            guard let system = text.range(of: "\n# System\n"), let user = text.range(of: "\n# User\n"), system.upperBound <= user.lowerBound else {
                throw PromptError(description: "\(directory)/\(file) needs a '# System' and then a '# User' section")
            }
            let prompt = Prompt(
                name: name, version: stem,
                system: String(text[system.upperBound..<user.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines),
                user: String(text[user.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines))
            if (prompts[name]?.0 ?? 0) < number { prompts[name] = (number, prompt) }
        }
        return PromptLibrary(prompts: prompts.mapValues(\.1), directory: directory)
    }
}
