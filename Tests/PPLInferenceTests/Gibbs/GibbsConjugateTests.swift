import Foundation
import Testing
import PPLDistributions
@testable import PPLInference

// Each model has one latent, so every conjugate update is an independent draw from the exact
// posterior, written out in closed form beside it (Bernardo & Smith 1994, appendix A).

private let flips = [1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1]
private let trials = [(10, 7), (8, 3), (12, 9)]
private let failures = [0, 3, 1, 0, 2]
private let counts = [3, 5, 2, 4, 6]
private let waits = [0.8, 1.7, 0.3, 2.2, 0.9, 1.1]
private let ys = [1.2, 0.4, 2.1, 1.7, 0.9, 1.3, 2.5, 0.2, 1.1, 1.6]
private let xs = [0.5, -1.0, 2.0, 1.5, 0.0, -0.5, 1.0, 3.0, -2.0, 0.7]
private let labels = [0, 2, 2, 1, 2, 0, 2, 2, 1, 2]

/// One conjugate pair: the model, the site's prior family, and the exact posterior's cdf, mean and variance.
struct ConjugateCase: Sendable, CustomTestStringConvertible {
    var testDescription: String { name }
    var name: String
    var address: Address
    var family: String
    var model: SwiftModel
    var mean: Double
    var variance: Double
    var cdf: @Sendable (Double) -> Double
}

private let betaA = 2.0 + Double(flips.reduce(0, +)), betaB = 3.0 + Double(flips.count - flips.reduce(0, +))
private let binomialA = 1.5 + Double(trials.map(\.1).reduce(0, +))
private let binomialB = 2.0 + Double(trials.map { $0.0 - $0.1 }.reduce(0, +))
private let geometricA = 2.0 + Double(failures.count), geometricB = 2.0 + Double(failures.reduce(0, +))
private let poissonA = 3.0 + Double(counts.reduce(0, +)), poissonB = 2.0 + Double(counts.count)
private let exponentialA = 2.0 + Double(waits.count), exponentialB = 1.0 + waits.reduce(0, +)
// y_i ~ N(2 mu - 1 + x_i... ) with mean a_i mu + b, a_i = x_i, b = 0.5, sd 0.8; mu ~ N(1, 2).
private let linearPrecision = 1 / 4.0 + xs.map { $0 * $0 }.reduce(0, +) / 0.64
private let linearMean = (1 / 4.0 + zip(xs, ys).map { $0 * ($1 - 0.5) }.reduce(0, +) / 0.64) / linearPrecision
// tau ~ Gamma(2, 1), y_i ~ N(1, 1/sqrt(tau)): tau | y ~ Gamma(2 + n/2, 1 + Σ(y - 1)²/2).
private let precisionA = 2.0 + Double(ys.count) / 2, precisionB = 1.0 + ys.map { ($0 - 1) * ($0 - 1) }.reduce(0, +) / 2
// v ~ InverseGamma(3, 2), y_i ~ N(1, sqrt(v)): v | y ~ InverseGamma(3 + n/2, 2 + Σ(y - 1)²/2).
private let varianceA = 3.0 + Double(ys.count) / 2, varianceB = 2.0 + ys.map { ($0 - 1) * ($0 - 1) }.reduce(0, +) / 2

