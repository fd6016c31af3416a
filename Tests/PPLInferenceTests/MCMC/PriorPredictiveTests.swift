import Foundation
import Testing
import PPLDistributions
@testable import PPLInference

@Suite struct PriorPredictiveTests {
    @Test func priorAndPriorPredictiveMoments() throws {
        // mu ~ N(1, 2), y ~ N(mu, 1): y_rep ~ N(1, √5) marginally.
        let model = SwiftModel(isStatic: true) { ctx in
            let mu = try ctx.sample("mu", Normal(mu: 1, sigma: 2))
            try ctx.observe(Normal(mu: mu, sigma: 1), 0.0, at: "y")
        }
        let n = 4_000
        let draws = try PriorPredictive(samples: n, seed: 5).run(model)
        let mu = draws.summary(column: 0)
        let predictive = try #require(draws.predictiveDraws)[0][0]
        let mean = predictive.reduce(0, +) / Double(n)
        let variance = predictive.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)
        // Independent draws: standard errors sd/√n for the means, √(2/(n-1)) σ² for the variance.
        #expect(abs((mu.mean ?? .nan) - 1) < 4 * 2 / Double(n).squareRoot())
        #expect(abs(mean - 1) < 4 * 5.0.squareRoot() / Double(n).squareRoot())
        #expect(abs(variance - 5) < 4 * 5 * (2 / Double(n - 1)).squareRoot())
        #expect(draws.predictiveColumns == ["y"])
        // A wrong predictive (y_rep = mu, no noise) fails the same variance check.
        let noiseless = draws.draws[0][0]
        let m0 = noiseless.reduce(0, +) / Double(n)
        let v0 = noiseless.map { ($0 - m0) * ($0 - m0) }.reduce(0, +) / Double(n - 1)
        #expect(abs(v0 - 5) >= 4 * 5 * (2 / Double(n - 1)).squareRoot())
    }
}
