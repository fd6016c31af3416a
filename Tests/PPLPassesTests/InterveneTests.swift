import Foundation
import PPLDiagnostics
import PPLDistributions
import PPLInference
import PPLInterpreter
import PPLIR
@testable import PPLPasses
import Testing

/// Graph surgery: the printed cut, exact interventional answers, and the errors users see.
@Suite struct InterveneTests {
    let printer = Printer(showLocations: false)

    @Test func surgeryOnAScalarChoiceReplacesTheSampleAndReportsTheValue() throws {
        let before = printer.print(CausalModels.smoking())
        #expect(before.contains("%smoking = sample @smoking Bernoulli(%1) : Int"))
        let after = printer.print(try Causal.intervene(CausalModels.smoking(), "smoking = 0"))
        // The sample is gone (no prior), so is what computed its parameter from 'hidden' (the cut
        // edge); the value is reported and downstream reads 0.
        #expect(after == """
            model Smoking() -> Int {
              %hidden = sample @hidden Bernoulli(0.396) : Int
              report @smoking, 0
              %0 = eq 0, 1 : Bool
              %1 = if %0 {
                yield 0.5945945945945946
              } else {
                yield 0.047619047619047616
              }
              %tar = sample @tar Bernoulli(%1) : Int
              %2 = eq %tar, 1 : Bool
              %3 = eq %hidden, 1 : Bool
              %4 = if %2 {
                %5 = if %3 {
                  yield 0.9393939393939394
                } else {
                  yield 0.6363636363636364
                }
                yield %5
              } else {
                %6 = if %3 {
                  yield 0.3541666666666667
                } else {
                  yield 0.14583333333333334
                }
                yield %6
              }
              %cancer = sample @cancer Bernoulli(%4) : Int
              return %cancer
            }

            """)
    }

    @Test func anIndexedChoiceInALoopIsReplacedOnlyAtThatIteration() throws {
        let after = printer.print(try Causal.intervene(CausalModels.loop(), "z[3] = 0.5"))
        #expect(after == """
            model Loop(%y: [Real]) -> Real {
              %n = len(%y) : Int
              for %i in 0 ..< %n {
                %0 = eq %i, 3 : Bool
                %z = if %0 {
                  report @z[%i], 0.5
                  yield 0.5
                } else {
                  %z.1 = sample @z[%i] Normal(0.0, 1.0) : Real
                  yield %z.1
                }
                %1 = index %y, %i : Real
                observe @y[%i] Normal(%z, 1.0), %1
              }
              %2 = load @z[2] : Real
              %3 = add %2, 0.5 : Real
              %s = sample @s Normal(%3, 1.0) : Real
              return %s
            }

            """)
    }

    @Test func theLogJointDropsThePriorOfTheIntervenedChoiceOutright() throws {
        let data = [0.3, -0.2, 1.1, 0.7, 0.4]
        let model = try VMModel(module: try Causal.intervene(CausalModels.loop(), "z[3] = 0.5"), arguments: [.reals(data)])
        var rng = RandomStream(seed: 11)
        let trace = try model.simulate(using: &rng)
        let latents = (0..<trace.latentCount).map { trace.latent($0).address.description }
        #expect(latents == ["z[0]", "z[1]", "z[2]", "z[4]", "s"])
        var z: [Double] = []
        for k in 0..<4 { z.append(try #require(trace.latent(k).value.asReal)) }
        let s = try #require(trace.latent(4).value.asReal)
        let zs = [z[0], z[1], z[2], 0.5, z[3]]
        var expected = 0.0
        for (k, zk) in zs.enumerated() {
            if k != 3 { expected += try Normal(mu: 0, sigma: 1).logDensity(zk) }
            expected += try Normal(mu: zk, sigma: 1).logDensity(data[k])
        }
        expected += try Normal(mu: zs[2] + 0.5, sigma: 1).logDensity(s)
        #expect(abs(trace.logJoint - expected) < 1e-12)
    }

    @Test func wholeArrayFunctionalAndStochasticInterventions() throws {
        let data = [0.3, -0.2, 1.1, 0.7]
        var rng = RandomStream(seed: 5)
        // do(z = [..]): every element, and the loads, see the array.
        let whole = try VMModel(module: try Causal.intervene(CausalModels.loop(), "z = [1, 2, 3, 4]"), arguments: [.reals(data)])
        let t1 = try whole.simulate(using: &rng)
        #expect(t1.latentCount == 1 && t1.latent(0).address == "s")
        let s1 = try #require(t1.latent(0).value.asReal)
        var expected = try Normal(mu: 3 + 4, sigma: 1).logDensity(s1)
        for (k, y) in data.enumerated() { expected += try Normal(mu: Double(k + 1), sigma: 1).logDensity(y) }
        #expect(abs(t1.logJoint - expected) < 1e-12)

        // do(x = 0.5 * z): x is computed from z where it was drawn; y's mean becomes 2(0.5 z) + 3z.
        let functional = try VMModel(module: try Causal.intervene(CausalModels.linearGaussian(), "x = 0.5 * z"), arguments: [])
        let t2 = try functional.simulate(using: &rng)
        #expect((0..<t2.latentCount).map { t2.latent($0).address } == ["z", "y"])
        let z = try #require(t2.latent(0).value.asReal), y = try #require(t2.latent(1).value.asReal)
        let e2 = try Normal(mu: 0, sigma: 1).logDensity(z) + Normal(mu: 4 * z, sigma: 1).logDensity(y)
        #expect(abs(t2.logJoint - e2) < 1e-12)
        #expect(t2.deterministic.first { $0.0 == "x" }?.1 == .real(0.5 * z))

        // do(x ~ Normal(5, 0.1)): x stays a latent, with the new distribution and no parent.
        let stochastic = try VMModel(module: try Causal.intervene(CausalModels.linearGaussian(), "x ~ Normal(5, 0.1)"), arguments: [])
        let t3 = try stochastic.simulate(using: &rng)
        #expect((0..<t3.latentCount).map { t3.latent($0).address } == ["z", "x", "y"])
        let z3 = try #require(t3.latent(0).value.asReal), x3 = try #require(t3.latent(1).value.asReal)
        let y3 = try #require(t3.latent(2).value.asReal)
        let e3 = try Normal(mu: 0, sigma: 1).logDensity(z3) + Normal(mu: 5, sigma: 0.1).logDensity(x3)
            + Normal(mu: 2 * x3 + 3 * z3, sigma: 1).logDensity(y3)
        #expect(abs(t3.logJoint - e3) < 1e-12)
    }

    /// Issue 7's must-show: exact interventional and observational answers on the confounded model.
    @Test(arguments: ["noisy", "copy"])
    func smokingFrontDoorNumbersByEnumeration(parameterisation: String) throws {
        let model = CausalModels.smoking(parameterisation == "noisy" ? CausalModels.noisy : CausalModels.copy)
        // The observed joint is the paper's table (for both hidden-variable parameterisations).
        let joint = try Causal.enumerate(model)
        let columns = ["smoking", "tar", "cancer"].map { joint.posterior.columnIndex(of: Address($0))! }
        var table = Array(repeating: 0.0, count: 8)
        for (k, logWeight) in joint.posterior.logWeights![0].enumerated() {
            let bits = columns.map { Int(joint.posterior.draws[0][$0][k]) }
            table[bits[0] * 4 + bits[1] * 2 + bits[2]] += exp(logWeight)
        }
        for (p, expected) in zip(table, [0.5, 0.1, 0.01, 0.02, 0.1, 0.05, 0.02, 0.2]) { #expect(abs(p - expected) < 1e-12) }
        // Surgery gives the front-door numbers; conditioning gives the observational ones.
        let do0 = try Causal.probabilityOfOne(try Causal.intervene(model, "smoking = 0"), "cancer")
        let do1 = try Causal.probabilityOfOne(try Causal.intervene(model, "smoking = 1"), "cancer")
        let given0 = try Causal.probabilityOfOne(try Causal.condition(model, "smoking = 0"), "cancer")
        let given1 = try Causal.probabilityOfOne(try Causal.condition(model, "smoking = 1"), "cancer")
        #expect(abs(do0 - 8783.0 / 34650) < 1e-12)
        #expect(abs(do1 - 4013.0 / 7400) < 1e-12)
        #expect(abs(given0 - 4.0 / 21) < 1e-12)
        #expect(abs(given1 - 25.0 / 37) < 1e-12)
    }

    /// `do` and `given` compose: surgery first, then conditioning on a descendant (exact fraction
    /// from scripts/causal/causal_references.py, section 5).
    @Test func interventionsComposeWithConditioning() throws {
        let module = try PassManager([Intervene([try .parse("smoking = 1")]), Condition([try .parse("cancer = 1")])])
            .run(CausalModels.smoking())
        let p = try Causal.probabilityOfOne(module, "hidden")
        #expect(abs(p - 41151.0 / 80260) < 1e-12)
        // Negative control: seeing smoking = 1 instead of setting it gives another answer.
        let conditionedFirst = try Causal.probabilityOfOne(try Causal.condition(CausalModels.smoking(), "smoking = 1", "cancer = 1"), "hidden")
        #expect(abs(conditionedFirst - p) > 0.1)
    }

    /// Property: intervening on a root choice is the same as conditioning on it.
    @Test func doOnARootEqualsConditioningOnIt() throws {
        for value in [0, 1] {
            let done = try Causal.enumerate(try Causal.intervene(CausalModels.smoking(), "hidden = \(value)"))
            let given = try Causal.enumerate(try Causal.condition(CausalModels.smoking(), "hidden = \(value)"))
            for address: Address in ["smoking", "tar", "cancer"] {
                let a = try #require(done.mean(of: address)), b = try #require(given.mean(of: address))
                #expect(abs(a - b) < 1e-12, "\(address) after do(hidden = \(value))")
            }
        }
        // Negative control: on a non-root choice they differ.
        let done = try Causal.probabilityOfOne(try Causal.intervene(CausalModels.smoking(), "tar = 1"), "hidden")
        let given = try Causal.probabilityOfOne(try Causal.condition(CausalModels.smoking(), "tar = 1"), "hidden")
        #expect(abs(done - given) > 0.1)
    }

    /// Property: choices that do not descend from the intervened one keep their distribution.
    @Test func nonDescendantsKeepTheirDistribution() throws {
        let plain = try Causal.enumerate(CausalModels.smoking())
        let done = try Causal.enumerate(try Causal.intervene(CausalModels.smoking(), "tar = 1"))
        for address: Address in ["hidden", "smoking"] {
            #expect(abs(try #require(plain.mean(of: address)) - (try #require(done.mean(of: address)))) < 1e-12)
        }
        // Descendants do change.
        #expect(abs(try #require(plain.mean(of: "cancer")) - (try #require(done.mean(of: "cancer")))) > 0.05)
    }

    /// Property: an intervened choice is not a latent of the trace, so no engine can propose to it.
    @Test func anIntervenedChoiceIsNeverALatent() async throws {
        let model = try VMModel(module: try Causal.intervene(CausalModels.smoking(), "smoking = 1"), arguments: [])
        var rng = RandomStream(seed: 3)
        for _ in 0..<20 {
            let trace = try model.simulate(using: &rng)
            #expect(trace.latentIndex(of: "smoking") == nil)
            #expect(trace.deterministic.contains { $0.0 == "smoking" && $0.1 == .int(1) })
        }
        // SMC's particle steps never draw it either.
        var particle = model.makeParticle()
        var drawn: [Address] = []
        while true {
            let step = try model.advance(&particle, using: &rng)
            drawn += step.choices.map(\.address)
            if step.finished { break }
        }
        #expect(drawn == ["hidden", "tar", "cancer"])
        // Enumeration has no column to explore for it but reports it.
        let exact = try Causal.enumerate(try Causal.intervene(CausalModels.smoking(), "smoking = 1"))
        #expect(exact.posterior.diagnostics.extra["assignments"] == 8)
        #expect(exact.mean(of: "smoking") == 1)
        // MH proposes only to latents: its per-address acceptance rates never mention it.
        let mh = try await MetropolisHastings(samples: 200, chains: 2, seed: 4).run(model)
        #expect(Set(mh.diagnostics.acceptanceRate.keys) == ["hidden", "tar", "cancer"])
        #expect(mh.draws.allSatisfy { $0[mh.columnIndex(of: "smoking")!].allSatisfy { $0 == 1 } })
        // Resample-move SMC's rejuvenation moves propose only to latents too.
        let observed = try VMModel(module: try PassManager([Intervene([try .parse("smoking = 1")]), Condition([try .parse("cancer = 1")])])
            .run(CausalModels.smoking()), arguments: [])
        let smc = try await SMC(particles: 200, essThreshold: 1, rejuvenationSteps: 2, seed: 5).run(observed)
        #expect(!smc.diagnostics.acceptanceRate.isEmpty)
        #expect(smc.diagnostics.acceptanceRate.keys.allSatisfy { ["hidden", "tar"].contains($0) })
        // Gibbs schedules only latents.
        let gibbs = try await Gibbs(samples: 100, chains: 1, seed: 4).run(model)
        #expect(Set(gibbs.diagnostics.schedule.map(\.0)) == ["hidden", "tar", "cancer"])
        // And the facade's helper builds the same pass from an evaluated binding.
        let passes = try CausalQuery.passes(interventions: [("smoking", .int(1))], conditions: [], counterfactual: false)
        #expect(try PassManager(passes).run(CausalModels.smoking()) == (try Causal.intervene(CausalModels.smoking(), "smoking = 1")))
    }

    @Test func errorsNameTheAddressWithDidYouMean() throws {
        func message(_ module: Module, _ text: [String]) -> [String] {
            do {
                _ = try Causal.apply(Intervene(try text.map { try Intervention.parse($0) }), to: module)
                return []
            } catch let error as DiagnosticList {
                return error.diagnostics.map { ([$0.message] + $0.notes.map(\.message)).joined(separator: " / ") }
            } catch {
                return ["\(error)"]
            }
        }
        #expect(message(CausalModels.smoking(), ["smokin = 1"])
                == ["no latent choice 'smokin' in model 'Smoking' / did you mean 'smoking'?"])
        #expect(message(CausalModels.loop(), ["y[1] = 0"])
                == ["cannot intervene on 'y[1]': it is an observation, not a latent choice / to change data, pass different data; to condition on a latent choice, use 'given(...)'"])
        #expect(message(CausalModels.smoking(), ["tar = 1", "tar = 0"])
                == ["'tar' is intervened on twice / give each choice one value in 'do(...)'"])
        #expect(message(CausalModels.loop(), ["z = 0", "z[2] = 1"])
                == ["'z[2]' is intervened on twice (as 'z' and 'z[2]') / give each choice one value in 'do(...)'"])
        #expect(message(CausalModels.loop(), ["z[1][2] = 0"])
                == ["no latent choice 'z[1][2]' in model 'Loop': 'z' takes 1 index"])
        #expect(message(CausalModels.smoking(), ["smoking ~ Normal(0, 1)"])
                == ["'smoking' is a Int choice but Normal draws Real"])
        #expect(message(CausalModels.linearGaussian(), ["x = 2 * y"])
                == ["the intervention on 'x' reads 'y', which is drawn after it / an intervened value may only depend on variables drawn before the choice it replaces"])
        #expect(message(CausalModels.linearGaussian(), ["x = 2 * beta"])
                == ["the intervention on 'x' reads 'beta', which is not a variable of the model"])
        #expect(message(CausalModels.linearGaussian(), ["x = 2 * zz"])
                == ["the intervention on 'x' reads 'zz', which is not a variable of the model / did you mean 'z'?"])
        // Several problems are reported together.
        #expect(message(CausalModels.smoking(), ["smokin = 1", "tarr = 0"]).count == 2)
    }

    @Test func interventionsParseFromFlagsAndClauses() throws {
        #expect(try Intervention.parse("z[3] = 0.5 * y + 1").description == "z[3] = ((0.5 * y) + 1)")
        #expect(try Intervention.parse("x ~ Normal(0, 1)").value == .distribution(family: "Normal", arguments: [.int(0), .int(1)]))
        #expect(try Intervention.parse("x = Normal(0, 1)").value == .distribution(family: "Normal", arguments: [.int(0), .int(1)]))
        #expect(try Intervention.parseList("a = 1, b = -2.5e-1").map(\.description) == ["a = 1", "b = -0.25"])
        #expect(throws: DiagnosticList.self) { try Intervention.parse("x = ") }
        #expect(throws: DiagnosticList.self) { try Intervention.parse("step[2].x = 1") }
        #expect(throws: DiagnosticList.self) { try Intervention.parse("x = foo(1)") }
    }
}
