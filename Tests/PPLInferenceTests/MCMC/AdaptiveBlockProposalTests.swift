import Foundation
import Testing
import PPLDistributions
@testable import PPLInference

private let correlation = 0.99

/// x ~ N(0, 1), tau ~ LogNormal(ρ x, √(1 - ρ²)): (x, log tau) is standard bivariate Normal with
/// correlation ρ = 0.99, so E x = 0, sd x = 1 and E tau = e^{1/2} exactly; tau lives on (0, ∞),
/// so the block's log-scale Jacobian matters.
private let correlatedModel = SwiftModel(isStatic: true, hasObservations: false) { ctx in
    let x = try ctx.sample("x", Normal(mu: 0, sigma: 1))
    _ = try ctx.sample("tau", LogNormal(mu: correlation * x, sigma: (1 - correlation * correlation).squareRoot()))
}

/// a ~ Uniform(0, 1), b ~ Uniform(0, 1 - a), factor b³ (1 - a): a support that depends on another
/// choice, as garch11's beta1 on alpha1. The density is b³ on the triangle a + b < 1, so
/// b ~ Beta(4, 2) and a | b ~ Uniform(0, 1 - b): E b = 2/3, E a = 1/6. Mass near b's moving upper
/// bound makes a block move that maps x' with the old bounds (and rejects when it lands outside
/// the new ones) visibly wrong: E a 0.11.
private let dependentSupportModel = SwiftModel(isStatic: true) { ctx in
    let a = try ctx.sample("a", Uniform(a: 0, b: 1))
    let b = try ctx.sample("b", Uniform(a: 0, b: 1 - a))
    try ctx.factor(3 * log(b) + log(1 - a))
}
private let dependentSupportMeans = (a: 1.0 / 6, b: 2.0 / 3)

/// The checks of one run against exact values: means within 4 MCSE, sd of x within 4 of its
/// standard errors (relative error 1/√(2 ESS) for a near-Normal sample), bulk ESS ≥ 400.
private func exactChecks(_ posterior: Posterior) -> (passes: Bool, report: String) {
    let xMean = MeanCheck(posterior, "x", 0)
    let tauMean = MeanCheck(posterior, "tau", exp(0.5))
    guard let c = posterior.columnIndex(of: "x") else { return (false, "no column x") }
    let s = posterior.summary(column: c)
    let sdError = abs((s.sd ?? 0) - 1)
    let sdTolerance = 4 / (2 * (s.ess ?? 1)).squareRoot()
    return (xMean.passes && tauMean.passes && sdError < sdTolerance,
            "\(xMean); \(tauMean); sd x \(s.sd ?? .nan) (tolerance \(sdTolerance))")
}

@Suite struct AdaptiveBlockProposalTests {
    static func run(_ fault: AdaptiveBlockProposal.Fault = .none, proposal: MetropolisHastings.Proposal = .adaptiveBlock,
                    model: SwiftModel = correlatedModel, seed: UInt64 = 31) async throws -> Posterior {
        var mh = MetropolisHastings(samples: 2_000, warmup: 1_000, chains: 4, seed: seed, proposal: proposal)
        mh.blockFault = fault
        return try await mh.run(model)
    }

