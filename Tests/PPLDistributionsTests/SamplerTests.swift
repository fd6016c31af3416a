import Testing
import Foundation
@testable import PPLDistributions

/// Every sampler against its family's cdf (KS) or pmf (chi-square) and its closed-form moments, fixed seeds.
@Suite struct SamplerTests {
    struct Continuous {
        var distribution: ScalarDistribution
        var cdf: (Double) -> Double
        var mean: Double?
        var variance: Double?
        /// Whether the sample variance's standard error is trustworthy (finite 8th moment).
        var testVariance: Bool
    }

    struct Discrete {
        var distribution: ScalarDistribution
        var mean: Double
        var variance: Double
    }

    static func continuousCases() throws -> [Continuous] {
        let normal = try Normal(mu: 1, sigma: 2)
        let halfNormal = try HalfNormal(sigma: 1.5)
        let logNormal = try LogNormal(mu: 0.3, sigma: 0.5)
        let studentT = try StudentT(nu: 5, mu: 1, sigma: 2)
        let studentTHeavy = try StudentT(nu: 1.5, mu: 0, sigma: 1)
        let cauchy = try Cauchy(mu: -1, sigma: 0.5)
        let halfCauchy = try HalfCauchy(sigma: 2)
        let laplace = try Laplace(mu: 1, sigma: 3)
        let logistic = try Logistic(mu: 2, sigma: 0.7)
        let uniform = try Uniform(a: -2, b: 5)
        let exponential = try Exponential(lambda: 1.7)
        let gamma = try Gamma(alpha: 2.5, beta: 1.5)
        let gammaSmall = try Gamma(alpha: 1e-3, beta: 1)
        let gammaHalf = try Gamma(alpha: 0.5, beta: 2)
        let inverseGamma = try InverseGamma(alpha: 5, beta: 2)
        let beta = try Beta(alpha: 2, beta: 3)
        let betaArcsine = try Beta(alpha: 0.5, beta: 0.5)
        let chiSquared = try ChiSquared(nu: 4)
        let weibull = try Weibull(alpha: 1.5, sigma: 2)
        let weibullSkewed = try Weibull(alpha: 0.5, sigma: 1)
        let pareto = try Pareto(yMin: 1.5, alpha: 5)
        return [
            Continuous(distribution: .normal(normal), cdf: normal.cdf, mean: normal.mean, variance: normal.variance, testVariance: true),
            Continuous(distribution: .halfNormal(halfNormal), cdf: halfNormal.cdf, mean: halfNormal.mean, variance: halfNormal.variance, testVariance: true),
            Continuous(distribution: .logNormal(logNormal), cdf: logNormal.cdf, mean: logNormal.mean, variance: logNormal.variance, testVariance: true),
            Continuous(distribution: .studentT(studentT), cdf: studentT.cdf, mean: studentT.mean, variance: studentT.variance, testVariance: false),
            Continuous(distribution: .studentT(studentTHeavy), cdf: studentTHeavy.cdf, mean: nil, variance: nil, testVariance: false),
            Continuous(distribution: .cauchy(cauchy), cdf: cauchy.cdf, mean: nil, variance: nil, testVariance: false),
            Continuous(distribution: .halfCauchy(halfCauchy), cdf: halfCauchy.cdf, mean: nil, variance: nil, testVariance: false),
            Continuous(distribution: .laplace(laplace), cdf: laplace.cdf, mean: laplace.mean, variance: laplace.variance, testVariance: true),
            Continuous(distribution: .logistic(logistic), cdf: logistic.cdf, mean: logistic.mean, variance: logistic.variance, testVariance: true),
            Continuous(distribution: .uniform(uniform), cdf: uniform.cdf, mean: uniform.mean, variance: uniform.variance, testVariance: true),
            Continuous(distribution: .exponential(exponential), cdf: exponential.cdf, mean: exponential.mean, variance: exponential.variance, testVariance: true),
            Continuous(distribution: .gamma(gamma), cdf: gamma.cdf, mean: gamma.mean, variance: gamma.variance, testVariance: true),
            Continuous(distribution: .gamma(gammaSmall), cdf: gammaSmall.cdf, mean: gammaSmall.mean, variance: gammaSmall.variance, testVariance: false),
            Continuous(distribution: .gamma(gammaHalf), cdf: gammaHalf.cdf, mean: gammaHalf.mean, variance: gammaHalf.variance, testVariance: true),
            Continuous(distribution: .inverseGamma(inverseGamma), cdf: inverseGamma.cdf, mean: inverseGamma.mean, variance: inverseGamma.variance, testVariance: false),
            Continuous(distribution: .beta(beta), cdf: beta.cdf, mean: beta.mean, variance: beta.variance, testVariance: true),
            Continuous(distribution: .beta(betaArcsine), cdf: betaArcsine.cdf, mean: betaArcsine.mean, variance: betaArcsine.variance, testVariance: true),
            Continuous(distribution: .chiSquared(chiSquared), cdf: chiSquared.cdf, mean: chiSquared.mean, variance: chiSquared.variance, testVariance: true),
            Continuous(distribution: .weibull(weibull), cdf: weibull.cdf, mean: weibull.mean, variance: weibull.variance, testVariance: true),
            Continuous(distribution: .weibull(weibullSkewed), cdf: weibullSkewed.cdf, mean: weibullSkewed.mean, variance: weibullSkewed.variance, testVariance: false),
            Continuous(distribution: .pareto(pareto), cdf: pareto.cdf, mean: pareto.mean, variance: pareto.variance, testVariance: false),
        ]
    }

