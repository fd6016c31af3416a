import Foundation
import Testing
import PPLDistributions
@testable import PPLInference

/// A single-site random-walk Metropolis sampler on log-strengths, written independently of the Gibbs sampler.
///
/// Target: log p(s) = sum_i [a s_i - b e^(s_i)] + sum_pairs [w_ij s_i + w_ji s_j - n_ij log(e^(s_i) + e^(s_j))],
/// the Gamma(a, b) prior on lambda = e^s with its Jacobian, times the Bradley-Terry likelihood.
struct LogStrengthMetropolis {
    var shape: Double
    var rate: Double

    func run(_ graph: ComparisonGraph, sweeps: Int, warmup: Int, chains: Int, seed: UInt64) -> [[[Double]]] {
        let n = graph.itemCount
        func localLogDensity(_ s: [Double], _ i: Int, _ si: Double) -> Double {
            var total = shape * si - rate * exp(si)
            for e in graph.rowStart[i]..<graph.rowStart[i + 1] {
                let sj = s[Int(graph.opponent[e])]
                let m = max(si, sj)
                total += graph.wins[e] * si - (graph.wins[e] + graph.losses[e]) * (m + log(exp(si - m) + exp(sj - m)))
            }
            return total
        }
        let games = (0..<n).map { i in (graph.rowStart[i]..<graph.rowStart[i + 1]).reduce(0.0) { $0 + graph.wins[$1] + graph.losses[$1] } }
        let step = games.map { 2.4 / ($0 / 4 + shape).squareRoot() }
        var out: [[[Double]]] = []
        for chain in 0..<chains {
            var rng = RandomStream(seed: seed, stream: UInt64(100 + chain))
            var s = (0..<n).map { _ in rng.standardNormal() }
            var draws = Array(repeating: [Double](), count: n)
            for sweep in 0..<(warmup + sweeps) {
                for i in 0..<n {
                    let proposal = s[i] + step[i] * rng.standardNormal()
                    let logRatio = localLogDensity(s, i, proposal) - localLogDensity(s, i, s[i])
                    if log(rng.uniformPositive()) < logRatio { s[i] = proposal }
                }
                if sweep >= warmup { for i in 0..<n { draws[i].append(s[i]) } }
            }
            out.append(draws)
        }
        return out
    }
}

struct ChainSummary {
    var mean: Double
    var sd: Double
    var ess: Double
    var mcse: Double { sd / ess.squareRoot() }

    init(_ chains: [[Double]]) {
        let all = chains.flatMap { $0 }
        mean = all.reduce(0, +) / Double(all.count)
        let mu = mean
        sd = (all.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(all.count - 1)).squareRoot()
        ess = MCMCDiagnostics.effectiveSampleSize(chains)
    }
}

@Suite struct BradleyTerryGibbsTests {
    /// Six items, 40 games from a fixed seed: small enough for a long MH run, unbalanced enough to be interesting.
    static func smallProblem() -> ComparisonGraph {
        ComparisonGraph(BTFixtures.synthetic(items: 6, games: 40, spread: 1, seed: 5).data)
    }

    static func gibbsDraws(_ graph: ComparisonGraph, shape: Double, rate: Double, samples: Int = 5_000) throws -> [[[Double]]] {
        try BradleyTerryGibbs(shape: shape, rate: rate, samples: samples, warmup: 500, chains: 4).sample(graph, seed: 42).draws
    }

