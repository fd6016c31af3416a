import Foundation
import Testing
import PPL   // the public API only: no @testable
import PPLDistributions
import PPLInference

/// What a Swift app does: load a program from a string, bind data from Swift values, pick an engine, read the posterior.
@Suite struct PublicAPITests {
    static let coin = """
        model Coin(flips: [Int]) {
          p ~ Beta(1, 1)
          for i in 0..<len(flips) { flips[i] ~ Bernoulli(p) }
          return p
        }
        """

    @Test func likelihoodWeightingMatchesTheBetaPosteriorAndEvidence() async throws {
        let program = try PPLProgram(source: Self.coin, name: "coin.ppl")
        let flips = [1, 0, 1, 1, 0, 1, 1, 1]
        let query = Query(model: "Coin", arguments: ["flips": .ints(flips)],
                          engine: EngineRequest("lw", options: ["particles": .number(20_000)]), seed: 11)
        let posterior = try await program.run(query)
        let column = try #require(posterior.columnIndex(of: "p"))
        let summary = posterior.summary(column: column)
        let mean = try #require(summary.mean), mcse = try #require(summary.mcse), ess = try #require(summary.ess)
        #expect(ess > 5_000)                                  // ESS floor
        #expect(abs(mean - 0.7) < 4 * mcse)                   // Beta(7, 3)
        // log Z = log B(7, 3) - log B(1, 1) = -log 252; MCSE of log mean weight by the delta method.
        let logWeights = try #require(posterior.logWeights?.first)
        let top = logWeights.max() ?? 0
        let weights = logWeights.map { exp($0 - top) }
        let n = Double(weights.count)
        let average = weights.reduce(0, +) / n
        var squares = 0.0
        for w in weights { squares += (w - average) * (w - average) }
        let variance = squares / (n - 1)
        let logEvidenceMCSE = (variance / n).squareRoot() / average
        let logEvidence = try #require(posterior.logEvidence)
        #expect(abs(logEvidence - -log(252.0)) < 4 * logEvidenceMCSE)
        // Negative control: the same check rejects the evidence of a wrong model (seven heads of eight).
        #expect(abs(logEvidence - (-log(72.0))) > 4 * logEvidenceMCSE)
    }

    @Test func checkErrorsComeBackAsDiagnosticsWithPlaces() {
        #expect {
            _ = try PPLProgram(source: "model M() {\n  p ~ Normal(0, sigma)\n}\n", name: "m.ppl")
        } throws: { error in
            guard let error = error as? PPLError, case .diagnostics(let list) = error else { return false }
            return list.first?.description.hasPrefix("m.ppl:2:17: error:") == true
                && error.rendered().contains("^~~~~")
        }
    }

    @Test func enumerationIsExactThroughTheFacade() async throws {
        let program = try PPLProgram(source: """
            model TwoCoins() {
              a ~ Bernoulli(0.5)
              b ~ Bernoulli(0.5)
              observe(Bernoulli(a == 1 || b == 1 ? 0.9 : 0.1), 1)
            }
            """)
        let posterior = try await program.run(Query(model: "TwoCoins", engine: EngineRequest("enumerate")))
        let a = try #require(posterior.columnIndex(of: "a"))
        // P(a = 1 | obs) = (0.25 * 0.9 * 2) / (0.25 * (0.9 * 3 + 0.1)) = 1.8 / 2.8
        #expect(abs((posterior.summary(column: a).mean ?? 0) - 1.8 / 2.8) < 1e-12)
        #expect(abs((posterior.logEvidence ?? 0) - log(0.25 * 2.8)) < 1e-12)
    }

    @Test func runTimeErrorsNameTheAddress() async throws {
        let program = try PPLProgram(source: """
            model M() {
              x ~ Normal(0, 1)
              y ~ Normal(x, -1 - x * x)
            }
            """, name: "bad.ppl")
        await #expect {
            _ = try await program.run(Query(model: "M", engine: EngineRequest("lw", options: ["particles": .number(10)])))
        } throws: { error in
            guard let error = error as? PPLError, case .model(let modelError) = error else { return false }
            return modelError.location?.hasPrefix("bad.ppl:3:") == true && modelError.address == Address("y")
        }
    }

    @Test func unknownModelSuggestsTheRightOne() async throws {
        let program = try PPLProgram(source: Self.coin)
        await #expect {
            _ = try await program.run(Query(model: "Con", engine: EngineRequest("lw")))
        } throws: { error in
            (error as? PPLError)?.description.contains("did you mean 'Coin'?") == true
        }
    }

    @Test func functionalAndStochasticInterventionsWrittenInTheFile() async throws {
        let program = try PPLProgram(source: """
            model Scm() {
              y ~ Normal(0, 1)
              x ~ Normal(y, 1)
              z ~ Normal(x + y, 1)
            }
            infer Scm() do(x = 0.5 * y) with lw(particles: 500)
            infer Scm() do(x = Normal(3, 0.1)) with lw(particles: 4000)
            """)
        let queries = try program.queries()
        let functional = try await program.run(queries[0])
        let x = try #require(functional.columnIndex(of: "x")), y = try #require(functional.columnIndex(of: "y"))
        for (xi, yi) in zip(functional.draws[0][x], functional.draws[0][y]) { #expect(xi == 0.5 * yi) }
        let stochastic = try await program.run(queries[1])
        let summary = stochastic.summary(column: try #require(stochastic.columnIndex(of: "x")))
        #expect(abs(summary.mean! - 3) < 4 * summary.mcse!)
        #expect(abs(summary.sd! - 0.1) < 0.01)
    }
}
