import BridgeRuntime
import Foundation

/// Maintenance kinds fired by SQL schedules (`proposal.expire`, `payment.remind`) do all their
/// work in the kind's SQL write-back; the daemon's part is only to complete them, which runs it.
public struct MaintenanceHandler: JobHandler {
    public static let kinds = ["proposal.expire", "payment.remind", "whatsapp.templates_fanout"]

    public init() {}

    public func perform(_ payload: IgnoredPayload, job: ClaimedJob, context: JobContext) async throws -> JobResult {
        .empty
    }
}
