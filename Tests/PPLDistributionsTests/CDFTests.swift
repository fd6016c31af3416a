import Testing
import Foundation
@testable import PPLDistributions

/// GSL's cdf and quantile agree with each other and with the log density (checked against
/// mpmath), which ties the KS tests' reference to the fixtures.
@Suite struct CDFTests {
    struct Case {
        var name: String
        var cdf: (Double) -> Double
        var quantile: (Double) -> Double
        var logDensity: (Double) -> Double
    }

    static func cases() throws -> [Case] {
        func make<D: Distribution>(_ name: String, _ d: D, _ cdf: @escaping (Double) -> Double,
                                   _ quantile: @escaping (Double) -> Double) -> Case where D.Sample == Double {
            Case(name: name, cdf: cdf, quantile: quantile, logDensity: d.logDensity)
        }
        let normal = try Normal(mu: 1, sigma: 2), halfNormal = try HalfNormal(sigma: 1.5)
        let logNormal = try LogNormal(mu: 0.3, sigma: 0.8), studentT = try StudentT(nu: 3.5, mu: 1, sigma: 2)
        let cauchy = try Cauchy(mu: -1, sigma: 0.5), halfCauchy = try HalfCauchy(sigma: 2)
        let laplace = try Laplace(mu: 1, sigma: 3), logistic = try Logistic(mu: 2, sigma: 0.7)
        let uniform = try Uniform(a: -2, b: 5), exponential = try Exponential(lambda: 1.7)
        let gamma = try Gamma(alpha: 2.5, beta: 1.5), inverseGamma = try InverseGamma(alpha: 3, beta: 2)
        let beta = try Beta(alpha: 2, beta: 3), chiSquared = try ChiSquared(nu: 4)
        let weibull = try Weibull(alpha: 1.5, sigma: 2), pareto = try Pareto(yMin: 1.5, alpha: 2.5)
        return [
            make("Normal", normal, normal.cdf, normal.quantile),
            make("HalfNormal", halfNormal, halfNormal.cdf, halfNormal.quantile),
            make("LogNormal", logNormal, logNormal.cdf, logNormal.quantile),
            make("StudentT", studentT, studentT.cdf, studentT.quantile),
            make("Cauchy", cauchy, cauchy.cdf, cauchy.quantile),
            make("HalfCauchy", halfCauchy, halfCauchy.cdf, halfCauchy.quantile),
            make("Laplace", laplace, laplace.cdf, laplace.quantile),
            make("Logistic", logistic, logistic.cdf, logistic.quantile),
            make("Uniform", uniform, uniform.cdf, uniform.quantile),
            make("Exponential", exponential, exponential.cdf, exponential.quantile),
            make("Gamma", gamma, gamma.cdf, gamma.quantile),
            make("InverseGamma", inverseGamma, inverseGamma.cdf, inverseGamma.quantile),
            make("Beta", beta, beta.cdf, beta.quantile),
            make("ChiSquared", chiSquared, chiSquared.cdf, chiSquared.quantile),
            make("Weibull", weibull, weibull.cdf, weibull.quantile),
            make("Pareto", pareto, pareto.cdf, pareto.quantile),
        ]
    }

    static let probabilities = [0.001, 0.05, 0.3, 0.5, 0.7, 0.95, 0.999]

    @Test func quantileInvertsCDF() throws {
        for c in try Self.cases() {
            for p in Self.probabilities {
                let x = c.quantile(p)
                #expect(abs(c.cdf(x) - p) < 1e-9, "\(c.name): cdf(quantile(\(p))) = \(c.cdf(x))")
            }
        }
    }

    /// The central difference (F(x+h) - F(x-h)) / 2h matches exp(log p(x)) to O(h^2)
    /// (away from the median, where Laplace has its kink).
    @Test func cdfDerivativeIsTheDensity() throws {
        for c in try Self.cases() {
            for p in [0.05, 0.3, 0.7, 0.95] {
                let x = c.quantile(p)
                let h = 1e-4 * max(abs(x), 1e-2)
                let slope = (c.cdf(x + h) - c.cdf(x - h)) / (2 * h)
                let density = exp(c.logDensity(x))
                #expect(abs(slope - density) <= 1e-5 * density, "\(c.name) at \(x): slope \(slope), density \(density)")
            }
        }
    }

    @Test func negativeControlAWrongDensityIsCaught() throws {
        // Rate read as scale: the same derivative check must fail.
        let claimed = try Gamma(alpha: 2.5, beta: 1.5)
        let wrong = try Gamma(alpha: 2.5, beta: 1 / 1.5)
        let x = claimed.quantile(0.5)
        let h = 1e-4 * x
        let slope = (claimed.cdf(x + h) - claimed.cdf(x - h)) / (2 * h)
        #expect(abs(slope - exp(wrong.logDensity(x))) > 1e-5 * slope)
    }

    @Test func discreteCDFsAreRunningSumsOfThePMF() throws {
        let binomial = try Binomial(n: 30, p: 0.35), poisson = try Poisson(lambda: 3.5)
        let geometric = try Geometric(p: 0.3), negativeBinomial = try NegativeBinomial(alpha: 3, beta: 0.5)
        let bernoulli = try Bernoulli(p: 0.3), uniform = try DiscreteUniform(a: -2, b: 4)
        let cases: [(String, (Int) -> Double, (Int) -> Double, Int)] = [
            ("Binomial", binomial.cdf, binomial.logDensity, 0), ("Poisson", poisson.cdf, poisson.logDensity, 0),
            ("Geometric", geometric.cdf, geometric.logDensity, 0),
            ("NegativeBinomial", negativeBinomial.cdf, negativeBinomial.logDensity, 0),
            ("Bernoulli", bernoulli.cdf, bernoulli.logDensity, 0), ("DiscreteUniform", uniform.cdf, uniform.logDensity, -2),
        ]
        for (name, cdf, logPMF, lower) in cases {
            #expect(cdf(lower - 1) == 0, "\(name)")
            var running = 0.0
            for k in lower...(lower + 30) {
                running += exp(logPMF(k))
                #expect(abs(cdf(k) - running) < 1e-10, "\(name) at \(k): cdf \(cdf(k)), sum \(running)")
            }
        }
    }
}
