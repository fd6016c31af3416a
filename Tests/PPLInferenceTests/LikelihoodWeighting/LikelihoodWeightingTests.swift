import Foundation
import Testing
import PPLDistributions
@testable import PPLInference

@Suite struct LikelihoodWeightingTests {
    /// Self-normalised estimate of E[p | y] and its MCSE, sqrt(Σ W_i² (p_i - mean)²) (Owen 2013, eq. 9.8).
    static func weightedMean(_ posterior: Posterior, _ column: Address) throws -> (mean: Double, mcse: Double) {
        let c = try #require(posterior.columnIndex(of: column))
        let weights = try #require(LogWeights.normalised(posterior.logWeights?[0] ?? []))
        let xs = posterior.draws[0][c]
        let mean = zip(weights, xs).reduce(0) { $0 + $1.0 * $1.1 }
        let variance = zip(weights, xs).reduce(0) { $0 + $1.0 * $1.0 * ($1.1 - mean) * ($1.1 - mean) }
        return (mean, variance.squareRoot())
    }

    /// log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b).
    static func logBeta(_ a: Double, _ b: Double) -> Double { lgamma(a) + lgamma(b) - lgamma(a + b) }

    @Test func coinPosteriorMeanAndEvidence() async throws {
        let posterior = try await LikelihoodWeighting(particles: 20_000, seed: 11).run(SMCStepModel(CoinProgram()))
        let (mean, mcse) = try Self.weightedMean(posterior, "p")
        // Beta(1, 1) prior and 6 heads in 8 flips: Beta(7, 3), mean 0.7; p(y) = B(7, 3) / B(1, 1).
        #expect(abs(mean - 0.7) < 4 * mcse)
        let standardError = try #require(posterior.diagnostics.extra["logEvidenceStandardError"])
        let logEvidence = try #require(posterior.logEvidence)
        #expect(abs(logEvidence - Self.logBeta(7, 3)) < 4 * standardError)
        #expect(try #require(posterior.diagnostics.extra["effectiveSampleSize"]) > 2_000)
        #expect(posterior.columns == ["p", "return"])
    }

    /// Negative control: p drawn from Beta(2, 1) but scored as Beta(1, 1) fails the same check.
    @Test func wrongProposalIsRejected() async throws {
        let posterior = try await LikelihoodWeighting(particles: 20_000, seed: 11).run(SMCStepModel(CoinProgram(wrongPrior: true)))
        let (mean, mcse) = try Self.weightedMean(posterior, "p")
        #expect(abs(mean - 0.7) > 4 * mcse)
    }

    @Test func sameSeedSameDrawsWhateverTheBlocks() async throws {
        let model = SMCStepModel(CoinProgram())
        let a = try await LikelihoodWeighting(particles: 3_000, seed: 5).run(model)
        let b = try await LikelihoodWeighting(particles: 3_000, seed: 5).run(model)
        let c = try await LikelihoodWeighting(particles: 3_000, seed: 6).run(model)
        #expect(a.draws == b.draws && a.logEvidence == b.logEvidence)
        #expect(a.draws != c.draws)
    }

    @Test func impossibleDataIsAnError() async {
        await #expect(throws: ModelError.self) {
            try await LikelihoodWeighting(particles: 100).run(SMCStepModel(ImpossibleProgram()))
        }
    }

    @Test func cancellationKeepsDrawsSoFar() async throws {
        let task = Task { try await LikelihoodWeighting(particles: 2_000_000, seed: 1).run(SMCStepModel(CoinProgram())) }
        task.cancel()
        let posterior = try await task.value
        #expect(posterior.cancelled)
        #expect(posterior.draws[0].first?.count ?? 0 < 2_000_000)
    }
}
