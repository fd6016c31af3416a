import Foundation
import Testing
import PPLDistributions
@testable import PPLInference

// Conjugate and enumerable models with exact posteriors, written out by hand here.

private let normalData = [1.2, 0.4, 2.1, 1.7, 0.9, 1.3, 2.5, 0.2, 1.1, 1.6]

/// mu ~ N(0, 2), y_i ~ N(mu, 1): mu | y ~ N(Σy / (1/4 + n), 1 / (1/4 + n)).
let mhNormalNormal = SwiftModel(isStatic: true) { ctx in
    let mu = try ctx.sample("mu", Normal(mu: 0, sigma: 2))
    for (i, y) in normalData.enumerated() {
        try ctx.observe(Normal(mu: mu, sigma: 1), y, at: Address("y").appending(index: i))
    }
}
private let normalPrecision = 0.25 + Double(normalData.count)
private let normalMean = normalData.reduce(0, +) / normalPrecision
private let normalSD = (1 / normalPrecision).squareRoot()

private let flips = [1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1]

/// p ~ Beta(2, 3), flips ~ Bernoulli(p): p | flips ~ Beta(2 + k, 3 + n - k).
let mhBetaBernoulli = SwiftModel(isStatic: true) { ctx in
    let p = try ctx.sample("p", Beta(alpha: 2, beta: 3))
    for flip in flips { try ctx.observe(Bernoulli(p: p), flip) }
}
private let betaA = 2.0 + Double(flips.reduce(0, +))
private let betaB = 3.0 + Double(flips.count - flips.reduce(0, +))

private let counts = [3, 5, 2, 4, 6]

/// lambda ~ Gamma(3, 2) (rate), y ~ Poisson(lambda): lambda | y ~ Gamma(3 + Σy, 2 + n).
let mhGammaPoisson = SwiftModel(isStatic: true) { ctx in
    let lambda = try ctx.sample("lambda", Gamma(alpha: 3, beta: 2))
    for y in counts { try ctx.observe(Poisson(lambda: lambda), y) }
}

/// z ~ Bernoulli(0.3); z = 1: a ~ N(0, 1), y ~ N(a, 1); z = 0: b ~ N(5, 2), c ~ N(0, 1), y ~ N(b + c, 1).
/// P(z = 1 | y) = 0.3 N(y; 0, √2) / (0.3 N(y; 0, √2) + 0.7 N(y; 5, √6)).
let mhBranching = SwiftModel { ctx in
    let z = try ctx.sample("z", Bernoulli(p: 0.3))
    let mean: Double
    if z == 1 {
        mean = try ctx.sample("a", Normal(mu: 0, sigma: 1))
    } else {
        mean = try ctx.sample("b", Normal(mu: 5, sigma: 2)) + ctx.sample("c", Normal(mu: 0, sigma: 1))
    }
    try ctx.observe(Normal(mu: mean, sigma: 1), 2.5)
}

private func normalDensity(_ x: Double, _ mu: Double, _ sigma: Double) -> Double {
    exp(-0.5 * pow((x - mu) / sigma, 2)) / (sigma * (2 * Double.pi).squareRoot())
}

private let branchProbability: Double = {
    let one = 0.3 * normalDensity(2.5, 0, 2.0.squareRoot())
    let zero = 0.7 * normalDensity(2.5, 5, 6.0.squareRoot())
    return one / (one + zero)
}()

/// Whether the posterior mean of `address` is within `k` MCSE of `exact`, with bulk ESS at least `minimumESS`.
struct MeanCheck: CustomStringConvertible {
    var passes: Bool
    var description: String

    init(_ posterior: Posterior, _ address: Address, _ exact: Double, k: Double = 4, minimumESS: Double = 400) {
        guard let c = posterior.columnIndex(of: address) else {
            passes = false
            description = "no column '\(address)'"
            return
        }
        let s = posterior.summary(column: c)
        guard let mean = s.mean, let mcse = s.mcse, let ess = s.ess else {
            passes = false
            description = "no summary for '\(address)'"
            return
        }
        passes = abs(mean - exact) <= k * mcse && ess >= minimumESS
        description = "'\(address)': mean \(mean), exact \(exact), MCSE \(mcse), ESS \(ess)"
    }
}

