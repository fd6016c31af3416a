import Foundation
import PPLDistributions
import PPLInference
import PPLIR
@testable import PPLInterpreter
import Testing

@Suite struct VMModelTests {
    let data: [Double] = [0.3, -0.2, 1.1, 0.7]

    @Test func simulateRecordsEveryChoiceAndScoresTheObservations() throws {
        let model = try VMModel(module: HandBuilt.normalMean(), arguments: [.reals(data)])
        var rng = RandomStream(seed: 1)
        let trace = try model.simulate(using: &rng)
        #expect(trace.latentCount == 1)
        let mu = try #require(trace.latent(0).value.asReal)
        #expect(trace.latent(0).address == "mu")
        #expect(trace.observations.map(\.address.description) == ["y[0]", "y[1]", "y[2]", "y[3]"])
        let expectedPrior = try Normal(mu: 0, sigma: 1).logDensity(mu)
        let expectedLikelihood = try data.map { try Normal(mu: mu, sigma: 0.5).logDensity($0) }.reduce(0, +)
        #expect(abs(trace.logPrior - expectedPrior) < 1e-12)
        #expect(abs(trace.logLikelihood - expectedLikelihood) < 1e-12)
        #expect(trace.returnValue == .real(mu))
    }

    @Test func assessOfASimulatedTraceEqualsItsLogJoint() throws {
        let model = try VMModel(module: HandBuilt.stateSpace(), arguments: [.reals(data)])
        var rng = RandomStream(seed: 2)
        let trace = try model.simulate(using: &rng)
        var choices: [Address: Value] = [:]
        for k in 0..<trace.latentCount { choices[trace.latent(k).address] = trace.latent(k).value }
        #expect(try model.assess(choices) == trace.logJoint)
        choices.removeValue(forKey: "x[2]")
        #expect(throws: ModelError.self) { try model.assess(choices) }
    }

    @Test func updateWeightIsTheDifferenceOfLogJointsAndRevertRestoresExactly() throws {
        for module in [HandBuilt.stateSpace(), HandBuilt.independent(), HandBuilt.recursive(depth: 3)] {
            let args: [Value] = module.entryFunction!.parameters.isEmpty ? [] : [.reals(data)]
            let model = try VMModel(module: module, arguments: args)
            var rng = RandomStream(seed: 3)
            var trace = try model.simulate(using: &rng)
            let before = trace.logJoint
            let k = trace.latentCount - 1
            let update = try model.update(&trace, latent: k, to: .real(0.25), using: &rng)
            #expect(trace.latent(k).value == .real(0.25))
            var choices: [Address: Value] = [:]
            for j in 0..<trace.latentCount { choices[trace.latent(j).address] = trace.latent(j).value }
            let after = try model.assess(choices)
            #expect(abs(trace.logJoint - after) < 1e-9)
            #expect(abs(update.logWeight - (after - before)) < 1e-9)
            model.revert(&trace, update)
            #expect(trace.logJoint == before)
        }
    }

    @Test func exploreEnumeratesTheBurglaryNetwork() throws {
        let model = try VMModel(module: HandBuilt.burglary(), arguments: [])
        // Depth-first enumeration over the model's finite choices, by hand.
        var stack: [[Address: Value]] = [[:]]
        var posterior = 0.0, evidence = 0.0
        var leaves = 0
        while let fixed = stack.popLast() {
            switch try model.explore(fixing: fixed) {
            case .branch(let address, let values):
                for v in values { stack.append(fixed.merging([address: v]) { $1 }) }
            case .complete(let trace):
                leaves += 1
                let w = exp(trace.logJoint)
                evidence += w
                if trace.returnValue == .int(1) { posterior += w }
            }
        }
        #expect(leaves == 8)
        // P(B | J, M) by exact enumeration in closed form (Russell & Norvig 14.4): 0.284171...
        let pB = 0.001, pE = 0.002
        func pA(_ b: Bool, _ e: Bool) -> Double { b ? (e ? 0.95 : 0.94) : (e ? 0.29 : 0.001) }
        var num = 0.0, den = 0.0
        for b in [true, false] { for e in [true, false] { for a in [true, false] {
            let w = (b ? pB : 1 - pB) * (e ? pE : 1 - pE) * (a ? pA(b, e) : 1 - pA(b, e)) * (a ? 0.9 * 0.7 : 0.05 * 0.01)
            den += w
            if b { num += w }
        } } }
        #expect(abs(posterior / evidence - num / den) < 1e-12)
        #expect(abs(posterior / evidence - 0.284_171_835_364_393_2) < 1e-9)
    }