    /// For every item: |mean_Gibbs - mean_MH| < 4.5 combined MCSE and the same for sd (MCSE of sd ~ sd/sqrt(2 ESS)).
    static func agree(_ gibbs: [[[Double]]], _ mh: [[[Double]]], items: Int) -> (Bool, String) {
        var worst = 0.0
        var report = ""
        for i in 0..<items {
            let g = ChainSummary(gibbs.map { $0[i] }), m = ChainSummary(mh.map { $0[i] })
            let zMean = abs(g.mean - m.mean) / (g.mcse * g.mcse + m.mcse * m.mcse).squareRoot()
            let zSD = abs(g.sd - m.sd) / (g.sd * g.sd / (2 * g.ess) + m.sd * m.sd / (2 * m.ess)).squareRoot()
            worst = max(worst, zMean, zSD)
            report += "item \(i): gibbs \(g.mean)±\(g.mcse) (ess \(Int(g.ess))), mh \(m.mean)±\(m.mcse) (ess \(Int(m.ess))); z \(zMean), \(zSD)\n"
        }
        return (worst < 4.5, report)
    }

    @Test func gibbsMatchesALongMetropolisRunWithinMCSE() throws {
        let graph = Self.smallProblem()
        let gibbs = try Self.gibbsDraws(graph, shape: 2, rate: 1.5)
        let mh = LogStrengthMetropolis(shape: 2, rate: 1.5).run(graph, sweeps: 40_000, warmup: 2_000, chains: 4, seed: 7)
        for i in 0..<graph.itemCount {
            #expect(MCMCDiagnostics.effectiveSampleSize(gibbs.map { $0[i] }) > 2_000, "Gibbs ESS floor")
            #expect(MCMCDiagnostics.effectiveSampleSize(mh.map { $0[i] }) > 2_000, "MH ESS floor")
            #expect(MCMCDiagnostics.splitRHat(gibbs.map { $0[i] }) < 1.01)
        }
        let (ok, report) = Self.agree(gibbs, mh, items: graph.itemCount)
        #expect(ok, "\(report)")
    }

    /// Negative control: the same check rejects a Gibbs run on the wrong model (prior rate 3 instead of 1.5).
    @Test func theCheckRejectsTheWrongPrior() throws {
        let graph = Self.smallProblem()
        let wrong = try Self.gibbsDraws(graph, shape: 2, rate: 3, samples: 2_000)
        let mh = LogStrengthMetropolis(shape: 2, rate: 1.5).run(graph, sweeps: 10_000, warmup: 1_000, chains: 4, seed: 7)
        #expect(!Self.agree(wrong, mh, items: graph.itemCount).0)
    }

    /// Negative control on the likelihood: one game's winner swapped is also caught.
    @Test func theCheckRejectsTheWrongData() throws {
        var data = BTFixtures.synthetic(items: 6, games: 40, spread: 1, seed: 5).data
        // Give item 0 ten extra wins over item 1: a different likelihood.
        data.comparisons.append(.win(0, over: 1, count: 10))
        let wrong = try Self.gibbsDraws(ComparisonGraph(data), shape: 2, rate: 1.5, samples: 2_000)
        let mh = LogStrengthMetropolis(shape: 2, rate: 1.5).run(Self.smallProblem(), sweeps: 10_000, warmup: 1_000, chains: 4, seed: 7)
        #expect(!Self.agree(wrong, mh, items: 6).0)
    }

    /// Simulation-based calibration (Talts et al. 2018) with the shared helper: strengths from the Gamma(2, 2)
    /// prior, 30 games between random pairs of 4 items, 99 thinned Gibbs draws per data set; the rank of each
    /// true log-strength must be uniform (chi-square over 10 bins, Bonferroni over the 4 items, level 0.01).
    static func calibration(samplerRate: Double) async throws -> SimulationBasedCalibration.Result {
        let items = 4, shape = 2.0, rate = 2.0
        let sbc = SimulationBasedCalibration(replications: 400, bins: 10, thin: 3, seed: 2024)
        return try await sbc.run(
            prior: { rng in
                Dictionary(uniqueKeysWithValues: (0..<items).map {
                    (Address("s").appending(index: $0), log(PPLDistributionsGamma.draw(shape: shape, rate: rate, &rng)))
                })
            },
            simulate: { truth, rng -> ComparisonData in
                let s = (0..<items).map { truth[Address("s").appending(index: $0)] ?? 0 }
                var comparisons: [ComparisonData.Comparison] = []
                for _ in 0..<30 {
                    let i = rng.index(below: items)
                    var j = rng.index(below: items - 1)
                    if j >= i { j += 1 }
                    comparisons.append(rng.uniform() < 1 / (1 + exp(s[j] - s[i])) ? .win(i, over: j) : .win(j, over: i))
                }
                return try ComparisonData(itemNames: (0..<items).map { "i\($0)" }, comparisons: comparisons)
            },
            infer: { data, replication in
                try BradleyTerryGibbs(shape: shape, rate: samplerRate, samples: 297, warmup: 100, chains: 1)
                    .sample(ComparisonGraph(data), seed: UInt64(replication))
            })
    }

