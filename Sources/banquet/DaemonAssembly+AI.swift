import BanquetCore
import BridgeRuntime
import ConnectorKit
import Connectors
import JobKinds
import Logging
import PostgresNIO

extension DaemonAssembly {
    /// The AI job kinds (`llm.proposal_draft`, `llm.classify_message`, `menu.extract`) over the
    /// configured model provider (offline by default), the versioned prompts and the cost ledger.
    /// Returns how the provider is described in the start-up log line.
    func registerAIHandlers(_ handlers: inout JobHandlerRegistry, http: any HTTPTransport, client: PostgresClient, storage: any ObjectStore) throws -> String {
        let configuration = try LLMConfiguration.fromEnvironment(environment)
        guard let directory = PromptLibrary.locate(environment) else {
            throw LLMConfigurationError("no prompts directory found: set BANQUET_PROMPTS_DIR to the repository's prompts/")
        }
        let prompts = try PromptLibrary.load(directory: directory)
        let provider = try configuration.makeProvider(transport: http, environment: environment)
        let runner = AIJobRunner(generator: StructuredGenerator(provider: provider, prices: configuration.prices),
                                 store: PostgresAIStore(client: client, logger: logger), prompts: prompts, timeout: configuration.timeout)
        handlers.register(ProposalDraftHandler.kind, handler: ProposalDraftHandler(runner: runner))
        handlers.register(ClassifyMessageHandler.kind, handler: ClassifyMessageHandler(runner: runner, threshold: configuration.triageThreshold))
        handlers.register(MenuExtractHandler.kind, handler: MenuExtractHandler(
            runner: runner, extractor: PopplerTextExtractor(limits: try PDFLimits.fromEnvironment(environment)),
            storage: storage))
        return configuration.describe()
    }
}