    @Test func exploreNamesTheFirstContinuousChoice() throws {
        let model = try VMModel(module: HandBuilt.normalMean(), arguments: [.reals(data)])
        do {
            _ = try model.explore(fixing: [:])
            Issue.record("explore of a continuous model must throw")
        } catch {
            #expect(error.address == "mu")
            #expect(error.location == "test.ppl:2:3")
            #expect(error.kind == .unsupportedByEngine)
        }
    }

    @Test func particlesStopAfterEachObservationAndMatchSimulate() throws {
        let model = try VMModel(module: HandBuilt.stateSpace(), arguments: [.reals(data)])
        var rng = RandomStream(seed: 4)
        var particle = model.makeParticle()
        var total = 0.0
        var choices: [ChoiceRecord] = []
        var steps = 0
        while true {
            let step = try model.advance(&particle, using: &rng)
            total += step.logWeight
            choices += step.choices
            if step.finished { break }
            steps += 1
            #expect(step.observationLocation != nil)
        }
        #expect(steps == data.count)
        #expect(choices.map(\.address.description) == ["x[0]", "x[1]", "x[2]", "x[3]"])
        var fixed: [Address: Value] = [:]
        for c in choices { fixed[c.address] = c.value }
        var rng2 = RandomStream(seed: 9)
        let trace = try model.generate(constraints: fixed, using: &rng2)
        #expect(abs(trace.logLikelihood - total) < 1e-12)
        let final = model.finalState(of: particle)
        #expect(final.returnValue == .reals(choices.map { $0.value.asReal! }))
    }

    @Test func replayPositionsAParticleAfterTheGivenObservations() throws {
        let model = try VMModel(module: HandBuilt.stateSpace(), arguments: [.reals(data)])
        var rng = RandomStream(seed: 5)
        let trace = try model.simulate(using: &rng)
        var fixed: [Address: Value] = [:]
        for k in 0..<trace.latentCount { fixed[trace.latent(k).address] = trace.latent(k).value }
        let (particle, logJoint, choices) = try model.replay(fixing: fixed, throughObservations: 2, using: &rng)
        #expect(particle.observationsPassed == 2)
        #expect(choices.count == 2)
        let prefix = trace.latent(0).logDensity + trace.latent(1).logDensity
            + trace.observations[0].logDensity + trace.observations[1].logDensity
        #expect(abs(logJoint - prefix) < 1e-12)
    }