    static func discreteCases() throws -> [Discrete] {
        let bernoulli = try Bernoulli(p: 0.3)
        let binomial = try Binomial(n: 20, p: 0.35)
        let binomialLarge = try Binomial(n: 1_000_000, p: 0.3)
        let poisson = try Poisson(lambda: 3.5)
        let poissonLarge = try Poisson(lambda: 1000)
        let geometric = try Geometric(p: 0.3)
        let negativeBinomial = try NegativeBinomial(alpha: 3, beta: 0.5)
        let negativeBinomialSmall = try NegativeBinomial(alpha: 0.4, beta: 0.2)
        let discreteUniform = try DiscreteUniform(a: -2, b: 4)
        let bradleyTerry = try BradleyTerry(si: 2, sj: 0.5)
        let davidson = try Davidson(si: 2, sj: 0.5, nu: 0.7)
        return [
            Discrete(distribution: .bernoulli(bernoulli), mean: bernoulli.mean, variance: bernoulli.variance),
            Discrete(distribution: .binomial(binomial), mean: binomial.mean, variance: binomial.variance),
            Discrete(distribution: .binomial(binomialLarge), mean: binomialLarge.mean, variance: binomialLarge.variance),
            Discrete(distribution: .poisson(poisson), mean: poisson.mean, variance: poisson.variance),
            Discrete(distribution: .poisson(poissonLarge), mean: poissonLarge.mean, variance: poissonLarge.variance),
            Discrete(distribution: .geometric(geometric), mean: geometric.mean, variance: geometric.variance),
            Discrete(distribution: .negativeBinomial(negativeBinomial), mean: negativeBinomial.mean, variance: negativeBinomial.variance),
            Discrete(distribution: .negativeBinomial(negativeBinomialSmall), mean: negativeBinomialSmall.mean, variance: negativeBinomialSmall.variance),
            Discrete(distribution: .discreteUniform(discreteUniform), mean: discreteUniform.mean, variance: discreteUniform.variance),
            Discrete(distribution: .bradleyTerry(bradleyTerry), mean: bradleyTerry.mean, variance: bradleyTerry.variance),
            Discrete(distribution: .davidson(davidson), mean: davidson.mean, variance: davidson.variance),
        ]
    }

    static func lowerBound(_ support: Support) -> Int {
        if case .integers(let a, _) = support { return a }
        return 0
    }

    static func draws(_ d: ScalarDistribution, stream: UInt64) -> [Double] {
        var rng = RandomStream(seed: 20_261_130, stream: stream)
        return (0..<GoodnessOfFit.drawCount).map { _ in d.sample(using: &rng) }
    }

    @Test func continuousSamplersFitTheirCDFAndMoments() throws {
        for (index, c) in try Self.continuousCases().enumerated() {
            let name = "\(c.distribution.id.family.name) case \(index)"
            let xs = Self.draws(c.distribution, stream: UInt64(index))
            #expect(xs.allSatisfy { c.distribution.logDensity($0).isFinite }, "\(name): a draw scored -infinity")
            let p = GoodnessOfFit.ksPValue(xs, cdf: c.cdf)
            #expect(p > GoodnessOfFit.significance, "\(name): KS p = \(p)")
            if let mean = c.mean, let variance = c.variance {
                let z = GoodnessOfFit.meanZ(xs, mean: mean, variance: variance)
                #expect(z < GoodnessOfFit.standardErrors, "\(name): mean off by \(z) standard errors")
                if c.testVariance {
                    let zv = GoodnessOfFit.varianceZ(xs, variance: variance)
                    #expect(zv < GoodnessOfFit.standardErrors, "\(name): variance off by \(zv) standard errors")
                }
            }
        }
    }

    @Test func discreteSamplersFitTheirPMFAndMoments() throws {
        for (index, c) in try Self.discreteCases().enumerated() {
            let name = "\(c.distribution.id.family.name) case \(index)"
            let xs = Self.draws(c.distribution, stream: UInt64(100 + index))
            #expect(xs.allSatisfy { c.distribution.logDensity($0).isFinite }, "\(name): a draw scored -infinity")
            let p = GoodnessOfFit.chiSquarePValue(xs.map { Int($0) }, lower: Self.lowerBound(c.distribution.support)) {
                c.distribution.logDensity(Double($0))
            }
            #expect(p > GoodnessOfFit.significance, "\(name): chi-square p = \(p)")
            let z = GoodnessOfFit.meanZ(xs, mean: c.mean, variance: c.variance)
            #expect(z < GoodnessOfFit.standardErrors, "\(name): mean off by \(z) standard errors")
            let zv = GoodnessOfFit.varianceZ(xs, variance: c.variance)
            #expect(zv < GoodnessOfFit.standardErrors, "\(name): variance off by \(zv) standard errors")
        }
    }