    @Test func simulationBasedCalibrationPasses() async throws {
        let result = try await Self.calibration(samplerRate: 2)
        #expect(result.rankCount == 100)
        #expect(result.isUniform(level: 0.01), "\(result.pValues)")
    }

    /// Negative control: a sampler whose prior rate is wrong (1 instead of 2) fails the same SBC check.
    @Test func simulationBasedCalibrationRejectsAWrongSampler() async throws {
        let result = try await Self.calibration(samplerRate: 1)
        #expect(!result.isUniform(level: 0.01), "\(result.pValues)")
    }

    @Test func rankProbabilitiesAreDistributions() throws {
        // Item 0 beats everyone many times: it is first with high probability.
        var comparisons: [ComparisonData.Comparison] = [.win(1, over: 2, count: 3), .win(2, over: 1, count: 3),
                                                        .win(2, over: 3, count: 2), .win(3, over: 2, count: 2)]
        for j in 1..<4 { comparisons.append(.win(0, over: j, count: 20)) }
        let data = try ComparisonData(itemNames: ["a", "b", "c", "d"], comparisons: comparisons)
        let posterior = try BradleyTerryGibbs(samples: 500, chains: 2).sample(ComparisonGraph(data), seed: 3)
        #expect(posterior.engine == "rank" && posterior.columns.map(\.description) == ["s[0]", "s[1]", "s[2]", "s[3]"])
        #expect(posterior.draws.count == 2 && posterior.draws[0][0].count == 500)
        let summary = BradleyTerryPosteriorSummary(posterior)
        for row in summary.rankProbability { #expect(abs(row.reduce(0, +) - 1) < 1e-12) }
        for position in 0..<4 { #expect(abs(summary.rankProbability.reduce(0) { $0 + $1[position] } - 1) < 1e-12) }
        #expect(summary.rankProbability[0][0] > 0.95)
        #expect(summary.expectedRank[0] < 1.1)
        #expect(abs(summary.mean.reduce(0, +)) < 1e-9, "scores are centred")
        #expect(zip(summary.lower, summary.upper).allSatisfy { $0 < $1 })
    }

    @Test func samplerRejectsModelsItCannotSample() {
        let data = try! ComparisonData(itemNames: ["a", "b"], comparisons: [.win(0, over: 1), .init(first: 0, second: 1, outcome: .tie)])
        #expect(throws: BradleyTerryError.self) { try BradleyTerryGibbs().sample(ComparisonGraph(data, ties: .davidson), seed: 1) }
        #expect(throws: BradleyTerryError.self) { try BradleyTerryGibbs(shape: -1).sample(ComparisonGraph(data), seed: 1) }
    }
}

/// Gamma draws for the SBC test's prior, through GSL like the sampler's own but from a separate stream.
enum PPLDistributionsGamma {
    static func draw(shape: Double, rate: Double, _ rng: inout RandomStream) -> Double {
        // Marsaglia-Tsang via the stream's normal and uniform draws (shape >= 1 here).
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            let x = rng.standardNormal()
            let v = pow(1 + c * x, 3)
            if v <= 0 { continue }
            if log(rng.uniformPositive()) < 0.5 * x * x + d - d * v + d * log(v) { return d * v / rate }
        }
    }
}