    @Test func callsNestAddressesAndRecursionTerminates() throws {
        let model = try VMModel(module: HandBuilt.recursive(depth: 3), arguments: [])
        var rng = RandomStream(seed: 6)
        let trace = try model.simulate(using: &rng)
        #expect((0..<trace.latentCount).map { trace.latent($0).address.description }
                == ["chain[0].z", "chain[0].chain[0].z", "chain[0].chain[0].chain[0].z"])
        let sum = (0..<3).map { trace.latent($0).value.asReal! }.reduce(0, +)
        #expect(abs((trace.returnValue?.asReal ?? .nan) - sum) < 1e-12)
        #expect(trace.deterministic.first?.0 == "total")
        #expect(model.facts.isStatic)
    }

    @Test func badParameterComputedAtRunTimeNamesLocationAndAddress() throws {
        var b = FunctionBuilder(name: "Bad", kind: .model, parameters: [("s", .real)], returnType: nil)
        let i = b.constant(2)
        b.forLoop(b.constant(0), b.constant(3), induction: "i") { b, k, _ in
            let shift = b.emit(.toReal(b.emit(.binary(.sub, k, i), .int)), .real)
            let sigma = b.emit(.binary(.add, b.parameter(0), shift), .real)
            b.emit(.sample(AddressExpr("z", [k]), family: "Normal", arguments: [b.constant(0.0), sigma]), .real, at: HandBuilt.at(3, 7))
            return []
        }
        let model = try VMModel(module: Module(functions: [b.finish()], entry: "Bad"), arguments: [.real(1.5)])
        var rng = RandomStream(seed: 7)
        do {
            _ = try model.simulate(using: &rng)
            Issue.record("expected a bad-parameter error")
        } catch {
            #expect(error.address == "z[0]")
            #expect(error.location == "test.ppl:3:7")
            #expect(error.description.contains("sigma"))
        }
    }

    @Test func readingAChoiceBeforeItIsDrawnNamesTheAddress() throws {
        var b = FunctionBuilder(name: "Early", kind: .model, parameters: [], returnType: nil)
        let minus = b.constant(-1)
        _ = b.emit(.load(AddressExpr("x", [minus])), .real, at: HandBuilt.at(2, 9))
        let model = try VMModel(module: Module(functions: [b.finish()], entry: "Early"), arguments: [])
        var rng = RandomStream(seed: 8)
        do {
            _ = try model.simulate(using: &rng)
            Issue.record("expected an index error")
        } catch {
            #expect(error.kind == .indexOutOfRange)
            #expect(error.address == "x[-1]")
            #expect(error.location == "test.ppl:2:9")
        }
    }

    @Test func integerDivisionByZeroNamesTheCallAddress() throws {
        var f = FunctionBuilder(name: "f", kind: .function, parameters: [("n", .int)], returnType: .int)
        let q = f.emit(.binary(.div, f.constant(1), f.parameter(0)), .int, at: HandBuilt.at(2, 12))
        f.emit(.ret(q), nil)
        var m = FunctionBuilder(name: "M", kind: .model, parameters: [], returnType: nil)
        _ = m.emit(.call("f", [m.constant(0)]), .int)
        let model = try VMModel(module: Module(functions: [f.finish(), m.finish()], entry: "M"), arguments: [])
        var rng = RandomStream(seed: 8)
        do {
            _ = try model.simulate(using: &rng)
            Issue.record("expected a division error")
        } catch {
            #expect(error.kind == .divisionByZero)
            #expect(error.location == "test.ppl:2:12")
            #expect(error.address == "f[0]")
        }
    }
}

@Suite struct LocalUpdateTests {
    @Test func staticModelsRescoreOnlyTheMarkovBlanket() throws {
        let independent = try VMModel(module: HandBuilt.independent(), arguments: [.reals((0..<50).map { Double($0) / 10 })])
        #expect(independent.localUpdates)
        var rng = RandomStream(seed: 11)
        var trace = try independent.simulate(using: &rng)
        let update = try independent.update(&trace, latent: 17, to: .real(0.3), using: &rng)
        guard case .local(let undo) = update.undo else { Issue.record("expected a local update"); return }
        // z[17] itself and y[17]: nothing else is re-scored.
        #expect(undo.oldDensities.count == 2)

        let ssm = try VMModel(module: HandBuilt.stateSpace(), arguments: [.reals([0.1, 0.2, 0.3, 0.4])])
        #expect(ssm.localUpdates)
        var path = try ssm.simulate(using: &rng)
        let step = try ssm.update(&path, latent: 1, to: .real(-0.2), using: &rng)
        guard case .local(let blanket) = step.undo else { Issue.record("expected a local update"); return }
        // x[1], its observation y[1] and its child x[2].
        #expect(Set(blanket.oldDensities.map { path.address($0.0).description }) == ["x[1]", "y[1]", "x[2]"])
        // The path returned is recomputed from the updated choices.
        #expect(path.returnValue?.asReals?[1] == -0.2)
    }

