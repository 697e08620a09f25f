import BanquetCore
import Connectors
import Foundation

/// Whether an organization may run an AI job now, from `public.admit_ai_job`.
public struct AIBudgetAdmission: Sendable, Decodable {
    public var allowed: Bool
    public var spentUSDMicros: Int64?
    public var monthlyLimitUSDMicros: Int64?

    enum CodingKeys: String, CodingKey {
        case allowed
        case spentUSDMicros = "spent_usd_micros"
        case monthlyLimitUSDMicros = "monthly_limit_usd_micros"
    }

    public init(allowed: Bool, spentUSDMicros: Int64? = nil, monthlyLimitUSDMicros: Int64? = nil) {
        self.allowed = allowed
        self.spentUSDMicros = spentUSDMicros
        self.monthlyLimitUSDMicros = monthlyLimitUSDMicros
    }
}

/// One `ai_runs` row.
public struct AIRunEntry: Sendable {
    public var task: LLMTask
    public var promptVersion: String
    public var organizationID: UUID?
    public var jobID: Int64
    public var call: LLMCallRecord
}

/// The database as the AI handlers see it: the data a draft is built from, the budget gate and the
/// cost ledger. `PostgresAIStore` is the real one; unit tests supply their own.
public protocol AIStore: Sendable {
    /// `public.ai_proposal_context`: the proposal, its inquiry, the venue's spaces, menus and packages.
    func proposalContext(_ proposalID: UUID) async throws -> JSONValue
    /// `public.admit_ai_job`: false once this month's spend reached the organization's budget.
    func admitAIJob(organizationID: UUID) async throws -> AIBudgetAdmission
    /// `public.record_ai_run`.
    func recordAIRun(_ entry: AIRunEntry) async throws
}
