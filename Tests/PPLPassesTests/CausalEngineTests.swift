import Foundation
import PPLDistributions
import PPLInference
import PPLInterpreter
import PPLIR
@testable import PPLPasses
import Testing

/// An estimate with its Monte Carlo standard error and effective sample size.
struct Estimate: CustomStringConvertible {
    var value: Double
    var error: Double
    var effectiveSampleSize: Double
    var description: String { "\(value) ± \(error) (ESS \(Int(effectiveSampleSize)))" }

    func agrees(with exact: Double, within k: Double = 4) -> Bool { abs(value - exact) <= k * error }
}

/// Runs SMC and MH on transformed modules and reduces their draws to estimates.
enum Engines {
    /// Mean and variance of a column from `runs` independent SMC runs: each run's weighted
    /// estimate, MCSE from their spread (honest after resampling, unlike Kish's ESS).
    static func smc(_ module: Module, _ address: Address, particles: Int = 2_000, runs: Int = 10, seed: UInt64 = 7) async throws -> (mean: Estimate, variance: Estimate) {
        let model = try VMModel(module: module, arguments: [])
        let posterior = try await SMC(particles: particles, seed: seed, runs: runs).run(model)
        let c = try #require(posterior.columnIndex(of: address))
        var means: [Double] = [], variances: [Double] = [], ess = 0.0
        for r in 0..<posterior.draws.count {
            let m = WeightedMoments(values: posterior.draws[r][c], logWeights: posterior.logWeights?[r])
            means.append(m.mean)
            variances.append(m.variance)
            ess += m.effectiveSampleSize
        }
        func estimate(_ xs: [Double]) -> Estimate {
            let mean = xs.reduce(0, +) / Double(xs.count)
            let sd = (xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count - 1)).squareRoot()
            return Estimate(value: mean, error: sd / Double(xs.count).squareRoot(), effectiveSampleSize: ess)
        }
        return (estimate(means), estimate(variances))
    }

    /// Mean and variance of a column from MH chains, MCSE and bulk ESS by Vehtari et al. (2021).
    static func mh(_ module: Module, _ address: Address, samples: Int = 2_000, chains: Int = 4, seed: UInt64 = 11,
                   proposal: MetropolisHastings.Proposal = .adaptiveRandomWalk) async throws -> (mean: Estimate, variance: Estimate) {
        let model = try VMModel(module: module, arguments: [])
        let posterior = try await MetropolisHastings(samples: samples, warmup: 500, chains: chains, seed: seed, proposal: proposal).run(model)
        let c = try #require(posterior.columnIndex(of: address))
        let draws = posterior.draws.map { $0[c] }
        let summary = Summary(chains: draws)
        let mean = try #require(summary.mean)
        let squares = draws.map { $0.map { ($0 - mean) * ($0 - mean) } }
        let spread = Summary(chains: squares)
        return (Estimate(value: mean, error: try #require(summary.mcse), effectiveSampleSize: summary.ess ?? 0),
                Estimate(value: try #require(spread.mean), error: try #require(spread.mcse), effectiveSampleSize: spread.ess ?? 0))
    }
}

/// Issue 7's must-show list, from the programs in Programs/causal, by Enumerate, SMC and MH.
@Suite struct CausalEngineTests {
    static let smokingExact: [Double] = [8783.0 / 34650, 4013.0 / 7400, 4.0 / 21, 25.0 / 37]

    @Test func smokingProgramByEnumerationIsExact() throws {
        let queries = try CausalPrograms.queries("smoking_front_door.ppl")
        #expect(queries.count == 4)
        for (query, exact) in zip(queries, Self.smokingExact) {
            #expect(query.engine == "enumerate" && query.reports == ["cancer"])
            let p = try Causal.enumerate(query.module).mean(of: "cancer") ?? -1
            #expect(abs(p - exact) < 1e-12)
        }
    }

    @Test func smokingBySMCAndMHWithinFourMCSE() async throws {
        let queries = try CausalPrograms.queries("smoking_front_door.ppl")
        for (k, (query, exact)) in zip(queries, Self.smokingExact).enumerated() {
            let smc = try await Engines.smc(query.module, "cancer", seed: UInt64(20 + k)).mean
            let mh = try await Engines.mh(query.module, "cancer", seed: UInt64(30 + k)).mean
            #expect(smc.agrees(with: exact), "smc query \(k): \(smc) vs \(exact)")
            #expect(mh.agrees(with: exact), "mh query \(k): \(mh) vs \(exact)")
            #expect(smc.effectiveSampleSize > 5_000)
            #expect(mh.effectiveSampleSize > 400, "mh query \(k): \(mh)")
            // Negative control: the same check rejects the other kind of answer (do versus given).
            let other = Self.smokingExact[(k + 2) % 4]
            #expect(!smc.agrees(with: other) && !mh.agrees(with: other), "query \(k) cannot tell do from given")
        }
    }

    /// Closed forms (scripts/causal/causal_references.py): y | do(x = 1) ~ N(2, 10), y | x = 1 ~ N(3.5, 5.5).
    @Test func linearSCMInterveningAndConditioningDifferInClosedForm() async throws {
        let queries = try CausalPrograms.queries("linear_scm.ppl")
        let expected: [(mean: Double, variance: Double)] = [(2, 10), (3.5, 5.5)]
        for (k, (query, truth)) in zip(queries.prefix(2), expected).enumerated() {
            let smc = try await Engines.smc(query.module, "y", seed: UInt64(40 + k))
            // Prior proposals: y | z is then an exact Gibbs update, which a strongly correlated (z, y) needs.
            let mh = try await Engines.mh(query.module, "y", samples: 5_000, seed: UInt64(50 + k), proposal: .prior)
            for (name, run) in [("smc", smc), ("mh", mh)] {
                #expect(run.mean.agrees(with: truth.mean), "\(name) query \(k) mean \(run.mean)")
                #expect(run.variance.agrees(with: truth.variance), "\(name) query \(k) variance \(run.variance)")
                #expect(run.mean.effectiveSampleSize > 200, "\(name) query \(k) \(run.mean)")
                // Negative control: the other query's closed form is rejected.
                let wrong = expected[1 - k]
                #expect(!run.mean.agrees(with: wrong.mean), "\(name) query \(k) cannot tell do from given")
            }
        }
    }

    /// Had x been 1 given y = 3: y' = 5 − 2x with x | y = 3 ~ N(0.7, 11/30): mean 3.6, variance 22/15.
    @Test func linearSCMCounterfactualByAbductionActionPrediction() async throws {
        let query = try #require(try CausalPrograms.queries("linear_scm.ppl").last)
        let smc = try await Engines.smc(query.module, "y", seed: 61)
        let mh = try await Engines.mh(query.module, "y", samples: 3_000, seed: 62)
        for (name, run) in [("smc", smc), ("mh", mh)] {
            #expect(run.mean.agrees(with: 3.6), "\(name) mean \(run.mean)")
            #expect(run.variance.agrees(with: 22.0 / 15), "\(name) variance \(run.variance)")
            #expect(run.mean.effectiveSampleSize > 300)
            // Negative control: the interventional answer (mean 2) ignores the fact y = 3.
            #expect(!run.mean.agrees(with: 2))
        }
        // The factual world is the model conditioned on the fact: E[x_factual | y = 3] = 0.7.
        #expect(try await Engines.smc(query.module, "x_factual", seed: 63).mean.agrees(with: 0.7))
    }

    @Test func firingSquadCounterfactualIsExactByEnumeration() throws {
        let query = try #require(try CausalPrograms.queries("firing_squad.ppl").first)
        let exact = try Causal.enumerate(query.module)
        #expect(abs((exact.mean(of: "dead") ?? -1) - 0.8) < 1e-12)
        // Abduction: the court ordered the execution with probability 4/5 given the death.
        #expect(abs((exact.mean(of: "court_factual") ?? -1) - 0.8) < 1e-12)
        #expect(exact.mean(of: "dead_factual") == nil)
        #expect(exact.mean(of: "a") == 0)
        // Negative control: without the shared noise (fresh noise in the counterfactual world) the
        // answer would be the interventional P(dead | do(a = 0)) = P(court) = 1/2.
        let interventional = try Causal.probabilityOfOne(try Causal.intervene(CausalModels.firingSquad(), "a = 0"), "dead")
        #expect(abs(interventional - 0.5) < 1e-12)
    }

    @Test func primerLinearCounterfactualIsExact() async throws {
        let query = try #require(try CausalPrograms.queries("primer.ppl").first)
        let posterior = try await LikelihoodWeighting(particles: 50, seed: 3).run(try VMModel(module: query.module, arguments: []))
        let c = try #require(posterior.columnIndex(of: "y"))
        let draws = posterior.draws.flatMap { $0[c] }
        #expect(draws.count == 50)
        for y in draws { #expect(abs(y - 1.9) < 1e-12) }
    }
}
