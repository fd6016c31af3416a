import Foundation
import PPLDistributions

/// Importance sampling with the prior as proposal: draw x_i ~ p(x), weight w_i = p(y | x_i).
///
/// Z ≈ (1/N) Σ w_i is unbiased for p(y); E[f | y] ≈ Σ w_i f(x_i) / Σ w_i.
/// The standard error of log Ẑ is the delta-method sd(w) / (√N mean(w)).
/// Draws are made in fixed-size blocks, block b on RandomStream(seed:, stream: b + 1),
/// so a seed gives the same draws whatever the number of threads.
/// Kahn & Marshall (1953); Fung & Chang (1990) for Bayesian networks.
public struct LikelihoodWeighting: Sendable {
    public var particles: Int
    public var seed: UInt64
    /// Draws per parallel block; part of what a seed reproduces.
    public var blockSize: Int

    public init(particles: Int = 10_000, seed: UInt64 = 0, blockSize: Int = 1_024) {
        self.particles = particles
        self.seed = seed
        self.blockSize = blockSize
    }

    /// Runs the draws in parallel blocks; cancellation keeps the draws already made.
    public func run<M: Model>(_ model: M) async throws(ModelError) -> Posterior {
        guard particles > 0 else {
            throw ModelError(.unsupportedByEngine, "lw needs at least one particle, got \(particles)")
        }
        let blockSize = max(1, self.blockSize)
        let blockCount = (particles + blockSize - 1) / blockSize
        let seed = self.seed, particles = self.particles
        let results = await withTaskGroup(of: (Int, [M.Trace], ModelError?, Bool).self) { group in
            for b in 0..<blockCount {
                group.addTask {
                    var rng = RandomStream(seed: seed, stream: UInt64(b) + 1)
                    let range = (b * blockSize)..<min(particles, (b + 1) * blockSize)
                    var traces: [M.Trace] = []
                    traces.reserveCapacity(range.count)
                    for _ in range {
                        if Task.isCancelled { return (b, traces, nil, true) }
                        do throws(ModelError) {
                            traces.append(try model.simulate(using: &rng))
                        } catch {
                            return (b, traces, error, false)
                        }
                    }
                    return (b, traces, nil, false)
                }
            }
            var out = [(traces: [M.Trace], error: ModelError?, cancelled: Bool)](repeating: ([], nil, false), count: blockCount)
            for await (b, traces, error, cancelled) in group { out[b] = (traces, error, cancelled) }
            return out
        }
        if let error = results.lazy.compactMap({ $0.error }).first { throw error }
        let cancelled = results.contains { $0.cancelled }

        var table = WeightedDrawTable()
        for block in results {
            for trace in block.traces {
                let logLikelihood = trace.logLikelihood
                guard !logLikelihood.isNaN else {
                    throw ModelError(.notFinite, "an observation's log density is NaN; check the parameters of the observed distributions")
                }
                table.add(latents: (0..<trace.latentCount).lazy.map { i in
                              let record = trace.latent(i)
                              return (record.address, record.value)
                          },
                          deterministic: trace.deterministic, returnValue: trace.returnValue,
                          logWeight: logLikelihood)
            }
        }
        let (logEvidence, standardError) = LogWeights.logMean(table.logWeights)
        if !cancelled && logEvidence == -.infinity {
            throw ModelError(.other, "all \(table.drawCount) prior draws have zero likelihood; the observations are impossible under the prior draws, try smc or more particles")
        }
        let total = LogWeights.logSumExp(table.logWeights)
        var diagnostics = EngineDiagnostics()
        diagnostics.extra["logEvidenceStandardError"] = standardError
        diagnostics.extra["effectiveSampleSize"] = LogWeights.effectiveSampleSize(table.logWeights)
        if !model.facts.hasObservations {
            diagnostics.warnings.append("the model has no observations: the weights are equal and the draws are from the prior")
        }
        return Posterior(engine: "lw", seed: seed, columns: table.columns,
                         columnIsInteger: table.columnIsInteger, draws: [table.draws],
                         logWeights: [table.logWeights.map { $0 - total }],
                         logEvidence: logEvidence, diagnostics: diagnostics, cancelled: cancelled)
    }
}
