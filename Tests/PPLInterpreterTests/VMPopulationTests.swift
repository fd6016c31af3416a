import Foundation
import PPLDistributions
@testable import PPLInference
@testable import PPLInterpreter
import Testing

/// SMC over a population in columns (`VMPopulation`) against SMC particle by particle: the
/// lockstep block advance draws in the same order, so for every program the plan accepts the two
/// must agree bit for bit (log Ẑ, every draw, every weight), whatever the scheme or block size.
@Suite struct VMPopulationTests {
    static let ys: [Double] = [0.4, -0.3, 1.2, 0.8, -0.6, 0.1, 0.9, 1.5, 0.2, -1.1, 0.7, 0.3]
    static let counts: [Int] = [2, 0, 3, 1, 4, 2, 2, 5, 1, 0, 3, 2]

    /// The benchmark's state-space model: x[t] stored and read back one step later, paths returned.
    static let ssm = """
    model SSM(y: [Real]) {
      x[0] ~ Normal(0, 1)
      for t in 0..<len(y) {
        x[t + 1] ~ Normal(0.9 * x[t], 1)
        y[t] ~ Normal(x[t + 1], 0.5)
      }
      return x
    }
    """

    /// A static parameter read at every step (a column gathered at each resampling once hot),
    /// integer choices through arithmetic, and a generic family observed with random parameters.
    static let counting = """
    model Counting(y: [Int]) {
      rate ~ Gamma(2, 1)
      for t in 0..<len(y) {
        k[t] ~ Poisson(rate)
        y[t] ~ Poisson(rate + 0.5 * k[t])
      }
      return rate
    }
    """

    /// Reads two and three steps back (ancestor chains longer than one), math on random values,
    /// division by a random value, a random index into data and a while loop on data.
    static let lookback = """
    model Lookback(y: [Real], table: [Real]) {
      x[0] ~ Normal(0, 1)
      x[1] ~ Normal(0, 1)
      x[2] ~ Normal(0, 1)
      for t in 0..<len(y) {
        c[t] ~ Poisson(0.8)
        let s = exp(0.1 * x[t]) + abs(x[t + 1]) / (1 + x[t] * x[t])
        x[t + 3] ~ Normal(0.5 * x[t + 2] + 0.3 * x[t] + table[min(c[t], 2)], s)
        y[t] ~ Normal(x[t + 3], 0.7)
      }
      return x
    }
    """

    /// A factor (a step of its own, taken where the data say: a branch every particle takes the
    /// same way), a choice whose support depends on another choice, and a static parameter read
    /// at every step.
    static let factored = """
    model Factored(y: [Real]) {
      theta ~ Gamma(2, 1)
      for t in 0..<len(y) {
        u[t] ~ Uniform(0, theta)
        if y[t] > 0 {
          factor(0 - 0.5 * u[t] * u[t])
        }
        y[t] ~ Normal(u[t] - 0.5 * theta, 1)
      }
      return theta
    }
    """

    /// Calls of functions that make no choice: with a random argument (particle by particle), with
    /// data only (once per block), and nested.
    static let calling = """
    fn square(v: Real) -> Real {
      return v * v
    }
    fn drift(x: Real, a: Real) -> Real {
      return a * x + 0.1 * square(x) / (1 + square(x))
    }
    model Calling(y: [Real]) {
      x[0] ~ Normal(0, 1)
      for t in 0..<len(y) {
        x[t + 1] ~ Normal(drift(x[t], 0.9), 1 + square(0.5))
        y[t] ~ Normal(x[t + 1], 0.5)
      }
      return x
    }
    """

    /// Choices with two indices (`z[t][2t + 1]`), read back by both. One such choice per step: the
    /// lockstep block advance leaves several-index sites to particles one at a time, so with more
    /// than one per step the two paths would draw in different orders.
    static let grid = """
    model Grid(y: [Real]) {
      w ~ Normal(0, 1)
      for t in 0..<len(y) {
        z[t][2 * t + 1] ~ Normal(w, 1)
        y[t] ~ Normal(z[t][2 * t + 1] - 0.5 * w, 1)
      }
      return w
    }
    """