    @Test func blockMovesSampleACorrelatedPosteriorExactly() async throws {
        let posterior = try await Self.run()
        let (passes, report) = exactChecks(posterior)
        #expect(passes, "\(report)")
        for c in posterior.columns.indices { #expect((posterior.summary(column: c).rhat ?? 2) < 1.01) }
        #expect(posterior.diagnostics.warnings.isEmpty, "\(posterior.diagnostics.warnings)")
        let rate = try #require(posterior.diagnostics.extra["blockAcceptanceRate"])
        #expect(rate > 0.15 && rate < 0.5, "adapted towards 0.3, got \(rate)")
    }

    /// Single-site moves alone, same draws and seed: at ρ = 0.99 they mix several times worse.
    @Test func blockMovesMixFasterThanSingleSiteMoves() async throws {
        let block = try await Self.run()
        let single = try await Self.run(proposal: .adaptiveRandomWalk)
        let c = try #require(block.columnIndex(of: "x"))
        let blockESS = try #require(block.summary(column: c).ess), singleESS = try #require(single.summary(column: c).ess)
        #expect(blockESS > 4 * singleESS, "block ESS \(blockESS), single-site ESS \(singleESS)")
    }

    @Test func negativeControlDroppingTheBlockJacobianIsCaught() async throws {
        let posterior = try await Self.run(.dropJacobian)
        let (passes, report) = exactChecks(posterior)
        #expect(!passes, "\(report)")
    }

    @Test func negativeControlAdaptingWhileSamplingIsCaught() async throws {
        let posterior = try await Self.run(.adaptWhileSampling)
        let (passes, report) = exactChecks(posterior)
        #expect(!passes, "\(report)")
    }

    /// b's bounds (0, 1 - a) move with a: the block maps through them as a fixed point.
    @Test func supportsThatDependOnOtherChoicesAreMappedExactly() async throws {
        let posterior = try await Self.run(model: dependentSupportModel, seed: 32)
        let a = MeanCheck(posterior, "a", dependentSupportMeans.a)
        let b = MeanCheck(posterior, "b", dependentSupportMeans.b)
        #expect(a.passes, "\(a)")
        #expect(b.passes, "\(b)")
        var wrong = MetropolisHastings(samples: 2_000, warmup: 1_000, chains: 4, seed: 32, proposal: .adaptiveBlock)
        wrong.blockFault = .dropJacobian
        wrong.fault = .dropJacobian
        let biased = try await wrong.run(dependentSupportModel)
        #expect(!(MeanCheck(biased, "a", dependentSupportMeans.a).passes && MeanCheck(biased, "b", dependentSupportMeans.b).passes))
    }

    @Test func modelsWithStochasticBranchingFallBackToSingleSiteMovesWithAWarning() async throws {
        let branching = SwiftModel { ctx in
            let z = try ctx.sample("z", Bernoulli(p: 0.5))
            let x = try ctx.sample("x", Normal(mu: 0, sigma: 1))
            if z == 1 { _ = try ctx.sample("w", Normal(mu: x, sigma: 1)) }
        }
        let posterior = try await MetropolisHastings(samples: 50, chains: 2, seed: 33, proposal: .adaptiveBlock).run(branching)
        #expect(posterior.diagnostics.warnings.contains { $0.contains("block proposals need a static model") })
        #expect(posterior.diagnostics.extra["blockAcceptanceRate"] == nil)
    }

    @Test func unconstrainedScalesRoundTripWithTheirJacobians() throws {
        let cases: [(Double, Support)] = [(-3.5, .real), (0.2, .positive), (4.0, .lowerBounded(2.5)),
                                          (0.9, .unitInterval), (-0.5, .interval(-2, 1))]
        for (x, support) in cases {
            let (y, logJacobian) = try #require(UnconstrainedScale.forward(x, support))
            let (back, inverseLogJacobian) = try #require(UnconstrainedScale.inverse(y, support))
            #expect(abs(back - x) < 1e-12, "\(support)")
            #expect(abs(logJacobian - inverseLogJacobian) < 1e-12, "\(support)")
            // log dx/dy against a central difference of the inverse.
            let h = 1e-6
            let numeric = log(((UnconstrainedScale.inverse(y + h, support)?.x ?? .nan)
                - (UnconstrainedScale.inverse(y - h, support)?.x ?? .nan)) / (2 * h))
            #expect(abs(numeric - logJacobian) < 1e-6, "\(support)")
        }
        #expect(UnconstrainedScale.forward(0, .positive) == nil)
        #expect(UnconstrainedScale.inverse(800, .unitInterval) == nil)
        #expect(UnconstrainedScale.forward(1, .booleans) == nil)
    }

    @Test func choleskyFactorsAndRefusesIndefiniteMatrices() throws {
        let a = [4.0, 2, 2, 3]
        let l = try #require(AdaptiveBlockProposal.cholesky(a, 2))
        #expect(abs(l[0] - 2) < 1e-12 && l[1] == 0 && abs(l[2] - 1) < 1e-12 && abs(l[3] - 2.0.squareRoot()) < 1e-12)
        #expect(AdaptiveBlockProposal.cholesky([1, 2, 2, 1], 2) == nil)
    }
}
