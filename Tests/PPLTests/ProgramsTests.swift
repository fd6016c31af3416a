import Foundation
import Testing
import PPL
import PPLInference

/// Runs every program of the gallery with its own query and checks its answer against an
/// independent computation: exact algebra, a forward-backward pass, a Kalman filter,
/// least squares, posteriordb's reference, or a second engine.
@Suite struct ProgramsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    func run(_ name: String, query index: Int = 0, seed: UInt64 = 1) async throws -> Posterior {
        let program = try PPLProgram(contentsOf: Self.root.appendingPathComponent("Programs/\(name)").path)
        var query = try program.queries()[index]
        query.seed = seed
        return try await program.run(query)
    }

    func summary(_ posterior: Posterior, _ address: Address) throws -> Summary {
        posterior.summary(column: try #require(posterior.columnIndex(of: address), "no column \(address)"))
    }

    @Test func everyProgramIsCovered() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Programs").path)
            .filter { $0.hasSuffix(".ppl") }.sorted()
        #expect(files == ["bradley_terry.ppl", "burglary.ppl", "coin.ppl", "eight_schools.ppl", "gaussian_mixture.ppl",
                          "hmm.ppl", "linear_regression.ppl", "smoking.ppl", "ssm.ppl"])
    }

    @Test func burglaryIsExact() async throws {
        let posterior = try await run("burglary.ppl")
        // P(B = 1 | J = 1, M = 1) by summing the joint over E and A.
        func joint(_ b: Int, _ e: Int, _ a: Int) -> Double {
            let pb = b == 1 ? 0.001 : 0.999, pe = e == 1 ? 0.002 : 0.998
            let pa1 = b == 1 && e == 1 ? 0.95 : b == 1 ? 0.94 : e == 1 ? 0.29 : 0.001
            let pa = a == 1 ? pa1 : 1 - pa1
            return pb * pe * pa * (a == 1 ? 0.90 : 0.05) * (a == 1 ? 0.70 : 0.01)
        }
        var numerator = 0.0, evidence = 0.0
        for b in 0...1 { for e in 0...1 { for a in 0...1 {
            evidence += joint(b, e, a)
            if b == 1 { numerator += joint(b, e, a) }
        } } }
        #expect(abs(try summary(posterior, "burglary").mean! - numerator / evidence) < 1e-12)
        #expect(abs(posterior.logEvidence! - log(evidence)) < 1e-12)
    }

    @Test func hiddenMarkovModelMatchesForwardBackward() async throws {
        let posterior = try await run("hmm.ppl")
        let transition = [[0.9, 0.1], [0.2, 0.8]], emission = [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]
        let observations = [0, 0, 2, 2, 1, 0]
        var forward = [[Double]]()
        for (t, y) in observations.enumerated() {
            let previous = forward.last
            forward.append((0..<2).map { j in
                let prior = t == 0 ? 0.5 : (0..<2).reduce(0.0) { $0 + previous![$1] * transition[$1][j] }
                return prior * emission[j][y]
            })
        }
        var backward = [[Double]](repeating: [1, 1], count: observations.count)
        for t in stride(from: observations.count - 2, through: 0, by: -1) {
            backward[t] = (0..<2).map { i in
                (0..<2).reduce(0.0) { $0 + transition[i][$1] * emission[$1][observations[t + 1]] * backward[t + 1][$1] }
            }
        }
        let evidence = forward.last!.reduce(0, +)
        #expect(abs(posterior.logEvidence! - log(evidence)) < 1e-12)
        for t in observations.indices {
            let exact = forward[t][1] * backward[t][1] / evidence
            #expect(abs(try summary(posterior, Address("z").appending(index: t)).mean! - exact) < 1e-12)
        }
    }

    @Test func smokingConditioningAndInterventionAreExact() async throws {
        // genotype G ~ B(0.3), S | G, T | S, C | T, G as in the program.
        func pS(_ s: Int, _ g: Int) -> Double { let p = g == 1 ? 0.8 : 0.2; return s == 1 ? p : 1 - p }
        func pT(_ t: Int, _ s: Int) -> Double { let p = s == 1 ? 0.95 : 0.05; return t == 1 ? p : 1 - p }
        func pC1(_ t: Int, _ g: Int) -> Double { (t == 1 ? 0.3 : 0.1) + (g == 1 ? 0.4 : 0) }
        var seeing = 0.0, seeingTotal = 0.0, doing = 0.0
        for g in 0...1 { for t in 0...1 {
            let pg = g == 1 ? 0.3 : 0.7
            seeing += pg * pS(1, g) * pT(t, 1) * pC1(t, g)
            seeingTotal += pg * pS(1, g) * pT(t, 1)
            doing += pg * pT(t, 1) * pC1(t, g)
        } }
        let given = try await run("smoking.ppl", query: 0)
        let intervened = try await run("smoking.ppl", query: 1)
        #expect(abs(try summary(given, "cancer").mean! - seeing / seeingTotal) < 1e-12)
        #expect(abs(try summary(intervened, "cancer").mean! - doing) < 1e-12)
        #expect(abs(seeing / seeingTotal - doing) > 0.05)   // seeing and doing differ here
    }

    @Test func coinUnderSMCMatchesTheBetaPosterior() async throws {
        let posterior = try await run("coin.ppl")
        let p = try summary(posterior, "p")
        #expect(p.ess! > 500)
        #expect(abs(p.mean! - 0.7) < 4 * p.mcse!)                              // Beta(7, 3)
        #expect(abs(posterior.logEvidence! - -log(252.0)) < 0.1)              // B(7, 3): 2000 particles, sd ≈ 0.02
    }

    @Test func stateSpaceModelMatchesTheKalmanFilter() async throws {
        let posterior = try await run("ssm.ppl")
        let y = [0.3, 0.9, 1.1, 0.7, 1.6, 2.0, 1.8, 2.4, 2.2, 2.9]
        let a = 0.95, q = 0.5, r = 0.4
        var mean = 0.0, variance = 1.0, logEvidence = 0.0
        for (t, yt) in y.enumerated() {
            if t > 0 { mean = a * mean; variance = a * a * variance + q * q }
            let s = variance + r * r
            logEvidence += -0.5 * (log(2 * .pi * s) + (yt - mean) * (yt - mean) / s)
            let gain = variance / s
            mean += gain * (yt - mean)
            variance *= 1 - gain
        }
        let last = try summary(posterior, "x[9]")
        #expect(last.ess! > 200)
        #expect(abs(last.mean! - mean) < 4 * last.mcse!)
        #expect(abs(last.sd! - variance.squareRoot()) < 0.1 * variance.squareRoot())
        #expect(abs(posterior.logEvidence! - logEvidence) < 0.25)             // 1000 particles over 10 steps
    }

    @Test func linearRegressionSlopeMatchesLeastSquares() async throws {
        let posterior = try await run("linear_regression.ppl")
        let x = (0..<10).map(Double.init)
        let y = [1.1, 2.9, 5.2, 7.1, 8.8, 11.2, 13.1, 14.8, 17.2, 18.9]
        let xBar = x.reduce(0, +) / 10, yBar = y.reduce(0, +) / 10
        var sxy = 0.0, sxx = 0.0
        for (xi, yi) in zip(x, y) { sxy += (xi - xBar) * (yi - yBar); sxx += (xi - xBar) * (xi - xBar) }
        let beta = try summary(posterior, "beta")
        #expect(beta.ess! > 100)
        #expect(beta.rhat! < 1.05)
        // The Normal(0, 10) priors move the slope by about 1e-5, far below the MCSE.
        #expect(abs(beta.mean! - sxy / sxx) < 4 * beta.mcse!)
    }

    @Test func eightSchoolsMatchesPosteriordb() async throws {
        let posterior = try await run("eight_schools.ppl")
        let url = Self.root.appendingPathComponent("Tests/PPLTests/Fixtures/posteriordb/eight_schools-eight_schools_noncentered.json")
        let fixture = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let parameters = try #require(fixture?["parameters"] as? [String: [String: Double]])
        for name in ["mu", "theta[0]"] {
            let reference = try #require(parameters[name])
            let ours = try summary(posterior, Address(parsing: name))
            #expect(ours.ess! > 400)
            let tolerance = 4 * (ours.mcse! * ours.mcse! + reference["mcse"]! * reference["mcse"]!).squareRoot()
            #expect(abs(ours.mean! - reference["mean"]!) < tolerance, "\(name)")
        }
    }

    @Test func gaussianMixtureGibbsAgreesWithMetropolisHastings() async throws {
        let gibbs = try await run("gaussian_mixture.ppl", seed: 0)
        let program = try PPLProgram(contentsOf: Self.root.appendingPathComponent("Programs/gaussian_mixture.ppl").path)
        var query = try program.queries()[0]
        query.engine = EngineRequest("mh", options: ["samples": .number(1500), "chains": .number(4)])
        query.seed = 2
        let mh = try await program.run(query)
        for name in ["mu[0]", "mu[1]"] {
            let a = try summary(gibbs, Address(parsing: name)), b = try summary(mh, Address(parsing: name))
            #expect(a.ess! > 400 && b.ess! > 100 && a.rhat! < 1.01)
            #expect(abs(a.mean! - b.mean!) < 4 * (a.mcse! * a.mcse! + b.mcse! * b.mcse!).squareRoot(), "\(name)")
        }
        #expect(!gibbs.diagnostics.schedule.isEmpty)
    }

    @Test func labelSwitchedChainsFlagThemselves() async throws {
        // With seed 1 two Gibbs chains start in the mirrored mode and stay there: the answer is
        // wrong, and R-hat and the warnings must say so rather than look converged.
        let posterior = try await run("gaussian_mixture.ppl", seed: 1)
        let mu = try summary(posterior, "mu[0]")
        if abs(mu.mean! - -2.13) > 0.2 {
            #expect(mu.rhat! > 1.01)
            #expect(posterior.diagnostics.warnings.contains { $0.contains("R-hat") })
        } else {
            #expect(mu.rhat! < 1.01)
        }
    }

    @Test func bradleyTerryGivesPplRankScoresOnTheSameComparisons() async throws {
        // The file's own query: MAP under Newman's prior (Logistic(0, 1) on log-skills) on its eight games,
        // against `ppl rank --prior newman`'s code path on the same games.
        let posterior = try await run("bradley_terry.ppl")
        #expect(posterior.pointEstimate?.kind == "map")
        let winner = [0, 0, 1, 2, 0, 1, 3, 0], loser = [1, 2, 2, 3, 3, 3, 2, 1]
        let games = try ComparisonData(itemNames: (0..<4).map { "\($0)" },
                                       comparisons: zip(winner, loser).map { ComparisonData.Comparison.win($0, over: $1) })
        var request = RankingRequest()
        request.prior = .newman
        var expected = Array(repeating: Double.nan, count: 4)
        for item in try Ranking.rank(games, request).items { expected[try #require(Int(item.name))] = item.score }
        let skills = try BradleyTerryModelTests.centredLogStrengths(posterior, root: "skill", count: 4, logScale: true)
        for k in 0..<4 { #expect(abs(skills[k] - expected[k]) < 1e-8, "skill[\(k)]") }
        // The 2019 NFL season (Programs/data/nfl_2019.csv, from ../shared/data/bt/nfl_games.csv by
        // Programs/data/nfl_2019.py) bound with --data: the MLE and the MAP equal `ppl rank`'s.
        let source = try String(contentsOfFile: BradleyTerryModelTests.gallery, encoding: .utf8)
        for (prior, options) in [(BradleyTerryOptions.Prior.none, ["prior": OptionValue.text("none")]), (.newman, [:])] {
            let nfl = try await BradleyTerryModelTests.runOnNFL(source, options: options, file: BradleyTerryModelTests.gallery)
            #expect(nfl.pointEstimate?.kind == (prior == .none ? "mle" : "map"))
            let reference = try BradleyTerryModelTests.rankScores(prior: prior)
            #expect(reference.count == 32)
            let scores = try BradleyTerryModelTests.centredLogStrengths(nfl, root: "skill", count: 32, logScale: true)
            for (k, score) in scores.enumerated() {
                #expect(abs(score - (reference[k] ?? .nan)) < 1e-8, "skill[\(k)] with prior \(prior)")
            }
        }
    }
}