@Suite struct MetropolisHastingsTests {
    @Test func normalNormalPosteriorMeanAndSD() async throws {
        let posterior = try await MetropolisHastings(samples: 1_000, chains: 4, seed: 11).run(mhNormalNormal)
        let check = MeanCheck(posterior, "mu", normalMean)
        #expect(check.passes, "\(check)")
        let s = posterior.summary(column: 0)
        // sd of a sample of ESS ≈ 1000 near-normal draws has relative error about 1/sqrt(2 ESS) ≈ 2%.
        #expect(abs((s.sd ?? 0) - normalSD) < 0.1 * normalSD)
        #expect((s.rhat ?? 2) < 1.01)
        let rate = try #require(posterior.diagnostics.acceptanceRate["mu"])
        #expect(rate > 0.3 && rate < 0.6, "adapted towards 0.44, got \(rate)")
        #expect(posterior.draws.count == 4 && posterior.draws[0][0].count == 1_000)
        #expect(posterior.diagnostics.warnings.isEmpty, "\(posterior.diagnostics.warnings)")
    }

    /// Per-address acceptance of a static model names every site with its own rate, whichever
    /// site the random scan meets first (it once lent its address to every earlier site).
    @Test func acceptanceIsReportedPerSiteUnderItsOwnAddress() async throws {
        let model = SwiftModel(isStatic: true) { ctx in
            _ = try ctx.sample("x", Normal(mu: 0, sigma: 1))
            for i in 0..<4 { _ = try ctx.sample(Address("b").appending(index: i), Bernoulli(p: 0.5)) }
        }
        let posterior = try await MetropolisHastings(samples: 400, warmup: 200, chains: 2, seed: 5).run(model)
        let rates = posterior.diagnostics.acceptanceRate
        let expected: Set<Address> = Set([Address("x")] + (0..<4).map { Address("b").appending(index: $0) })
        #expect(Set(rates.keys) == expected, "\(rates)")
        // A flip between two values of equal prior mass is always accepted; the walk on x is not.
        for i in 0..<4 { #expect(rates[Address("b").appending(index: i)] == 1, "\(rates)") }
        #expect((rates["x"] ?? 1) < 0.9, "\(rates)")
    }

    @Test func betaBernoulliOnTheLogitScale() async throws {
        let posterior = try await MetropolisHastings(samples: 1_000, chains: 4, seed: 12).run(mhBetaBernoulli)
        let check = MeanCheck(posterior, "p", betaA / (betaA + betaB))
        #expect(check.passes, "\(check)")
    }

    @Test func gammaPoissonOnTheLogScale() async throws {
        let posterior = try await MetropolisHastings(samples: 1_000, chains: 4, seed: 13).run(mhGammaPoisson)
        let shape = 3.0 + Double(counts.reduce(0, +))
        let rate = 2.0 + Double(counts.count)
        let check = MeanCheck(posterior, "lambda", shape / rate)
        #expect(check.passes, "\(check)")
    }

    @Test func negativeControlDroppingTheJacobianIsCaught() async throws {
        // The same check as above, on a kernel that forgets the logit Jacobian: the posterior is wrong.
        var mh = MetropolisHastings(samples: 1_000, chains: 4, seed: 12)
        mh.fault = .dropJacobian
        let posterior = try await mh.run(mhBetaBernoulli)
        let check = MeanCheck(posterior, "p", betaA / (betaA + betaB))
        #expect(!check.passes, "\(check)")
    }

    @Test func stochasticBranchingUsesTheDimensionCorrection() async throws {
        let posterior = try await MetropolisHastings(samples: 2_000, chains: 4, seed: 14).run(mhBranching)
        let check = MeanCheck(posterior, "z", branchProbability, minimumESS: 300)
        #expect(check.passes, "\(check)")
        // Columns of a branch not taken hold NaN there.
        let a = try #require(posterior.columnIndex(of: "a"))
        let z = try #require(posterior.columnIndex(of: "z"))
        #expect(zip(posterior.draws[0][z], posterior.draws[0][a]).allSatisfy { ($0 == 1) == !$1.isNaN })
    }

    @Test func negativeControlWithoutTheSelectionCorrection() async throws {
        var mh = MetropolisHastings(samples: 2_000, chains: 4, seed: 14)
        mh.fault = .noSelectionCorrection
        let posterior = try await mh.run(mhBranching)
        let check = MeanCheck(posterior, "z", branchProbability, minimumESS: 300)
        #expect(!check.passes, "\(check)")
    }

    @Test func priorProposalsAgreeToo() async throws {
        let posterior = try await MetropolisHastings(samples: 2_000, chains: 4, seed: 15, proposal: .prior).run(mhBranching)
        let check = MeanCheck(posterior, "z", branchProbability, minimumESS: 300)
        #expect(check.passes, "\(check)")
    }

    @Test func sameSeedSameDrawsWhateverTheConcurrency() async throws {
        let parallel = try await MetropolisHastings(samples: 200, chains: 3, seed: 16).run(mhGammaPoisson)
        let serial = try await MetropolisHastings(samples: 200, chains: 3, seed: 16, maxConcurrentChains: 1).run(mhGammaPoisson)
        let other = try await MetropolisHastings(samples: 200, chains: 3, seed: 17).run(mhGammaPoisson)
        #expect(parallel.draws == serial.draws)
        #expect(parallel.draws != other.draws)
        #expect(parallel.draws[0] != parallel.draws[1])
    }

    @Test func thinningAndWarmupCounts() async throws {
        let posterior = try await MetropolisHastings(samples: 50, warmup: 10, thin: 3, chains: 2, seed: 18).run(mhNormalNormal)
        #expect(posterior.draws.map { $0[0].count } == [50, 50])
        #expect(posterior.sampleStatistics["lp__"]?.map(\.count) == [50, 50])
    }

    @Test func pointwiseLogLikelihoodAndPredictiveDraws() async throws {
        let mh = MetropolisHastings(samples: 500, chains: 2, seed: 19, pointwiseLogLikelihood: true, posteriorPredictive: true)
        let posterior = try await mh.run(mhNormalNormal)
        #expect(posterior.observationAddresses.count == normalData.count)
        let logLik = try #require(posterior.pointwiseLogLikelihood)
        let mu = posterior.draws[1][0][7]
        let y3 = normalData[3]
        #expect(abs(logLik[1][3][7] - log(normalDensity(y3, mu, 1))) < 1e-9)
        let predictive = try #require(posterior.predictiveDraws)
        #expect(posterior.predictiveColumns.first == Address("y").appending(index: 0))
        // y_rep - mu ~ N(0, 1) draw by draw.
        let residuals = zip(predictive[0][0], posterior.draws[0][0]).map { $0 - $1 }
        let meanResidual = residuals.reduce(0, +) / Double(residuals.count)
        #expect(abs(meanResidual) < 4 / Double(residuals.count).squareRoot())
    }

    @Test func initialValuesAreUsedAndUnknownOnesNamed() async throws {
        let posterior = try await MetropolisHastings(samples: 5, warmup: 0, chains: 1, seed: 20,
                                                     inits: ["mu": .real(100)]).run(mhNormalNormal)
        // One random-walk sweep from 100 cannot reach the posterior's bulk near 1.
        #expect(posterior.draws[0][0][0] > 50)
        await #expect {
            _ = try await MetropolisHastings(samples: 5, inits: ["nu": .real(1)]).run(mhNormalNormal)
        } throws: { error in
            (error as? ModelError)?.description.contains("'nu'") == true
        }
    }

