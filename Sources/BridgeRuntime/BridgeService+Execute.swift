import BanquetCore
import Foundation
import Logging

/// Running one claimed job: rate limits, circuit breaker, timeout, and reporting the outcome.
extension BridgeService {
    enum Outcome: Sendable {
        case succeeded(JobResult)
        case failed(String, retryable: Bool, retryAfter: Duration?)
        case timedOut(Duration)
        /// The heartbeat found the job no longer ours: cancelled by an operator, or reclaimed.
        case leaseLost
        /// This worker is shutting down: hand the job back.
        case interrupted
        /// The rate limit has no room for longer than the runtime waits: back to the queue for
        /// this long, without spending an attempt (the provider was never called).
        case rateLimited(String, after: Duration)
    }

    /// One claimed job, start to finish, in one child task of the claim loop. The handler itself
    /// runs in a task of its own so the runtime can cancel it (timeout, lost lease, shutdown)
    /// without cancelling the reporting that follows.
    func execute(_ job: ClaimedJob, pool: Pool) async {
        // The job's logger is built only when something is logged: on the success path nothing is.
        let log = JobLog(base: self.logger, job: job)
        let metrics = BridgeMetrics.instruments(for: job)
        metrics.claimed.increment()
        let outcome = await perform(job, log: log, metrics: metrics)
        state.withLockedValue { $0.inFlight[job.id]?.reporting = true }
        await report(job, outcome, log: log, metrics: metrics)
        finished(job, pool: pool)
    }

    private func perform(_ job: ClaimedJob, log: JobLog, metrics: BridgeMetrics.Instruments) async -> Outcome {
        guard let handler = registry.handler(for: job.kind) else {
            // Only reachable if a claim returned a kind we did not ask for.
            return .failed("no handler for kind \(job.kind) in this daemon (worker \(configuration.workerID) runs: \(registry.kinds.joined(separator: ", ")))",
                           retryable: false, retryAfter: nil)
        }
        // 1. Decode the payload, once: a malformed payload fails here, permanently, with one message.
        let prepared: PreparedJob
        do { prepared = try handler.prepare(job) } catch { return Self.classify(error, job: job) }
        // 2. Rate limits: wait for a slot on every key; a long wait hands the job back instead.
        if !prepared.rateLimitKeys.isEmpty {
            while let wait = await rateLimiter.reserve(prepared.rateLimitKeys) {
                if wait > configuration.maxRateLimitWait {
                    return .rateLimited("rate limited on \(prepared.rateLimitKeys.map(\.description).joined(separator: ", "))", after: wait)
                }
                try? await Task.sleep(for: wait)
            }
        }
        // 3. Circuit breaker: an open provider is not called at all.
        if let provider = handler.provider, case .rejected(let retryAfter) = await breaker.admit(provider) {
            return .failed("circuit breaker open for provider \(provider)", retryable: true, retryAfter: retryAfter)
        }
        // 4. Run, with no transaction open; the deadline loop and the heartbeat cancel it if need be.
        let startedAt = Date()
        let clock = ContinuousClock.now
        metrics.latency(job, startedAt: startedAt)
        let outcome = await runHandler(prepared, job: job, log: log)
        metrics.duration.recordNanoseconds(Duration.since(clock).inNanoseconds)
        if let provider = handler.provider {
            switch outcome {
            case .succeeded, .failed(_, retryable: false, _): await breaker.recordSuccess(provider)
            case .failed(_, retryable: true, _), .timedOut:
                if await breaker.recordFailure(provider) {
                    log.logger.warning("bridge: circuit breaker opened", metadata: ["provider": "\(provider)", "open_for": "\(configuration.circuitBreaker.openDuration)"])
                }
            case .leaseLost, .interrupted, .rateLimited: await breaker.recordAbandoned(provider)
            }
        }
        return outcome
    }

