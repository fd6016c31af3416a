import Foundation
import Testing
import PPLDistributions
@testable import PPLInference
import PPLInterpreter
import PPLIR
import PPLPasses

// `.ppl` models through the front end, `recognise-conjugacy`, the VM and the Gibbs engine,
// checked by simulation-based calibration (Talts et al. 2018) with a tempered-conditional
// negative control.

private let mixtureSource = """
model Mixture(y: [Real]) {
  w ~ Beta(2, 2)
  mu[0] ~ Normal(-1.5, 1)
  mu[1] ~ Normal(1.5, 1)
  for i in 0..<len(y) {
    z[i] ~ Bernoulli(w)
    y[i] ~ Normal(mu[z[i]], 1)
  }
  return mu
}
"""

private let hierarchicalSource = """
model Hierarchical(y: [Real]) {
  mu ~ Normal(0, 2)
  v ~ InverseGamma(3, 2)
  for j in 0..<len(y) {
    theta[j] ~ Normal(mu, sqrt(v))
    y[j] ~ Normal(theta[j], 1)
  }
  return mu
}
"""

/// The VM model of a source, with what `recognise-conjugacy` found in its facts.
func conjugateVMModel(_ source: String, y: [Double]) throws -> VMModel {
    let module = try PassManager([StaticStructure(), RecogniseConjugacy()]).run(Conjugacy.lower(source))
    return try VMModel(module: module, arguments: [.reals(y)])
}

@Suite("Gibbs on .ppl models via recognise-conjugacy")
struct RecogniseConjugacyGibbsTests {
    func gibbs(seed: Int, fault: GibbsFault) -> Gibbs {
        var engine = Gibbs(samples: 60, warmup: 40, thin: 2, chains: 1, seed: UInt64(seed))
        engine.fault = fault
        return engine
    }

    func mixtureSBC(fault: GibbsFault) async throws -> SimulationBasedCalibration.Result {
        let sbc = SimulationBasedCalibration(replications: 80, bins: 10, seed: 2024)
        return try await sbc.run(prior: { rng in
            [Address("w"): (try Beta(alpha: 2, beta: 2)).sample(using: &rng),
             Address("mu").appending(index: 0): (try Normal(mu: -1.5, sigma: 1)).sample(using: &rng),
             Address("mu").appending(index: 1): (try Normal(mu: 1.5, sigma: 1)).sample(using: &rng)]
        }, simulate: { truth, rng in
            let w = truth["w"] ?? 0.5
            let means = [truth[Address("mu").appending(index: 0)] ?? 0, truth[Address("mu").appending(index: 1)] ?? 0]
            return (0..<6).map { _ in
                let z = rng.uniform() < w ? 1 : 0
                return means[z] + rng.standardNormal()
            }
        }, infer: { y, n in
            try await gibbs(seed: n, fault: fault).run(conjugateVMModel(mixtureSource, y: y))
        })
    }

    @Test("Gaussian mixture with discrete labels: auto schedules conjugate, enumerate; SBC passes and rejects a tempered conditional")
    func mixture() async throws {
        let posterior = try await Gibbs(samples: 200, chains: 2, seed: 1)
            .run(conjugateVMModel(mixtureSource, y: [-1.2, 2.0, 1.1, -0.3, 1.7, -2.2]))
        let schedule = Dictionary(uniqueKeysWithValues: posterior.diagnostics.schedule.map { ($0.0.description, $0.1) })
        #expect(schedule == ["w": "conjugate (Beta)", "mu": "conjugate (Normal)", "z": "enumerate"])
        for column in ["w", "mu[0]", "mu[1]"] {
            let ess = ChainDiagnostics.bulkEffectiveSampleSize(chains(posterior, Address(stringLiteral: column))) ?? 0
            #expect(ess > 100, "\(column): ESS \(ess)")
        }

        let good = try await mixtureSBC(fault: .none)
        #expect(good.isUniform(level: 0.01), "\(good.pValues)")
        let wrong = try await mixtureSBC(fault: .temper(0.4))
        #expect(!wrong.isUniform(level: 0.01), "\(wrong.pValues)")
    }

    func hierarchicalSBC(fault: GibbsFault) async throws -> SimulationBasedCalibration.Result {
        let sbc = SimulationBasedCalibration(replications: 80, bins: 10, seed: 1981)
        return try await sbc.run(prior: { rng in
            [Address("mu"): (try Normal(mu: 0, sigma: 2)).sample(using: &rng),
             Address("v"): (try InverseGamma(alpha: 3, beta: 2)).sample(using: &rng)]
        }, simulate: { truth, rng in
            let mu = truth["mu"] ?? 0
            let sd = (truth["v"] ?? 1).squareRoot()
            return (0..<5).map { _ in mu + sd * rng.standardNormal() + rng.standardNormal() }
        }, infer: { y, n in
            try await gibbs(seed: n, fault: fault).run(conjugateVMModel(hierarchicalSource, y: y))
        })
    }

    @Test("hierarchical Normal: every site conjugate; SBC passes and rejects a tempered conditional")
    func hierarchical() async throws {
        let posterior = try await Gibbs(samples: 500, chains: 2, seed: 1)
            .run(conjugateVMModel(hierarchicalSource, y: [0.5, 2.1, -0.4, 1.3, 0.9]))
        let schedule = Dictionary(uniqueKeysWithValues: posterior.diagnostics.schedule.map { ($0.0.description, $0.1) })
        #expect(schedule == ["mu": "conjugate (Normal)", "v": "conjugate (InverseGamma)", "theta": "conjugate (Normal)"])
        let ess = ChainDiagnostics.bulkEffectiveSampleSize(chains(posterior, "mu")) ?? 0
        #expect(ess > 100, "mu: ESS \(ess)")

        let good = try await hierarchicalSBC(fault: .none)
        #expect(good.isUniform(level: 0.01), "\(good.pValues)")
        let wrong = try await hierarchicalSBC(fault: .temper(0.4))
        #expect(!wrong.isUniform(level: 0.01), "\(wrong.pValues)")
    }

    @Test("a .ppl model with no conjugate pair runs under auto and reports each address's kernel")
    func noConjugatePair() async throws {
        let source = """
        model Plain(y: Real) {
          sigma ~ HalfNormal(1)
          k ~ Categorical([0.2, 0.3, 0.5])
          n ~ Poisson(2)
          y ~ Normal(k + 0.1 * n, sigma)
          return sigma
        }
        """
        let module = try PassManager([StaticStructure(), RecogniseConjugacy()]).run(Conjugacy.lower(source))
        #expect(module.facts.conjugacy?.allSatisfy { !$0.isConjugate } == true)
        let posterior = try await Gibbs(samples: 300, chains: 2, seed: 9).run(VMModel(module: module, arguments: [.real(1.4)]))
        #expect(posterior.diagnostics.schedule.map { "\($0.0)=\($0.1)" } == ["sigma=slice", "k=enumerate", "n=mh"])
        #expect(posterior.draws.allSatisfy { $0.allSatisfy { $0.count == 300 } })
    }
}

private func chains(_ posterior: Posterior, _ address: Address) -> [[Double]] {
    guard let c = posterior.columnIndex(of: address) else { return [] }
    return posterior.draws.map { $0[c] }
}
