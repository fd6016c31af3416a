import Foundation
import Testing
import PPLDistributions
@testable import PPLInference

// MH on the remaining kinds of support: unbounded integers, simplexes (prior proposals) and real vectors.

@Suite struct MHSupportTests {
    @Test func poissonLatentOnTheNaturals() async throws {
        // n ~ Poisson(6), y ~ N(n, 1.5) at y = 9.2: the posterior mean by summing over n = 0..<80.
        let model = SwiftModel(isStatic: true) { ctx in
            let n = try ctx.sample("n", Poisson(lambda: 6))
            try ctx.observe(Normal(mu: Double(n), sigma: 1.5), 9.2)
        }
        var weights: [Double] = []
        for n in 0..<80 {
            weights.append(exp(try model.assess(["n": .int(n)])))
        }
        let exact = zip(0..<80, weights).map { Double($0) * $1 }.reduce(0, +) / weights.reduce(0, +)
        let posterior = try await MetropolisHastings(samples: 2_000, chains: 4, seed: 31).run(model)
        let check = MeanCheck(posterior, "n", exact)
        #expect(check.passes, "\(check)")
        #expect(posterior.columnIsInteger == [true])
    }

    @Test func dirichletLatentUsesPriorProposals() async throws {
        // theta ~ Dirichlet(1, 2, 3), k_i ~ Categorical(theta): theta | k ~ Dirichlet(alpha + counts).
        let alpha = [1.0, 2.0, 3.0]
        let observed = [0, 2, 2, 1, 2, 0, 2, 2]
        let model = SwiftModel(isStatic: true) { ctx in
            let theta = try ctx.sample("theta", Dirichlet(alpha: alpha))
            for k in observed { try ctx.observe(Categorical(p: theta), k) }
        }
        var posteriorAlpha = alpha
        for k in observed { posteriorAlpha[k] += 1 }
        let total = posteriorAlpha.reduce(0, +)
        let posterior = try await MetropolisHastings(samples: 1_500, chains: 4, seed: 32).run(model)
        #expect(posterior.columns == ["theta[0]", "theta[1]", "theta[2]"])
        for j in 0..<3 {
            let check = MeanCheck(posterior, Address("theta").appending(index: j), posteriorAlpha[j] / total)
            #expect(check.passes, "\(check)")
        }
    }

    @Test func multivariateNormalLatentTakesAVectorWalk() async throws {
        // x ~ N(0, I), y ~ N(x0 + x1, 1) at y = 2.
        let identity = Matrix(rows: 2, columns: 2, elements: [1, 0, 0, 1])
        let model = SwiftModel(isStatic: true) { ctx in
            let x = try ctx.sample("x", MultivariateNormal(mu: [0, 0], sigma: identity))
            try ctx.observe(Normal(mu: x[0] + x[1], sigma: 1), 2.0)
        }
        // Cov(x, y) = (1, 1), Var(y) = 3, so E[x | y] = (1, 1) y / 3.
        let posterior = try await MetropolisHastings(samples: 1_500, chains: 4, seed: 33).run(model)
        for j in 0..<2 {
            let check = MeanCheck(posterior, Address("x").appending(index: j), 2.0 / 3.0)
            #expect(check.passes, "\(check)")
        }
        let rate = try #require(posterior.diagnostics.acceptanceRate["x"])
        #expect(rate > 0.1 && rate < 0.5, "adapted towards 0.234, got \(rate)")
    }

    @Test func modelErrorsAtProposedValuesRejectAndWarn() async throws {
        // sigma = u - 0.5 is invalid for half the prior: those proposals must be rejected, not crash.
        let model = SwiftModel(isStatic: true) { ctx in
            let u = try ctx.sample("u", Uniform(a: 0, b: 2))
            try ctx.observe(Normal(mu: 0, sigma: u - 0.5), 0.3)
        }
        let posterior = try await MetropolisHastings(samples: 300, chains: 2, seed: 34, inits: ["u": .real(1.5)]).run(model)
        let u = posterior.draws.flatMap { $0[0] }
        #expect(u.allSatisfy { $0 > 0.5 && $0 < 2 })
        #expect((posterior.diagnostics.extra["modelRejections"] ?? 0) > 0)
        #expect(posterior.diagnostics.warnings.contains { $0.contains("sigma") })
    }

    @Test func aSiteThatNeverMovesIsReported() async throws {
        // y = 1 rules out z = 1, so every proposal for z is rejected.
        let model = SwiftModel(isStatic: true) { ctx in
            let z = try ctx.sample("z", Categorical(p: [0.5, 0.5]))
            try ctx.observe(Bernoulli(p: z == 0 ? 0.9 : 0), 1)
        }
        let posterior = try await MetropolisHastings(samples: 100, chains: 2, seed: 35).run(model)
        #expect(posterior.draws.allSatisfy { $0[0].allSatisfy { $0 == 0 } })
        #expect(posterior.diagnostics.warnings.contains { $0.contains("no proposal was accepted for 'z'") })
    }
}