    /// A vectorised observation re-scores its elements one after another, reusing the vector
    /// `a + b * x` between them (only the index changes): every weight still equals the
    /// change in the full log joint, whichever latent moves and whether or not it is reverted.
    @Test func vectorisedObservationUpdatesWeighTheChangeInLogJoint() throws {
        let source = """
        model Vectorised(x: [Real], w: [Real], y: [Real], v: [Real]) {
          a ~ Normal(0, 1)
          b ~ Normal(0, 1)
          c ~ Normal(0, 1)
          s ~ HalfNormal(1)
          y ~ Normal(a + b * x + c * w, s)
          for i in 0..<len(v) {
            v[i] ~ Normal(a * x[i] + c, s + w[i] * w[i])
          }
        }
        """
        let x = (0..<40).map { Double($0) / 10 }, w = (0..<40).map { sin(Double($0)) }
        let y = (0..<40).map { 0.5 + 0.3 * x[$0] - 0.2 * w[$0] + 0.1 * cos(Double($0)) }
        let model = try SourceModels.model(source, arguments: [.reals(x), .reals(w), .reals(y), .reals(y.map { $0 - 0.2 })])
        #expect(model.localUpdates)
        var rng = RandomStream(seed: 13)
        var trace = try model.simulate(using: &rng)
        for step in 0..<40 {
            let k = step % trace.latentCount
            let before = trace.logJoint
            let current = trace.latent(k)
            let value = (current.value.asReal ?? 0) * 0.8 + 0.1 * rng.standardNormal() + (k == 3 ? 0.3 : 0)
            let update = try model.update(&trace, latent: k, to: .real(abs(value)), using: &rng)
            guard case .local = update.undo else { Issue.record("expected a local update"); return }
            var choices: [Address: Value] = [:]
            for j in 0..<trace.latentCount { choices[trace.latent(j).address] = trace.latent(j).value }
            let after = try model.assess(choices)
            #expect(abs(trace.logJoint - after) < 1e-9 * max(1, abs(after)), "step \(step) \(current.address)")
            #expect(abs(update.logWeight - (after - before)) < 1e-9 * max(1, abs(after)), "step \(step) \(current.address)")
            if step % 3 == 2 {
                model.revert(&trace, update)
                #expect(trace.logJoint == before)
            }
        }
    }

    /// A support that depends on another choice follows it through local updates and reverts,
    /// so random walks on b's logit scale use b's current bounds (0, 1 - a).
    @Test func dependentSupportFollowsLocalUpdates() throws {
        let model = try SourceModels.model("""
        model Dependent(y: Real) {
          a ~ Uniform(0, 1)
          b ~ Uniform(0, 1 - a)
          y ~ Normal(a + b, 1)
        }
        """, arguments: [.real(0.5)])
        #expect(model.localUpdates)
        var rng = RandomStream(seed: 14)
        var trace = try model.simulate(using: &rng)
        let a = trace.latent(0).value.asReal ?? 0
        #expect(trace.latent(1).support == .interval(0, 1 - a))
        let newA = a / 2
        let update = try model.update(&trace, latent: 0, to: .real(newA), using: &rng)
        guard case .local = update.undo else { Issue.record("expected a local update"); return }
        #expect(trace.latent(1).support == .interval(0, 1 - newA))
        model.revert(&trace, update)
        #expect(trace.latent(1).support == .interval(0, 1 - a))
    }

    @Test func modelsWithRandomCallResultsFallBackToReexecution() throws {
        let model = try VMModel(module: HandBuilt.recursive(depth: 3), arguments: [])
        #expect(model.facts.isStatic)
        #expect(!model.localUpdates)
    }