    @Test func categoricalFitsItsProbabilities() throws {
        let d = try Categorical(p: [0.2, 0.5, 0.05, 0.25])
        var rng = RandomStream(seed: 20_261_130, stream: 200)
        let xs = (0..<GoodnessOfFit.drawCount).map { _ in d.sample(using: &rng) }
        let p = GoodnessOfFit.chiSquarePValue(xs, lower: 0, upper: 3, logPMF: d.logDensity)
        #expect(p > GoodnessOfFit.significance, "chi-square p = \(p)")
        #expect(GoodnessOfFit.meanZ(xs.map(Double.init), mean: d.mean, variance: d.variance) < GoodnessOfFit.standardErrors)
        // A zero-probability category is never drawn.
        let gap = try Categorical(p: [0.5, 0, 0.5])
        #expect((0..<1000).allSatisfy { _ in gap.sample(using: &rng) != 1 })
    }

    @Test func diracAlwaysDrawsItsPoint() throws {
        let d = try Dirac(x: 2.5)
        var rng = RandomStream(seed: 1)
        #expect((0..<100).allSatisfy { _ in d.sample(using: &rng) == 2.5 })
    }

    @Test func dirichletMarginalsAreBetas() throws {
        let alpha = [2.0, 3.0, 1.5]
        let d = try Dirichlet(alpha: alpha)
        var rng = RandomStream(seed: 20_261_130, stream: 300)
        let xs = (0..<GoodnessOfFit.drawCount).map { _ in d.sample(using: &rng) }
        #expect(xs.allSatisfy { abs($0.reduce(0, +) - 1) < 1e-12 && d.logDensity($0).isFinite })
        let total = alpha.reduce(0, +)
        for k in alpha.indices {
            let marginal = try Beta(alpha: alpha[k], beta: total - alpha[k])
            let column = xs.map { $0[k] }
            let p = GoodnessOfFit.ksPValue(column, cdf: marginal.cdf)
            #expect(p > GoodnessOfFit.significance, "component \(k): KS p = \(p)")
            #expect(GoodnessOfFit.meanZ(column, mean: d.mean[k], variance: d.variance[k]) < GoodnessOfFit.standardErrors)
        }
    }

    /// Marginals and the projection x0 + x1, which sees the correlation.
    static func multivariateNormalPValues(_ xs: [[Double]], mu: [Double], sigma: Matrix) throws -> [Double] {
        var pValues: [Double] = []
        for k in mu.indices {
            let marginal = try Normal(mu: mu[k], sigma: sigma[k, k].squareRoot())
            pValues.append(GoodnessOfFit.ksPValue(xs.map { $0[k] }, cdf: marginal.cdf))
        }
        let projected = try Normal(mu: mu[0] + mu[1], sigma: (sigma[0, 0] + sigma[1, 1] + 2 * sigma[0, 1]).squareRoot())
        pValues.append(GoodnessOfFit.ksPValue(xs.map { $0[0] + $0[1] }, cdf: projected.cdf))
        return pValues
    }

    @Test func multivariateNormalMarginalsAndProjectionFit() throws {
        let mu = [1.0, -1.0, 0.5]
        let sigma = Matrix(rows: 3, columns: 3, elements: [2, 0.6, -0.3, 0.6, 1, 0.2, -0.3, 0.2, 0.5])
        let d = try MultivariateNormal(mu: mu, sigma: sigma)
        var rng = RandomStream(seed: 20_261_130, stream: 301)
        let xs = (0..<GoodnessOfFit.drawCount).map { _ in d.sample(using: &rng) }
        for (i, p) in try Self.multivariateNormalPValues(xs, mu: mu, sigma: sigma).enumerated() {
            #expect(p > GoodnessOfFit.significance, "check \(i): KS p = \(p)")
        }
    }

    @Test func multinomialMarginalsAreBinomials() throws {
        let probabilities = [0.2, 0.5, 0.3]
        let d = try Multinomial(n: 10, p: probabilities)
        var rng = RandomStream(seed: 20_261_130, stream: 302)
        let xs = (0..<GoodnessOfFit.drawCount).map { _ in d.sample(using: &rng) }
        #expect(xs.allSatisfy { $0.reduce(0, +) == 10 && d.logDensity($0).isFinite })
        for k in probabilities.indices {
            let marginal = try Binomial(n: 10, p: probabilities[k])
            let p = GoodnessOfFit.chiSquarePValue(xs.map { $0[k] }, lower: 0, upper: 10, logPMF: marginal.logDensity)
            #expect(p > GoodnessOfFit.significance, "component \(k): chi-square p = \(p)")
        }
    }
}
