import Foundation
import PPLDistributions
import PPLInference
import PPLInterpreter
import Testing

/// The VM's semantics on source programs: each test states what the language must do.
@Suite struct SemanticsTests {
    func run(_ source: String, _ arguments: [Value] = [], seed: UInt64 = 1) throws -> VMTrace {
        let model = try SourceModels.model(source, arguments: arguments)
        var rng = RandomStream(seed: seed)
        return try model.simulate(using: &rng)
    }

    @Test func arithmeticLoopsBranchesAndWhile() throws {
        let trace = try run("""
        model M(n: Int) {
          var total = 0
          for i in 0..<n {
            if i % 2 == 0 { total = total + i } else if i == 3 { total = total - 100 }
          }
          var k = 1
          while k < 1000 max 20 { k = k * 2 }
          let odd = [1, 3, 5]
          var s = 0.0
          for v in odd { s = s + v / 2 }
          let sign = total > 0 ? 1 : -1
          return [total, k, sign] 
        }
        """, [.int(7)])
        // 0 + 2 + 4 + 6 - 100 = -88; k doubles to 1024; s reported before
        #expect(trace.returnValue == .ints([-88, 1024, -1]))
        #expect(trace.deterministic.map(\.0.description) == ["odd", "sign"])
    }

    @Test func recursionAndEarlyReturn() throws {
        let trace = try run("""
        fn fib(n: Int) -> Int {
          if n < 2 { return n }
          return fib(n - 1) + fib(n - 2)
        }
        model M() { return fib(15) }
        """)
        #expect(trace.returnValue == .int(610))
    }