    @Test func failedInitialisationTablesEachChoice() async throws {
        let impossible = SwiftModel(isStatic: true) { ctx in
            let p = try ctx.sample("p", Beta(alpha: 1, beta: 1))
            try ctx.observe(Bernoulli(p: p), 2, at: "y")
        }
        await #expect {
            _ = try await MetropolisHastings(samples: 5, chains: 1, initAttempts: 3).run(impossible)
        } throws: { error in
            let text = (error as? ModelError)?.description ?? ""
            return text.contains("no starting point") && text.contains("y (observed)") && text.contains("-inf")
                && text.contains("p ")
        }
    }

    @Test func badConfigurationIsAClearError() async {
        await #expect {
            _ = try await MetropolisHastings(samples: 0).run(mhNormalNormal)
        } throws: { error in
            (error as? ModelError)?.description.contains("'samples' must be at least 1") == true
        }
    }

    @Test func cancellationReturnsWhatWasDrawn() async throws {
        let task = Task { try await MetropolisHastings(samples: 100_000, chains: 2, seed: 21).run(mhNormalNormal) }
        task.cancel()
        let posterior = try await task.value
        #expect(posterior.cancelled)
        #expect(posterior.draws.allSatisfy { $0.allSatisfy { $0.count < 100_000 } })
    }

    @Test func poorMixingIsFlagged() async throws {
        // Two well-separated modes and short chains: R-hat or ESS must warn.
        let bimodal = SwiftModel(isStatic: true) { ctx in
            let x = try ctx.sample("x", Normal(mu: 0, sigma: 10))
            try ctx.factor(log(0.5 * normalDensity(x, -8, 0.5) + 0.5 * normalDensity(x, 8, 0.5)))
        }
        let posterior = try await MetropolisHastings(samples: 200, chains: 4, seed: 22).run(bimodal)
        #expect(posterior.diagnostics.warnings.contains { $0.contains("R-hat") || $0.contains("effective sample size") })
    }
}
