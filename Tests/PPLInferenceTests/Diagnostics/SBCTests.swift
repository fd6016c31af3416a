import Foundation
import Testing
import PPLDistributions
@testable import PPLInference

// Simulation-based calibration of MH on three small models, with biased kernels as negative controls.
// Each replication runs one short chain, thinned so its draws are nearly independent.

private let observations = 4

/// mu ~ N(0, 1), y_i ~ N(mu, 1).
private func continuousModel(_ ys: [Double]) -> SwiftModel {
    SwiftModel(isStatic: true) { ctx in
        let mu = try ctx.sample("mu", Normal(mu: 0, sigma: 1))
        for y in ys { try ctx.observe(Normal(mu: mu, sigma: 1), y) }
    }
}

private let categoryMeans = [-1.5, 0.0, 1.5]
private let categoryProbabilities = [0.2, 0.5, 0.3]

/// z ~ Categorical(0.2, 0.5, 0.3), y_i ~ N(means[z], 1).
private func discreteModel(_ ys: [Double]) -> SwiftModel {
    SwiftModel(isStatic: true) { ctx in
        let z = try ctx.sample("z", Categorical(p: categoryProbabilities))
        for y in ys { try ctx.observe(Normal(mu: categoryMeans[z], sigma: 1), y) }
    }
}

/// z ~ Bernoulli(0.5), s ~ Gamma(3, 3) (rate), x ~ N(z == 1 ? 1 : -1, s), y_i ~ N(x, 1).
private func mixedModel(_ ys: [Double]) -> SwiftModel {
    SwiftModel(isStatic: true) { ctx in
        let z = try ctx.sample("z", Bernoulli(p: 0.5))
        let s = try ctx.sample("s", Gamma(alpha: 3, beta: 3))
        let x = try ctx.sample("x", Normal(mu: z == 1 ? 1 : -1, sigma: s))
        for y in ys { try ctx.observe(Normal(mu: x, sigma: 1), y) }
    }
}

private func normalData(mean: Double, _ rng: inout RandomStream) throws -> [Double] {
    let noise = try Normal(mu: mean, sigma: 1)
    return (0..<observations).map { _ in noise.sample(using: &rng) }
}

private func calibrate(replications: Int = Int(ProcessInfo.processInfo.environment["PPL_SBC_REPLICATIONS"] ?? "") ?? 150, fault: SiteProposal.Fault = .none, thin: Int = 5,
                       proposal: MetropolisHastings.Proposal = .adaptiveRandomWalk,
                       blockFault: AdaptiveBlockProposal.Fault = .none,
                       prior: (inout RandomStream) throws -> [Address: Double],
                       simulate: ([Address: Double], inout RandomStream) throws -> [Double],
                       model: @escaping ([Double]) -> SwiftModel) async throws -> SimulationBasedCalibration.Result {
    let sbc = SimulationBasedCalibration(replications: replications, bins: 10, seed: 2018)
    return try await sbc.run(prior: prior, simulate: simulate) { ys, n in
        var mh = MetropolisHastings(samples: 19, warmup: 200, thin: thin, chains: 1, seed: UInt64(1_000 + n),
                                    proposal: proposal)
        mh.fault = fault
        mh.blockFault = blockFault
        return try await mh.run(model(ys))
    }
}

private func describe(_ result: SimulationBasedCalibration.Result) -> String {
    defer { if ProcessInfo.processInfo.environment["PPL_VERBOSE"] != nil { print("SBC", describeNow(result)) } }
    return describeNow(result)
}

private func describeNow(_ result: SimulationBasedCalibration.Result) -> String {
    result.pValues.keys.sorted().map { "\($0): p = \(result.pValues[$0] ?? .nan), bins \(result.histograms[$0] ?? [])" }
        .joined(separator: "; ")
}

private func continuousPrior(_ rng: inout RandomStream) throws -> [Address: Double] {
    ["mu": try Normal(mu: 0, sigma: 1).sample(using: &rng)]
}

