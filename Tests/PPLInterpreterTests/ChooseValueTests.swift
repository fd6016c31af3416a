import Foundation
import PPLDistributions
import PPLInference
@testable import PPLInterpreter
import Testing

/// `VMModel.chooseValue` (one pass over the Markov blanket) against the `update`/`revert`
/// reference `chooseValueByUpdates`: the same log weights, and the same trace after the choice.
@Suite struct ChooseValueTests {
    static let mixture = """
    model Mixture(y: [Real]) {
      mu[0] ~ Normal(-4, 2)
      mu[1] ~ Normal(0, 2)
      mu[2] ~ Normal(4, 2)
      let means = [mu[0], mu[1], mu[2]]
      for i in 0..<len(y) {
        z[i] ~ Categorical([0.2, 0.3, 0.5])
        y[i] ~ Normal(means[z[i]], 1)
      }
      return mu
    }
    """
    static let hierarchical = """
    model Hierarchical(y: [Real], s: [Real]) {
      mu ~ Normal(0, 5)
      tau ~ HalfNormal(2)
      for j in 0..<len(y) {
        theta[j] ~ Normal(mu, tau)
        y[j] ~ Normal(theta[j], s[j])
      }
    }
    """
    static let switching = """
    model Switch(y: Real) {
      z ~ Bernoulli(0.3)
      if z == 1 {
        a ~ Normal(2, 1)
        y ~ Normal(a, 1)
      } else {
        y ~ Normal(0, 1)
      }
    }
    """
    static let dependent = """
    model Dependent(y: Real) {
      a ~ Uniform(0, 1)
      b ~ Uniform(0, 1 - a)
      y ~ Normal(a + b, 1)
    }
    """

    /// Values to score for latent `k`: every value of a small finite support, else points around the current value (one off the support when bounded).
    static func candidates(_ record: ChoiceRecord) -> [Value] {
        switch record.support {
        case .booleans: return [.int(0), .int(1)]
        case .integers(let a, let b): return (a...b).map { .int($0) }
        default:
            let x = record.value.asReal ?? 0
            return [.real(x - 0.7), .real(x + 0.4), record.value, .real(x + 0.05), .real(-x - 1.5)]
        }
    }

    static func close(_ a: Double, _ b: Double) -> Bool {
        a == b || abs(a - b) <= 1e-12 * max(1, abs(a), abs(b))
    }

    /// For every latent, both ways give the same weights and leave the same trace, which `assess` confirms.
    func agree(_ model: VMModel, seed: UInt64, rounds: Int = 2) throws {
        var rng = RandomStream(seed: seed)
        var trace = try model.simulate(using: &rng)
        for round in 0..<rounds {
            var k = 0
            while k < trace.latentCount {
                defer { k += 1 }
                let record = trace.latent(k)
                let values = Self.candidates(record)
                var fast = trace, reference = trace
                var fastWeights: [Double] = [], referenceWeights: [Double] = []
                // Choose the value with the largest finite weight other than the current one, if any.
                func pick(_ w: [Double]) -> Int? {
                    w.indices.filter { w[$0].isFinite && values[$0] != record.value }.max { w[$0] < w[$1] }
                }
                // The same stream both ways: a model that re-executes draws new choices from it.
                var fastStream = RandomStream(seed: seed, stream: UInt64(100 * round + k))
                var referenceStream = RandomStream(seed: seed, stream: UInt64(100 * round + k))
                try model.chooseValue(&fast, latent: k, among: values, choosing: { fastWeights = $0; return pick($0) },
                                      using: &fastStream)
                try model.chooseValueByUpdates(&reference, latent: k, among: values,
                                               choosing: { referenceWeights = $0; return pick($0) }, using: &referenceStream)
                #expect(fastWeights.count == values.count)
                for (a, b) in zip(fastWeights, referenceWeights) {
                    #expect(Self.close(a, b), "\(record.address) round \(round): \(fastWeights) vs \(referenceWeights)")
                }
                #expect(fast.latentCount == reference.latentCount)
                #expect(Self.close(fast.logPrior, reference.logPrior), "\(record.address)")
                #expect(Self.close(fast.logLikelihood, reference.logLikelihood), "\(record.address)")
                var choices: [Address: Value] = [:]
                for j in 0..<fast.latentCount {
                    let (a, b) = (fast.latent(j), reference.latent(j))
                    #expect(a.address == b.address && a.value == b.value && Self.close(a.logDensity, b.logDensity), "\(a.address)")
                    choices[a.address] = a.value
                }
                for (a, b) in zip(fast.observations, reference.observations) {
                    #expect(Self.close(a.logDensity, b.logDensity), "\(record.address) -> \(a.address): \(a.logDensity) vs \(b.logDensity)")
                }
                #expect(abs(fast.logJoint - (try model.assess(choices))) < 1e-9 * max(1, abs(fast.logJoint)))
                trace = fast
            }
        }
    }