    /// Starts the handler's task and registers it, so the deadline loop, the heartbeat and
    /// shutdown can cancel it; the reason they record says what the cancellation meant.
    private func runHandler(_ prepared: PreparedJob, job: ClaimedJob, log: JobLog) async -> Outcome {
        let deadline = state.withLockedValue { $0.inFlight[job.id]?.deadline } ?? .now + job.timeout
        let context = JobContext(log: log, deadline: deadline, idempotencyKey: "job-\(job.id)")
        let task = Task { try await prepared.run(context) }
        let stoppedEarly = state.withLockedValue { state -> Bool in
            state.inFlight[job.id]?.handler = task
            return state.inFlight[job.id]?.stop != nil
        }
        if stoppedEarly { task.cancel() }
        let result = await task.result
        let stop = state.withLockedValue { state -> RuntimeState.StopReason? in
            state.inFlight[job.id]?.handler = nil
            return state.inFlight[job.id]?.stop
        }
        switch (result, stop) {
        case (.success(let value), _):
            // Finished despite a late cancel: the side effect happened, so report it (a stale
            // lease makes bridge.complete drop it, never write it twice).
            return .succeeded(value)
        case (.failure, .timedOut?): return .timedOut(job.timeout)
        case (.failure, .leaseLost?): return .leaseLost
        case (.failure, .shutdown?): return .interrupted
        case (.failure(let error), nil): return Self.classify(error, job: job)
        }
    }

    static func classify(_ error: any Error, job: ClaimedJob) -> Outcome {
        switch error {
        case JobFailure.retryable(let message, let retryAfter):
            return .failed(message, retryable: true, retryAfter: retryAfter)
        case JobFailure.permanent(let message):
            return .failed(message, retryable: false, retryAfter: nil)
        case let error as DecodingError:
            return .failed("malformed payload for \(job.kind): \(describe(error))", retryable: false, retryAfter: nil)
        case is CancellationError:
            return .interrupted
        default:
            if Task.isCancelled { return .interrupted }
            return .failed("\(job.kind) handler raised \(String(reflecting: error))", retryable: true, retryAfter: nil)
        }
    }

    /// Hands the outcome to the database. The runtime never cancels this task (it cancels only
    /// handler tasks), so even a job stopped at shutdown reports: nothing stays locked until its
    /// lease expires.
    private func report(_ job: ClaimedJob, _ outcome: Outcome, log: JobLog, metrics: BridgeMetrics.Instruments) async {
        switch outcome {
        case .succeeded(let result):
            await complete(job, result: result, log: log, metrics: metrics)
        case .failed(let message, let retryable, let retryAfter):
            await fail(job, message: message, retryable: retryable, retryAfter: retryAfter, log: log, metrics: metrics)
        case .timedOut(let timeout):
            await fail(job, message: "timed out after \(Int(timeout.inSeconds))s", retryable: true, retryAfter: nil, log: log, metrics: metrics)
        case .leaseLost:
            await fail(job, message: "stopped: the job was cancelled or its lease was lost", retryable: true, retryAfter: nil, log: log, metrics: metrics)
        case .interrupted:
            await release(job, log: log, metrics: metrics)
        case .rateLimited(let reason, let delay):
            await deferJob(job, reason: reason, after: delay, log: log, metrics: metrics)
        }
    }

    private func complete(_ job: ClaimedJob, result: JobResult, log: JobLog, metrics: BridgeMetrics.Instruments) async {
        // Usually the job goes in a group commit with others; only if that batch fails as a
        // whole does it take the one-by-one path below.
        switch await completions.complete(job, result: result) {
        case .completed:
            metrics.succeeded.increment()
            return
        case .stale:
            log.logger.warning("bridge: result dropped, the job is no longer owned by this lease (reclaimed, finished or cancelled)")
            return
        case .retryIndividually:
            break
        }
        switch await record(log: log, { try await self.store.complete(job, result: result) }) {
        case .recorded:
            metrics.succeeded.increment()
        case .staleLease:
            log.logger.warning("bridge: result dropped, the job is no longer owned by this lease (reclaimed, finished or cancelled)")
        case .rejected(let error):
            // The write-back raised: nothing was written. Fail the attempt so it retries by policy.
            await fail(job, message: "write-back failed: \(DatabaseError.describe(error))", retryable: true, retryAfter: nil, log: log, metrics: metrics)
        case .unreachable:
            log.logger.error("bridge: could not report success; the job will run again after its lease expires")
        }
    }