let conjugateCases: [ConjugateCase] = [
    ConjugateCase(name: "Beta-Bernoulli", address: "p", family: "Beta",
                  model: SwiftModel(isStatic: true) { ctx in
                      let p = try ctx.sample("p", Beta(alpha: 2, beta: 3))
                      for f in flips { try ctx.observe(Bernoulli(p: p), f) }
                  },
                  mean: betaA / (betaA + betaB),
                  variance: betaA * betaB / ((betaA + betaB) * (betaA + betaB) * (betaA + betaB + 1)),
                  cdf: { (try! Beta(alpha: betaA, beta: betaB)).cdf($0) }),
    ConjugateCase(name: "Beta-Binomial", address: "p", family: "Beta",
                  model: SwiftModel(isStatic: true) { ctx in
                      let p = try ctx.sample("p", Beta(alpha: 1.5, beta: 2))
                      for (n, k) in trials { try ctx.observe(Binomial(n: n, p: p), k) }
                  },
                  mean: binomialA / (binomialA + binomialB),
                  variance: binomialA * binomialB / ((binomialA + binomialB) * (binomialA + binomialB) * (binomialA + binomialB + 1)),
                  cdf: { (try! Beta(alpha: binomialA, beta: binomialB)).cdf($0) }),
    ConjugateCase(name: "Beta-Geometric", address: "p", family: "Beta",
                  model: SwiftModel(isStatic: true) { ctx in
                      let p = try ctx.sample("p", Beta(alpha: 2, beta: 2))
                      for k in failures { try ctx.observe(Geometric(p: p), k) }
                  },
                  mean: geometricA / (geometricA + geometricB),
                  variance: geometricA * geometricB / ((geometricA + geometricB) * (geometricA + geometricB) * (geometricA + geometricB + 1)),
                  cdf: { (try! Beta(alpha: geometricA, beta: geometricB)).cdf($0) }),
    ConjugateCase(name: "Gamma-Poisson", address: "lambda", family: "Gamma",
                  model: SwiftModel(isStatic: true) { ctx in
                      let lambda = try ctx.sample("lambda", Gamma(alpha: 3, beta: 2))
                      for y in counts { try ctx.observe(Poisson(lambda: lambda), y) }
                  },
                  mean: poissonA / poissonB, variance: poissonA / (poissonB * poissonB),
                  cdf: { (try! Gamma(alpha: poissonA, beta: poissonB)).cdf($0) }),
    ConjugateCase(name: "Gamma-Exponential", address: "rate", family: "Gamma",
                  model: SwiftModel(isStatic: true) { ctx in
                      let rate = try ctx.sample("rate", Gamma(alpha: 2, beta: 1))
                      for w in waits { try ctx.observe(Exponential(lambda: rate), w) }
                  },
                  mean: exponentialA / exponentialB, variance: exponentialA / (exponentialB * exponentialB),
                  cdf: { (try! Gamma(alpha: exponentialA, beta: exponentialB)).cdf($0) }),
    ConjugateCase(name: "Normal-Normal, linear mean", address: "mu", family: "Normal",
                  model: SwiftModel(isStatic: true) { ctx in
                      let mu = try ctx.sample("mu", Normal(mu: 1, sigma: 2))
                      for (x, y) in zip(xs, ys) { try ctx.observe(Normal(mu: x * mu + 0.5, sigma: 0.8), y) }
                  },
                  mean: linearMean, variance: 1 / linearPrecision,
                  cdf: { (try! Normal(mu: linearMean, sigma: (1 / linearPrecision).squareRoot())).cdf($0) }),
    ConjugateCase(name: "Gamma-Normal precision", address: "tau", family: "Gamma",
                  model: SwiftModel(isStatic: true) { ctx in
                      let tau = try ctx.sample("tau", Gamma(alpha: 2, beta: 1))
                      for y in ys { try ctx.observe(Normal(mu: 1, sigma: 1 / tau.squareRoot()), y) }
                  },
                  mean: precisionA / precisionB, variance: precisionA / (precisionB * precisionB),
                  cdf: { (try! Gamma(alpha: precisionA, beta: precisionB)).cdf($0) }),
    ConjugateCase(name: "InverseGamma-Normal variance", address: "v", family: "InverseGamma",
                  model: SwiftModel(isStatic: true) { ctx in
                      let v = try ctx.sample("v", InverseGamma(alpha: 3, beta: 2))
                      for y in ys { try ctx.observe(Normal(mu: 1, sigma: v.squareRoot()), y) }
                  },
                  mean: varianceB / (varianceA - 1),
                  variance: varianceB * varianceB / ((varianceA - 1) * (varianceA - 1) * (varianceA - 2)),
                  cdf: { (try! InverseGamma(alpha: varianceA, beta: varianceB)).cdf($0) }),
]

@Suite("Gibbs conjugate updates")
struct GibbsConjugateTests {
    static let draws = 1_000

    func run(_ c: ConjugateCase, fault: GibbsFault = .none) async throws -> [Double] {
        var engine = Gibbs(samples: Self.draws, warmup: 5, chains: 2, seed: 11,
                           schedule: GibbsSchedule([(c.address, .conjugate)]), conjugacyChecks: .max)
        engine.fault = fault
        let posterior = try await engine.run(WithConjugacy(c.model, [c.address.site: c.family]))
        #expect(posterior.diagnostics.schedule.first?.1 == "conjugate (\(c.family))")
        return pooled(posterior, c.address)
    }