    @Test func mixtureLabelsAndMeans() throws {
        let y = (0..<24).map { Double($0 % 3 - 1) * 4 + sin(Double($0)) }
        let model = try SourceModels.model(Self.mixture, arguments: [.reals(y)])
        #expect(model.localUpdates)
        try agree(model, seed: 31)
    }

    /// The observations read mu[k] only through `means[z[i]]` (so an observation of another component is
    /// skipped), except mu[0], which the second model also reads directly: skipping it there would be wrong,
    /// and the agreement with update/revert says it is not done.
    @Test func mixtureObservationsOfOtherComponentsAreSkippedOnlyWhenExact() throws {
        let y = (0..<24).map { Double($0 % 3 - 1) * 4 + sin(Double($0)) }
        let model = try SourceModels.model(Self.mixture, arguments: [.reals(y)])
        let program = model.program
        let observation = try #require(program.sites.firstIndex { $0.kind == .observe })
        let selectors = program.functions[program.sites[observation].function].slices[program.sites[observation].local].selectors
        #expect(selectors.compactMap { $0 }.count == 3, "\(selectors)")
        let shared = try SourceModels.model(Self.mixture.replacingOccurrences(of: "Normal(means[z[i]], 1)",
                                                                              with: "Normal(means[z[i]] + 0.5 * mu[0], 1)"),
                                            arguments: [.reals(y)])
        let sharedSite = try #require(shared.program.sites.firstIndex { $0.kind == .observe })
        let sharedSelectors = shared.program.functions[shared.program.sites[sharedSite].function]
            .slices[shared.program.sites[sharedSite].local].selectors
        // The direct read is a leaf of its own (mu[0] loaded again) with no selector, so mu[0]'s updates re-score every observation.
        #expect(sharedSelectors.count == 5 && sharedSelectors.compactMap { $0 }.count == 3, "\(sharedSelectors)")
        try agree(shared, seed: 36)
    }