    /// Branches on random values around code that computes and reads memory (`c ? a : b`, `&&`),
    /// each particle its own way.
    static let ternary = """
    model Ternary(y: [Real]) {
      x[0] ~ Normal(0, 1)
      for t in 0..<len(y) {
        let a = x[t]
        x[t + 1] ~ Normal(a > 0 ? 0.8 * x[t] : 0.5 * a - 0.1, 1)
        y[t] ~ Normal(x[t + 1], a > 1 && x[t + 1] > 1 ? 0.3 : 0.6)
      }
      return x
    }
    """

    static func model(_ source: String, _ arguments: [Value]) throws -> VMModel {
        try SourceModels.model(source, arguments: arguments)
    }

    static var models: [(String, () throws -> VMModel)] {
        [("ssm", { try model(ssm, [.reals(ys)]) }),
         ("counting", { try model(counting, [.ints(counts)]) }),
         ("lookback", { try model(lookback, [.reals(ys), .reals([-1, 0, 2])]) }),
         ("factored", { try model(factored, [.reals(ys)]) }),
         // Categorical rows chosen by the previous state (an array-parameter family per particle).
         ("hmm", { try SourceModels.model(try SourceModels.programText("hmm.ppl"), arguments: [.ints([0, 1, 2, 2, 1, 0, 0, 2, 1, 2, 2, 0])]) }),
         // mu[z[i]]: memory read at a key each particle chose.
         ("mixture", { try SourceModels.model(try SourceModels.programText("gaussian_mixture.ppl"), arguments: [.reals(ys)]) }),
         // Arrays computed from random values, particle by particle: a gathered array in arithmetic
         // (theta = mu + tau * eta), a reported array, indexing it.
         ("eight schools", { try SourceModels.model(try SourceModels.programText("eight_schools.ppl"),
                                                    arguments: [.reals([28, 8, -3, 7, -1, 1, 18, 12]), .reals([15, 10, 16, 11, 9, 11, 10, 18])]) }),
         ("calling", { try model(calling, [.reals(ys)]) }),
         ("grid", { try model(grid, [.reals(ys)]) }),
         ("ternary", { try model(ternary, [.reals(ys)]) }),
         ("burglary", { try SourceModels.model(try SourceModels.programText("burglary.ppl"), arguments: [.int(1), .int(1)]) }),
         ("regression", { try SourceModels.model(try SourceModels.programText("linear_regression.ppl"),
                                                 arguments: [.reals([0, 1, 2, 3, 4, 5]), .reals([1.1, 2.9, 5.2, 7.0, 8.8, 11.2])]) })]
    }

    static func run(_ model: VMModel, columns: Bool, scheme: ResamplingScheme, seed: UInt64,
                    blockSize: Int = 64, threshold: Double = 0.5) async throws -> Posterior {
        try await SMC(SMC.Options(particles: 300, resampling: scheme, essThreshold: threshold, seed: seed,
                                  blockSize: blockSize, columns: columns)).run(model)
    }

    @Test(arguments: ["ssm", "counting", "lookback", "factored", "hmm", "mixture", "eight schools", "regression", "calling", "grid",
                      "ternary", "burglary"])
    func columnsEqualParticleByParticle(_ name: String) async throws {
        let model = try #require(Self.models.first { $0.0 == name }).1()
        #expect(model.makePopulation(particles: 10, blockSize: 4) != nil, "\(model.populationUnsupportedReason ?? "")")
        for scheme in ResamplingScheme.builtIn {
            for (seed, blockSize, threshold) in [(UInt64(1), 64, 0.5), (7, 300, 1.0), (3, 17, 0.3)] {
                let columns = try await Self.run(model, columns: true, scheme: scheme, seed: seed, blockSize: blockSize, threshold: threshold)
                let particles = try await Self.run(model, columns: false, scheme: scheme, seed: seed, blockSize: blockSize, threshold: threshold)
                let context = "\(name), \(scheme), seed \(seed), blocks of \(blockSize), threshold \(threshold)"
                #expect(columns.logEvidence == particles.logEvidence, "\(context)")
                #expect(columns.columns == particles.columns, "\(context)")
                #expect(columns.draws == particles.draws, "\(context)")
                #expect(columns.logWeights == particles.logWeights, "\(context)")
                #expect(columns.diagnostics.resamplingCount == particles.diagnostics.resamplingCount, "\(context)")
                #expect(columns.diagnostics.essHistory == particles.diagnostics.essHistory, "\(context)")
                #expect(columns.diagnostics.extra["uniqueAncestors"] == particles.diagnostics.extra["uniqueAncestors"], "\(context)")
            }
        }
    }