    @Test func galleryUpdatesWeighTheChangeInLogJoint() throws {
        let cases: [(String, [Value], Bool)] = [
            ("coin.ppl", [.ints([1, 0, 1, 1, 0, 1, 1, 1])], true),
            ("ssm.ppl", [.reals([0.3, 0.9, 1.1, 0.7]), .real(0.95), .real(0.5), .real(0.4)], true),
            ("linear_regression.ppl", [.reals([0, 1, 2, 3]), .reals([1.1, 2.9, 5.2, 7.0])], true),
            ("eight_schools.ppl", [.reals([28, 8, -3, 7, -1, 1, 18, 12]), .reals([15, 10, 16, 11, 9, 11, 10, 18])], false),
            ("gaussian_mixture.ppl", [.reals([-2.1, -1.7, 2.2, 1.9])], false),
        ]
        for (name, arguments, local) in cases {
            let model = try SourceModels.model(try SourceModels.programText(name), arguments: arguments)
            #expect(model.localUpdates == local, "\(name)")
            var rng = RandomStream(seed: 12)
            var trace = try model.simulate(using: &rng)
            for k in 0..<trace.latentCount {
                let before = trace.logJoint
                let current = trace.latent(k)
                let proposal: Value = current.support.isDiscrete ? .int(1 - (current.value.asInt ?? 0))
                    : .real((current.value.asReal ?? 0) * 0.9 + 0.05)
                let update = try model.update(&trace, latent: k, to: proposal, using: &rng)
                var choices: [Address: Value] = [:]
                for j in 0..<trace.latentCount { choices[trace.latent(j).address] = trace.latent(j).value }
                let after = try model.assess(choices)
                #expect(abs(trace.logJoint - after) < 1e-9, "\(name) \(current.address)")
                #expect(abs(update.logWeight - (after - before)) < 1e-9, "\(name) \(current.address)")
                var rerun = RandomStream(seed: 1)
                let fresh = try model.generate(constraints: choices, using: &rerun)
                #expect(trace.returnValue == fresh.returnValue, "\(name)")
                if k % 2 == 1 {
                    model.revert(&trace, update)
                    #expect(trace.logJoint == before, "\(name) \(current.address)")
                }
            }
        }
    }
}

@Suite struct ReexecutionTests {
    /// When an update changes which choices exist, the weight leaves out the prior of choices
    /// drawn fresh and adds back that of choices that vanished (TraceUpdate's definition).
    @Test func structureChangingUpdateWeightsFollowTraceUpdate() throws {
        let model = try SourceModels.model("""
        model Switch(y: Real) {
          z ~ Bernoulli(0.3)
          if z == 1 {
            a ~ Normal(2, 1)
            y ~ Normal(a, 1)
          } else {
            b ~ Normal(-1, 1)
            y ~ Normal(b, 1)
          }
        }
        """, arguments: [.real(0.5)])
        #expect(!model.facts.isStatic)
        var rng = RandomStream(seed: 31)
        var trace = try model.generate(constraints: ["z": .int(0), "b": .real(-0.4)], using: &rng)
        let before = trace.logJoint
        let update = try model.update(&trace, latent: 0, to: .int(1), using: &rng)
        #expect(trace.latentCount == 2)
        #expect(trace.latent(1).address == "a")
        let a = try #require(trace.latent(1).value.asReal)
        let freshPrior = try Normal(mu: 2, sigma: 1).logDensity(a)
        let vanishedPrior = try Normal(mu: -1, sigma: 1).logDensity(-0.4)
        let expected = trace.logJoint - before - freshPrior + vanishedPrior
        #expect(abs(update.logWeight - expected) < 1e-12)
        // By hand: log(0.3/0.7) + log N(0.5; a, 1) - log N(0.5; -0.4, 1).
        let byHand = log(0.3 / 0.7) + (try Normal(mu: a, sigma: 1).logDensity(0.5)) - (try Normal(mu: -0.4, sigma: 1).logDensity(0.5))
        #expect(abs(update.logWeight - byHand) < 1e-12)
        model.revert(&trace, update)
        #expect(trace.logJoint == before)
        #expect(trace.latent(1).address == "b")
    }
}
