import Foundation
import PPLDistributions
import PPLInference
@testable import PPLInterpreter
import Testing

/// Sites re-scored without their slice (`DirectScore`), the one-call MH step and the bulk read of
/// latents: each must give exactly what the general paths give.
@Suite struct DirectScoreTests {
    static let mixed = """
    model Mixed(y: [Real], k: [Int]) {
      mu ~ Normal(0, 2)
      s ~ HalfNormal(1)
      rate ~ Gamma(2, 1)
      a ~ Uniform(0, 1)
      b ~ Uniform(0, 1 - a)
      for i in 0..<len(y) {
        x[i] ~ Normal(mu, 1)
        y[i] ~ Normal(x[i], s)
        k[i] ~ Poisson(rate)
      }
      z ~ Bernoulli(a)
    }
    """
    static let arguments: [Value] = [.reals([0.4, -1.2, 2.0]), .ints([3, 0, 5])]

    /// Sites whose parameters are data, constants or choices are direct (`y[i]`'s datum and
    /// `k[i]`'s count are snapshots, not slice code); `b`, whose bound `1 - a` is computed from a
    /// choice, keeps its slice.
    @Test func directSitesAreThoseWithoutComputedParameters() throws {
        let model = try SourceModels.model(Self.mixed, arguments: Self.arguments)
        #expect(model.localUpdates)
        let program = model.program
        let direct = program.sites.indices.filter { program.directScores[$0] != nil }.map { program.sites[$0].familyName }
        let sliced = program.sites.indices.filter { program.directScores[$0] == nil }.map { program.sites[$0].familyName }
        #expect(direct.sorted() == ["Bernoulli", "Gamma", "HalfNormal", "Normal", "Normal", "Normal", "Poisson", "Uniform"])
        #expect(sliced == ["Uniform"])
    }

    /// Every local update's weight is the change in the log joint (checked against `assess`, which
    /// re-runs the program), accepted or reverted through the one-call step, and the trace after a
    /// reverted step is the trace before it, bit for bit.
    @Test func oneCallStepsWeighTheChangeInLogJointAndRevertExactly() throws {
        let model = try SourceModels.model(Self.mixed, arguments: Self.arguments)
        var rng = RandomStream(seed: 21)
        var trace = try model.simulate(using: &rng)
        for step in 0..<60 {
            let k = step % trace.latentCount
            let current = trace.latent(k)
            let before = trace.logJoint
            let values = (0..<trace.latentCount).map { trace.latent($0).value }
            let proposal: Value = switch current.support {
            case .booleans: .int(1 - (current.value.asInt ?? 0))
            case .positive: .real((current.value.asReal ?? 1) * exp(0.3 * rng.standardNormal()))
            case .interval(let lo, let hi): .real(lo + (hi - lo) * rng.uniformPositive())
            case .unitInterval: .real(rng.uniformPositive())
            default: .real((current.value.asReal ?? 0) + 0.5 * rng.standardNormal())
            }
            let keep = step % 3 != 0
            let (logWeight, kept) = try model.update(&trace, latent: k, to: proposal, keepIf: { _, _ in keep }, using: &rng)
            #expect(kept == keep)
            if kept {
                var choices: [Address: Value] = [:]
                for j in 0..<trace.latentCount { choices[trace.latent(j).address] = trace.latent(j).value }
                let after = try model.assess(choices)
                #expect(abs(logWeight - (after - before)) < 1e-9, "step \(step) \(current.address)")
                #expect(abs(trace.logJoint - after) < 1e-9, "step \(step) \(current.address)")
            } else {
                #expect(trace.logJoint == before, "step \(step) \(current.address)")
                #expect((0..<trace.latentCount).map { trace.latent($0).value } == values)
            }
        }
    }

    /// A direct site whose parameter leaves its range raises the slice path's error, naming the
    /// observation (`y[1]`: its index is not among the registers its score reads), and leaves the
    /// trace as it was.
    @Test func badParametersAtDirectSitesNameTheSite() throws {
        let model = try SourceModels.model("""
        model Bounds(lo: [Real], y: [Real]) {
          s ~ Normal(1, 1)
          for i in 0..<len(y) { y[i] ~ Uniform(lo[i], s) }
        }
        """, arguments: [.reals([0.1, 0.9]), .reals([0.3, 0.95])])
        #expect(model.program.directScores.allSatisfy { $0 != nil })
        var rng = RandomStream(seed: 2)
        var trace = try model.generate(constraints: ["s": .real(1.2)], using: &rng)
        let before = trace.logJoint
        #expect(before.isFinite)
        #expect {
            _ = try model.update(&trace, latent: 0, to: .real(0.5), keepIf: { _, _ in true }, using: &rng)
        } throws: { error in
            guard let error = error as? ModelError, case .badParameter = error.kind else { return false }
            return error.address?.description == "y[1]"
        }
        #expect(trace.logJoint == before)
        #expect(trace.latent(0).value == .real(1.2))
    }

    /// `scalarLatents(into:)` reads what `latentValueAndSupport` reads, Ints and Bools as 0/1 reals.
    @Test func scalarLatentsMatchTheValuesOneByOne() throws {
        let model = try SourceModels.model(Self.mixed, arguments: Self.arguments)
        var rng = RandomStream(seed: 5)
        let trace = try model.simulate(using: &rng)
        var values: [Double] = [99]
        #expect(trace.scalarLatents(into: &values))
        let oneByOne = (0..<trace.latentCount).map { k -> Double in
            switch trace.latentValueAndSupport(k).value {
            case .real(let x): x
            case .int(let n): Double(n)
            case .bool(let b): b ? 1 : 0
            default: .nan
            }
        }
        #expect(values == oneByOne)
        #expect(values.count == trace.latentCount)
    }
}