    /// Shutdown past the grace period: give the job back without spending an attempt; if that
    /// cannot be recorded, fall back to a retryable failure so it is at least not left locked.
    private func release(_ job: ClaimedJob, log: JobLog, metrics: BridgeMetrics.Instruments) async {
        switch await record(log: log, attempts: 1, { try await self.store.release(job) }) {
        case .recorded(let status):
            log.logger.info("bridge: job released at shutdown", metadata: ["status": "\(status)"])
        case .staleLease:
            log.logger.warning("bridge: release not recorded, the job is no longer owned by this lease")
        case .rejected, .unreachable:
            await fail(job, message: "released: worker \(configuration.workerID) shut down before the job finished",
                       retryable: true, retryAfter: .zero, log: log, metrics: metrics)
        }
    }

    /// Rate limited: back to the queue for `delay` without spending an attempt; if that cannot be
    /// recorded, fall back to a retryable failure with the same delay.
    private func deferJob(_ job: ClaimedJob, reason: String, after delay: Duration, log: JobLog, metrics: BridgeMetrics.Instruments) async {
        switch await record(log: log, attempts: 1, { try await self.store.defer(job, after: delay, reason: reason) }) {
        case .recorded(let status):
            log.logger.debug("bridge: job deferred by the rate limit", metadata: ["status": "\(status)", "after": "\(delay)"])
        case .staleLease:
            log.logger.warning("bridge: deferral not recorded, the job is no longer owned by this lease")
        case .rejected, .unreachable:
            await fail(job, message: reason, retryable: true, retryAfter: delay, log: log, metrics: metrics)
        }
    }

    private func fail(_ job: ClaimedJob, message: String, retryable: Bool, retryAfter: Duration?, log: JobLog, metrics: BridgeMetrics.Instruments) async {
        switch await record(log: log, { try await self.store.fail(job, error: message, retryable: retryable, retryAfter: retryAfter) }) {
        case .recorded(let status):
            metrics.failed(status: status)
            let metadata: Logger.Metadata = ["error": "\(message)", "status": "\(status)"]
            if status == "dead" { log.logger.error("bridge: job dead", metadata: metadata) }
            else { log.logger.info("bridge: job attempt failed", metadata: metadata) }
        case .staleLease:
            log.logger.warning("bridge: failure not recorded, the job is no longer owned by this lease", metadata: ["error": "\(message)"])
        case .rejected(let error):
            log.logger.error("bridge: fail rejected by the database", metadata: ["error": "\(DatabaseError.describe(error))"])
        case .unreachable:
            log.logger.error("bridge: could not report failure; the job will run again after its lease expires")
        }
    }

    enum Recording<Value: Sendable>: Sendable {
        case recorded(Value)
        /// BR409: the lease token no longer owns the job.
        case staleLease
        /// The server refused the call (e.g. a write-back raised); retrying cannot help.
        case rejected(any Error)
        /// No answer after every attempt.
        case unreachable
    }

    /// One outcome call to the database, retried with backoff while the connection fails. A
    /// dropped connection may have lost the call before or after it committed; retrying is safe
    /// because the lease token fences a second write.
    func record<Value: Sendable>(log: JobLog, attempts: Int = 4, _ call: () async throws -> Value) async -> Recording<Value> {
        var delay = Duration.milliseconds(200)
        for attempt in 1...attempts {
            do {
                return .recorded(try await call())
            } catch is JobStore.StaleLease {
                return .staleLease
            } catch where DatabaseError.isServerError(error) {
                return .rejected(error)
            } catch {
                log.logger.warning("bridge: database call failed, retrying", metadata: ["error": "\(DatabaseError.describe(error))", "attempt": "\(attempt)"])
                if attempt < attempts {
                    try? await Task.sleep(for: delay)
                    delay *= 2
                }
            }
        }
        return .unreachable
    }
}
