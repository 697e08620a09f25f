/// What `banquet migrate` found: the platform decision and each migration's state.
/// `--status` prints all of it; `--dry-run` prints what a run would do.
public struct MigrationPlan: Sendable, Equatable {
    public var platform: PlatformDecision
    public var migrations: [Entry]

    public struct Entry: Sendable, Equatable {
        public var version: String
        public var name: String
        public var state: MigrationState
        /// The file, as shown to people; nil for a missing file.
        public var path: String?
        public var recordedChecksum: String?
        public var fileChecksum: String?
    }

    public var pending: [Entry] { migrations.filter { $0.state == .pending } }
    public var edited: [Entry] { migrations.filter { $0.state == .edited } }
    public var missingFiles: [Entry] { migrations.filter { $0.state == .missingFile } }

    /// Why a run must refuse to start: the first applied migration whose file was edited.
    public var refusal: MigrationError? {
        guard let entry = edited.first else { return nil }
        return .editedAfterApplied(path: entry.path ?? entry.version, recordedChecksum: entry.recordedChecksum ?? "", fileChecksum: entry.fileChecksum ?? "")
    }

    /// The `--status` table.
    public func renderStatus() -> String {
        var lines = [platform.summary, ""]
        if migrations.isEmpty {
            lines.append("no migrations found and none recorded")
            return lines.joined(separator: "\n")
        }
        let nameWidth = max(4, migrations.map(\.name.count).max() ?? 0)
        func row(_ version: String, _ name: String, _ state: String) -> String {
            version.padding(toLength: 14, withPad: " ", startingAt: 0) + "  " + name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  " + state
        }
        lines.append(row("version", "name", "state"))
        lines.append(row(String(repeating: "-", count: 14), String(repeating: "-", count: nameWidth), "------------"))
        for entry in migrations {
            lines.append(row(entry.version, entry.name, entry.state.rawValue))
        }
        let counts = MigrationState.allCases.compactMap { state -> String? in
            let count = migrations.filter { $0.state == state }.count
            return count == 0 ? nil : "\(count) \(state.rawValue)"
        }
        lines.append("")
        lines.append(counts.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    /// The `--dry-run` summary.
    public func renderDryRun() -> String {
        var lines = ["dry run: nothing will be changed", platform.summary]
        if pending.isEmpty {
            lines.append("no pending migrations")
        } else {
            lines.append("would apply \(pending.count) migration\(pending.count == 1 ? "" : "s"):")
            lines += pending.map { "  \($0.version)_\($0.name).sql" }
        }
        lines += missingFiles.map { "warning: \($0.version)_\($0.name) is recorded as applied but has no file" }
        return lines.joined(separator: "\n")
    }
}

public enum MigrationState: String, Sendable, CaseIterable {
    case applied
    case pending
    /// Applied, but the file's checksum no longer matches the recorded one.
    case edited
    /// Recorded as applied, but no file has its version.
    case missingFile = "missing-file"
}

/// Whether the `sql/platform` stand-ins for Supabase's roles, `auth` and `storage` get applied.
public enum PlatformDecision: Sendable, Equatable {
    /// Plain PostgreSQL (no `auth` schema, or Banquet's own stand-in): apply these files.
    case apply(files: [String])
    /// The database has a real Supabase `auth` schema: the platform provides all of it.
    case skippedSupabase
    /// No platform directory was given.
    case notConfigured

    public var summary: String {
        switch self {
        case .apply(let files):
            return "platform: plain PostgreSQL; stand-ins (re)applied on every run: \(files.joined(separator: ", "))"
        case .skippedSupabase:
            return "platform: Supabase detected (schema auth is not Banquet's stand-in); sql/platform skipped"
        case .notConfigured:
            return "platform: no platform directory; skipped"
        }
    }
}