    /// Several indices are keyed as memory keys them (Szudzik pairing, folded from the left) and
    /// named back from the key.
    @Test func pairedIndicesNameTheirAddress() throws {
        for indices in [[0, 0], [3, 1], [1, 3], [7, 7], [12, 0, 5], [2, 9, 4, 1]] {
            var key = indices[0]
            for i in indices.dropFirst() { key = key >= i ? key * key + key + i : i * i + key }
            #expect(VMModel.unpair(key, count: indices.count) == indices, "\(indices)")
        }
    }

    /// Negative control for the comparison above: a population that reads memory in place,
    /// ignoring whom each particle descends from, must not agree with the particles.
    @Test func ignoringTheAncestryIsCaught() async throws {
        var model = try Self.model(Self.ssm, [.reals(Self.ys)])
        let particles = try await Self.run(model, columns: false, scheme: .multinomial, seed: 1, threshold: 1)
        model.populationIgnoresAncestry = true
        let columns = try await Self.run(model, columns: true, scheme: .multinomial, seed: 1, threshold: 1)
        #expect(columns.logEvidence != particles.logEvidence)
        #expect(columns.draws != particles.draws)
    }

    /// Programs whose particles may part ways run particle by particle, and say why.
    @Test(arguments: [
        ("model M(y: [Real]) {\n  z ~ Normal(0, 1)\n  if z > 0 {\n    y[0] ~ Normal(z, 1)\n  } else {\n    y[0] ~ Normal(0, 1)\n  }\n}", "control flow"),
        ("fn f(s: Real) -> Real {\n  e ~ Normal(0, s)\n  return e\n}\nmodel M(y: [Real]) {\n  y[0] ~ Normal(f(1), 1)\n}", "makes random choices"),
        ("model M(y: [Real]) {\n  p ~ Dirichlet([1.0, 1.0])\n  y[0] ~ Normal(p[0], 1)\n}", "not a scalar"),
        ("model M(y: [Real]) {\n  n ~ Poisson(2)\n  for i in 0..<n {\n    u[i] ~ Normal(0, 1)\n  }\n  y[0] ~ Normal(0, 1)\n}", "control flow"),
    ])
    func programsThatMayPartRunParticleByParticle(_ source: String, _ reason: String) async throws {
        let model = try Self.model(source, [.reals(Self.ys)])
        #expect(model.makePopulation(particles: 10, blockSize: 4) == nil)
        let why = try #require(model.populationUnsupportedReason)
        #expect(why.contains(reason), "\(why)")
        let posterior = try await Self.run(model, columns: true, scheme: .systematic, seed: 2)
        #expect(posterior.logEvidence?.isFinite == true)
    }