    @Test func choicesInCallsNestUnderTheCall() throws {
        let trace = try run("""
        fn step(x: Real) -> Real {
          next ~ Normal(0.9 * x, 1)
          return next
        }
        model M() {
          var x = 0.0
          for t in 0..<3 { x = step(x) }
          y ~ Normal(x, 1)
          return x
        }
        """)
        #expect((0..<trace.latentCount).map { trace.latent($0).address.description }
                == ["step[0].next", "step[1].next", "step[2].next", "y"])
        #expect(trace.returnValue == trace.latent(2).value)
    }

    @Test func latentArraysAreReadBackAndGathered() throws {
        let trace = try run("""
        model M() {
          x[0] ~ Normal(0, 1)
          for t in 1..<4 { x[t] ~ Normal(x[t - 1], 0.001) }
          let last = x[3]
          return x
        }
        """)
        let xs = try #require(trace.returnValue?.asReals)
        #expect(xs.count == 4)
        #expect(abs(xs[3] - xs[0]) < 0.05)
        #expect(trace.deterministic.first?.1 == .real(xs[3]))
    }

    @Test func vectorisedChoicesMakeOneChoicePerElement() throws {
        let trace = try run("""
        model M(y: [Real]) {
          mu ~ Normal(0, 1)
          w ~ Normal(zeros(3), 1)
          let m = mu + 2 * w
          y ~ Normal(m, 1)
          return w
        }
        """, [.reals([0.1, 0.2, 0.3])])
        #expect((0..<trace.latentCount).map { trace.latent($0).address.description } == ["mu", "w[0]", "w[1]", "w[2]"])
        #expect(trace.observations.map(\.address.description) == ["y[0]", "y[1]", "y[2]"])
        let mu = trace.latent(0).value.asReal!
        let w = (1...3).map { trace.latent($0).value.asReal! }
        let expected = try zip([0.1, 0.2, 0.3], w).map { try Normal(mu: mu + 2 * $0.1, sigma: 1).logDensity($0.0) }.reduce(0, +)
        #expect(abs(trace.logLikelihood - expected) < 1e-12)
    }

    @Test func factorAndObserveAddToTheLikelihood() throws {
        let trace = try run("""
        model M() {
          mu ~ Normal(0, 1)
          observe(Normal(mu, 1), 0.5)
          factor(-2.5)
        }
        """)
        let mu = trace.latent(0).value.asReal!
        #expect(abs(trace.logLikelihood - (try Normal(mu: mu, sigma: 1).logDensity(0.5) - 2.5)) < 1e-12)
        #expect(trace.observations.count == 2)
    }

    @Test func runtimeErrorsNameLocationAndAddress() throws {
        let source = """
        model M(s: Real) {
          for i in 0..<3 {
            z[i] ~ Normal(0, s - i)
          }
        }
        """
        let model = try SourceModels.model(source, arguments: [.real(1.5)])
        var rng = RandomStream(seed: 2)
        do {
            _ = try model.simulate(using: &rng)
            Issue.record("expected an error")
        } catch {
            #expect(error.address == "z[2]")
            #expect(error.location == "test.ppl:3:5")
            #expect(error.kind == .badParameter(DistributionError(family: "Normal", parameter: "sigma", "must be positive, got -0.5")))
        }
        let indexing = try SourceModels.model("""
        model M(y: [Real]) {
          mu ~ Normal(0, 1)
          for i in 0..<4 { y[i] ~ Normal(mu, 1) }
        }
        """, arguments: [.reals([1, 2])])
        do {
            _ = try indexing.simulate(using: &rng)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .indexOutOfRange)
            #expect(error.location == "test.ppl:3:20")
            #expect(error.address == "y[2]")
            #expect(error.description.contains("index 2"))
        }
        let division = try SourceModels.model("""
        model M(k: Int) {
          mu ~ Normal(0, 1 / k)
        }
        """, arguments: [.int(0)])
        do {
            _ = try division.simulate(using: &rng)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .divisionByZero)
            #expect(error.location == "test.ppl:2:18")
            #expect(error.address == "mu")
        }
        let whileBound = try SourceModels.model("""
        model M() {
          var k = 0
          while k >= 0 max 5 { k = k + 1 }
        }
        """)
        do {
            _ = try whileBound.simulate(using: &rng)
            Issue.record("expected an error")
        } catch {
            #expect(error.location == "test.ppl:3:3")
            #expect(error.description.contains("bound of 5"))
        }
    }

    @Test func burglaryProgramEnumeratesToTheExactPosterior() throws {
        let model = try SourceModels.model(try SourceModels.programText("burglary.ppl"), arguments: [.int(1), .int(1)])
        var stack: [[Address: Value]] = [[:]]
        var posterior = 0.0, evidence = 0.0
        while let fixed = stack.popLast() {
            switch try model.explore(fixing: fixed) {
            case .branch(let address, let values):
                for v in values { stack.append(fixed.merging([address: v]) { $1 }) }
            case .complete(let trace):
                let w = exp(trace.logJoint)
                evidence += w
                if trace.returnValue == .int(1) { posterior += w }
            }
        }
        // Russell & Norvig (AIMA 14.4.1): P(Burglary | JohnCalls, MaryCalls) = 0.284.
        #expect(abs(posterior / evidence - 0.284_171_835_364_393_2) < 1e-12)
    }

    @Test func galleryProgramsRun() throws {
        let cases: [(String, [Value])] = [
            ("coin.ppl", [.ints([1, 0, 1, 1, 0, 1, 1, 1])]),
            ("ssm.ppl", [.reals([0.3, 0.9, 1.1]), .real(0.95), .real(0.5), .real(0.4)]),
            ("eight_schools.ppl", [.reals([28, 8, -3, 7, -1, 1, 18, 12]), .reals([15, 10, 16, 11, 9, 11, 10, 18])]),
            ("linear_regression.ppl", [.reals([0, 1, 2]), .reals([1.1, 2.9, 5.2])]),
            ("hmm.ppl", [.ints([0, 0, 2])]),
            ("gaussian_mixture.ppl", [.reals([-2.1, 2.2])]),
            ("smoking.ppl", []),
            ("bradley_terry.ppl", [.int(3), .ints([0, 1]), .ints([1, 2])]),
        ]
        for (name, arguments) in cases {
            let model = try SourceModels.model(try SourceModels.programText(name), arguments: arguments)
            var rng = RandomStream(seed: 3)
            let trace = try model.simulate(using: &rng)
            #expect(trace.logJoint.isFinite, "\(name)")
            var choices: [Address: Value] = [:]
            for k in 0..<trace.latentCount { choices[trace.latent(k).address] = trace.latent(k).value }
            #expect(try model.assess(choices) == trace.logJoint, "\(name)")
        }
    }
}
