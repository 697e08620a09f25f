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
    }

    func execute(_ job: ClaimedJob, pool: String, leaseLost: AsyncStream<Void>) async {
        var logger = self.logger
        logger[metadataKey: "job_id"] = "\(job.id)"
        logger[metadataKey: "kind"] = .string(job.kind)
        logger[metadataKey: "queue"] = .string(job.queue)
        logger[metadataKey: "attempt"] = "\(job.attempts)/\(job.maxAttempts)"
        BridgeMetrics.claimed(job)
        let outcome = await perform(job, logger: logger, leaseLost: leaseLost)
        await report(job, outcome, logger: logger)
        finished(job, pool: pool)
    }

    private func perform(_ job: ClaimedJob, logger: Logger, leaseLost: AsyncStream<Void>) async -> Outcome {
        guard let handler = registry.handler(for: job.kind) else {
            return .failed("no handler for kind \(job.kind) in this daemon (worker \(configuration.workerID) runs: \(registry.kinds.joined(separator: ", ")))",
                           retryable: false, retryAfter: nil)
        }
        // 1. Rate limits: wait for a slot on every key; a long wait hands the job back instead.
        let keys = handler.rateLimitKeys(for: job)
        if !keys.isEmpty {
            while let wait = await rateLimiter.reserve(keys) {
                if wait > configuration.maxRateLimitWait {
                    return .failed("rate limited on \(keys.map(\.description).joined(separator: ", "))", retryable: true, retryAfter: wait)
                }
                do { try await Task.sleep(for: wait) } catch { return .interrupted }
            }
        }
        // 2. Circuit breaker: an open provider is not called at all.
        if let provider = handler.provider, case .rejected(let retryAfter) = await breaker.admit(provider) {
            return .failed("circuit breaker open for provider \(provider)", retryable: true, retryAfter: retryAfter)
        }
        // 3. Run with a deadline; no transaction is open here.
        let startedAt = Date()
        let clock = ContinuousClock.now
        BridgeMetrics.latency(job, startedAt: startedAt)
        logger.debug("bridge: job started")
        let outcome = await runHandler(handler, job: job, logger: logger, leaseLost: leaseLost)
        BridgeMetrics.duration(job, ContinuousClock.now - clock)
        if let provider = handler.provider {
            switch outcome {
            case .succeeded, .failed(_, retryable: false, _): await breaker.recordSuccess(provider)
            case .failed(_, retryable: true, _), .timedOut:
                if await breaker.recordFailure(provider) {
                    logger.warning("bridge: circuit breaker opened", metadata: ["provider": "\(provider)", "open_for": "\(configuration.circuitBreaker.openDuration)"])
                }
            case .leaseLost, .interrupted: await breaker.recordAbandoned(provider)
            }
        }
        return outcome
    }

    /// Races the handler against its deadline and against losing the lease; the loser is cancelled.
    private func runHandler(_ handler: any JobHandler, job: ClaimedJob, logger: Logger, leaseLost: AsyncStream<Void>) async -> Outcome {
        let context = JobContext(logger: logger, deadline: .now + job.timeout, idempotencyKey: "job-\(job.id)")
        return await withTaskGroup(of: Outcome?.self) { group in
            group.addTask {
                do {
                    return .succeeded(try await handler.perform(job, context: context))
                } catch {
                    return Self.classify(error, job: job)
                }
            }
            group.addTask {
                do {
                    try await Task.sleep(until: context.deadline)
                    return .timedOut(job.timeout)
                } catch {
                    return nil
                }
            }
            group.addTask {
                for await _ in leaseLost {}
                return Task.isCancelled ? nil : .leaseLost
            }
            while let next = await group.next() {
                if let outcome = next {
                    group.cancelAll()
                    return outcome
                }
            }
            return .interrupted
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

    /// Hands the outcome to the database. Runs in an unstructured task so that a cancelled job
    /// (shutdown past its grace) still reports: nothing is left locked until its lease expires.
    private func report(_ job: ClaimedJob, _ outcome: Outcome, logger: Logger) async {
        await Task {
            switch outcome {
            case .succeeded(let result):
                await self.complete(job, result: result, logger: logger)
            case .failed(let message, let retryable, let retryAfter):
                await self.fail(job, message: message, retryable: retryable, retryAfter: retryAfter, logger: logger)
            case .timedOut(let timeout):
                await self.fail(job, message: "timed out after \(timeout.components.seconds)s", retryable: true, retryAfter: nil, logger: logger)
            case .leaseLost:
                await self.fail(job, message: "stopped: the job was cancelled or its lease was lost", retryable: true, retryAfter: nil, logger: logger)
            case .interrupted:
                await self.release(job, logger: logger)
            }
        }.value
    }

    private func complete(_ job: ClaimedJob, result: JobResult, logger: Logger) async {
        // Usually the job goes in a group commit with others; only if that batch fails as a
        // whole does it take the one-by-one path below.
        switch await completions.complete(job, result: result) {
        case .completed:
            BridgeMetrics.succeeded(job)
            logger.debug("bridge: job succeeded")
            return
        case .stale:
            logger.warning("bridge: result dropped, the job is no longer owned by this lease (reclaimed, finished or cancelled)")
            return
        case .retryIndividually:
            break
        }
        // A dropped connection may have lost the call before or after it committed; retrying is
        // safe because the lease token fences a second write-back.
        var delay = Duration.milliseconds(200)
        for attempt in 1...4 {
            do {
                try await store.complete(job, result: result)
                BridgeMetrics.succeeded(job)
                logger.debug("bridge: job succeeded")
                return
            } catch is JobStore.StaleLease {
                if attempt == 1 {
                    logger.warning("bridge: result dropped, the job is no longer owned by this lease (reclaimed, finished or cancelled)")
                }
                return
            } catch let error where JobStore.isServerError(error) {
                // The write-back raised: nothing was written. Fail the attempt so it retries by policy.
                await fail(job, message: "write-back failed: \(JobStore.describe(error))", retryable: true, retryAfter: nil, logger: logger)
                return
            } catch {
                logger.warning("bridge: complete failed, retrying", metadata: ["error": "\(JobStore.describe(error))"])
                try? await Task.sleep(for: delay)
                delay *= 2
            }
        }
        logger.error("bridge: could not report success; the job will run again after its lease expires")
    }

    /// Shutdown past the grace period: give the job back without spending an attempt; if that
    /// cannot be recorded, fall back to a retryable failure so it is at least not left locked.
    private func release(_ job: ClaimedJob, logger: Logger) async {
        do {
            let status = try await store.release(job)
            logger.info("bridge: job released at shutdown", metadata: ["status": "\(status)"])
        } catch is JobStore.StaleLease {
            logger.warning("bridge: release not recorded, the job is no longer owned by this lease")
        } catch {
            await fail(job, message: "released: worker \(configuration.workerID) shut down before the job finished",
                       retryable: true, retryAfter: .zero, logger: logger)
        }
    }

    private func fail(_ job: ClaimedJob, message: String, retryable: Bool, retryAfter: Duration?, logger: Logger) async {
        var delay = Duration.milliseconds(200)
        for _ in 1...4 {
            do {
                let status = try await store.fail(job, error: message, retryable: retryable, retryAfter: retryAfter)
                BridgeMetrics.failed(job, status: status)
                let metadata: Logger.Metadata = ["error": "\(message)", "status": "\(status)"]
                if status == "dead" { logger.error("bridge: job dead", metadata: metadata) }
                else { logger.info("bridge: job attempt failed", metadata: metadata) }
                return
            } catch is JobStore.StaleLease {
                logger.warning("bridge: failure not recorded, the job is no longer owned by this lease", metadata: ["error": "\(message)"])
                return
            } catch let error where JobStore.isServerError(error) {
                logger.error("bridge: fail rejected by the database", metadata: ["error": "\(JobStore.describe(error))"])
                return
            } catch {
                logger.warning("bridge: fail call failed, retrying", metadata: ["error": "\(JobStore.describe(error))"])
                try? await Task.sleep(for: delay)
                delay *= 2
            }
        }
        logger.error("bridge: could not report failure; the job will run again after its lease expires")
    }
}