    /// A particle's bad parameter (observed or drawn, scalar or array family), a NaN factor, a division
    /// by zero, an index out of range (into data or choosing a row) and a read of a choice never drawn give the
    /// error the particle gives alone: same message, place and address.
    @Test(arguments: [
        "model M(y: [Real]) {\n  for t in 0..<len(y) {\n    s[t] ~ Normal(0, 1)\n    y[t] ~ Normal(0, s[t])\n  }\n}",
        "model M(y: [Real]) {\n  for t in 0..<len(y) {\n    s[t] ~ Normal(0, 1)\n    v[t] ~ Normal(0, 1)\n    w[t] ~ Normal(0, s[t])\n    y[t] ~ Normal(w[t], 1)\n  }\n}",
        "model M(y: [Int]) {\n  for t in 0..<len(y) {\n    k[t] ~ Poisson(0.7)\n    y[t] ~ Normal(1 / k[t], 1)\n  }\n}",
        "model M(y: [Real]) {\n  for t in 0..<len(y) {\n    s[t] ~ Normal(0, 1)\n    factor(s[t] * 1e308 * 10 - s[t] * 1e308 * 10)\n    y[t] ~ Normal(s[t], 1)\n  }\n}",
        "model M(y: [Real]) {\n  for t in 0..<len(y) {\n    s[t] ~ Normal(0, 1)\n    let v = [1.0, 2.0] / (s[t] - s[t])\n    y[t] ~ Normal(v[0], 1)\n  }\n}",
        "fn inverse(v: Real) -> Real {\n  return 1 / v\n}\nmodel M(y: [Int]) {\n  for t in 0..<len(y) {\n    k[t] ~ Poisson(0.7)\n    y[t] ~ Normal(inverse(k[t]), 1)\n  }\n}",
        "model M(y: [Real]) {\n  for t in 0..<len(y) {\n    k[t] ~ Poisson(0.7)\n    let r = k[t] > 0 ? 1 / (k[t] - k[t]) : 0\n    y[t] ~ Normal(r, 1)\n  }\n}",
        "model M(y: [Int]) {\n  let table = [[0.5, 0.5], [0.2, 0.8]]\n  for t in 0..<len(y) {\n    z[t] ~ Poisson(1)\n    y[t] ~ Categorical(table[z[t]])\n  }\n}",
        "model M(y: [Int]) {\n  let table = [[0.5, 0.5], [-0.2, 1.2]]\n  for t in 0..<len(y) {\n    z[t] ~ Bernoulli(0.3)\n    c[t] ~ Categorical(table[z[t]])\n    y[t] ~ Poisson(c[t] + 1)\n  }\n}",
        "model M(y: [Real]) {\n  mu[0] ~ Normal(0, 1)\n  mu[1] ~ Normal(0, 1)\n  for t in 0..<len(y) {\n    z[t] ~ Poisson(0.5)\n    y[t] ~ Normal(mu[z[t]], 1)\n  }\n}",
        "model M(y: [Int]) {\n  for t in 0..<len(y) {\n    k[t] ~ Poisson(1.5)\n    y[t] ~ Poisson([1.0, 2.0, 3.0][k[t]])\n  }\n}",
    ])
    func errorsAreTheParticlesOwn(_ source: String) async throws {
        let data: Value = source.contains("[Int]") ? .ints(Self.counts) : .reals(Self.ys)
        let model = try Self.model(source, [data])
        #expect(model.makePopulation(particles: 10, blockSize: 4) != nil, "\(model.populationUnsupportedReason ?? "")")
        var errors: [ModelError] = []
        for columns in [true, false] {
            do {
                _ = try await Self.run(model, columns: columns, scheme: .systematic, seed: 5)
                Issue.record("no error (columns \(columns))")
            } catch let error as ModelError {
                errors.append(error)
            }
        }
        guard errors.count == 2 else { return }
        #expect(errors[0].message == errors[1].message)
        #expect(errors[0].location == errors[1].location)
        #expect(errors[0].address == errors[1].address)
        #expect(errors[0].location?.hasPrefix("test.ppl:") == true)
    }

    /// The Kalman reference of scripts/fixtures/kalman_ssm.py (T = 100 series of ../shared/data/ssm).
    static func kalman() throws -> (y: [Double], logEvidence: Double) {
        struct Fixture: Decodable {
            struct Series: Decodable { var logEvidence: Double; var y: [Double] }
            var series: [String: Series]
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("PPLInferenceTests/Fixtures/ssm_kalman.json"))
        let series = try #require(try JSONDecoder().decode(Fixture.self, from: data).series["100"])
        return (series.y, series.logEvidence)
    }

    /// 20 seeds of the columns path on the .ppl state-space model: log Ẑ of each and the smallest final ESS.
    static func kalmanRuns(_ scheme: ResamplingScheme, ignoringAncestry: Bool = false) async throws -> (logZ: [Double], minimumESS: Double) {
        let (y, _) = try kalman()
        var model = try Self.model(ssm, [.reals(y)])
        model.populationIgnoresAncestry = ignoringAncestry
        #expect(model.makePopulation(particles: 10, blockSize: 4) != nil)
        var logZ: [Double] = [], minimumESS = Double.infinity
        for seed in 0..<20 {
            let posterior = try await SMC(particles: 2_000, resampling: scheme, seed: UInt64(seed)).run(model)
            logZ.append(try #require(posterior.logEvidence))
            minimumESS = min(minimumESS, posterior.diagnostics.essHistory?.last ?? 0)
        }
        return (logZ, minimumESS)
    }

    static func meanAndStandardError(_ xs: [Double]) -> (mean: Double, standardError: Double) {
        let n = Double(xs.count)
        let mean = xs.reduce(0, +) / n
        return (mean, (xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1) / n).squareRoot())
    }

