import Testing
import Foundation
@testable import PPLDistributions

/// Deliberately wrong samplers that the checks of SamplerTests must reject; without these,
/// a check that passed everything would look the same as one that works.
@Suite struct NegativeControlTests {
    static func draws(_ count: Int = GoodnessOfFit.drawCount, stream: UInt64, _ draw: (inout RandomStream) -> Double) -> [Double] {
        var rng = RandomStream(seed: 20_261_130, stream: 1000 + stream)
        return (0..<count).map { _ in draw(&rng) }
    }

    @Test func normalWithFivePercentTooLargeScaleIsRejected() throws {
        let claimed = try Normal(mu: 1, sigma: 2)
        let wrong = try Normal(mu: 1, sigma: 2 * 1.05)
        let xs = Self.draws(stream: 0) { wrong.sample(using: &$0) }
        #expect(GoodnessOfFit.ksPValue(xs, cdf: claimed.cdf) < GoodnessOfFit.significance)
        #expect(GoodnessOfFit.varianceZ(xs, variance: claimed.variance) > GoodnessOfFit.standardErrors)
    }

    @Test func gammaWithRateReadAsScaleIsRejected() throws {
        let claimed = try Gamma(alpha: 2.5, beta: 1.5)
        let wrong = try Gamma(alpha: 2.5, beta: 1 / 1.5)
        let xs = Self.draws(stream: 1) { wrong.sample(using: &$0) }
        #expect(GoodnessOfFit.ksPValue(xs, cdf: claimed.cdf) < GoodnessOfFit.significance)
        #expect(GoodnessOfFit.meanZ(xs, mean: claimed.mean, variance: claimed.variance) > GoodnessOfFit.standardErrors)
    }

    @Test func betaWithSwappedShapesIsRejected() throws {
        let claimed = try Beta(alpha: 2, beta: 3)
        let wrong = try Beta(alpha: 3, beta: 2)
        let xs = Self.draws(stream: 2) { wrong.sample(using: &$0) }
        #expect(GoodnessOfFit.ksPValue(xs, cdf: claimed.cdf) < GoodnessOfFit.significance)
    }

    @Test func poissonWithThreePercentTooLargeRateIsRejected() throws {
        let claimed = try Poisson(lambda: 3.5)
        let wrong = try Poisson(lambda: 3.5 * 1.03)
        let xs = Self.draws(stream: 3) { Double(wrong.sample(using: &$0)) }
        #expect(GoodnessOfFit.chiSquarePValue(xs.map { Int($0) }, lower: 0, logPMF: claimed.logDensity) < GoodnessOfFit.significance)
        #expect(GoodnessOfFit.meanZ(xs, mean: claimed.mean, variance: claimed.variance) > GoodnessOfFit.standardErrors)
    }

    @Test func geometricCountingTrialsInsteadOfFailuresIsRejected() throws {
        let claimed = try Geometric(p: 0.3)
        let xs = Self.draws(stream: 4) { Double(claimed.sample(using: &$0) + 1) }
        #expect(GoodnessOfFit.chiSquarePValue(xs.map { Int($0) }, lower: 0, logPMF: claimed.logDensity) < GoodnessOfFit.significance)
        #expect(GoodnessOfFit.meanZ(xs, mean: claimed.mean, variance: claimed.variance) > GoodnessOfFit.standardErrors)
    }

    @Test func binomialWithSlightlyWrongProbabilityIsRejected() throws {
        let claimed = try Binomial(n: 20, p: 0.35)
        let wrong = try Binomial(n: 20, p: 0.36)
        let xs = Self.draws(stream: 5) { Double(wrong.sample(using: &$0)) }
        #expect(GoodnessOfFit.meanZ(xs, mean: claimed.mean, variance: claimed.variance) > GoodnessOfFit.standardErrors)
    }

    @Test func multivariateNormalIgnoringCorrelationIsRejectedByTheProjection() throws {
        let mu = [1.0, -1.0, 0.5]
        let sigma = Matrix(rows: 3, columns: 3, elements: [2, 0.6, -0.3, 0.6, 1, 0.2, -0.3, 0.2, 0.5])
        let diagonal = Matrix(rows: 3, columns: 3, elements: [2, 0, 0, 0, 1, 0, 0, 0, 0.5])
        let wrong = try MultivariateNormal(mu: mu, sigma: diagonal)
        var rng = RandomStream(seed: 20_261_130, stream: 1006)
        let xs = (0..<GoodnessOfFit.drawCount).map { _ in wrong.sample(using: &rng) }
        let pValues = try SamplerTests.multivariateNormalPValues(xs, mu: mu, sigma: sigma)
        // The marginals are right, so only the projection can see the error.
        #expect(pValues.dropLast().allSatisfy { $0 > GoodnessOfFit.significance })
        #expect(try #require(pValues.last) < GoodnessOfFit.significance)
    }
}
