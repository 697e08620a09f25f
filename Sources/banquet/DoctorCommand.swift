import ArgumentParser
import BanquetCore
import ConnectorKit
import Connectors
import Foundation
import JobKinds
import Logging
import PostgresNIO
#if canImport(Glibc)
import Glibc
#endif

/// `banquet doctor`: for every connector the environment configures, whether its credentials are
/// present and its endpoint answers, as one table; exits non-zero when something configured is
/// broken. Run it where the daemon runs (same environment) before starting it.
///
/// Connectors add a row by adding a check here; a check never prints a secret.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check every configured provider's credentials and reachability.",
        discussion: "Exit status 1 when a configured provider is broken. The LLM check of Bedrock sends one tiny Converse request."
    )

    struct Row {
        var connector: String
        var provider: String
        var credentials: String
        var endpoint: String
        var ok: Bool
        var detail: String
    }

    func run() async throws {
        let environment = Environment()
        let http = AsyncHTTPTransport(connectionsPerHost: 2)
        var rows: [Row] = []
        rows.append(await database(environment))
        rows.append(email(environment))
        rows.append(await llm(environment, http: http))
        rows.append(prompts(environment))
        rows.append(await pdf(environment))
        rows.append(storage(environment))
        try? await http.shutdown()

        let headers = ["connector", "provider", "credentials", "endpoint", "status", "detail"]
        let table = [headers] + rows.map { [$0.connector, $0.provider, $0.credentials, $0.endpoint, $0.ok ? "ok" : "BROKEN", $0.detail] }
        let widths = headers.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        for (index, line) in table.enumerated() {
            print(line.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  "))
            if index == 0 { print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
        if rows.contains(where: { !$0.ok }) { throw ExitCode(1) }
    }

    func database(_ environment: Environment) async -> Row {
        do {
            let url = try environment.databaseURL()
            var logger = Logger(label: "banquet.doctor")
            logger.logLevel = .critical
            let client = PostgresClient(configuration: url.clientConfiguration(maxConnections: 1, applicationName: "banquet-doctor"), backgroundLogger: logger)
            return try await withThrowingTaskGroup(of: Row?.self) { group in
                group.addTask { await client.run(); return nil }
                defer { group.cancelAll() }
                let rows = try await client.query("select current_setting('server_version')", logger: logger)
                var version = "?"
                for try await value in rows.decode(String.self) { version = value }
                return Row(connector: "database", provider: "postgres", credentials: "DATABASE_URL", endpoint: "answers",
                           ok: true, detail: "PostgreSQL \(version) at \(url)")
            }
        } catch {
            return Row(connector: "database", provider: "postgres", credentials: "DATABASE_URL", endpoint: "no answer",
                       ok: false, detail: "\(error)")
        }
    }

    func email(_ environment: Environment) -> Row {
        do {
            let configuration = try EmailConfiguration.fromEnvironment(environment)
            guard let smtp = configuration.smtp, configuration.transport == .smtp else {
                return Row(connector: "email", provider: "mailbox (offline)", credentials: "not needed", endpoint: "local",
                           ok: true, detail: configuration.describe())
            }
            let credentials = smtp.username == nil ? "none (unauthenticated relay)" : "SMTP_USERNAME/SMTP_PASSWORD set"
            let reachable = Self.tcpConnects(host: smtp.host, port: smtp.port)
            return Row(connector: "email", provider: "smtp", credentials: credentials, endpoint: reachable ? "connects" : "no connection",
                       ok: reachable, detail: "\(smtp.host):\(smtp.port)")
        } catch {
            return Row(connector: "email", provider: "?", credentials: "?", endpoint: "?", ok: false, detail: "\(error)")
        }
    }

    func llm(_ environment: Environment, http: AsyncHTTPTransport) async -> Row {
        let configuration: LLMConfiguration
        do {
            configuration = try LLMConfiguration.fromEnvironment(environment)
        } catch {
            return Row(connector: "llm", provider: environment.string("BANQUET_LLM_PROVIDER", default: "offline"), credentials: "?",
                       endpoint: "?", ok: false, detail: "\(error)")
        }
        switch configuration.kind {
        case .offline:
            return Row(connector: "llm", provider: "offline", credentials: "not needed", endpoint: "local", ok: true,
                       detail: configuration.describe())
        case .openai, .openrouter:
            let credentials = configuration.apiKey == nil ? "no LLM_API_KEY" : "LLM_API_KEY set"
            // GET /models: free, needs a valid key on OpenAI, answered by Ollama and vLLM too.
            // OpenRouter lists models to anyone; its GET /key checks the key (and shows credit).
            let probe = configuration.kind == .openrouter ? "key" : "models"
            var request = HTTPRequestSpec(method: .GET, url: configuration.baseURL!.appendingPathComponent(probe), timeout: .seconds(10))
            if let key = configuration.apiKey { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
            do {
                let response = try await http.send(request)
                let ok = (200..<300).contains(response.status)
                return Row(connector: "llm", provider: configuration.kind.rawValue, credentials: credentials,
                           endpoint: "answers \(response.status)", ok: ok,
                           detail: ok ? configuration.describe() : LLMError.classify(response, request: request, secrets: [configuration.apiKey].compactMap { $0 }).description)
            } catch {
                return Row(connector: "llm", provider: configuration.kind.rawValue, credentials: credentials, endpoint: "no answer",
                           ok: false, detail: "\(error)")
            }
        case .bedrock:
            guard let source = AWSCredentials.fromEnvironment(environment, transport: http) else {
                return Row(connector: "llm", provider: "bedrock", credentials: "missing", endpoint: "not tried", ok: false,
                           detail: "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or run with an ECS task role")
            }
            do {
                let provider = try configuration.makeProvider(transport: http, environment: environment)
                let probe = LLMRequest(task: .classifyMessage, system: "Answer with the tool.", user: "ping",
                                       schema: .object(["type": .string("object"), "properties": .object(["ok": .object(["type": .string("boolean")])])]),
                                       schemaName: "ping", data: .null, maxOutputTokens: 16, timeout: .seconds(20))
                _ = try await provider.complete(probe)
                return Row(connector: "llm", provider: "bedrock", credentials: source.source, endpoint: "answers", ok: true, detail: configuration.describe())
            } catch let error as LLMError where error.kind == .invalidAnswer {
                return Row(connector: "llm", provider: "bedrock", credentials: source.source, endpoint: "answers", ok: true, detail: configuration.describe())
            } catch {
                return Row(connector: "llm", provider: "bedrock", credentials: source.source, endpoint: "refused", ok: false, detail: "\(error)")
            }
        }
    }

    func prompts(_ environment: Environment) -> Row {
        guard let directory = PromptLibrary.locate(environment) else {
            return Row(connector: "prompts", provider: "files", credentials: "not needed", endpoint: "missing", ok: false,
                       detail: "set BANQUET_PROMPTS_DIR to the repository's prompts/")
        }
        do {
            let library = try PromptLibrary.load(directory: directory)
            let versions = library.prompts.values.map(\.version).sorted().joined(separator: ", ")
            let missing = ["proposal_draft", "classify_message", "menu_extract"].filter { library.prompts[$0] == nil }
            return Row(connector: "prompts", provider: "files", credentials: "not needed", endpoint: directory, ok: missing.isEmpty,
                       detail: missing.isEmpty ? versions : "missing: \(missing.joined(separator: ", "))")
        } catch {
            return Row(connector: "prompts", provider: "files", credentials: "not needed", endpoint: directory, ok: false, detail: "\(error)")
        }
    }

    func pdf(_ environment: Environment) async -> Row {
        let found = ["/usr/bin", "/usr/local/bin", "/bin"].contains { FileManager.default.isExecutableFile(atPath: "\($0)/pdftotext") }
        return Row(connector: "pdf", provider: "poppler pdftotext", credentials: "not needed", endpoint: found ? "installed" : "missing",
                   ok: found, detail: found ? "pdftotext -layout" : "install poppler-utils (scripts/install-deps.sh)")
    }

    func storage(_ environment: Environment) -> Row {
        let root = environment.dataDirectory + "/storage"
        let probe = root + "/.doctor-\(getpid())"
        let writable = (try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)) != nil
            && FileManager.default.createFile(atPath: probe, contents: Data())
        try? FileManager.default.removeItem(atPath: probe)
        return Row(connector: "storage", provider: "local directory", credentials: "not needed", endpoint: writable ? "writable" : "not writable",
                   ok: writable, detail: root)
    }

    /// A plain TCP connect (with the system's connect timeout): enough to tell "nothing listens"
    /// from "a server is there" without speaking its protocol.
    static func tcpConnects(host: String, port: Int) -> Bool {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else { return false }
        defer { freeaddrinfo(result) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            let fd = socket(current.pointee.ai_family, current.pointee.ai_socktype, current.pointee.ai_protocol)
            if fd >= 0 {
                defer { close(fd) }
                if connect(fd, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 { return true }
            }
            entry = current.pointee.ai_next
        }
        return false
    }
}