    /// The SMC issue's evidence check through the columns: over 20 seeds the mean log Ẑ is within
    /// 3 standard errors of the Kalman filter's log p(y), for each scheme; the ESS floor keeps a
    /// collapsed filter from passing.
    @Test(arguments: ResamplingScheme.builtIn)
    func kalmanEvidenceThroughColumns(_ scheme: ResamplingScheme) async throws {
        let (_, exact) = try Self.kalman()
        let runs = try await Self.kalmanRuns(scheme)
        let (mean, standardError) = Self.meanAndStandardError(runs.logZ)
        #expect(abs(mean - exact) < 3 * standardError, "\(scheme): mean log Z \(mean) vs Kalman \(exact), se \(standardError)")
        #expect(standardError < 0.15)
        #expect(runs.minimumESS > 200)
    }

    /// Negative control: the same check rejects a population that ignores whom particles descend from.
    @Test func kalmanCheckRejectsIgnoredAncestry() async throws {
        let (_, exact) = try Self.kalman()
        let runs = try await Self.kalmanRuns(.systematic, ignoringAncestry: true)
        let (mean, standardError) = Self.meanAndStandardError(runs.logZ)
        #expect(abs(mean - exact) > 3 * standardError, "mean log Z \(mean) vs Kalman \(exact), se \(standardError)")
    }

    /// Several choices per step (three z[t][k]), which the population draws site by site and the
    /// particle-by-particle path particle by particle: no bit-for-bit comparison, so the evidence
    /// is checked against its exact value. Marginally y[t] ~ Normal(0, 1 + 1 + 0.25 + 0.04),
    /// independently over t, so log p(y) is a sum of normal log densities.
    static let threeDraws = """
    model ThreeDraws(y: [Real]) {
      for t in 0..<len(y) {
        for k in 0..<3 {
          z[t][k] ~ Normal(0, 1)
        }
        y[t] ~ Normal(z[t][0] + 0.5 * z[t][2] - 0.2 * z[t][1], 1)
      }
      return 0
    }
    """

    static func threeDrawsEvidence(variance: Double) -> Double {
        ys.reduce(0) { $0 - 0.5 * log(2 * Double.pi * variance) - $1 * $1 / (2 * variance) }
    }

    static func threeDrawsRuns() async throws -> [Double] {
        let model = try Self.model(threeDraws, [.reals(ys)])
        #expect(model.makePopulation(particles: 10, blockSize: 4) != nil)
        var logZ: [Double] = []
        for seed in 0..<20 {
            let posterior = try await SMC(SMC.Options(particles: 1_000, seed: UInt64(seed), blockSize: 128)).run(model)
            logZ.append(try #require(posterior.logEvidence))
        }
        return logZ
    }

    @Test func severalDrawsPerStepGiveTheExactEvidence() async throws {
        let (mean, standardError) = Self.meanAndStandardError(try await Self.threeDrawsRuns())
        let exact = Self.threeDrawsEvidence(variance: 2.29)
        #expect(abs(mean - exact) < 3 * standardError, "mean log Z \(mean) vs exact \(exact), se \(standardError)")
        #expect(standardError < 0.05)
        // Negative control: the same check rejects the evidence of a slightly different model
        // (observation variance 1.9 instead of 2.29).
        let wrong = Self.threeDrawsEvidence(variance: 1.9)
        #expect(abs(mean - wrong) > 3 * standardError, "mean log Z \(mean) vs wrong \(wrong), se \(standardError)")
    }

    /// All particles at zero weight names the observation, as particle by particle.
    @Test func impossibleObservationNamesItsPlace() async throws {
        let model = try Self.model("model M(y: [Real]) {\n  p ~ Normal(0, 1)\n  y[0] ~ Uniform(2, 3)\n}", [.reals([0.5])])
        #expect(model.makePopulation(particles: 10, blockSize: 4) != nil)
        await #expect {
            _ = try await Self.run(model, columns: true, scheme: .systematic, seed: 1)
        } throws: { error in
            guard let error = error as? ModelError else { return false }
            return error.message.contains("zero weight") && error.location == "test.ppl:3:3"
        }
    }
}
