import Logging
import PostgresNIO

extension PostgresConnection {
    /// A realtime statement, counted in `realtime_sql_statements_total{purpose}`.
    @discardableResult
    func realtimeQuery(_ query: PostgresQuery, _ purpose: RealtimeMetrics.Purpose, logger: Logger) async throws -> PostgresRowSequence {
        RealtimeMetrics.statements(purpose)
        return try await self.query(query, logger: logger)
    }
}

extension PostgresClient {
    @discardableResult
    func realtimeQuery(_ query: PostgresQuery, _ purpose: RealtimeMetrics.Purpose, logger: Logger) async throws -> PostgresRowSequence {
        RealtimeMetrics.statements(purpose)
        return try await self.query(query, logger: logger)
    }
}