    @Test("each conjugate update draws from the exact full conditional", arguments: conjugateCases)
    func exactConditional(_ c: ConjugateCase) async throws {
        let draws = try await run(c)
        #expect(draws.count == 2 * Self.draws)
        // Independent exact draws: the ESS floor is most of the draws.
        let ess = ChainDiagnostics.bulkEffectiveSampleSize([Array(draws.prefix(Self.draws)), Array(draws.suffix(Self.draws))]) ?? 0
        #expect(ess > 0.7 * Double(draws.count), "\(c.name): ESS \(ess)")
        let (ok, detail) = momentsMatch(draws, mean: c.mean, variance: c.variance, ess: Double(draws.count))
        #expect(ok, "\(c.name): \(detail)")
        // KS at level 0.001: critical distance 1.95 / sqrt(n).
        let d = ksDistance(draws, c.cdf)
        #expect(d < 1.95 / Double(draws.count).squareRoot(), "\(c.name): KS distance \(d)")
    }

    @Test("a tempered (wrong) conditional is rejected by the same checks", arguments: conjugateCases)
    func temperedConditionalRejected(_ c: ConjugateCase) async throws {
        let draws = try await run(c, fault: .temper(0.5))
        let (ok, _) = momentsMatch(draws, mean: c.mean, variance: c.variance, ess: Double(draws.count))
        let d = ksDistance(draws, c.cdf)
        #expect(!ok || d >= 1.95 / Double(draws.count).squareRoot(), "\(c.name): the wrong conditional passed")
    }
}

private let dirichletAlpha = [1.0, 2.0, 0.5]
private let multinomialCounts = [[3, 1, 6], [2, 2, 1]]

/// Dirichlet(alpha) has Beta(alpha_k, sum(alpha) - alpha_k) marginals.
private func checkDirichlet(_ posterior: Posterior, _ address: Address, alpha: [Double]) {
    let total = alpha.reduce(0, +)
    for (k, a) in alpha.enumerated() {
        let draws = pooled(posterior, address.appending(index: k))
        let b = total - a
        let (ok, detail) = momentsMatch(draws, mean: a / total, variance: a * b / (total * total * (total + 1)),
                                        ess: Double(draws.count))
        #expect(ok, "component \(k): \(detail)")
        let marginal = try! Beta(alpha: a, beta: b)
        let d = ksDistance(draws, { marginal.cdf($0) })
        #expect(d < 1.95 / Double(draws.count).squareRoot(), "component \(k): KS distance \(d)")
    }
}

@Suite("Gibbs conjugate Dirichlet updates")
struct GibbsDirichletTests {
    @Test("Dirichlet-Categorical and Dirichlet-Multinomial draw from the exact posterior; tempering is rejected")
    func dirichlet() async throws {
        let categorical = WithConjugacy(SwiftModel(isStatic: true) { ctx in
            let theta = try ctx.sample("theta", Dirichlet(alpha: dirichletAlpha))
            for label in labels { try ctx.observe(Categorical(p: theta), label) }
        }, ["theta": "Dirichlet"])
        let multinomial = WithConjugacy(SwiftModel(isStatic: true) { ctx in
            let theta = try ctx.sample("theta", Dirichlet(alpha: dirichletAlpha))
            for c in multinomialCounts { try ctx.observe(Multinomial(n: c.reduce(0, +), p: theta), c) }
        }, ["theta": "Dirichlet"])
        var labelCounts = [0.0, 0.0, 0.0]
        for label in labels { labelCounts[label] += 1 }
        var summed = [0.0, 0.0, 0.0]
        for c in multinomialCounts { for k in 0..<3 { summed[k] += Double(c[k]) } }
        let engine = Gibbs(samples: 1_000, warmup: 5, chains: 2, seed: 5,
                           schedule: GibbsSchedule([("theta", .conjugate)]), conjugacyChecks: .max)
        checkDirichlet(try await engine.run(categorical), "theta", alpha: zip(dirichletAlpha, labelCounts).map { $0 + $1 })
        checkDirichlet(try await engine.run(multinomial), "theta", alpha: zip(dirichletAlpha, summed).map { $0 + $1 })

        var wrong = engine
        wrong.fault = .temper(0.5)
        let tempered = try await wrong.run(categorical)
        let alpha = zip(dirichletAlpha, labelCounts).map { $0 + $1 }
        let total = alpha.reduce(0, +)
        let draws = pooled(tempered, Address("theta").appending(index: 2))
        let (ok, _) = momentsMatch(draws, mean: alpha[2] / total,
                                   variance: alpha[2] * (total - alpha[2]) / (total * total * (total + 1)), ess: Double(draws.count))
        #expect(!ok)
    }
}