    /// MH's local update skips the same observations: re-scoring mu[k] touches only the observations whose
    /// label selects k, and the weight and the trace still equal a whole run of the program (`assess`). The
    /// variant that also reads mu[0] directly must re-score every observation for mu[0] (the negative control).
    @Test func localUpdatesOfAMeanRescoreOnlyItsComponentsObservations() throws {
        let y = (0..<24).map { Double($0 % 3 - 1) * 4 + sin(Double($0)) }
        for (source, skipsMu0) in [(Self.mixture, true),
                                   (Self.mixture.replacingOccurrences(of: "Normal(means[z[i]], 1)",
                                                                      with: "Normal(means[z[i]] + 0.5 * mu[0], 1)"), false)] {
            let model = try SourceModels.model(source, arguments: [.reals(y)])
            var rng = RandomStream(seed: 5)
            var trace = try model.simulate(using: &rng)
            func choices(_ t: VMTrace) -> [Address: Value] {
                Dictionary(uniqueKeysWithValues: (0..<t.latentCount).map { (t.latent($0).address, t.latent($0).value) })
            }
            for k in 0..<3 {
                let latent = try #require((0..<trace.latentCount).first { trace.latent($0).address.description == "mu[\(k)]" })
                let labels = (0..<trace.latentCount).filter { trace.latent($0).address.description.hasPrefix("z[") }
                let selecting = labels.filter { trace.latent($0).value == .int(k) }.count
                let before = trace, joint = try model.assess(choices(trace))
                var undo = LocalUndo()
                let weight = try #require(try model.program.updateLocally(&trace, latent: latent, to: .real(Double(k) - 0.3), undo: &undo))
                let after = try model.assess(choices(trace))
                #expect(abs(trace.logJoint - after) < 1e-9 * max(1, abs(after)), "mu[\(k)]")
                #expect(abs(weight - (after - joint)) < 1e-9 * max(1, abs(after)), "mu[\(k)]")
                // The choice itself, plus the observations it is read by now.
                let expected = skipsMu0 || k != 0 ? 1 + selecting : 1 + y.count
                #expect(undo.oldDensities.count == expected, "mu[\(k)]: \(undo.oldDensities.count) re-scored, \(selecting) selecting")
                model.program.revertLocally(&trace, undo)
                #expect(trace.logJoint == before.logJoint && trace.logPrior == before.logPrior)
                _ = try model.program.updateLocally(&trace, latent: latent, to: .real(Double(k) - 0.3), undo: &undo)
            }
        }
    }

    @Test func hierarchicalNormalWithABoundedScale() throws {
        let model = try SourceModels.model(Self.hierarchical, arguments: [.reals([28, 8, -3, 7, -1, 1, 18, 12]),
                                                                         .reals([15, 10, 16, 11, 9, 11, 10, 18])])
        #expect(model.localUpdates)
        try agree(model, seed: 32)
    }

    @Test func nonStaticModelFallsBackToUpdates() throws {
        let model = try SourceModels.model(Self.switching, arguments: [.real(1.4)])
        #expect(!model.facts.isStatic)
        try agree(model, seed: 33, rounds: 4)
    }

    /// b's support moves with a: scoring a goes through update/revert, b through the one-pass path.
    @Test func supportsThatMoveWithTheChoice() throws {
        let model = try SourceModels.model(Self.dependent, arguments: [.real(0.5)])
        try agree(model, seed: 34)
    }

    /// A value the model rejects (a negative scale) weighs -infinity both ways; choosing nothing,
    /// or the current value, leaves the trace exactly as it was; a latent that does not exist is an error.
    @Test func rejectedValuesNoChoiceAndBadIndex() throws {
        let model = try SourceModels.model("""
        model Scale(y: [Real]) {
          s ~ Normal(1, 1)
          for i in 0..<len(y) { y[i] ~ Normal(0, s) }
        }
        """, arguments: [.reals([0.3, -0.2, 0.5])])
        var rng = RandomStream(seed: 35)
        var trace = try model.generate(constraints: [Address("s"): .real(0.8)], using: &rng)
        let before = trace.logJoint
        var weights: [Double] = []
        var referenceWeights: [Double] = []
        let values: [Value] = [.real(-1), .real(0.8), .real(1.2)]
        try model.chooseValue(&trace, latent: 0, among: values, choosing: { weights = $0; return nil }, using: &rng)
        var copy = trace
        try model.chooseValueByUpdates(&copy, latent: 0, among: values, choosing: { referenceWeights = $0; return 1 }, using: &rng)
        #expect(weights[0] == -.infinity && referenceWeights[0] == -.infinity)
        #expect(weights[1] == 0 && referenceWeights[1] == 0)
        #expect(Self.close(weights[2], referenceWeights[2]) && weights[2].isFinite)
        #expect(trace.logJoint == before && copy.logJoint == before)
        #expect(trace.latent(0).value == .real(0.8))
        #expect(throws: ModelError.self) {
            try model.chooseValue(&trace, latent: 5, among: values, choosing: { _ in 0 }, using: &rng)
        }
    }
}
