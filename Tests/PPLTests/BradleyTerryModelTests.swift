import Foundation
import Testing
import PPL
import PPLDistributions
import PPLInference

/// The `rank` engine on `.ppl` models: the same answers as `ppl rank` on the same data, whichever
/// of the written forms the model uses, and a posterior that single-site MH confirms.
@Suite struct BradleyTerryModelTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The 2019 NFL season as indices (Programs/data/nfl_2019.py made it from ../shared/data/bt/nfl_games.csv).
    static let csv = root.appendingPathComponent("Programs/data/nfl_2019.csv").path
    static let json = root.appendingPathComponent("Programs/data/nfl_2019.json").path

    /// Scores from `ppl rank`'s code path (CSV → ComparisonFile → Ranking), by item index.
    static func rankScores(prior: BradleyTerryOptions.Prior, method: RankingRequest.Method = .newman) throws -> [Int: Double] {
        let table = try CSVTable(parsing: String(contentsOfFile: csv, encoding: .utf8), fileName: csv)
        var request = RankingRequest()
        request.method = method
        request.prior = prior
        let ranking = try Ranking.rank(ComparisonFile(table).data, request)
        var out: [Int: Double] = [:]
        for item in ranking.items { out[try #require(Int(item.name))] = item.score }
        return out
    }

    /// Runs model `name` of `source` on the NFL data with the rank engine and these options.
    static func runOnNFL(_ source: String, options: [String: OptionValue], model: String = "BradleyTerry",
                        file: String = "bt.ppl") async throws -> Posterior {
        let program = try PPLProgram(source: source, name: file)
        var query = Query(model: model, engine: EngineRequest("rank", options: options))
        try program.bind(data: DataBinding.load(path: json), source: json, to: &query)
        return try await program.run(query)
    }

    /// Centred log-strengths of a posterior holding one point estimate per item `root[k]`.
    static func centredLogStrengths(_ posterior: Posterior, root: String, count: Int, logScale: Bool) throws -> [Double] {
        let values = try (0..<count).map { k in
            let column = try #require(posterior.columnIndex(of: Address(root).appending(index: k)))
            let x = posterior.draws[0][column][0]
            return logScale ? x : log(x)
        }
        let mean = values.reduce(0, +) / Double(count)
        return values.map { $0 - mean }
    }

    static let gallery = root.appendingPathComponent("Programs/bradley_terry.ppl").path

    @Test func zermeloReachesNewmansEstimateFromTheGalleryModel() async throws {
        let source = try String(contentsOfFile: Self.gallery, encoding: .utf8)
        let zermelo = try await Self.runOnNFL(source, options: ["prior": .text("none"), "method": .text("zermelo")], file: Self.gallery)
        let reference = try Self.rankScores(prior: .none)
        for (k, score) in try Self.centredLogStrengths(zermelo, root: "skill", count: 32, logScale: true).enumerated() {
            #expect(abs(score - (reference[k] ?? .nan)) < 1e-8, "skill[\(k)]")
        }
    }

    @Test func strengthAndRatioFormsGiveTheSameEstimateAsTheLogisticForm() async throws {
        let reference = try Self.rankScores(prior: .none)
        for likelihood in ["observe(BradleyTerry(s[winner[m]], s[loser[m]]), 1)",
                           "observe(Bernoulli(s[winner[m]] / (s[winner[m]] + s[loser[m]])), 1)",
                           "observe(Bernoulli(s[loser[m]] / (s[winner[m]] + s[loser[m]])), 0)"] {
            let source = """
            model BradleyTerry(teams: Int, winner: [Int], loser: [Int]) {
              for k in 0..<teams { s[k] ~ Gamma(1, 1) }
              for m in 0..<len(winner) { \(likelihood) }
            }
            """
            let posterior = try await Self.runOnNFL(source, options: ["prior": .text("none")])
            let scores = try Self.centredLogStrengths(posterior, root: "s", count: 32, logScale: false)
            for (k, score) in scores.enumerated() {
                #expect(abs(score - (reference[k] ?? .nan)) < 1e-8, "\(likelihood): s[\(k)]")
            }
        }
    }

    @Test func davidsonTiesAndAHomeFactorMatchTheSolverOnTheSameComparisons() async throws {
        // Six teams, each pair met home and away: y = 1 home win, 0 away win, 2 draw.
        var home: [Int] = [], away: [Int] = [], result: [Int] = []
        var comparisons: [ComparisonData.Comparison] = []
        var pattern = 0
        for i in 0..<6 { for j in 0..<6 where i != j {
            pattern = (pattern * 7 + i * 3 + j * 5 + 1) % 11
            let y = pattern < 5 ? 1 : (pattern < 8 ? 0 : 2)
            home.append(i); away.append(j); result.append(y)
            comparisons.append(ComparisonData.Comparison(first: i, second: j, outcome: y == 1 ? .firstWins : y == 0 ? .secondWins : .tie,
                                                         venue: .firstAtHome))
        } }
        let data = try ComparisonData(itemNames: (0..<6).map { "\($0)" }, comparisons: comparisons)
        let fit = try BradleyTerry.fit(data, options: BradleyTerryOptions(ties: .davidson, homeAdvantage: true))
        let program = try PPLProgram(source: """
        model Football(teams: Int, home: [Int], away: [Int], result: [Int]) {
          eta ~ Gamma(1, 1)
          nu ~ Exponential(1)
          for k in 0..<teams { s[k] ~ Gamma(1, 1) }
          for g in 0..<len(home) { result[g] ~ Davidson(eta * s[home[g]], s[away[g]], nu) }
        }
        """, name: "football.ppl")
        let query = Query(model: "Football", arguments: ["teams": .int(6), "home": .ints(home), "away": .ints(away),
                                                         "result": .ints(result)],
                          engine: EngineRequest("rank", options: ["prior": .text("none")]))
        let posterior = try await program.run(query)
        let scores = try Self.centredLogStrengths(posterior, root: "s", count: 6, logScale: false)
        for k in 0..<6 { #expect(abs(scores[k] - fit.scores[k]) < 1e-8) }
        let eta = try #require(posterior.columnIndex(of: "eta")), nu = try #require(posterior.columnIndex(of: "nu"))
        #expect(abs(posterior.draws[0][eta][0] - (fit.homeAdvantage ?? .nan)) < 1e-8)
        #expect(abs(posterior.draws[0][nu][0] - (fit.tieParameter ?? .nan)) < 1e-8)
    }

    @Test func anAdditiveHomeTermInTheLogisticFormIsTheLogOfTheHomeFactor() async throws {
        var home: [Int] = [], away: [Int] = [], result: [Int] = []
        var comparisons: [ComparisonData.Comparison] = []
        for i in 0..<5 { for j in 0..<5 where i != j {
            let y = (i * 2 + j * 3) % 5 < 3 ? 1 : 0
            home.append(i); away.append(j); result.append(y)
            comparisons.append(ComparisonData.Comparison(first: i, second: j, outcome: y == 1 ? .firstWins : .secondWins,
                                                         venue: .firstAtHome))
        } }
        let data = try ComparisonData(itemNames: (0..<5).map { "\($0)" }, comparisons: comparisons)
        let fit = try BradleyTerry.fit(data, options: BradleyTerryOptions(homeAdvantage: true))
        let program = try PPLProgram(source: """
        model Home(teams: Int, home: [Int], away: [Int], result: [Int]) {
          h ~ Normal(0, 1)
          for k in 0..<teams { b[k] ~ Logistic(0, 1) }
          for g in 0..<len(home) { result[g] ~ Bernoulli(logistic(h + b[home[g]] - b[away[g]])) }
        }
        """, name: "home.ppl")
        let query = Query(model: "Home", arguments: ["teams": .int(5), "home": .ints(home), "away": .ints(away),
                                                     "result": .ints(result)],
                          engine: EngineRequest("rank", options: ["prior": .text("none")]))
        let posterior = try await program.run(query)
        let scores = try Self.centredLogStrengths(posterior, root: "b", count: 5, logScale: true)
        for k in 0..<5 { #expect(abs(scores[k] - fit.scores[k]) < 1e-8) }
        let h = try #require(posterior.columnIndex(of: "h"))
        #expect(abs(posterior.draws[0][h][0] - log(fit.homeAdvantage ?? .nan)) < 1e-8)
    }

    /// Four players; a Gamma(2, 1) prior on strengths; Caron & Doucet's sampler and single-site MH target the same posterior.
    static func smallModel(shape: Double) -> String {
        """
        model Players(winner: [Int], loser: [Int]) {
          for k in 0..<4 { s[k] ~ Gamma(\(shape), 1) }
          for m in 0..<len(winner) { observe(BradleyTerry(s[winner[m]], s[loser[m]]), 1) }
        }
        let winner = [0, 0, 1, 2, 0, 1, 3, 0, 1, 2, 0, 3]
        let loser = [1, 2, 2, 3, 3, 3, 2, 1, 0, 1, 2, 0]
        infer Players(winner, loser) with rank(method: bayes, samples: 4000, chains: 4)
        infer Players(winner, loser) with mh(samples: 4000, warmup: 1000, chains: 4)
        """
    }

    /// Largest |difference of posterior means| over the strengths, in units of the combined MCSE.
    static func largestZ(_ a: Posterior, _ b: Posterior) throws -> Double {
        var worst = 0.0
        for k in 0..<4 {
            let address = Address("s").appending(index: k)
            let x = a.summary(column: try #require(a.columnIndex(of: address)))
            let y = b.summary(column: try #require(b.columnIndex(of: address)))
            let se = (pow(try #require(x.mcse), 2) + pow(try #require(y.mcse), 2)).squareRoot()
            worst = max(worst, abs(try #require(x.mean) - (try #require(y.mean))) / se)
        }
        return worst
    }

    @Test func bayesAgreesWithMetropolisHastingsWithinMonteCarloError() async throws {
        let program = try PPLProgram(source: Self.smallModel(shape: 2), name: "players.ppl")
        let queries = try program.queries()
        var gibbsQuery = queries[0], mhQuery = queries[1]
        gibbsQuery.seed = 11
        mhQuery.seed = 12
        let gibbs = try await program.run(gibbsQuery)
        let mh = try await program.run(mhQuery)
        for posterior in [gibbs, mh] {
            for summary in posterior.summaries().prefix(4) { #expect((summary.ess ?? 0) > 400, "\(posterior.engine): ESS \(summary.ess ?? 0)") }
        }
        // Each draw's ranks (s_rank[k], 1 = strongest) agree with the rank probabilities `ppl rank` reports from the same draws.
        var strengths = gibbs
        strengths.columns = Array(gibbs.columns.prefix(4))
        strengths.draws = gibbs.draws.map { chain in chain.prefix(4).map { $0.map { log($0) } } }
        let summary = BradleyTerryPosteriorSummary(strengths)
        for k in 0..<4 {
            let column = try #require(gibbs.columnIndex(of: Address("s_rank").appending(index: k)))
            let ranks = gibbs.draws.flatMap { $0[column] }
            #expect(abs(ranks.reduce(0, +) / Double(ranks.count) - summary.expectedRank[k]) < 1e-9)
            for position in 1...4 {
                let share = Double(ranks.filter { $0 == Double(position) }.count) / Double(ranks.count)
                #expect(abs(share - summary.rankProbability[k][position - 1]) < 1e-9)
            }
        }
        // Four comparisons at 4 combined MCSE: a correct pair fails with probability about 2.5e-4.
        let z = try Self.largestZ(gibbs, mh)
        #expect(z < 4, "largest difference \(z) MCSE")
        // Negative control: the rank engine on a Gamma(3, 1) prior is a different posterior, and the same check sees it.
        let wrong = try PPLProgram(source: Self.smallModel(shape: 3), name: "players.ppl")
        var wrongQuery = try wrong.queries()[0]
        wrongQuery.seed = 11
        let wrongGibbs = try await wrong.run(wrongQuery)
        #expect(try Self.largestZ(wrongGibbs, mh) > 4)
    }

    @Test func badIndicesNameTheDataElementAndTheModelLine() async throws {
        let source = try String(contentsOfFile: Self.gallery, encoding: .utf8)
        let program = try PPLProgram(source: source, name: "Programs/bradley_terry.ppl")
        func message(winner: [Int], loser: [Int]) async -> String {
            let query = Query(model: "BradleyTerry", arguments: ["teams": .int(4), "winner": .ints(winner), "loser": .ints(loser)],
                              engine: EngineRequest("rank"))
            do {
                _ = try await program.run(query)
                return "no error"
            } catch {
                return error.description
            }
        }
        let outOfRange = await message(winner: [0, 1, 7], loser: [1, 2, 3])
        #expect(outOfRange.contains("Programs/bradley_terry.ppl:10:5") && outOfRange.contains("element 2 of 'winner'")
                && outOfRange.contains("is 7, not an item index in 0 ..< 4") && outOfRange.contains("Programs/bradley_terry.ppl:7:5"),
                "\(outOfRange)")
        let itself = await message(winner: [0, 2, 1], loser: [1, 2, 3])
        #expect(itself.contains("Programs/bradley_terry.ppl:10:5") && itself.contains("at m = 1")
                && itself.contains("element 1 of 'winner'") && itself.contains("compared with itself"), "\(itself)")
        let negative = await message(winner: [0, -1], loser: [1, 2])
        #expect(negative.contains("is -1, not an item index"), "\(negative)")
    }

    @Test func mapStandardErrorsComeFromTheCurvatureOfTheLogPosterior() async throws {
        // The gallery program: MAP of the log-skills under Logistic(0, 1) priors on its eight games.
        let program = try PPLProgram(contentsOf: Self.gallery)
        let posterior = try await program.run(try program.queries()[0])
        let winner = [0, 0, 1, 2, 0, 1, 3, 0], loser = [1, 2, 2, 3, 3, 3, 2, 1]
        func logPosterior(_ b: [Double]) -> Double {
            var total = 0.0
            for (w, l) in zip(winner, loser) { total += b[w] - log(exp(b[w]) + exp(b[l])) }
            for x in b { total += x - 2 * log1p(exp(x)) }
            return total
        }
        var map: [Double] = []
        for k in 0..<4 { map.append(posterior.draws[0][try #require(posterior.columnIndex(of: Address("skill").appending(index: k)))][0]) }
        // The MAP is a stationary point, and the standard errors are sqrt(diag((-H)^-1)), H by central differences.
        let step = 1e-4
        var information = Array(repeating: Array(repeating: 0.0, count: 4), count: 4)
        for a in 0..<4 { for c in 0..<4 {
            func at(_ da: Double, _ dc: Double) -> Double {
                var b = map
                b[a] += da
                b[c] += dc
                return logPosterior(b)
            }
            information[a][c] = -(at(step, step) - at(step, -step) - at(-step, step) + at(-step, -step)) / (4 * step * step)
        } }
        for a in 0..<4 {
            var up = map, down = map
            up[a] += step
            down[a] -= step
            #expect(abs(logPosterior(up) - logPosterior(down)) / (2 * step) < 1e-6, "gradient at the MAP, skill[\(a)]")
        }
        // Gauss-Jordan inverse of the 4 x 4 information matrix.
        var m = information, inverse = (0..<4).map { i in (0..<4).map { $0 == i ? 1.0 : 0.0 } }
        for col in 0..<4 {
            let pivot = m[col][col]
            for j in 0..<4 { m[col][j] /= pivot; inverse[col][j] /= pivot }
            for row in 0..<4 where row != col {
                let factor = m[row][col]
                for j in 0..<4 { m[row][j] -= factor * m[col][j]; inverse[row][j] -= factor * inverse[col][j] }
            }
        }
        for k in 0..<4 {
            let column = try #require(posterior.columnIndex(of: Address("skill").appending(index: k)))
            let sd = try #require(posterior.summary(column: column).sd)
            #expect(abs(sd - inverse[k][k].squareRoot()) < 1e-5 * sd, "skill[\(k)]: \(sd) vs \(inverse[k][k].squareRoot())")
        }
    }

    @Test func anEnormousComparisonLoopIsAnErrorNotAHang() async throws {
        let program = try PPLProgram(source: """
        model M(n: Int) {
          for k in 0..<3 { b[k] ~ Logistic(0, 1) }
          for m in 0..<n { observe(Bernoulli(logistic(b[0] - b[1])), 1) }
        }
        infer M(1000000000000) with rank
        """, name: "long.ppl")
        await #expect {
            _ = try await program.run(try program.queries()[0])
        } throws: { error in
            ((error as? PPLError)?.description ?? "").contains("long.ppl:3:20: the loop over 'm' from 0 to 1000000000000 is too long")
        }
    }

    @Test func aModelTheRankEngineCannotReadIsAnErrorNamingTheLikelihood() async throws {
        let program = try PPLProgram(source: """
        model Probit(n: Int, winner: [Int], loser: [Int]) {
          for k in 0..<n { b[k] ~ Logistic(0, 1) }
          for m in 0..<len(winner) {
            observe(Bernoulli(logistic(2 * (b[winner[m]] - b[loser[m]]))), 1)
          }
        }
        infer Probit(3, [0, 1, 2], [1, 2, 0]) with rank
        infer Probit(3, [0, 1, 2], [1, 2, 0]) with rank(method: newman, prior: none, tolerance: 1e-10)
        """, name: "probit.ppl")
        for query in try program.queries() {
            await #expect {
                _ = try await program.run(query)
            } throws: { error in
                let text = (error as? PPLError)?.description ?? ""
                return text.contains("probit.ppl:4:5") && text.contains("not a Bradley-Terry")
                    || text.contains("probit.ppl:4:5") && text.contains("logistic(b[i] - b[j])")
            }
        }
        // A Normal prior on log-strengths is recognised, but the engine cannot use it, and says so.
        let normal = try PPLProgram(source: """
        model M(n: Int, winner: [Int], loser: [Int]) {
          for k in 0..<n { b[k] ~ Normal(0, 1) }
          for m in 0..<len(winner) { observe(Bernoulli(logistic(b[winner[m]] - b[loser[m]])), 1) }
        }
        infer M(3, [0, 1, 2], [1, 2, 0]) with rank
        """, name: "normal.ppl")
        await #expect {
            _ = try await normal.run(try normal.queries()[0])
        } throws: { error in
            let text = (error as? PPLError)?.description ?? ""
            return text.contains("Normal(0.0, 1.0) on log-strengths at normal.ppl:2:20") && text.contains("prior: none")
        }
    }
}