private func continuousData(_ truth: [Address: Double], _ rng: inout RandomStream) throws -> [Double] {
    try normalData(mean: truth["mu"] ?? 0, &rng)
}

@Suite struct SBCTests {
    @Test func exactPosteriorDrawsAreCalibratedAndWrongOnesAreNot() async throws {
        // The helper itself, on the conjugate posterior N(Σy / (n + 1), 1 / (n + 1)) drawn exactly,
        // and on the same with its sd doubled.
        for (scale, shouldPass) in [(1.0, true), (2.0, false)] {
            let sbc = SimulationBasedCalibration(replications: 300, bins: 10, seed: 7)
            let result = try await sbc.run(prior: continuousPrior, simulate: continuousData) { ys, n in
                var rng = RandomStream(seed: 99, stream: UInt64(n))
                let precision = Double(ys.count + 1)
                let exact = try Normal(mu: ys.reduce(0, +) / precision, sigma: scale / precision.squareRoot())
                return Posterior(engine: "exact", seed: 99, columns: ["mu"], columnIsInteger: [false],
                                 draws: [[(0..<39).map { _ in exact.sample(using: &rng) }]])
            }
            #expect(result.rankCount == 40)
            #expect(result.ranks["mu"]?.count == 300)
            #expect(result.isUniform() == shouldPass, "scale \(scale): \(describe(result))")
        }
    }

    @Test func continuousModelUnderMH() async throws {
        let result = try await calibrate(prior: continuousPrior, simulate: continuousData, model: continuousModel)
        #expect(result.isUniform(), "\(describe(result))"); _ = describe(result)
    }

    @Test func negativeControlDriftingKernel() async throws {
        let result = try await calibrate(fault: .drift, prior: continuousPrior, simulate: continuousData,
                                         model: continuousModel)
        #expect(!result.isUniform(), "\(describe(result))"); _ = describe(result)
    }

    @Test func discreteModelUnderMH() async throws {
        let result = try await calibrate(thin: 5, prior: { rng in
            ["z": Double(try Categorical(p: categoryProbabilities).sample(using: &rng))]
        }, simulate: { truth, rng in
            try normalData(mean: categoryMeans[Int(truth["z"] ?? 0)], &rng)
        }, model: discreteModel)
        #expect(result.isUniform(), "\(describe(result))"); _ = describe(result)
    }

    @Test func mixedModelUnderMH() async throws {
        let prior: (inout RandomStream) throws -> [Address: Double] = { rng in
            let z = try Bernoulli(p: 0.5).sample(using: &rng)
            let s = try Gamma(alpha: 3, beta: 3).sample(using: &rng)
            let x = try Normal(mu: z == 1 ? 1 : -1, sigma: s).sample(using: &rng)
            return ["z": Double(z), "s": s, "x": x]
        }
        let simulate: ([Address: Double], inout RandomStream) throws -> [Double] = { truth, rng in
            try normalData(mean: truth["x"] ?? 0, &rng)
        }
        let result = try await calibrate(thin: 10, prior: prior, simulate: simulate, model: mixedModel)
        #expect(result.isUniform(), "\(describe(result))"); _ = describe(result)
        let biased = try await calibrate(fault: .dropJacobian, thin: 10, prior: prior, simulate: simulate, model: mixedModel)
        #expect(!biased.isUniform(), "without the Jacobian: \(describe(biased))"); _ = describe(biased)

        // The same with block moves of (s, x) interleaved, and with the block's Jacobian dropped.
        let block = try await calibrate(thin: 10, proposal: .adaptiveBlock, prior: prior, simulate: simulate, model: mixedModel)
        #expect(block.isUniform(), "block: \(describe(block))"); _ = describe(block)
        let biasedBlock = try await calibrate(thin: 10, proposal: .adaptiveBlock, blockFault: .dropJacobian,
                                              prior: prior, simulate: simulate, model: mixedModel)
        #expect(!biasedBlock.isUniform(), "block without the Jacobian: \(describe(biasedBlock))"); _ = describe(biasedBlock)
    }
}
